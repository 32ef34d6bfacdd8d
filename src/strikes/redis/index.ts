import { Cluster } from 'ioredis';
import type { StoreError } from '../../contracts/errors.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnectionOptions,
} from '../../redis/client.js';
import { FailModeGuard, type FailMode, type FailOpenEvent, type LogSink } from '../../redis/fail-mode.js';
import { RedisKeys } from '../../redis/keys.js';
import { keepScriptsLoaded } from '../../redis/script.js';
import { MemoryStrikeStore } from '../memory/memory-strike-store.js';
import type { StrikeStore } from '../types.js';
import { FailSafeStrikeStore } from './fail-safe-strike-store.js';
import { RedisStrikeStore, loadStrikeScripts } from './redis-strike-store.js';

export { FailSafeStrikeStore } from './fail-safe-strike-store.js';
export {
  RedisStrikeStore,
  loadStrikeScripts,
  type PeekRequest,
  type RedisStrikeStoreOptions,
  type StrikeScripts,
} from './redis-strike-store.js';

export interface CreateRedisStrikeStoreOptions {
  /** A shared client (left open by close()); or `connection` to make one that close() quits. */
  client?: RedisClient;
  connection?: RedisConnectionOptions;
  /** Default 'modstream:'. */
  keyPrefix?: string;
  /** Default 'open'. */
  failMode?: FailMode;
  /** Cool-down before Redis is probed again after a failure. Default 1000 ms. */
  retryAfterMs?: number;
  logger?: LogSink;
  onFailOpen?: (event: FailOpenEvent) => void;
  onStateChange?: (state: 'degraded' | 'healthy') => void;
  /** Every failed Redis call (metrics). */
  onError?: (error: StoreError) => void;
  /** Seconds per batch round trip (metrics). */
  onCommand?: (seconds: number) => void;
  /** The fail-open answerer. Default: a MemoryStrikeStore. */
  fallback?: StrikeStore;
  /** Strikes kept per user per group. Default 256. */
  maxStrikesPerKey?: number;
  /** One script call per hash tag. Default: true for a Cluster client. */
  callPerTag?: boolean;
  /** Processing-time clock (fail-mode cool-down, fallback). Default Date.now. */
  clock?: () => number;
}

/** The production strike store: Redis (scripts loaded at start-up and after reconnections) with its fail mode. */
export function createRedisStrikeStore(options: CreateRedisStrikeStoreOptions = {}): FailSafeStrikeStore {
  const ownsClient = options.client === undefined;
  const client = options.client ?? createRedisClient(options.connection);
  const clock = options.clock ?? Date.now;
  const scripts = loadStrikeScripts();
  const stopLoading = keepScriptsLoaded(client, [scripts.record, scripts.peek]);
  const redis = new RedisStrikeStore({
    client,
    keys: new RedisKeys(options.keyPrefix ?? 'modstream:'),
    scripts,
    callPerTag: options.callPerTag ?? client instanceof Cluster,
    maxStrikesPerKey: options.maxStrikesPerKey,
    onCommand: options.onCommand,
  });
  const guard = new FailModeGuard({
    failMode: options.failMode ?? 'open',
    store: 'strikes',
    retryAfterMs: options.retryAfterMs,
    logger: options.logger,
    onFailOpen: options.onFailOpen,
    onStateChange: options.onStateChange,
    onError: options.onError,
    clock,
  });
  const fallback = options.fallback ?? new MemoryStrikeStore({ clock });
  return new FailSafeStrikeStore(redis, fallback, guard, async () => {
    stopLoading();
    if (ownsClient) await closeRedisClient(client);
  });
}
