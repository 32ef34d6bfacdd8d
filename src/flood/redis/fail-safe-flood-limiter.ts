import type { FailModeGuard, FailModeStats } from '../../redis/fail-mode.js';
import type { FloodLimiter, FloodRequest, FloodResult } from '../types.js';

/**
 * A flood limiter with an explicit fail mode: the primary (Redis) answers while it can; while it fails,
 * the guard either answers from the fallback (in-memory, fail-open) or rejects with StoreError
 * (fail-closed). A StoreError is never a limit hit.
 */
export class FailSafeFloodLimiter implements FloodLimiter {
  readonly #primary: FloodLimiter;
  readonly #fallback: FloodLimiter;
  readonly #guard: FailModeGuard;
  readonly #onClose: () => Promise<void>;

  constructor(
    primary: FloodLimiter,
    fallback: FloodLimiter,
    guard: FailModeGuard,
    onClose: () => Promise<void> = async () => {},
  ) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#guard = guard;
    this.#onClose = onClose;
  }

  check(batch: readonly FloodRequest[]): Promise<FloodResult[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.#guard.run(
      batch.length,
      () => this.#primary.check(batch),
      () => this.#fallback.check(batch),
    );
  }

  /** True while Redis is failing (answers come from memory, or batches are rejected). */
  get degraded(): boolean {
    return this.#guard.degraded;
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
