export type { FloodHit, FloodLimiter, FloodLimits, FloodRequest, FloodResult } from './types.js';
export {
  MemoryFloodLimiter,
  createMemoryFloodLimiter,
  type MemoryFloodLimiterOptions,
  type MemoryFloodLimiterStats,
} from './memory/memory-flood-limiter.js';
export {
  floodReasons,
  floodTextHash,
  floodHashUnits,
  FLOOD_RULE_RATE,
  FLOOD_RULE_DUPLICATE,
  FLOOD_RULE_CROSS_GROUP,
} from './reasons.js';
