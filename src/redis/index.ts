/**
 * Redis state for production: the shared client factory, the script loader, key naming, the fail-mode
 * guard, and createRedisState (both stores on one client). The stores themselves live in
 * src/flood/redis and src/strikes/redis. See docs/deployment.md, "Redis".
 */
export {
  createRedisClient,
  closeRedisClient,
  whenReady,
  reconnectDelay,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type RedisClient,
  type RedisConnectionOptions,
} from './client.js';
export { RedisScript, keepScriptsLoaded, type ScriptArg } from './script.js';
export { RedisKeys, escapeKeyPart } from './keys.js';
export {
  FailModeGuard,
  type FailMode,
  type FailModeOptions,
  type FailModeStats,
  type FailOpenEvent,
  type LogSink,
} from './fail-mode.js';
export { FailSafeStore, type ClosableStore, type FailSafeStoreOptions } from './fail-safe.js';
export { toStoreError, isReplyError, isNoScriptError } from './errors.js';
export { hash53 } from './hash.js';
export { encodeDoubles } from './encode.js';
export {
  createRedisState,
  type RedisState,
  type RedisStateMetrics,
  type RedisStateOptions,
} from './state.js';
export {
  createRedisFloodLimiter,
  FailSafeFloodLimiter,
  RedisFloodLimiter,
  LocalBlockList,
  loadFloodScript,
  type CreateRedisFloodLimiterOptions,
  type RedisFloodLimiterOptions,
  type LocalBlockListOptions,
} from '../flood/redis/index.js';
export {
  createRedisStrikeStore,
  FailSafeStrikeStore,
  RedisStrikeStore,
  loadStrikeScripts,
  type CreateRedisStrikeStoreOptions,
  type RedisStrikeStoreOptions,
  type StrikeScripts,
} from '../strikes/redis/index.js';
