import { createRedisFloodLimiter } from '../flood/redis/index.js';
import type { FailSafeFloodLimiter } from '../flood/redis/fail-safe-flood-limiter.js';
import { createRedisStrikeStore } from '../strikes/redis/index.js';
import type { FailSafeStrikeStore } from '../strikes/redis/fail-safe-strike-store.js';
import {
  closeRedisClient,
  createRedisClient,
  whenReady,
  type RedisClient,
  type RedisConnectionOptions,
} from './client.js';
import type { FailMode, LogSink } from './fail-mode.js';
import { MemoryFloodLimiter } from '../flood/memory/memory-flood-limiter.js';
import { MemoryStrikeStore } from '../strikes/memory/memory-strike-store.js';

/** The metrics a Redis state reports (the shape of ModstreamMetrics.redis). */
export interface RedisStateMetrics {
  onCommand(seconds: number): void;
  onError(store: 'flood' | 'strikes'): void;
  onFailOpen(store: 'flood' | 'strikes'): void;
  setFailOpen(store: 'flood' | 'strikes', active: boolean): void;
}

export interface RedisStateOptions extends RedisConnectionOptions {
  /** Default 'modstream:'. */
  keyPrefix?: string;
  /** Default 'open'. */
  failMode?: FailMode;
  /** Cool-down before Redis is probed again after a failure. Default 1000 ms. */
  retryAfterMs?: number;
  /** The in-process block list for known flooders. Default true. */
  localBlock?: boolean;
  /** Bounds of the fail-open fallbacks (the in-memory stores). */
  fallbackMaxKeys?: number;
  logger?: LogSink;
  metrics?: RedisStateMetrics | null;
}

/** Both Redis-backed stores on one client, with their fail modes: what a production engine runs on. */
export interface RedisState {
  client: RedisClient;
  flood: FailSafeFloodLimiter;
  strikes: FailSafeStrikeStore;
  /** Readiness for /readyz: Redis answering, or failing but fail-open (answering from memory). */
  ready(): { ok: boolean; detail?: string };
  /** Waits up to `timeoutMs` for the connection; false when it did not come (the fail mode answers meanwhile). */
  waitUntilReady(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisState(options: RedisStateOptions = {}): RedisState {
  const client = createRedisClient(options);
  const failMode = options.failMode ?? 'open';
  const metrics = options.metrics ?? null;
  const common = {
    client,
    keyPrefix: options.keyPrefix ?? 'modstream:',
    failMode,
    retryAfterMs: options.retryAfterMs,
    logger: options.logger,
  };
  const hooks = (store: 'flood' | 'strikes') => ({
    onFailOpen: () => metrics?.onFailOpen(store),
    onStateChange: (state: 'degraded' | 'healthy') =>
      metrics?.setFailOpen(store, state === 'degraded' && failMode === 'open'),
    onError: () => metrics?.onError(store),
    onCommand: (seconds: number) => metrics?.onCommand(seconds),
  });
  const flood = createRedisFloodLimiter({
    ...common,
    ...hooks('flood'),
    localBlock: options.localBlock,
    fallback: options.fallbackMaxKeys
      ? new MemoryFloodLimiter({ maxKeys: options.fallbackMaxKeys })
      : undefined,
  });
  const strikes = createRedisStrikeStore({
    ...common,
    ...hooks('strikes'),
    fallback: options.fallbackMaxKeys
      ? new MemoryStrikeStore({ maxKeys: options.fallbackMaxKeys })
      : undefined,
  });
  // While a store is degraded but the connection is back, readiness probes Redis itself: the outage ends at
  // the next batch otherwise, and in fail-closed mode behind a readiness gate no batch would ever come.
  let probing = false;
  const probe = () => {
    probing = true;
    client
      .ping()
      .then(
        () => {
          flood.probeSucceeded();
          strikes.probeSucceeded();
        },
        () => {}, // still failing: the stores' guards report it with the next batch
      )
      .finally(() => (probing = false));
  };
  return {
    client,
    flood,
    strikes,
    ready() {
      if (client.status === 'ready' && (flood.degraded || strikes.degraded) && !probing) probe();
      const up = client.status === 'ready' && !flood.degraded && !strikes.degraded;
      if (up) return { ok: true, detail: 'redis' };
      if (failMode === 'open')
        return { ok: true, detail: `redis ${client.status}: answering from memory (fail-open)` };
      return { ok: false, detail: `redis ${client.status}: batches rejected (fail-closed)` };
    },
    async waitUntilReady(timeoutMs = 5000) {
      try {
        await whenReady(client, timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.all([flood.close(), strikes.close()]);
      await closeRedisClient(client);
    },
  };
}
