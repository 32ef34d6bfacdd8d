import { connectStore, failModeGuardFor, type FailSafeStoreOptions } from '../../redis/fail-safe.js';
import { MemoryFloodLimiter } from '../memory/memory-flood-limiter.js';
import type { FloodLimiter } from '../types.js';
import { LocalBlockList } from './block-list.js';
import { FailSafeFloodLimiter } from './fail-safe-flood-limiter.js';
import { RedisFloodLimiter, loadFloodScript } from './redis-flood-limiter.js';

export { LocalBlockList, type Backfill, type LocalAnswer, type LocalBlockListOptions } from './block-list.js';
export { FailSafeFloodLimiter } from './fail-safe-flood-limiter.js';
export { RedisFloodLimiter, loadFloodScript, type RedisFloodLimiterOptions } from './redis-flood-limiter.js';

export interface CreateRedisFloodLimiterOptions extends FailSafeStoreOptions<FloodLimiter> {
  /** The fail-open answerer. Default: a MemoryFloodLimiter. */
  fallback?: FloodLimiter;
  /** The in-process block list for known flooders (see block-list.ts). Default true. */
  localBlock?: boolean;
  maxBlockedSenders?: number;
  /** Records kept per sender / cross value and epoch in Redis. Default 1000. */
  maxEntriesPerKey?: number;
  /** Hashes per flood family and epoch (see RedisFloodLimiterOptions.buckets). */
  buckets?: number;
  /** Epoch length of the cross-group state (see RedisFloodLimiterOptions.crossEpochMs). */
  crossEpochMs?: number;
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
  const script = loadFloodScript();
  const { client, keys, callPerTag, clock, release } = connectStore(options, [script]);
  const blockList =
    options.localBlock === false
      ? null
      : new LocalBlockList({ maxSenders: options.maxBlockedSenders, clock });
  const redis = new RedisFloodLimiter({
    client,
    keys,
    script,
    callPerTag,
    opsPerCall: options.opsPerCall,
    buckets: options.buckets,
    maxEntriesPerKey: options.maxEntriesPerKey,
    crossEpochMs: options.crossEpochMs,
    blockList,
    onCommand: options.onCommand,
  });
  const guard = failModeGuardFor(options, 'flood');
  const fallback = options.fallback ?? new MemoryFloodLimiter({ clock });
  return new FailSafeFloodLimiter(redis, fallback, guard, release);
}
