import { ModstreamError } from '../../contracts/errors.js';
import type { BatchJudge, IncomingRecord, JudgeOptions, Outcome } from '../../pipeline/types.js';
import type { TransportLogger } from './logger.js';

export interface JudgeRetryPolicy {
  /** Retries of the whole batch after the first attempt. */
  retries: number;
  /** Backoff before retry n (0-based): min(backoffMs * 2^n, backoffMaxMs). */
  backoffMs: number;
  backoffMaxMs: number;
}

export interface ResilientJudgeHooks {
  /** A judge attempt threw (the batch will be retried or isolated). */
  onJudgeError?(attempt: number, error: unknown): void;
}

/** Resolves after `ms`, or at once with false when the signal aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<boolean>;

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Wraps a BatchJudge so that a throw can never wedge a partition or loop forever:
 *  1. the batch is retried `retries` times with capped exponential backoff (a store hiccup passes);
 *  2. then each record is judged alone, once, so one poison record does not take its neighbours along;
 *  3. a record whose judging still throws gets a PROCESSING_FAILED error outcome (for the DLQ).
 * The total work is bounded: 1 + retries batch calls, then at most one call per record.
 */
export class ResilientJudge {
  readonly #judge: BatchJudge;
  readonly #policy: JudgeRetryPolicy;
  readonly #logger: TransportLogger;
  readonly #hooks: ResilientJudgeHooks;
  readonly #sleep: Sleep;

  constructor(
    judge: BatchJudge,
    policy: JudgeRetryPolicy,
    logger: TransportLogger,
    hooks: ResilientJudgeHooks = {},
    sleep: Sleep = abortableSleep,
  ) {
    this.#judge = judge;
    this.#policy = policy;
    this.#logger = logger;
    this.#hooks = hooks;
    this.#sleep = sleep;
  }

  /**
   * One outcome per record, in order; or null when `signal` aborted (stopping) before all were judged,
   * in which case nothing of this batch may be committed. `between` runs while waiting between retries
   * (the consumer's heartbeat); its rejection (a rebalance) propagates. `options` go to every judge call
   * (the batch processor defers counting to delivery: a record may be judged here several times).
   */
  async judge(
    records: readonly IncomingRecord[],
    signal: AbortSignal,
    between?: () => Promise<void>,
    options?: JudgeOptions,
  ): Promise<Outcome[] | null> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#policy.retries; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(this.#policy.backoffMs * 2 ** (attempt - 1), this.#policy.backoffMaxMs);
        if (!(await this.#sleep(delay, signal))) return null;
        if (between) await between();
      }
      if (signal.aborted) return null;
      try {
        return await this.#judgeChecked(records, options);
      } catch (e) {
        lastError = e;
        this.#hooks.onJudgeError?.(attempt, e);
        this.#logger.warn(
          {
            err: describe(e),
            attempt: attempt + 1,
            of: this.#policy.retries + 1,
            records: records.length,
            first: records[0]?.source,
          },
          'judge failed on a batch',
        );
      }
    }
    if (records.length === 1) return [failedOutcome(records[0], lastError, this.#policy.retries + 1)];
    return this.#judgeEachAlone(records, signal, options);
  }

  async #judgeEachAlone(
    records: readonly IncomingRecord[],
    signal: AbortSignal,
    options: JudgeOptions | undefined,
  ): Promise<Outcome[] | null> {
    this.#logger.warn(
      { records: records.length, first: records[0]?.source },
      'judging the batch record by record',
    );
    const outcomes: Outcome[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      if (signal.aborted) return null;
      try {
        outcomes[i] = (await this.#judgeChecked([records[i]], options))[0];
      } catch (e) {
        this.#hooks.onJudgeError?.(this.#policy.retries + 1, e);
        outcomes[i] = failedOutcome(records[i], e, this.#policy.retries + 2);
      }
    }
    return outcomes;
  }

  async #judgeChecked(records: readonly IncomingRecord[], options?: JudgeOptions): Promise<Outcome[]> {
    const outcomes = await this.#judge.judge(records, options);
    if (!Array.isArray(outcomes) || outcomes.length !== records.length) {
      throw new ModstreamError(
        'PROCESSING_FAILED',
        `judge returned ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes} outcomes for ${records.length} records`,
      );
    }
    return outcomes;
  }
}

function failedOutcome(record: IncomingRecord, error: unknown, attempts: number): Outcome {
  return {
    kind: 'error',
    error: {
      error: { code: 'PROCESSING_FAILED', message: `judge failed ${attempts} times: ${describe(error)}` },
      raw: typeof record.raw === 'string' ? record.raw : record.raw.toString('utf8'),
      source: record.source,
    },
  };
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
