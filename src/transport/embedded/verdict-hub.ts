import type { Verdict } from '../../contracts/types.js';

export type VerdictListener = (verdict: Verdict) => void;

/** Fan-out of verdicts to SSE clients and other in-process listeners (the enforcer in embedded mode). */
export class VerdictHub {
  readonly #listeners = new Set<VerdictListener>();

  get size(): number {
    return this.#listeners.size;
  }

  subscribe(listener: VerdictListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(verdict: Verdict): void {
    for (const l of this.#listeners) {
      try {
        l(verdict);
      } catch {
        // A listener's failure is its own; others still receive the verdict.
      }
    }
  }
}
