import type { Verdict } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { EnforcementFailure, FailureSink } from './failures.js';
import type { BeginResult, IdempotencyStore } from './idempotency.js';
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
  /** Retries of writing the failure records before the verdict is handed back for redelivery. Default 3. */
  recordRetries?: number;
  /**
   * How long a verdict whose claim another delivery holds waits for it to be done or to run out before it
   * is handed back (EnforcementBusyError) for redelivery. Default 20 s: longer than the default claim
   * (15 s), so a claim a crash abandoned always runs out meanwhile, and shorter than Kafka's 30 s session.
   */
  busyWaitMs?: number;
  /** Polling a busy claim: default 250 ms doubling up to 2 s, ±20 %. */
  busyBackoff?: BackoffOptions;
  /**
   * The claim is renewed for at most this long (a call that never returns must not hold a verdict
   * forever); then it runs out and a redelivery may act. Default 10 minutes, well over the longest
   * enforcement (every call of a plan with all its retries and timeouts).
   */
  claimMaxMs?: number;
  /** Plan and log every verdict, call nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Wall clock for failure records. Default Date.now. */
  clock?: () => number;
  /** Waits between retries (tests inject a fast one). */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Thrown by `Enforcer.enforce` when another delivery of the verdict still held its claim after
 * `busyWaitMs`: that holder is alive (it renews the claim) and will finish it. The verdict source treats
 * it like any rejection: Kafka does not commit and consumes the verdict again (it is then `done`).
 */
export class EnforcementBusyError extends Error {
  readonly code = 'ENFORCEMENT_BUSY';
  readonly messageId: string;
  constructor(messageId: string, waitedMs: number) {
    super(`verdict ${messageId} is being enforced by another delivery (still claimed after ${waitedMs} ms)`);
    this.name = 'EnforcementBusyError';
    this.messageId = messageId;
  }
}

/**
 * The platform-neutral enforcer: one verdict in, the platform calls it needs out.
 *   - verdicts of other platforms are ignored (counted);
 *   - `dryRun` verdicts are only logged;
 *   - idempotent on `messageId`: a redelivered verdict acts once. The claim is renewed while the verdict is
 *     worked on; a verdict claimed by another delivery waits (bounded) until that one is done (then it is a
 *     `duplicate`) or its claim runs out (a crash: then this delivery acts), else EnforcementBusyError;
 *   - each failed call is retried with exponential backoff, then recorded to the failure sink; the other
 *     calls of the verdict still run (a failed delete does not spare the mute);
 *   - writing the failure records is retried; if it still fails, the claim is released remembering the calls
 *     that succeeded and the error thrown, so the verdict source redelivers it (Kafka does not commit) and
 *     the redelivery makes only the calls not made yet — nothing is dropped silently, nothing done twice.
 */
export class Enforcer {
  readonly #o: EnforcerOptions;
  readonly #logger: Logger;
  readonly #retries: number;
  readonly #backoff: BackoffOptions;
  readonly #recordRetries: number;
  readonly #busyWaitMs: number;
  readonly #busyBackoff: BackoffOptions;
  readonly #claimMaxMs: number;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<unknown>;

  constructor(o: EnforcerOptions) {
    this.#o = o;
    this.#logger = o.logger ?? silentLogger();
    this.#retries = o.retries ?? 3;
    this.#backoff = o.backoff ?? { minMs: 500, maxMs: 10_000 };
    this.#recordRetries = o.recordRetries ?? 3;
    this.#busyWaitMs = o.busyWaitMs ?? 20_000;
    this.#busyBackoff = o.busyBackoff ?? { minMs: 250, maxMs: 2000 };
    this.#claimMaxMs = o.claimMaxMs ?? 10 * 60_000;
    this.#clock = o.clock ?? Date.now;
    this.#sleep = o.sleep ?? ((ms) => sleep(ms));
  }

  get platform(): string {
    return this.#o.enforcement.platform;
  }

  async enforce(v: Verdict): Promise<EnforceOutcome> {
    let outcome: EnforceOutcome;
    try {
      outcome = await this.#enforce(v);
    } catch (err) {
      // Handed back for redelivery: counted, so a verdict bouncing between instances shows on a dashboard.
      if (err instanceof EnforcementBusyError) this.#o.metrics?.verdict('busy');
      throw err;
    }
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

    let claim: string | null = null;
    let acted: ReadonlySet<string> = new Set();
    try {
      const r = await this.#claim(v.messageId, where);
      if (r.state === 'done') {
        this.#logger.debug(where, 'verdict already enforced (redelivery); skipped');
        return 'duplicate';
      }
      claim = r.claim;
      acted = new Set(r.acted);
    } catch (err) {
      if (err instanceof EnforcementBusyError) {
        this.#logger.warn({ ...where, err: err.message }, 'verdict still claimed elsewhere; handed back');
        throw err;
      }
      // Without the store we cannot tell a redelivery; acting twice (a second delete or kick fails
      // harmlessly) beats not acting at all.
      this.#logger.warn({ ...where, err }, 'idempotency store unavailable; enforcing without de-duplication');
    }

    const stopRenewing = claim === null ? () => {} : this.#keepClaimed(v.messageId, claim, where);
    try {
      return await this.#act(v, plan, claim, acted, where);
    } finally {
      stopRenewing();
    }
  }

  async #act(
    v: Verdict,
    plan: readonly PlannedAction[],
    claim: string | null,
    acted: ReadonlySet<string>,
    where: Record<string, unknown>,
  ): Promise<EnforceOutcome> {
    const store = this.#o.idempotency;
    if (this.#o.dryRun) {
      this.#logger.info(
        { ...where, wouldCall: plan.map((p) => ({ action: p.action, params: p.params })) },
        'dry run (--dry-run): nothing called',
      );
      if (claim !== null) await store.complete(v.messageId).catch(() => {});
      return 'dry_run';
    }

    const keys = actionKeys(plan);
    const made: string[] = [];
    const failures: EnforcementFailure[] = [];
    for (let i = 0; i < plan.length; i++) {
      if (acted.has(keys[i])) {
        made.push(keys[i]);
        this.#logger.debug({ ...where, call: plan[i].action }, 'call made by an earlier delivery; skipped');
        continue;
      }
      const failure = await this.#run(v, plan[i]);
      if (failure) failures.push(failure);
      else made.push(keys[i]);
    }
    if (failures.length > 0) {
      const err = await this.#record(failures, where);
      if (err !== null) {
        this.#o.metrics?.failureRecordError();
        this.#logger.error(
          { ...where, err, failures },
          'could not record enforcement failures; the verdict will be retried (calls made are not repeated)',
        );
        if (claim !== null)
          await store
            .release(v.messageId, claim, made)
            .catch((e: unknown) =>
              this.#logger.warn({ ...where, err: e }, 'could not hand the claim back; it runs out by itself'),
            );
        throw err;
      }
    }
    if (claim !== null) {
      await store
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

  /** Claims the verdict, waiting while another delivery holds it (bounded by busyWaitMs). */
  async #claim(
    messageId: string,
    where: Record<string, unknown>,
  ): Promise<Exclude<BeginResult, { state: 'busy' }>> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const r = await this.#o.idempotency.begin(messageId);
      if (r.state !== 'busy') return r;
      if (waited >= this.#busyWaitMs) throw new EnforcementBusyError(messageId, waited);
      const delay = Math.min(backoffDelay(attempt, this.#busyBackoff), this.#busyWaitMs - waited);
      if (attempt === 0)
        this.#logger.info(where, 'verdict claimed by another delivery; waiting for it to finish or run out');
      waited += delay;
      await this.#sleep(delay);
    }
  }

  /** Renews the claim every third of its lifetime (for at most claimMaxMs) until the returned function is called. */
  #keepClaimed(messageId: string, claim: string, where: Record<string, unknown>): () => void {
    const store = this.#o.idempotency;
    const every = Math.max(10, Math.floor(store.busyTtlMs / 3));
    const until = performance.now() + this.#claimMaxMs;
    let lost = false;
    const timer = setInterval(() => {
      if (performance.now() + every > until) {
        clearInterval(timer);
        this.#logger.warn(
          { ...where, claimMaxMs: this.#claimMaxMs },
          'still enforcing the verdict after claimMaxMs; its claim is no longer renewed',
        );
        return;
      }
      store.renew(messageId, claim).then(
        (ok) => {
          if (!ok && !lost) {
            lost = true;
            this.#logger.warn(
              where,
              'the claim on the verdict ran out while enforcing; another delivery may act too',
            );
          }
        },
        (err: unknown) => this.#logger.warn({ ...where, err }, 'could not renew the claim on the verdict'),
      );
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Writes the failure records, retrying with backoff; the last error when it never worked, else null. */
  async #record(failures: readonly EnforcementFailure[], where: Record<string, unknown>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#o.failures.record(failures);
        for (let i = 0; i < failures.length; i++) this.#o.metrics?.failureRecorded(this.#o.failures.name);
        return null;
      } catch (err) {
        if (attempt >= this.#recordRetries) return err ?? new Error('failure record refused');
        const delay = backoffDelay(attempt, this.#backoff);
        this.#logger.warn(
          { ...where, err, attempt: attempt + 1, retryInMs: delay },
          'could not record enforcement failures; retrying',
        );
        await this.#sleep(delay);
      }
    }
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

/**
 * A stable name for each planned call (action and parameters; a repeated identical call gets `#2`, …), so a
 * redelivery can tell which calls an earlier delivery already made.
 */
export function actionKeys(plan: readonly PlannedAction[]): string[] {
  const seen = new Map<string, number>();
  return plan.map((a) => {
    const base = `${a.action} ${JSON.stringify(a.params)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} #${n}`;
  });
}
