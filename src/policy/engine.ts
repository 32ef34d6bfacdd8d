import { StoreError } from '../contracts/errors.js';
import type { ErrorCode } from '../contracts/errors.js';
import { ACTION_RANK } from '../contracts/types.js';
import type { Action, Message, Reason } from '../contracts/types.js';
import type { FloodLimits } from '../flood/types.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../strikes/types.js';
import type { CompiledPolicy } from './compile.js';
import type { GroupRules, Outcome, Treatment } from './rules.js';

/**
 * The policy engine: reasons in, the verdict's decision fields out (action, deleteMessage, muteSeconds,
 * notifyAdmins, strikes, dryRun, policy). The rules are in docs/policy.md; in short:
 *   - reasons with `shadow: true`, below their category's minSeverity, or `mention:all` from a role allowed
 *     to mention everyone are ignored; a message with nothing else is clean: allow, strikes 0, no store call;
 *   - exempt senders get allow (reasons still listed);
 *   - dry-run (group, category or rule) computes the verdict but records no strike;
 *   - otherwise ONE strike is recorded per message: the sender's count becomes max(live + 1, the highest
 *     entry step among its violations) — decided inside the store, atomically — and the strongest outcome
 *     among its violations decides (ladder step = live strikes, clamped to the ladder). A violation within
 *     its category's cooldown adds no strike and is decided from the live count at its time.
 * Per batch there is at most one `record` and one `peek` call, both issued at once.
 */

export type StoreErrorMode = 'review' | 'throw';

export interface PolicyEngineOptions {
  policy: CompiledPolicy;
  strikes: StrikeStore;
  /**
   * Processing-time clock. Strikes use the message's event time (so replays and redeliveries decide as the
   * first time did), but never later than this clock plus one minute: a sender's clock running fast cannot
   * stretch their strikes. Default Date.now.
   */
  clock?: () => number;
  /**
   * When the strike store rejects with StoreError (Redis in fail-closed mode): 'review' (default) answers
   * every message that needed the store with a `review` verdict marked by `storeError`; 'throw' rejects the
   * whole batch so the transport can retry it. Other errors always reject.
   */
  onStoreError?: StoreErrorMode;
}

export interface PolicyInput {
  readonly message: Message;
  readonly reasons: Reason[];
}

export interface PolicyDecision {
  action: Action;
  deleteMessage: boolean;
  muteSeconds: number;
  notifyAdmins: boolean;
  /** Live strikes of the sender in this group after this message (dry-run: as if it had been recorded). */
  strikes: number;
  dryRun: boolean;
  /** `name@version`. */
  policy: string;
  /** The input reasons; a copy with `dryRun: true` set on reasons in dry-run, when there are any. */
  reasons: Reason[];
  /** The sender was exempt: the action is allow whatever the reasons. */
  exempt: boolean;
  /** Set when the strike store failed and the decision fell back to `review` (onStoreError 'review'). */
  storeError?: { code: ErrorCode; message: string };
}

/** Violations of one message that the policy acts on. */
interface Violation {
  readonly reason: Reason;
  readonly treatment: Treatment;
}

/** A message with violations, waiting for its strike count. */
interface Pending {
  readonly index: number;
  readonly reasons: Reason[];
  readonly acting: readonly Violation[];
  readonly dryRun: boolean;
  readonly exempt: boolean;
  /** The message would record a strike (dry-run verdicts show the count as if it had). */
  readonly strikes: boolean;
  /** The highest entry step among its striking violations: the lowest count the strike leaves. */
  readonly entryStep: number;
  /** Answered by `record` (true) or by `peek`, at this slot of that call. */
  readonly recorded: boolean;
  readonly slot: number;
  /** `group\0userId` and the (clamped) event time: where a peek stands among this batch's records. */
  readonly sender: string;
  readonly ts: number;
}

/** This batch's strike records of one sender: their slots in the `record` call, in batch order. */
type SenderRecords = number[];

const MAX_FUTURE_SKEW_MS = 60_000;
const MENTION_ALL = 'mention:all';

export class PolicyEngine {
  readonly #policy: CompiledPolicy;
  readonly #store: StrikeStore;
  readonly #clock: () => number;
  readonly #onStoreError: StoreErrorMode;

  constructor(options: PolicyEngineOptions) {
    this.#policy = options.policy;
    this.#store = options.strikes;
    this.#clock = options.clock ?? Date.now;
    this.#onStoreError = options.onStoreError ?? 'review';
  }

  /** `name@version` of the policy. */
  get id(): string {
    return this.#policy.id;
  }

  get policy(): CompiledPolicy {
    return this.#policy;
  }

  /** The flood limits of the message's group, or null where flood control is off. */
  floodLimits(message: Pick<Message, 'platform' | 'groupId'>): FloodLimits | null {
    const rules = this.#policy.resolve(message.platform, message.groupId);
    return rules.floodControl ? rules.flood : null;
  }

  /** Decides a batch, in order: one decision per input. */
  decide(batch: readonly PolicyInput[]): Promise<PolicyDecision[]> {
    return this.#decide(batch, null);
  }

  /**
   * The decisions for a batch judged without its state (another store already failed in fail-closed mode):
   * exactly what `decide` answers when the strike store fails with `error` (review; delete and notify as the
   * categories ask; exempt senders allowed; dry-run kept), without calling the strike store, so nothing is
   * recorded.
   */
  decideDegraded(batch: readonly PolicyInput[], error: StoreError): Promise<PolicyDecision[]> {
    return this.#decide(batch, error);
  }

  async #decide(batch: readonly PolicyInput[], degraded: StoreError | null): Promise<PolicyDecision[]> {
    const policy = this.#policy;
    const out = new Array<PolicyDecision>(batch.length);
    const latest = this.#clock() + MAX_FUTURE_SKEW_MS;
    let pending: Pending[] | null = null;
    const records: StrikeRequest[] = [];
    const peeks: { group: string; userId: string; ts: number }[] = [];
    const bySender = new Map<string, SenderRecords>();

    for (let i = 0; i < batch.length; i++) {
      const { message, reasons } = batch[i];
      const rules = policy.resolve(message.platform, message.groupId);
      const found = collectViolations(message, reasons, rules);
      if (found === null) {
        out[i] = cleanDecision(policy.id, rules.dryRun, reasons);
        continue;
      }
      const acting = found.enforced ?? found.dry!;
      const dryRun = rules.dryRun || found.enforced === null;
      const exempt = rules.isExempt(message);
      const group = message.platform + ':' + message.groupId;
      const ts = message.ts < latest ? message.ts : latest;
      const strike = strikeOf(acting, ts);
      const recorded = !exempt && !dryRun && strike.strikes;
      const sender = group + '\u0000' + message.userId;
      let slot: number;
      if (recorded) {
        slot = records.length;
        const mine = bySender.get(sender);
        if (mine) mine.push(slot);
        else bySender.set(sender, [slot]);
        records.push({
          group,
          userId: message.userId,
          messageId: message.id,
          ts,
          weight: 1,
          entryStep: strike.entryStep,
          cooldownId: strike.cooldownId,
          ttlMs: strike.ttlMs,
        });
      } else {
        slot = peeks.length;
        peeks.push({ group, userId: message.userId, ts });
      }
      (pending ??= []).push({
        index: i,
        reasons: found.reasons,
        acting,
        dryRun,
        exempt,
        strikes: !exempt && strike.strikes,
        entryStep: strike.entryStep,
        recorded,
        slot,
        sender,
        ts,
      });
    }
    if (pending === null) return out;

    // Both calls go out before either is awaited: against Redis they share the round trip, and a store
    // applies them in call order. The peek goes first, so it sees the state before this batch's records;
    // peekedCount() then places each peek at its own position in the batch.
    const [peekAnswer, recordAnswer] = degraded
      ? [peeks.length > 0 ? { error: degraded } : null, records.length > 0 ? { error: degraded } : null]
      : await Promise.all([
          peeks.length > 0 ? settle(this.#store.peek(peeks), peeks.length) : null,
          records.length > 0 ? settle(this.#store.record(records), records.length) : null,
        ]);
    if (!degraded && this.#onStoreError === 'throw') {
      if (recordAnswer?.error) throw recordAnswer.error;
      if (peekAnswer?.error) throw peekAnswer.error;
    }

    for (const p of pending) {
      const mine = p.recorded ? undefined : bySender.get(p.sender);
      const answer = p.recorded ? recordAnswer! : peekAnswer!;
      const error = answer.error ?? (mine ? recordAnswer!.error : undefined);
      if (error) {
        out[p.index] = degradedDecision(policy.id, p, error);
        continue;
      }
      let strikes: number;
      if (p.recorded) {
        strikes = (answer.values![p.slot] as StrikeResult).strikes;
      } else {
        strikes = peekedCount(
          answer.values![p.slot] as number,
          p,
          mine,
          records,
          recordAnswer?.values as readonly StrikeResult[] | undefined,
        );
        // Dry-run: the count the strike would have made, as the store would record it.
        if (p.dryRun && p.strikes) strikes = Math.max(strikes + 1, p.entryStep);
      }
      out[p.index] = p.exempt
        ? exemptDecision(policy.id, p, strikes)
        : decideViolations(policy.id, p, strikes);
    }
    return out;
  }
}

/**
 * A peeked sender's strikes as the store defines a peek: those recorded at an event time before this
 * message's and live at it — so the count depends neither on where a transport cut the batches nor on
 * what was recorded after a first delivery. The store was read before this batch's records: add the
 * weight this delivery's records added for the sender at an earlier time (the store says how much each
 * added). Strikes an earlier delivery recorded come back as duplicates (adding 0), and the store already
 * counted those before this message's time.
 */
function peekedCount(
  peeked: number,
  p: Pending,
  mine: SenderRecords | undefined,
  records: readonly StrikeRequest[],
  answers: readonly StrikeResult[] | undefined,
): number {
  if (!mine || !answers) return peeked;
  let count = peeked;
  for (const slot of mine) {
    const r = records[slot];
    if (r.ts >= p.ts || r.ts + r.ttlMs <= p.ts) continue; // not before this message, or expired by then
    count += answers[slot].weight;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------

interface Found {
  enforced: Violation[] | null;
  dry: Violation[] | null;
  reasons: Reason[];
}

/** The reasons the policy acts on, split into enforced and dry-run; null when there are none. */
function collectViolations(message: Message, reasons: Reason[], rules: GroupRules): Found | null {
  let enforced: Violation[] | null = null;
  let dry: Violation[] | null = null;
  let annotated: Reason[] | null = null;
  for (let i = 0; i < reasons.length; i++) {
    const reason = reasons[i];
    if (reason.shadow === true) continue;
    const treatment = rules.treatmentFor(reason);
    if (reason.severity < treatment.minSeverity) continue;
    if (reason.rule === MENTION_ALL && rules.mayMentionAll(message)) continue;
    if (reason.dryRun === true || treatment.dryRun || rules.isDryRunRule(reason.rule)) {
      (dry ??= []).push({ reason, treatment });
      if (reason.dryRun !== true) {
        annotated ??= reasons.slice();
        annotated[i] = { ...reason, dryRun: true };
      }
    } else {
      (enforced ??= []).push({ reason, treatment });
    }
  }
  if (enforced === null && dry === null) return null;
  return { enforced, dry, reasons: annotated ?? reasons };
}

/**
 * The one strike a message records: whether it records one at all, the highest entry step among its
 * striking violations (the floor the store applies), the longest expiry among them, and — when every
 * striking violation has a cooldown — the cooldown id of the one with the highest entry step, one per
 * cooldown bucket of event time, so that a burst (a flood) counts once. All stable under redelivery.
 */
function strikeOf(
  acting: readonly Violation[],
  ts: number,
): { strikes: boolean; entryStep: number; ttlMs: number; cooldownId: string | undefined } {
  let strikes = false;
  let entryStep = 0;
  let ttlMs = 0;
  let cooled: Treatment | null = null;
  let everyStrikeCooled = true;
  for (const { treatment: t } of acting) {
    if (!t.strike) continue;
    strikes = true;
    if (t.entryStep > entryStep) entryStep = t.entryStep;
    if (t.ttlMs > ttlMs) ttlMs = t.ttlMs;
    if (t.cooldownMs > 0) {
      if (cooled === null || t.entryStep > cooled.entryStep) cooled = t;
    } else everyStrikeCooled = false;
  }
  const cooldownId =
    strikes && everyStrikeCooled && cooled !== null
      ? `#cooldown/${cooled.category}/${Math.floor(ts / cooled.cooldownMs)}`
      : undefined;
  return { strikes, entryStep, ttlMs, cooldownId };
}

function cleanDecision(policy: string, dryRun: boolean, reasons: Reason[]): PolicyDecision {
  return {
    action: 'allow',
    deleteMessage: false,
    muteSeconds: 0,
    notifyAdmins: false,
    strikes: 0,
    dryRun,
    policy,
    reasons,
    exempt: false,
  };
}

function exemptDecision(policy: string, p: Pending, strikes: number): PolicyDecision {
  return {
    action: 'allow',
    deleteMessage: false,
    muteSeconds: 0,
    notifyAdmins: false,
    strikes,
    dryRun: p.dryRun,
    policy,
    reasons: p.reasons,
    exempt: true,
  };
}

/** The strongest outcome among the violations decides; deletion and notification accumulate. */
function decideViolations(policy: string, p: Pending, strikes: number): PolicyDecision {
  let best: Outcome | null = null;
  let deleteMessage = false;
  let notifyAdmins = false;
  for (const { treatment: t } of p.acting) {
    const o = t.ladder === null ? t.outcome : t.ladder[stepIndex(strikes, t.ladder.length)];
    if (o.deleteMessage) deleteMessage = true;
    if (o.notifyAdmins) notifyAdmins = true;
    if (
      best === null ||
      ACTION_RANK[o.action] > ACTION_RANK[best.action] ||
      (o.action === best.action && o.muteSeconds > best.muteSeconds)
    ) {
      best = o;
    }
  }
  return {
    action: best!.action,
    deleteMessage,
    muteSeconds: best!.muteSeconds,
    notifyAdmins,
    strikes,
    dryRun: p.dryRun,
    policy,
    reasons: p.reasons,
    exempt: false,
  };
}

/** Step n (1-based) of the ladder for n live strikes, clamped to its ends. */
function stepIndex(strikes: number, length: number): number {
  if (strikes <= 1) return 0;
  return strikes >= length ? length - 1 : strikes - 1;
}

/** The store failed: a person reviews; the category flags still say whether to delete and notify. */
function degradedDecision(policy: string, p: Pending, error: StoreError): PolicyDecision {
  const storeError = { code: error.code, message: error.message };
  if (p.exempt) {
    return { ...exemptDecision(policy, p, 0), storeError };
  }
  let deleteMessage = false;
  let notifyAdmins = false;
  for (const { treatment: t } of p.acting) {
    if (t.deleteMessage) deleteMessage = true;
    if (t.notifyAdmins) notifyAdmins = true;
  }
  return {
    action: 'review',
    deleteMessage,
    muteSeconds: 0,
    notifyAdmins,
    strikes: 0,
    dryRun: p.dryRun,
    policy,
    reasons: p.reasons,
    exempt: false,
    storeError,
  };
}

type Settled = { values: readonly unknown[]; error?: undefined } | { values?: undefined; error: StoreError };

/** A store call's answer, or its StoreError; anything else (a bug) still rejects. */
async function settle(call: Promise<readonly unknown[]>, expected: number): Promise<Settled> {
  let values: readonly unknown[];
  try {
    values = await call;
  } catch (e) {
    if (e instanceof StoreError) return { error: e };
    throw e;
  }
  if (!Array.isArray(values) || values.length !== expected) {
    return {
      error: new StoreError(
        `strike store answered ${Array.isArray(values) ? values.length : 'nothing'} for ${expected} requests`,
      ),
    };
  }
  return { values };
}
