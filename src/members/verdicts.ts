import { createHash } from 'node:crypto';
import { ModstreamError, type ErrorCode } from '../contracts/errors.js';
import type { Action, Category, Reason, Verdict } from '../contracts/types.js';
import type { CompiledMemberRules } from './rules.js';
import type { MemberRef } from './types.js';

/**
 * Rule ids of member verdicts (reasons[].rule, detector `member`), documented in docs/member-events.md.
 */
export const MEMBER_RULE = {
  /** The group card is empty or does not follow the group's format. */
  cardFormat: 'member:card-format',
  /** The card follows the format but its department and name are not the member's (or nobody's) in the roster. */
  cardRoster: 'member:card-roster',
  /** The roster says this employee left: remove them from the group. */
  departed: 'member:departed',
  /** Still in the group after the deadline: a person must act. */
  departedOverdue: 'member:departed-overdue',
  /** The card names a departed employee, but an active employee has the same department and name. */
  departedAmbiguous: 'member:departed-ambiguous',
  /** Has not spoken for the group's inactivity period. */
  inactive: 'member:inactive',
} as const;
export type MemberRuleId = (typeof MEMBER_RULE)[keyof typeof MEMBER_RULE];

/**
 * Member verdicts use the closest DESIGN.md category, `secret` (公司机密): group membership rules exist to
 * keep company information among identified, current staff. The rule id tells the cases apart.
 */
export const MEMBER_CATEGORY: Category = 'secret';

export const MEMBER_SEVERITY: Readonly<Record<MemberRuleId, number>> = {
  'member:card-format': 1,
  'member:card-roster': 1,
  'member:departed': 3,
  'member:departed-overdue': 4,
  'member:departed-ambiguous': 2,
  'member:inactive': 1,
};

/** `member:<platform>:<groupId>:<userId>:<eventId>`: unique per finding, so enforcers de-duplicate on it. */
export function memberMessageId(ref: MemberRef, eventId: string): string {
  return `member:${ref.platform}:${ref.groupId}:${ref.userId}:${eventId}`;
}

export interface MemberVerdictInput {
  ref: MemberRef;
  eventId: string;
  rule: MemberRuleId;
  action: Action;
  muteSeconds?: number;
  notifyAdmins: boolean;
  dryRun: boolean;
  /** The card the finding is about (reasons[].match), when there is one. */
  card?: string;
  rules: CompiledMemberRules;
  now: number;
  /** When the triggering input arrived (latency); default `now`. */
  receivedAt?: number;
}

/** A verdict v1 for a member finding: no message to delete; `policy` names the member rules. */
export function memberVerdict(o: MemberVerdictInput): Verdict {
  const reason: Reason = {
    detector: 'member',
    category: MEMBER_CATEGORY,
    rule: o.rule,
    severity: MEMBER_SEVERITY[o.rule],
  };
  if (o.card !== undefined && o.card !== '') reason.match = o.card;
  if (o.dryRun) reason.dryRun = true;
  return {
    v: 1,
    messageId: memberMessageId(o.ref, o.eventId),
    platform: o.ref.platform,
    groupId: o.ref.groupId,
    userId: o.ref.userId,
    action: o.action,
    deleteMessage: false,
    muteSeconds: o.action === 'mute' ? Math.max(0, Math.round(o.muteSeconds ?? 0)) : 0,
    notifyAdmins: o.notifyAdmins,
    reasons: [reason],
    strikes: 0,
    dryRun: o.dryRun,
    policy: o.rules.id,
    // The verdict contract wants a content hash here; member verdicts carry the member rules' hash.
    lexiconVersion: 'sha256:' + o.rules.hash,
    ts: o.now,
    latencyMs: Math.max(0, o.now - (o.receivedAt ?? o.now)),
  };
}

/** A short stable id for a value (card event ids). */
export function shortHash(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/**
 * Member verdicts could not be delivered (the verdicts topic refused them). The monitor's claims for them
 * were released (MemberMonitor.release) where that worked (`released`), so the next event, sweep or retry
 * makes them again; `messageIds` names them.
 */
export class MemberDeliveryError extends ModstreamError {
  readonly messageIds: readonly string[];
  readonly released: boolean;
  constructor(verdicts: readonly Verdict[], o: { cause: unknown; released: boolean; code?: ErrorCode }) {
    super(
      o.code ?? 'KAFKA_ERROR',
      `${verdicts.length} member verdict(s) could not be delivered: ${(o.cause as Error)?.message ?? String(o.cause)}`,
      { cause: o.cause },
    );
    this.name = 'MemberDeliveryError';
    this.messageIds = verdicts.map((v) => v.messageId);
    this.released = o.released;
  }
}
