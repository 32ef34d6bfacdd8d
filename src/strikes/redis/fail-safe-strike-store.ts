import { FailSafeStore } from '../../redis/fail-safe.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../types.js';

/**
 * A strike store with an explicit fail mode: the primary (Redis) answers while it can; while it fails, the
 * guard either answers from the fallback (in-memory, fail-open) or rejects with StoreError (fail-closed).
 */
export class FailSafeStrikeStore extends FailSafeStore<StrikeStore> implements StrikeStore {
  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    return this.guarded(batch, (store) => store.record(batch));
  }

  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]> {
    return this.guarded(batch, (store) => store.peek(batch));
  }
}
