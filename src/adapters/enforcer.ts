import type { Verdict } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { EnforcementFailure, FailureSink } from './failures.js';
import type { IdempotencyStore } from './idempotency.js';
import type { EnforceOutcome, EnforcerMetrics } from './metrics.js';
import { ActionError, type PlannedAction, type PlatformEnforcement } from './platform.js';

export interface EnforcerOptions {
  enforcement: PlatformEnforcement;
  idempotency: IdempotencyStore;
  failures: FailureSink;
  metrics?: EnforcerMetrics | null;
  logger?: Logger;
  /** Retries of a failed call before it is recorded as a failure. Default 3. */
  retries?: number;
  /** Default 500 ms doubling up to 10 s, ±20 %. */
  backoff?: BackoffOptions;
  /** Plan and log every verdict, call nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Wall clock for failure records. Default Date.now. */
  clock?: () => number;
  /** Waits between retries (tests inject a fast one). */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The platform-neutral enforcer: one verdict in, the platform calls it needs out.
 *   - verdicts of other platforms are ignored (counted);
 *   - `dryRun` verdicts are only logged;
 *   - idempotent on `messageId`: a redelivered verdict acts once;
 *   - each failed call is retried with exponential backoff, then recorded to the failure sink; the other
 *     calls of the verdict still run (a failed delete does not spare the mute);
 *   - if even the failure record cannot be written, the claim is released and the error thrown, so the
 *     verdict source redelivers it (Kafka does not commit) — nothing is dropped silently.
 */
export class Enforcer {
  readonly #o: EnforcerOptions;
  readonly #logger: Logger;
  readonly #retries: number;
  readonly #backoff: BackoffOptions;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<unknown>;

  constructor(o: EnforcerOptions) {
    this.#o = o;
    this.#logger = o.logger ?? silentLogger();
    this.#retries = o.retries ?? 3;
    this.#backoff = o.backoff ?? { minMs: 500, maxMs: 10_000 };
    this.#clock = o.clock ?? Date.now;
    this.#sleep = o.sleep ?? ((ms) => sleep(ms));
  }

  get platform(): string {
    return this.#o.enforcement.platform;
  }

  async enforce(v: Verdict): Promise<EnforceOutcome> {
    const outcome = await this.#enforce(v);
    this.#o.metrics?.verdict(outcome);
    return outcome;
  }

  async #enforce(v: Verdict): Promise<EnforceOutcome> {
    const e = this.#o.enforcement;
    if (v.platform !== e.platform) return 'ignored_platform';
    const plan = e.plan(v);
    const where = { messageId: v.messageId, groupId: v.groupId, userId: v.userId, action: v.action };
    if (v.dryRun) {
      this.#logger.info(
        { ...where, wouldCall: plan.map((p) => p.action) },
        'dry-run verdict: nothing enforced',
      );
      return 'dry_run';
    }
    if (plan.length === 0) return 'no_action';

    let claimed = true;
    try {
      if ((await this.#o.idempotency.begin(v.messageId)) === 'duplicate') {
        this.#logger.debug(where, 'verdict already enforced (redelivery); skipped');
        return 'duplicate';
      }
    } catch (err) {
      // Without the store we cannot tell a redelivery; acting twice (a second delete or kick fails
      // harmlessly) beats not acting at all.
      claimed = false;
      this.#logger.warn({ ...where, err }, 'idempotency store unavailable; enforcing without de-duplication');
    }

    if (this.#o.dryRun) {
      this.#logger.info(
        { ...where, wouldCall: plan.map((p) => ({ action: p.action, params: p.params })) },
        'dry run (--dry-run): nothing called',
      );
      if (claimed) await this.#o.idempotency.complete(v.messageId).catch(() => {});
      return 'dry_run';
    }

    const failures: EnforcementFailure[] = [];
    for (const action of plan) {
      const failure = await this.#run(v, action);
      if (failure) failures.push(failure);
    }
    if (failures.length > 0) {
      try {
        await this.#o.failures.record(failures);
        for (let i = 0; i < failures.length; i++) this.#o.metrics?.failureRecorded(this.#o.failures.name);
      } catch (err) {
        this.#o.metrics?.failureRecordError();
        this.#logger.error(
          { ...where, err, failures },
          'could not record enforcement failures; the verdict will be retried',
        );
        if (claimed) await this.#o.idempotency.release(v.messageId).catch(() => {});
        throw err;
      }
    }
    if (claimed) {
      await this.#o.idempotency
        .complete(v.messageId)
        .catch((err: unknown) =>
          this.#logger.warn({ ...where, err }, 'could not mark the verdict as enforced'),
        );
    }
    if (failures.length === 0) {
      this.#logger.info({ ...where, calls: plan.map((p) => p.action) }, 'verdict enforced');
      return 'acted';
    }
    return failures.length === plan.length ? 'failed' : 'partial';
  }

  /** One call with retries; the failure record when it finally failed, else null. */
  async #run(v: Verdict, a: PlannedAction): Promise<EnforcementFailure | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#o.enforcement.execute(a);
        this.#o.metrics?.action(a.action, true);
        return null;
      } catch (err) {
        const e =
          err instanceof ActionError
            ? err
            : new ActionError('error', (err as Error)?.message ?? String(err), {
                retryable: true,
                cause: err,
              });
        if (e.retryable && attempt < this.#retries) {
          const delay = backoffDelay(attempt, this.#backoff);
          this.#o.metrics?.retry(a.action);
          this.#logger.warn(
            {
              messageId: v.messageId,
              call: a.action,
              attempt: attempt + 1,
              retryInMs: delay,
              err: e.message,
            },
            'platform call failed; retrying',
          );
          await this.#sleep(delay);
          continue;
        }
        this.#o.metrics?.action(a.action, false);
        this.#logger.error(
          { messageId: v.messageId, call: a.action, attempts: attempt + 1, err: e.message },
          'platform call failed; recorded as a failure',
        );
        const error: EnforcementFailure['error'] = { kind: e.kind, message: e.message };
        if (e.status !== undefined) error.status = e.status;
        if (e.retcode !== undefined) error.retcode = e.retcode;
        return {
          v: 1,
          kind: 'enforcement-failure',
          messageId: v.messageId,
          platform: v.platform,
          groupId: v.groupId,
          userId: v.userId,
          action: a.action,
          purpose: a.purpose,
          params: a.params,
          error,
          attempts: attempt + 1,
          ts: this.#clock(),
          verdict: v,
        };
      }
    }
  }
}
