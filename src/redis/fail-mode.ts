import { StoreError } from '../contracts/errors.js';

/**
 * What a Redis-backed store does while Redis is failing (down, unreachable, timing out, erroring):
 *   - 'open':   answer from an in-memory implementation of the same interface, count it, log the outage
 *               once, and go back to Redis as soon as it answers again;
 *   - 'closed': reject the batch with a StoreError (the pipeline turns that into `review` verdicts).
 * Either way a failing Redis is never reported as "limited": a StoreError is not a limit hit.
 */
export type FailMode = 'open' | 'closed';

/** The subset of a pino logger the guard uses. */
export interface LogSink {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface FailOpenEvent {
  /** Which store fell back: 'flood' or 'strikes'. */
  store: string;
  /** Requests in the batch the in-memory fallback answered. */
  requests: number;
  error: StoreError;
}

export interface FailModeOptions {
  failMode: FailMode;
  /** Names the store in logs, errors and events. */
  store: string;
  /**
   * After a failure, batches skip Redis for this long (fallback or rejection at once, no timeout paid per
   * batch); the first batch after it probes Redis again. Default 1000.
   */
  retryAfterMs?: number;
  logger?: LogSink;
  /** Called for every batch answered by the fallback (metrics). */
  onFailOpen?: (event: FailOpenEvent) => void;
  /** Called when an outage starts and when it ends (metrics, health). */
  onStateChange?: (state: 'degraded' | 'healthy', error?: StoreError) => void;
  /** Called for every failed Redis call, probes included (metrics). */
  onError?: (error: StoreError) => void;
  /**
   * Clock for the retry cool-down and the outage's length, in ms. Default performance.now: monotonic, so a
   * wall clock stepped back (NTP) cannot hold the cool-down, and with it Redis, off for that long.
   */
  clock?: () => number;
}

export interface FailModeStats {
  degraded: boolean;
  /** Batches answered by the in-memory fallback. */
  failOpenCount: number;
  /** Requests in those batches. */
  failOpenRequests: number;
  /** Batches rejected with a StoreError (fail-closed). */
  rejectedCount: number;
  /** Outages seen (healthy → degraded transitions). */
  outages: number;
}

/**
 * Runs each batch against Redis and applies the fail mode when it fails. The primary must throw
 * StoreError for store trouble; anything else is a bug and is passed through untouched.
 */
export class FailModeGuard {
  readonly failMode: FailMode;
  readonly #store: string;
  readonly #retryAfterMs: number;
  readonly #logger: LogSink | undefined;
  readonly #onFailOpen: ((event: FailOpenEvent) => void) | undefined;
  readonly #onStateChange: ((state: 'degraded' | 'healthy', error?: StoreError) => void) | undefined;
  readonly #onError: ((error: StoreError) => void) | undefined;
  readonly #clock: () => number;

  #degraded = false;
  #since = 0;
  #retryAt = 0;
  #lastError: StoreError | null = null;
  #failOpenCount = 0;
  #failOpenRequests = 0;
  #rejectedCount = 0;
  #outages = 0;
  #outageBatches = 0;

  constructor(options: FailModeOptions) {
    if (options.failMode !== 'open' && options.failMode !== 'closed') {
      throw new RangeError(`failMode must be 'open' or 'closed', got ${String(options.failMode)}`);
    }
    this.failMode = options.failMode;
    this.#store = options.store;
    this.#retryAfterMs = options.retryAfterMs ?? 1000;
    this.#logger = options.logger;
    this.#onFailOpen = options.onFailOpen;
    this.#onStateChange = options.onStateChange;
    this.#onError = options.onError;
    this.#clock = options.clock ?? (() => performance.now());
  }

  get degraded(): boolean {
    return this.#degraded;
  }

  get failOpenCount(): number {
    return this.#failOpenCount;
  }

  stats(): FailModeStats {
    return {
      degraded: this.#degraded,
      failOpenCount: this.#failOpenCount,
      failOpenRequests: this.#failOpenRequests,
      rejectedCount: this.#rejectedCount,
      outages: this.#outages,
    };
  }

  async run<T>(requests: number, primary: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (this.#degraded && this.#clock() < this.#retryAt) {
      return this.#degrade(requests, this.#lastError!, fallback);
    }
    let result: T;
    try {
      result = await primary();
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      this.#failed(e);
      return this.#degrade(requests, e, fallback);
    }
    if (this.#degraded) this.#recovered();
    return result;
  }

  #degrade<T>(requests: number, error: StoreError, fallback: () => T | Promise<T>): T | Promise<T> {
    this.#outageBatches++;
    if (this.failMode === 'closed') {
      this.#rejectedCount++;
      throw error;
    }
    this.#failOpenCount++;
    this.#failOpenRequests += requests;
    this.#onFailOpen?.({ store: this.#store, requests, error });
    return fallback();
  }

  #failed(error: StoreError): void {
    const now = this.#clock();
    this.#lastError = error;
    this.#retryAt = now + this.#retryAfterMs;
    this.#onError?.(error);
    if (this.#degraded) return; // a failed probe: the outage goes on, already logged
    this.#degraded = true;
    this.#since = now;
    this.#outages++;
    this.#outageBatches = 0;
    this.#logger?.warn(
      { store: this.#store, failMode: this.failMode, err: { code: error.code, message: error.message } },
      this.failMode === 'open'
        ? `redis unavailable: ${this.#store} answered from memory until it is back (fail-open)`
        : `redis unavailable: ${this.#store} batches rejected until it is back (fail-closed)`,
    );
    this.#onStateChange?.('degraded', error);
  }

  /**
   * A probe outside any batch (a PING, for readiness) found Redis answering: the outage ends now rather
   * than at the next batch, which in fail-closed mode behind a readiness gate might never come.
   */
  probeSucceeded(): void {
    if (this.#degraded) this.#recovered();
  }

  #recovered(): void {
    const downMs = this.#clock() - this.#since;
    this.#degraded = false;
    this.#lastError = null;
    this.#logger?.info(
      { store: this.#store, failMode: this.failMode, downMs, batches: this.#outageBatches },
      `redis back: ${this.#store} uses Redis again`,
    );
    this.#onStateChange?.('healthy');
  }
}
