import { RecordError } from '../contracts/errors.js';
import type { Message, SenderRole, Verdict } from '../contracts/types.js';
import { rateLimited, silentLogger, type Logger } from '../log/logger.js';
import { describeIdentity, normalizeCard, parseCard } from './card.js';
import { Roster, identityOf, nameOf, normalizeEmployee } from './roster.js';
import { CompiledMemberRules, type GroupMemberRules } from './rules.js';
import type { CardCheckRelease, IdleRearm, MemberStore, MemberTouch, TouchResult } from './store.js';
import type { Employee, MemberEvent, MemberObservation, MemberRecord, MemberRef } from './types.js';
import { isSenderRole, isTimestamp, memberEventProblem } from './validate.js';
import { MEMBER_RULE, MemberDeliveryError, memberVerdict, shortHash, type MemberRuleId } from './verdicts.js';

/** What the monitor reports, for metrics (bounded label values only). */
export interface MemberMonitorHooks {
  onEvent?(kind: MemberEvent['kind'] | 'observation'): void;
  onVerdict?(rule: MemberRuleId): void;
  /**
   * An observation was skipped because it cannot be stored (an id that is not a well-formed string, a
   * time that is not a time from 1970 to 9999), or the store refused it. Logged too (rate-limited).
   */
  onRejected?(what: 'observation'): void;
  /** A card held lone UTF-16 surrogates and is read with U+FFFD in their place. Logged too. */
  onRepaired?(what: 'card'): void;
}

export interface MemberMonitorOptions {
  store: MemberStore;
  rules?: CompiledMemberRules;
  logger?: Logger;
  hooks?: MemberMonitorHooks;
  /** Wall clock (ms). Default Date.now. */
  clock?: () => number;
  /**
   * A member's activity is written at most once per this many ms (inactivity is measured in days; a
   * write per message would cost a Redis call per message). Default 10 minutes.
   */
  activityResolutionMs?: number;
  /** Members whose last write is cached for coalescing. Default 100 000. */
  cacheSize?: number;
  /** Departures are swept for this long after their effective date. Default 90 days. */
  departedTrackMs?: number;
  /** How long "this departure was reported for this member" is remembered. Default 180 days. */
  onceTtlMs?: number;
  /** Members claimed per store call while sweeping inactivity. Default 500. */
  idleBatch?: number;
}

interface CacheEntry {
  card: string | undefined;
  role: SenderRole | undefined;
  writtenAt: number;
}

/**
 * What a verdict claimed in the store to be made once: a "reported" mark (departed, overdue, ambiguous),
 * the member's card check key (card findings), or the member's place in the idle queue (inactivity).
 * Given back by release() when the verdict could not be delivered.
 */
type Claim =
  | { kind: 'once'; key: string }
  | { kind: 'card'; release: CardCheckRelease }
  | { kind: 'idle'; rearm: IdleRearm };

const DAY_MS = 86_400_000;

/**
 * The member rules at work: group cards (format and roster), departed staff and inactivity. Fed with
 * member events (`handle`), with what messages and member lists show (`observe`), and run periodically
 * (`sweep`); each answers the verdicts it found (verdict v1, detector `member`, docs/member-events.md). The
 * caller delivers them (Kafka verdicts topic, an SSE stream, an in-process hub) like any other verdict.
 *
 * State lives in the injected MemberStore (memory or Redis); the roster is cached here and reloaded when
 * the store's roster version moves, so several instances share one roster.
 *
 * Every finding is made once: a verdict claims its mark in the store as it is made (so two instances
 * never both report it). A caller that cannot deliver the verdicts gives the claims back with release(),
 * and the findings are made again by the next event, sweep or retry; a call that fails half-way gives
 * back the claims of the verdicts it made so far itself.
 */
export class MemberMonitor {
  readonly #store: MemberStore;
  readonly #logger: Logger;
  readonly #hooks: MemberMonitorHooks;
  readonly #clock: () => number;
  readonly #resolutionMs: number;
  readonly #cacheSize: number;
  readonly #trackMs: number;
  readonly #onceTtlMs: number;
  readonly #idleBatch: number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #claims = new WeakMap<Verdict, Claim>();
  readonly #logGate = rateLimited(10);
  #rules: CompiledMemberRules;
  #roster: Roster = Roster.empty();
  #rosterLoading: Promise<Roster> | null = null;

  constructor(options: MemberMonitorOptions) {
    this.#store = options.store;
    this.#rules = options.rules ?? CompiledMemberRules.defaults();
    this.#logger = options.logger ?? silentLogger();
    this.#hooks = options.hooks ?? {};
    this.#clock = options.clock ?? Date.now;
    this.#resolutionMs = options.activityResolutionMs ?? 10 * 60_000;
    this.#cacheSize = options.cacheSize ?? 100_000;
    this.#trackMs = options.departedTrackMs ?? 90 * DAY_MS;
    this.#onceTtlMs = options.onceTtlMs ?? 180 * DAY_MS;
    this.#idleBatch = options.idleBatch ?? 500;
  }

  get rules(): CompiledMemberRules {
    return this.#rules;
  }

  /** New rules apply to the next card seen, the next activity and the next sweep. */
  setRules(rules: CompiledMemberRules): void {
    this.#rules = rules;
    this.#cache.clear();
  }

  /** The roster as last loaded (see refreshRoster). */
  get roster(): Roster {
    return this.#roster;
  }

  /** Reloads the roster when the store holds a newer version (another instance wrote it). */
  async refreshRoster(): Promise<Roster> {
    this.#rosterLoading ??= (async () => {
      try {
        const version = await this.#store.rosterVersion();
        if (version !== this.#roster.version) {
          const { version: v, employees } = await this.#store.readRoster();
          this.#roster = new Roster(employees, v);
          this.#logger.info({ employees: this.#roster.size, rosterVersion: v }, 'roster loaded');
        }
        return this.#roster;
      } finally {
        this.#rosterLoading = null;
      }
    })();
    return this.#rosterLoading;
  }

  /**
   * Member events, applied in order. Every event is checked first (validate.ts: times, lone surrogates,
   * roster dates): an invalid one is a RecordError naming it, and nothing of the batch is applied.
   */
  async handle(events: readonly MemberEvent[], receivedAt = this.#clock()): Promise<Verdict[]> {
    const rosters = new Map<MemberEvent, Employee[]>();
    events.forEach((e, i) => {
      const problem = memberEventProblem(e);
      if (problem) throw new RecordError(problem.code, `events[${i}] (${e.id}): ${problem.message}`);
      if (e.kind === 'roster.update')
        rosters.set(
          e,
          e.employees.map((x) => normalizeEmployee(x, this.#rules.utcOffsetMinutes)),
        );
    });
    return this.#collect(async (out) => {
      for (const e of events) {
        this.#hooks.onEvent?.(e.kind);
        switch (e.kind) {
          case 'roster.update':
            await this.#rosterUpdate(rosters.get(e)!, e.replace === true, out, receivedAt);
            break;
          case 'member.left':
            await this.#left(e.platform, e.groupId, e.userId, e.ts, e.reason === 'kick_me');
            break;
          case 'member.joined':
          case 'member.card':
            await this.#observe([observationOfEvent(e)], out, receivedAt, e.kind === 'member.joined');
            break;
        }
      }
    });
  }

  /** Roster entries from a file or an HR feed (already normalised). */
  async updateRoster(
    employees: readonly Employee[],
    replace: boolean,
    receivedAt = this.#clock(),
  ): Promise<Verdict[]> {
    return this.#collect((out) => this.#rosterUpdate(employees, replace, out, receivedAt));
  }

  /**
   * What messages (or member lists) show: membership, activity and the current card. Anonymous
   * observations are ignored; one that cannot be stored is skipped and reported (hooks.onRejected); a
   * card with a lone surrogate is read with U+FFFD in its place.
   */
  async observe(observations: readonly MemberObservation[], receivedAt = this.#clock()): Promise<Verdict[]> {
    if (this.#hooks.onEvent) for (let i = 0; i < observations.length; i++) this.#hooks.onEvent('observation');
    return this.#collect((out) => this.#observe(observations, out, receivedAt, false));
  }

  /**
   * A full member list of one group (e.g. OneBot get_group_member_list): everyone listed is observed
   * (card, role, join and last-spoke times), and members known here but not listed are forgotten (they
   * left while nobody was listening). An empty list forgets no one: a group always has members (the bot
   * itself), so an empty list is a failed read.
   */
  async syncGroup(
    platform: string,
    groupId: string,
    observations: readonly MemberObservation[],
    receivedAt = this.#clock(),
  ): Promise<Verdict[]> {
    return this.#collect(async (out) => {
      if (observations.length === 0) {
        this.#logger.warn({ platform, groupId }, 'empty member list: not a sync, nobody is forgotten');
        return;
      }
      await this.#observe(observations, out, receivedAt, false);
      const present = new Set(observations.map((o) => o.userId));
      const gone = (await this.#store.membersOf(platform, groupId)).filter((m) => !present.has(m.userId));
      if (gone.length > 0) {
        for (const m of gone) this.#cache.delete(cacheKey(m));
        await this.#store.remove(gone.map((m) => ({ platform, groupId, userId: m.userId, ts: receivedAt })));
      }
    });
  }

  /**
   * The periodic pass: departures that took effect (kick verdicts; overdue ones reported), and members who
   * have been idle for their group's inactivity period. Safe to run on several instances at once.
   */
  async sweep(now = this.#clock()): Promise<Verdict[]> {
    return this.#collect(async (out) => {
      const roster = await this.refreshRoster();
      for (const e of roster.departedBy(now)) {
        if (e.effectiveAt < now - this.#trackMs) continue;
        await this.#departure(e, roster, now, out);
      }
      for (;;) {
        const idle = await this.#store.claimIdle(now, this.#idleBatch);
        const notDue: IdleRearm[] = [];
        for (const m of idle) this.#inactive(m, now, out, notDue);
        if (notDue.length > 0) await this.#store.rearmIdle(notDue);
        if (idle.length < this.#idleBatch) break;
      }
    });
  }

  /**
   * Gives back what these verdicts claimed (their "reported" marks, card checks, places in the idle
   * queue) because they could not be delivered: the next event, sweep or retry makes them again. Verdicts
   * this monitor did not make, or already released, are skipped. Rejects when the store fails (the
   * findings then stay claimed: logged by the caller).
   */
  async release(verdicts: readonly Verdict[]): Promise<void> {
    const once: string[] = [];
    const cards: CardCheckRelease[] = [];
    const idle: IdleRearm[] = [];
    const released: Verdict[] = [];
    for (const v of verdicts) {
      const c = this.#claims.get(v);
      if (c === undefined) continue;
      released.push(v);
      if (c.kind === 'once') once.push(c.key);
      else if (c.kind === 'card') {
        cards.push(c.release);
        this.#cache.delete(cacheKey(c.release)); // the next sight of this card goes to the store again
      } else idle.push(c.rearm);
    }
    if (released.length === 0) return;
    if (once.length > 0) await this.#store.releaseOnce(once);
    if (cards.length > 0) await this.#store.releaseCardCheck(cards);
    if (idle.length > 0) await this.#store.rearmIdle(idle);
    for (const v of released) this.#claims.delete(v);
    this.#logger.info(
      { released: released.map((v) => v.messageId) },
      'member verdicts not delivered: released, they will be made again',
    );
  }

  /** Runs one public operation; if it fails half-way, the verdicts it made so far are released. */
  async #collect(work: (out: Verdict[]) => Promise<void>): Promise<Verdict[]> {
    const out: Verdict[] = [];
    try {
      await work(out);
      return out;
    } catch (e) {
      if (out.length > 0)
        await this.release(out).catch((err: unknown) =>
          this.#logger.error(
            { err, verdicts: out.map((v) => v.messageId) },
            'member verdicts of a failed operation could not be released; they will not be made again',
          ),
        );
      throw e;
    }
  }

  /** A member left; when the bot itself was removed (`kick_me`), the whole group is forgotten. */
  async #left(
    platform: string,
    groupId: string,
    userId: string,
    ts: number,
    wholeGroup: boolean,
  ): Promise<void> {
    const refs = wholeGroup
      ? await this.#store.membersOf(platform, groupId)
      : [{ platform, groupId, userId }];
    for (const r of refs) this.#cache.delete(cacheKey(r));
    await this.#store.remove(
      refs.map((r) => ({ platform: r.platform, groupId: r.groupId, userId: r.userId, ts })),
    );
  }

  async #rosterUpdate(
    employees: readonly Employee[],
    replace: boolean,
    out: Verdict[],
    receivedAt: number,
  ): Promise<void> {
    await this.#store.writeRoster(employees, replace);
    const roster = await this.refreshRoster();
    const now = this.#clock();
    // Departures effective now are acted on at once; later ones by the sweep that passes their date.
    for (const e of employees) {
      const current = roster.byId(e.employeeId);
      if (current && Roster.hasLeft(current, now))
        await this.#departure(current, roster, now, out, receivedAt);
    }
  }

  async #observe(
    observations: readonly MemberObservation[],
    out: Verdict[],
    receivedAt: number,
    joining: boolean,
  ): Promise<void> {
    if (observations.length === 0) return;
    const roster = this.#roster;
    const rules = this.#rules;
    const touches: MemberTouch[] = [];
    const picked: MemberObservation[] = [];
    // What the cache will hold once the store has the touches (not before: a touch that fails or is
    // refused must not be taken for written). Later observations of this batch see it already.
    const entries: CacheEntry[] = [];
    const pending = new Map<string, CacheEntry>();
    for (const raw of observations) {
      const o = this.#admit(raw);
      if (o === null) continue;
      const activeAt = o.spoke === false ? o.lastSpokeAt : Math.max(o.ts, o.lastSpokeAt ?? 0);
      const key = cacheKey(o);
      const cached = pending.get(key) ?? this.#cache.get(key);
      if (
        !joining &&
        cached !== undefined &&
        (o.card === undefined || o.card === cached.card) &&
        (o.role === undefined || o.role === cached.role) &&
        (activeAt === undefined || activeAt - cached.writtenAt < this.#resolutionMs) &&
        o.joinedAt === undefined
      ) {
        continue; // nothing the store does not know yet (to within the activity resolution)
      }
      const group = rules.forGroup(o.platform, o.groupId);
      const t: MemberTouch = { platform: o.platform, groupId: o.groupId, userId: o.userId, ts: o.ts };
      if (o.card !== undefined) {
        t.card = o.card;
        const parsed = parseCard(o.card, group.card.format);
        t.identity = parsed.ok ? parsed.identity : '';
        // A member who just joined has had no chance to set a card: an empty one is checked when they
        // speak or change it, so no check key is recorded for it now.
        if (!(joining && normalizeCard(o.card) === '')) t.cardCheckKey = shortHash(rules.hash, o.card);
      }
      if (o.role !== undefined) t.role = o.role;
      if (activeAt !== undefined) t.activeAt = activeAt;
      if (o.joinedAt !== undefined) t.joinedAt = o.joinedAt;
      t.idleMs = group.inactivity.enabled ? group.inactivity.idleMs : 0;
      const entry: CacheEntry = {
        card: o.card ?? cached?.card,
        role: o.role ?? cached?.role,
        writtenAt:
          activeAt !== undefined && activeAt > (cached?.writtenAt ?? 0) ? activeAt : (cached?.writtenAt ?? 0),
      };
      pending.set(key, entry);
      touches.push(t);
      picked.push(o);
      entries.push(entry);
    }
    if (touches.length === 0) return;
    let results: TouchResult[] | null = null;
    let i = 0;
    try {
      results = await this.#store.touch(touches);
      for (let j = 0; j < picked.length; j++) {
        const r = results[j];
        if (r.rejected !== undefined) this.#reject(picked[j], `the store refused it: ${r.rejected}`);
        else {
          entries[j].role ??= r.role;
          this.#remember(cacheKey(picked[j]), entries[j]);
        }
      }
      const now = this.#clock();
      for (; i < picked.length; i++) {
        const o = picked[i];
        const t = touches[i];
        const r = results[i];
        if (r.rejected !== undefined) continue;
        const group = rules.forGroup(o.platform, o.groupId);
        // Notices (a card change, a join) carry no role: the role the store holds decides exemptions.
        const role = o.role ?? r.role;
        const record = toRecord(o, t, role);
        // A departed employee showing up (joining, first seen, or with a card naming them) is removed.
        const linked = roster.byAccount(o.platform, o.userId);
        const before = out.length;
        if (linked && Roster.hasLeft(linked, now) && (!r.known || joining)) {
          await this.#departedMember(linked, record, group, now, out, receivedAt, false);
        } else if (!linked && t.identity && (r.checkCard || !r.known)) {
          await this.#departedByCard(t.identity, record, group, roster, now, out, receivedAt);
        }
        // A member being removed as departed staff needs no rename request on top.
        if (r.checkCard && t.card !== undefined && out.length === before)
          this.#checkCard(record, t.card, t.cardCheckKey!, group, roster, now, out, receivedAt, joining);
      }
    } catch (e) {
      // The store recorded these card check keys, but their cards were never checked: forget them. A
      // touch that failed may have been written in part (a store splits a long batch into several calls),
      // so then every touch with a key gives it back (releaseCardCheck only forgets a key still matching).
      const unchecked: CardCheckRelease[] = [];
      for (let j = results === null ? 0 : i; j < picked.length; j++) {
        const t = touches[j];
        if (t.cardCheckKey === undefined || (results !== null && !results[j].checkCard)) continue;
        unchecked.push({
          platform: t.platform,
          groupId: t.groupId,
          userId: t.userId,
          checkKey: t.cardCheckKey,
        });
        this.#cache.delete(cacheKey(t));
      }
      if (unchecked.length > 0)
        await this.#store
          .releaseCardCheck(unchecked)
          .catch((err: unknown) =>
            this.#logger.error(
              { err, members: unchecked.map((c) => cacheKey(c).replaceAll('\u0000', '/')) },
              'card checks of a failed operation could not be given back; these cards are not checked again until they change',
            ),
          );
      throw e;
    }
  }

  /** An observation as the store can take it, or null (anonymous; or invalid: reported). */
  #admit(o: MemberObservation): MemberObservation | null {
    if (o === null || typeof o !== 'object') {
      this.#reject({} as MemberObservation, 'not an object');
      return null;
    }
    if (o.anonymous === true) return null;
    for (const f of ['platform', 'groupId', 'userId'] as const) {
      const v = o[f] as unknown;
      if (typeof v !== 'string' || v === '' || !v.isWellFormed()) {
        this.#reject(o, `${f} must be a non-empty, well-formed string`);
        return null;
      }
    }
    for (const f of ['ts', 'lastSpokeAt', 'joinedAt'] as const) {
      const v = o[f];
      if ((f === 'ts' || v !== undefined) && !isTimestamp(v)) {
        this.#reject(o, `${f} must be a time from 1970 to 9999 in ms, got ${String(v)}`);
        return null;
      }
    }
    if (o.card !== undefined && typeof o.card !== 'string') {
      this.#reject(o, 'card must be a string');
      return null;
    }
    if (o.role !== undefined && !isSenderRole(o.role)) {
      const { role: _ignored, ...rest } = o;
      o = rest;
    }
    if (o.card !== undefined && !o.card.isWellFormed()) {
      this.#warn(
        { platform: o.platform, groupId: o.groupId, userId: o.userId },
        'card has a lone surrogate: read with U+FFFD',
      );
      this.#hooks.onRepaired?.('card');
      o = { ...o, card: o.card.toWellFormed() };
    }
    return o;
  }

  #reject(o: MemberObservation, why: string): void {
    this.#hooks.onRejected?.('observation');
    this.#warn(
      { platform: String(o.platform), groupId: String(o.groupId), userId: String(o.userId) },
      `member observation skipped: ${why}`,
    );
  }

  #warn(fields: object, message: string): void {
    const gate = this.#logGate();
    if (gate.ok) this.#logger.warn({ ...fields, suppressed: gate.suppressed || undefined }, message);
  }

  #checkCard(
    m: MemberRecord,
    card: string,
    checkKey: string,
    group: GroupMemberRules,
    roster: Roster,
    now: number,
    out: Verdict[],
    receivedAt: number,
    joining: boolean,
  ): void {
    const rule = group.card;
    if (
      !rule.enabled ||
      rule.exemptUserIds.has(m.userId) ||
      (m.role !== undefined && rule.exemptRoles.has(m.role))
    )
      return;
    const parsed = parseCard(card, rule.format);
    let finding: MemberRuleId | null = null;
    if (!parsed.ok) {
      if (!(joining && parsed.problem === 'empty')) finding = MEMBER_RULE.cardFormat;
    } else if (rule.matchRoster && roster.size > 0) {
      const own = roster.byAccount(m.platform, m.userId);
      const hasDepartment = parsed.department !== '';
      // Both sides NFKC-normalised: HR's `Ｔｏｍ` is the card `Tom`.
      const matches = (e: Employee) =>
        hasDepartment ? identityOf(e) === parsed.identity : nameOf(e) === parsed.name;
      if (own) {
        if (!matches(own)) finding = MEMBER_RULE.cardRoster;
      } else {
        const candidates = hasDepartment ? roster.byIdentity(parsed.identity) : roster.byName(parsed.name);
        if (!candidates.some((e) => !Roster.hasLeft(e, now))) finding = MEMBER_RULE.cardRoster;
      }
    }
    if (finding === null) return;
    this.#emit(out, {
      ref: m,
      eventId: 'card-' + shortHash(this.#rules.hash, card),
      rule: finding,
      action: rule.action,
      muteSeconds: rule.muteSeconds,
      notifyAdmins: rule.notifyAdmins,
      dryRun: rule.dryRun,
      card,
      now,
      receivedAt,
      claim: {
        kind: 'card',
        release: { platform: m.platform, groupId: m.groupId, userId: m.userId, checkKey },
      },
    });
  }

  /** Every member this departed employee is known as: linked accounts, and cards naming them. */
  async #departure(
    e: Employee,
    roster: Roster,
    now: number,
    out: Verdict[],
    receivedAt = now,
  ): Promise<void> {
    const seen = new Set<string>();
    for (const a of e.accounts) {
      for (const m of await this.#store.groupsOf(a.platform, a.userId)) {
        seen.add(cacheKey(m));
        await this.#departedMember(
          e,
          m,
          this.#rules.forGroup(m.platform, m.groupId),
          now,
          out,
          receivedAt,
          true,
        );
      }
    }
    for (const m of await this.#store.withIdentity(identityOf(e))) {
      if (seen.has(cacheKey(m))) continue;
      const owner = roster.byAccount(m.platform, m.userId);
      if (owner && owner.employeeId !== e.employeeId) continue; // someone else's account with the same card
      const group = this.#rules.forGroup(m.platform, m.groupId);
      if (!group.departed.matchByCard) continue;
      if (owner) await this.#departedMember(e, m, group, now, out, receivedAt, true);
      else await this.#departedByCard(identityOf(e), m, group, roster, now, out, receivedAt);
    }
  }

  /** A member whose card names someone in the roster: departed (kick) or ambiguous (review) when a namesake is active. */
  async #departedByCard(
    identity: string,
    m: MemberRecord,
    group: GroupMemberRules,
    roster: Roster,
    now: number,
    out: Verdict[],
    receivedAt: number,
  ): Promise<void> {
    if (!group.departed.enabled || !group.departed.matchByCard) return;
    const named = roster.byIdentity(identity);
    const departed = named.filter((e) => Roster.hasLeft(e, now));
    if (departed.length === 0) return;
    const latest = departed.reduce((a, b) => (b.effectiveAt > a.effectiveAt ? b : a));
    if (named.length > departed.length) {
      if (now < latest.effectiveAt + group.departed.graceMs) return;
      const key = `amb:${latest.employeeId}:${latest.effectiveAt}:${cacheKey(m)}`;
      const [first] = await this.#store.claimOnce([key], this.#onceTtlMs);
      if (!first) return;
      this.#emit(out, {
        ref: m,
        eventId: `departed-ambiguous-${latest.employeeId}-${latest.effectiveAt}`,
        rule: MEMBER_RULE.departedAmbiguous,
        action: 'review',
        notifyAdmins: true,
        dryRun: group.departed.dryRun,
        card: m.card ?? describeIdentity(identity),
        now,
        receivedAt,
        claim: { kind: 'once', key },
      });
      return;
    }
    await this.#departedMember(latest, m, group, now, out, receivedAt, true);
  }

  /**
   * One departed employee in one group: the kick verdict once the grace period is over; once the
   * deadline has passed while they are still known there, one overdue verdict for a person to act on.
   */
  async #departedMember(
    e: Employee,
    m: MemberRecord,
    group: GroupMemberRules,
    now: number,
    out: Verdict[],
    receivedAt: number,
    overdueCheck: boolean,
  ): Promise<void> {
    const rule = group.departed;
    if (!rule.enabled || now < e.effectiveAt + rule.graceMs) return;
    // Once per membership: someone removed who joins the group again is acted on again (the join time
    // tells the memberships apart; 0 for a member first seen without a join).
    const membership = m.joinedAt ?? 0;
    const base = `${e.employeeId}:${e.effectiveAt}:${cacheKey(m)}:${membership}`;
    const key = `dep:${base}`;
    const [first] = await this.#store.claimOnce([key], this.#onceTtlMs);
    const common = {
      ref: m,
      action: rule.action,
      muteSeconds: rule.muteSeconds,
      dryRun: rule.dryRun,
      card: m.card,
      now,
      receivedAt,
    };
    if (first) {
      this.#emit(out, {
        ...common,
        eventId: `departed-${e.employeeId}-${e.effectiveAt}-${membership}`,
        rule: MEMBER_RULE.departed,
        notifyAdmins: rule.notifyAdmins,
        claim: { kind: 'once', key },
      });
      return;
    }
    if (overdueCheck && now > e.effectiveAt + rule.deadlineMs) {
      const overdue = `overdue:${base}`;
      const [firstOverdue] = await this.#store.claimOnce([overdue], this.#onceTtlMs);
      if (firstOverdue) {
        this.#emit(out, {
          ...common,
          eventId: `departed-overdue-${e.employeeId}-${e.effectiveAt}-${membership}`,
          rule: MEMBER_RULE.departedOverdue,
          notifyAdmins: true,
          claim: { kind: 'once', key: overdue },
        });
      }
    }
  }

  /** A member claimed from the idle queue: reported when idle under the rules in force now. */
  #inactive(m: MemberRecord, now: number, out: Verdict[], notDue: IdleRearm[]): void {
    const rule = this.#rules.forGroup(m.platform, m.groupId).inactivity;
    if (
      !rule.enabled ||
      rule.exemptUserIds.has(m.userId) ||
      (m.role !== undefined && rule.exemptRoles.has(m.role))
    )
      return;
    const rearm: IdleRearm = {
      platform: m.platform,
      groupId: m.groupId,
      userId: m.userId,
      lastActiveAt: m.lastActiveAt,
      dueAt: m.lastActiveAt + rule.idleMs,
    };
    // The queue was armed with the idle time in force then; a longer one now: back in the queue until then.
    if (now < rearm.dueAt) {
      notDue.push(rearm);
      return;
    }
    this.#emit(out, {
      ref: m,
      eventId: `inactive-${m.lastActiveAt}`,
      rule: MEMBER_RULE.inactive,
      action: rule.action,
      muteSeconds: rule.muteSeconds,
      notifyAdmins: rule.notifyAdmins,
      dryRun: rule.dryRun,
      now,
      claim: { kind: 'idle', rearm },
    });
  }

  #emit(
    out: Verdict[],
    o: {
      ref: MemberRef;
      eventId: string;
      rule: MemberRuleId;
      action: Verdict['action'];
      muteSeconds?: number;
      notifyAdmins: boolean;
      dryRun: boolean;
      card?: string;
      now: number;
      receivedAt?: number;
      /** What making this verdict claimed in the store (given back by release()). */
      claim: Claim;
    },
  ): void {
    const { claim, ...input } = o;
    const v = memberVerdict({
      ...input,
      ref: { platform: o.ref.platform, groupId: o.ref.groupId, userId: o.ref.userId },
      rules: this.#rules,
    });
    this.#claims.set(v, claim);
    out.push(v);
    this.#hooks.onVerdict?.(o.rule);
  }

  #remember(key: string, entry: CacheEntry): void {
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}

/**
 * A delivery function for the monitor's verdicts (ChatAdapter `members.deliver`, MemberSweeper `deliver`)
 * that gives back what undelivered verdicts claimed: when `send` fails, the verdicts are released
 * (MemberMonitor.release), so the next event, sweep or retry makes them again, and the failure is
 * rethrown as a MemberDeliveryError (`released` false when even that failed; logged at error level).
 */
export function releasingDelivery(
  monitor: MemberMonitor,
  send: (verdicts: Verdict[]) => void | Promise<void>,
  logger: Logger = silentLogger(),
): (verdicts: Verdict[]) => Promise<void> {
  return async (verdicts) => {
    try {
      await send(verdicts);
    } catch (e) {
      const released = await monitor.release(verdicts).then(
        () => true,
        (err: unknown) => {
          logger.error({ err }, 'undelivered member verdicts could not be released');
          return false;
        },
      );
      logger.error(
        { err: e, undelivered: verdicts.map((v) => v.messageId), released },
        released
          ? 'member verdicts could not be delivered; released, they will be made again'
          : 'member verdicts could not be delivered, nor released: they will not be made again',
      );
      throw e instanceof MemberDeliveryError ? e : new MemberDeliveryError(verdicts, { cause: e, released });
    }
  };
}

/**
 * What a message v1 says about its sender's membership (userName is the group card, or the nickname). An
 * anonymous message says nothing (the observation is marked `anonymous` and ignored).
 */
export function observationFromMessage(m: Message): MemberObservation {
  const o: MemberObservation = { platform: m.platform, groupId: m.groupId, userId: m.userId, ts: m.ts };
  if (m.anonymous !== undefined) {
    o.anonymous = true;
    return o;
  }
  if (m.userName !== undefined) o.card = m.userName;
  if (m.role !== undefined) o.role = m.role;
  return o;
}

/**
 * What a join or card-change notice shows: the card (and, for a join, the role and the join time, which
 * also counts as the last activity). Neither is the member speaking.
 */
function observationOfEvent(
  e: Extract<MemberEvent, { kind: 'member.joined' | 'member.card' }>,
): MemberObservation {
  const o: MemberObservation = {
    platform: e.platform,
    groupId: e.groupId,
    userId: e.userId,
    ts: e.ts,
    card: e.userName,
    spoke: false,
  };
  if (e.kind === 'member.joined') {
    o.role = e.role;
    o.joinedAt = e.ts;
    o.lastSpokeAt = e.ts;
  }
  return o;
}

function cacheKey(r: MemberRef): string {
  return r.platform + '\u0000' + r.groupId + '\u0000' + r.userId;
}

function toRecord(o: MemberObservation, t: MemberTouch, role: SenderRole | undefined): MemberRecord {
  const r: MemberRecord = {
    platform: o.platform,
    groupId: o.groupId,
    userId: o.userId,
    lastActiveAt: t.activeAt ?? o.ts,
  };
  if (t.card !== undefined) r.card = t.card;
  if (t.identity) r.identity = t.identity;
  if (role !== undefined) r.role = role;
  if (t.joinedAt !== undefined) r.joinedAt = t.joinedAt;
  return r;
}
