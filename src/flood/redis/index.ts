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
import { MemoryFloodLimiter } from '../memory/memory-flood-limiter.js';
import type { FloodLimiter } from '../types.js';
import { LocalBlockList } from './block-list.js';
import { FailSafeFloodLimiter } from './fail-safe-flood-limiter.js';
import { RedisFloodLimiter, loadFloodScript } from './redis-flood-limiter.js';

export { LocalBlockList, type Backfill, type LocalAnswer, type LocalBlockListOptions } from './block-list.js';
export { FailSafeFloodLimiter } from './fail-safe-flood-limiter.js';
export { RedisFloodLimiter, loadFloodScript, type RedisFloodLimiterOptions } from './redis-flood-limiter.js';

export interface CreateRedisFloodLimiterOptions {
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
  /** The fail-open answerer. Default: a MemoryFloodLimiter. */
  fallback?: FloodLimiter;
  /** The in-process block list for known flooders (see block-list.ts). Default true. */
  localBlock?: boolean;
  maxBlockedSenders?: number;
  /** Records kept per sender / cross value and epoch in Redis. Default 1000. */
  maxEntriesPerKey?: number;
  /** Hashes per flood family and epoch (see RedisFloodLimiterOptions.buckets). */
  buckets?: number;
  /** One script call per hash tag. Default: true for a Cluster client. */
  callPerTag?: boolean;
  /** Most operations per script call in the standalone layout (larger batches: a pipeline). Default 512. */
  opsPerCall?: number;
  /** Processing-time clock (block list, fail-mode cool-down, fallback). Default Date.now. */
  clock?: () => number;
}

/**
 * The production flood limiter: Redis (flood-check.lua, scripts loaded at start-up and after every
 * reconnection), the local block list, and the fail mode around them.
 */
export function createRedisFloodLimiter(options: CreateRedisFloodLimiterOptions = {}): FailSafeFloodLimiter {
  const ownsClient = options.client === undefined;
  const client = options.client ?? createRedisClient(options.connection);
  const clock = options.clock ?? Date.now;
  const script = loadFloodScript();
  const stopLoading = keepScriptsLoaded(client, [script]);
  const blockList =
    options.localBlock === false
      ? null
      : new LocalBlockList({ maxSenders: options.maxBlockedSenders, clock });
  const redis = new RedisFloodLimiter({
    client,
    keys: new RedisKeys(options.keyPrefix ?? 'modstream:'),
    script,
    callPerTag: options.callPerTag ?? client instanceof Cluster,
    opsPerCall: options.opsPerCall,
    buckets: options.buckets,
    maxEntriesPerKey: options.maxEntriesPerKey,
    blockList,
    onCommand: options.onCommand,
  });
  const guard = new FailModeGuard({
    failMode: options.failMode ?? 'open',
    store: 'flood',
    retryAfterMs: options.retryAfterMs,
    logger: options.logger,
    onFailOpen: options.onFailOpen,
    onStateChange: options.onStateChange,
    onError: options.onError,
    clock,
  });
  const fallback = options.fallback ?? new MemoryFloodLimiter({ clock });
  return new FailSafeFloodLimiter(redis, fallback, guard, async () => {
    stopLoading();
    if (ownsClient) await closeRedisClient(client);
  });
}
