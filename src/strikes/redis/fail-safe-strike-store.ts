import type { FailModeGuard, FailModeStats } from '../../redis/fail-mode.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../types.js';

/**
 * A strike store with an explicit fail mode: the primary (Redis) answers while it can; while it fails, the
 * guard either answers from the fallback (in-memory, fail-open) or rejects with StoreError (fail-closed).
 */
export class FailSafeStrikeStore implements StrikeStore {
  readonly #primary: StrikeStore;
  readonly #fallback: StrikeStore;
  readonly #guard: FailModeGuard;
  readonly #onClose: () => Promise<void>;

  constructor(
    primary: StrikeStore,
    fallback: StrikeStore,
    guard: FailModeGuard,
    onClose: () => Promise<void> = async () => {},
  ) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#guard = guard;
    this.#onClose = onClose;
  }

  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.#guard.run(
      batch.length,
      () => this.#primary.record(batch),
      () => this.#fallback.record(batch),
    );
  }

  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]> {
    if (batch.length === 0) return Promise.resolve([]);
    return this.#guard.run(
      batch.length,
      () => this.#primary.peek(batch),
      () => this.#fallback.peek(batch),
    );
  }

  get degraded(): boolean {
    return this.#guard.degraded;
  }

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
