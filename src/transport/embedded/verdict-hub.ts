import type { Verdict } from '../../contracts/types.js';
import { sseField } from './sse-clients.js';

export type VerdictListener = (verdict: Verdict) => void;

/** Verdicts kept for streams that reconnect (VerdictHub.since): about 10 MB at 1 KB a verdict. */
export const DEFAULT_RECENT_VERDICTS = 10_000;

/**
 * Fan-out of verdicts to SSE clients and other in-process listeners (the enforcer in embedded mode), and
 * the most recent ones, so that a stream that reconnects can be given what it missed.
 */
export class VerdictHub {
  readonly #listeners = new Set<VerdictListener>();
  readonly #recent: (Verdict | undefined)[];
  /** Verdicts published so far; the latest sits at (#count - 1) % capacity. */
  #count = 0;

  constructor(o: { recent?: number } = {}) {
    this.#recent = new Array(o.recent ?? DEFAULT_RECENT_VERDICTS);
  }

  get size(): number {
    return this.#listeners.size;
  }

  subscribe(listener: VerdictListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(verdict: Verdict): void {
    if (this.#recent.length > 0) this.#recent[this.#count++ % this.#recent.length] = verdict;
    for (const l of this.#listeners) {
      try {
        l(verdict);
      } catch {
        // A listener's failure is its own; others still receive the verdict.
      }
    }
  }

  /**
   * The verdicts published after the last one with SSE id `lastEventId`, oldest first. When it is no
   * longer among the recent ones (the client was away too long), all of them: an enforcer de-duplicates
   * by message id, while a verdict it never gets is never enforced.
   */
  since(lastEventId: string): Verdict[] {
    const capacity = this.#recent.length;
    const held = Math.min(this.#count, capacity);
    const first = this.#count - held;
    let from = first;
    for (let n = this.#count - 1; n >= first; n--) {
      if (sseField(this.#recent[n % capacity]!.messageId) === lastEventId) {
        from = n + 1;
        break;
      }
    }
    const out: Verdict[] = [];
    for (let n = from; n < this.#count; n++) out.push(this.#recent[n % capacity]!);
    return out;
  }
}
