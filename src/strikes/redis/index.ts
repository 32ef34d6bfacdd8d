import { connectStore, failModeGuardFor, type FailSafeStoreOptions } from '../../redis/fail-safe.js';
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

export interface CreateRedisStrikeStoreOptions extends FailSafeStoreOptions<StrikeStore> {
  /** The fail-open answerer. Default: a MemoryStrikeStore. */
  fallback?: StrikeStore;
  /** Strikes kept per user per group. Default 256. */
  maxStrikesPerKey?: number;
  /** Processing-time clock (fail-mode cool-down, fallback). Default Date.now. */
  clock?: () => number;
}

/** The production strike store: Redis (scripts loaded at start-up and after reconnections) with its fail mode. */
export function createRedisStrikeStore(options: CreateRedisStrikeStoreOptions = {}): FailSafeStrikeStore {
  const scripts = loadStrikeScripts();
  const { client, keys, callPerTag, clock, release } = connectStore(options, [scripts.record, scripts.peek]);
  const redis = new RedisStrikeStore({
    client,
    keys,
    scripts,
    callPerTag,
    maxStrikesPerKey: options.maxStrikesPerKey,
    onCommand: options.onCommand,
  });
  const guard = failModeGuardFor(options, 'strikes');
  const fallback = options.fallback ?? new MemoryStrikeStore({ clock });
  return new FailSafeStrikeStore(redis, fallback, guard, release);
}
