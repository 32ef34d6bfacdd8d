import { performance } from 'node:perf_hooks';
import { isGroupMembershipError } from './broker-errors.js';
import type { TransportLogger } from './logger.js';

export interface OffsetCommitterOptions {
  logger: TransportLogger;
  /** Each commit that succeeded, with its duration. */
  onCommit?: (ms: number) => void;
  /** Backoff before committing again after a failed commit when nothing else asks first. */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
}

/** Commits every offset resolved and not yet committed in the consumer's current group generation. */
export type CommitResolved = () => Promise<void>;

/**
 * Takes offset commits off the path of the batches. A unit's offset is resolved only after the broker
 * acknowledged its outputs; request() then makes it durable soon without making the partition wait: the
 * group coordinator answers a commit in several ms (Kafka 4 lingers on its log appends), which, awaited per
 * unit, was the largest part of the verdict latency.
 *
 * Commits run one at a time, on the consumer's coordinator connection (fetches have their own), and
 * coalesce: any number of requests made during a commit are covered by the single next one. Every commit
 * sends what is resolved when it starts, so request() and flush() cover everything resolved before the call.
 * A failed commit is logged and retried with backoff; what it would have covered stays resolved and goes
 * with the next commit, or is redelivered if the process dies first — never lost, never skipped.
 */
export class OffsetCommitter {
  readonly #logger: TransportLogger;
  readonly #onCommit: (ms: number) => void;
  readonly #backoffMs: number;
  readonly #backoffMaxMs: number;
  #commit: CommitResolved | null = null;
  /** The commit running now, if any. */
  #current: Promise<void> | null = null;
  /** The commit that starts when the current one ends; it covers every request made meanwhile. */
  #next: Promise<void> | null = null;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: OffsetCommitterOptions) {
    this.#logger = options.logger;
    this.#onCommit = options.onCommit ?? (() => {});
    this.#backoffMs = options.retryBackoffMs ?? 200;
    this.#backoffMaxMs = options.retryBackoffMaxMs ?? 5_000;
  }

  /**
   * Sets how to commit. kafkajs hands it out with each batch; it always acts on the consumer's current
   * generation, so offsets resolved in an earlier one (whose partitions may have moved) are never sent.
   */
  use(commit: CommitResolved): void {
    this.#commit = commit;
  }

  /** Asks for a commit soon. Never waits, never throws. */
  request(): void {
    if (this.#closed) return;
    this.#schedule().catch(() => {
      // Logged by #run; the retry timer takes it from here.
    });
  }

  /** Commits everything resolved before the call and waits for it. Rejects when that commit failed. */
  flush(): Promise<void> {
    return this.#schedule();
  }

  /** No more commits are started by requests or retries (flush() still works). */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** True while a commit runs or waits to run. */
  get busy(): boolean {
    return this.#current !== null || this.#next !== null;
  }

  #schedule(): Promise<void> {
    if (this.#next) return this.#next;
    if (this.#current === null) {
      this.#current = this.#run().finally(() => this.#advance());
      return this.#current;
    }
    // Not started yet, so it will send what is resolved by the time the current commit ends.
    this.#next = this.#current.catch(() => {}).then(() => this.#current!);
    return this.#next;
  }

  // The queued commit becomes the current one.
  #advance(): void {
    if (this.#next) {
      this.#current = this.#run().finally(() => this.#advance());
      const started = this.#current;
      this.#next = null;
      void started.catch(() => {});
    } else {
      this.#current = null;
    }
  }

  async #run(): Promise<void> {
    const commit = this.#commit;
    if (commit === null) return; // nothing was ever fetched, so nothing can be resolved
    if (this.#retryTimer) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
    const t0 = performance.now();
    try {
      await commit();
    } catch (e) {
      this.#failures++;
      const err = e as Error & { type?: string };
      // After a rebalance the old generation's commits are refused; its offsets get redelivered.
      const rebalance = isGroupMembershipError(err);
      const fields = { err: err.message, type: err.type, failures: this.#failures };
      if (rebalance) this.#logger.info(fields, 'offset commit refused by a rebalance');
      else this.#logger.warn(fields, 'offset commit failed; will retry');
      this.#retryLater();
      throw e;
    }
    this.#failures = 0;
    this.#onCommit(performance.now() - t0);
  }

  #retryLater(): void {
    if (this.#closed || this.#retryTimer) return;
    const delay = Math.min(this.#backoffMs * 2 ** Math.min(this.#failures - 1, 16), this.#backoffMaxMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.request();
    }, delay);
    // A pending retry must not keep a stopping process alive; stop() flushes explicitly.
    this.#retryTimer.unref();
  }
}
