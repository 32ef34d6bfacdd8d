export type { StrikeRequest, StrikeResult, StrikeStore } from './types.js';
export {
  MemoryStrikeStore,
  createMemoryStrikeStore,
  type MemoryStrikeStoreOptions,
  type MemoryStrikeStoreStats,
} from './memory/memory-strike-store.js';
