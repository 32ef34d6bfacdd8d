import { FailSafeStore } from '../../redis/fail-safe.js';
import type { FloodLimiter, FloodRequest, FloodResult } from '../types.js';

/**
 * A flood limiter with an explicit fail mode: the primary (Redis) answers while it can; while it fails,
 * the guard either answers from the fallback (in-memory, fail-open) or rejects with StoreError
 * (fail-closed). A StoreError is never a limit hit.
 */
export class FailSafeFloodLimiter extends FailSafeStore<FloodLimiter> implements FloodLimiter {
  check(batch: readonly FloodRequest[]): Promise<FloodResult[]> {
    return this.guarded(batch, (limiter) => limiter.check(batch));
  }
}
