import { Cluster } from 'ioredis';
import type { StoreError } from '../contracts/errors.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnectionOptions,
} from './client.js';
import {
  FailModeGuard,
  type FailMode,
  type FailModeStats,
  type FailOpenEvent,
  type LogSink,
} from './fail-mode.js';
import { RedisKeys } from './keys.js';
import { keepScriptsLoaded, type RedisScript } from './script.js';

/** What every store a FailSafeStore wraps can do besides answering batches. */
export interface ClosableStore {
  close(): Promise<void>;
}

/**
 * A store with an explicit fail mode: the primary (Redis) answers while it can; while it fails, the guard
 * either answers from the fallback (in-memory, fail-open) or rejects with StoreError (fail-closed). A
 * StoreError is never a limit hit. Subclasses add the store's own methods, each through guarded().
 */
export abstract class FailSafeStore<S extends ClosableStore> {
  readonly #primary: S;
  readonly #fallback: S;
  readonly #guard: FailModeGuard;
  readonly #onClose: () => Promise<void>;

  constructor(primary: S, fallback: S, guard: FailModeGuard, onClose: () => Promise<void> = async () => {}) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#guard = guard;
    this.#onClose = onClose;
  }

  /** Runs `call` on the primary, or on the fallback as the fail mode decides; an empty batch touches neither. */
  protected guarded<T>(batch: readonly unknown[], call: (store: S) => Promise<T[]>): Promise<T[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.#guard.run(
      batch.length,
      () => call(this.#primary),
      () => call(this.#fallback),
    );
  }

  /** True while Redis is failing (answers come from memory, or batches are rejected). */
  get degraded(): boolean {
    return this.#guard.degraded;
  }

  /** See FailModeGuard.probeSucceeded. */
  probeSucceeded(): void {
    this.#guard.probeSucceeded();
  }

  /** Batches answered from memory because Redis failed. */
  get failOpenCount(): number {
    return this.#guard.failOpenCount;
  }

  stats(): FailModeStats {
    return this.#guard.stats();
  }

  async close(): Promise<void> {
    await Promise.all([this.#primary.close(), this.#fallback.close()]);
    await this.#onClose();
  }
}

/** The factory options every Redis-backed store with a fail mode takes. */
export interface FailSafeStoreOptions<S> {
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
  /** The fail-open answerer. */
  fallback?: S;
  /** One script call per hash tag. Default: true for a Cluster client. */
  callPerTag?: boolean;
  /** Processing-time clock. Default Date.now. */
  clock?: () => number;
}

/** The Redis side of a store factory: the client, its scripts kept loaded, and how to let go of both. */
export interface StoreConnection {
  client: RedisClient;
  keys: RedisKeys;
  callPerTag: boolean;
  clock: () => number;
  /** Stops reloading the scripts and quits the client if the factory made it (the wrapper's onClose). */
  release: () => Promise<void>;
}

/**
 * Takes the given client or makes one (then owned: release() quits it), keeps `scripts` loaded on it at
 * start-up and after every reconnection, and settles the option defaults the Redis stores share.
 */
export function connectStore(
  options: Pick<
    FailSafeStoreOptions<unknown>,
    'client' | 'connection' | 'keyPrefix' | 'callPerTag' | 'clock'
  >,
  scripts: readonly RedisScript[],
): StoreConnection {
  const ownsClient = options.client === undefined;
  const client = options.client ?? createRedisClient(options.connection);
  const stopLoading = keepScriptsLoaded(client, scripts);
  return {
    client,
    keys: new RedisKeys(options.keyPrefix ?? 'modstream:'),
    callPerTag: options.callPerTag ?? client instanceof Cluster,
    clock: options.clock ?? Date.now,
    release: async () => {
      stopLoading();
      if (ownsClient) await closeRedisClient(client);
    },
  };
}

/** The fail-mode guard a store factory puts around its Redis store (default fail-open). */
export function failModeGuardFor(
  options: FailSafeStoreOptions<unknown>,
  store: 'flood' | 'strikes',
): FailModeGuard {
  return new FailModeGuard({
    failMode: options.failMode ?? 'open',
    store,
    retryAfterMs: options.retryAfterMs,
    logger: options.logger,
    onFailOpen: options.onFailOpen,
    onStateChange: options.onStateChange,
    onError: options.onError,
    // The stores' wall clock only when one is injected (tests drive both with it); else monotonic time.
    clock: options.clock,
  });
}
