import type { SenderRole } from '../contracts/types.js';

/**
 * Member events v1 (schemas/member-event.v1.json, docs/member-events.md): the membership side of the input
 * contract. Chat adapters derive the member.* events from platform notices (a member joined, changed their
 * group card, left); HR systems send roster.update. Unknown fields are kept and ignored.
 */
export const MEMBER_EVENT_KINDS = ['member.joined', 'member.card', 'member.left', 'roster.update'] as const;
export type MemberEventKind = (typeof MEMBER_EVENT_KINDS)[number];

interface MemberEventBase {
  v?: 1;
  /** Unique per event (the adapter derives it from the platform event); repeats are harmless. */
  id: string;
  /** Event time, milliseconds since the epoch. */
  ts: number;
  [extra: string]: unknown;
}

/** Fields every member.* event carries: which member of which group. */
export interface MemberRef {
  platform: string;
  groupId: string;
  userId: string;
}

export interface MemberJoined extends MemberEventBase, MemberRef {
  kind: 'member.joined';
  /** The member's group card when known ('' = no card yet). */
  userName?: string;
  role?: SenderRole;
  /** Who approved or invited them. */
  operatorId?: string;
  via?: 'approve' | 'invite';
}

export interface MemberCardChanged extends MemberEventBase, MemberRef {
  kind: 'member.card';
  /** The new group card ('' = the card was cleared). */
  userName: string;
  previousName?: string;
}

export interface MemberLeft extends MemberEventBase, MemberRef {
  kind: 'member.left';
  /** leave: left by themselves; kick: removed by an admin; kick_me: the bot itself was removed. */
  reason?: 'leave' | 'kick' | 'kick_me';
  operatorId?: string;
}

export const EMPLOYEE_STATUSES = ['active', 'left'] as const;
export type EmployeeStatus = (typeof EMPLOYEE_STATUSES)[number];

/** A chat account known to belong to an employee. */
export interface EmployeeAccount {
  platform: string;
  userId: string;
}

/** One roster entry as HR sends it. */
export interface EmployeeInput {
  employeeId: string;
  name: string;
  department: string;
  status: EmployeeStatus;
  /** When the status takes effect: `YYYY-MM-DD` (start of that day in the roster's UTC offset), an ISO date-time, or ms. */
  effectiveDate?: string | number;
  /** Chat accounts of this employee; without them, departed staff are found by their group card. */
  accounts?: EmployeeAccount[];
}

export interface RosterUpdate extends MemberEventBase {
  kind: 'roster.update';
  employees: EmployeeInput[];
  /** true: a full snapshot (employees not listed are dropped from the roster); false/absent: upserts. */
  replace?: boolean;
}

export type MemberEvent = MemberJoined | MemberCardChanged | MemberLeft | RosterUpdate;

/** A roster entry after normalisation: the effective date is resolved to ms. */
export interface Employee {
  employeeId: string;
  name: string;
  department: string;
  status: EmployeeStatus;
  /** ms since the epoch; 0 when HR gave none (effective since always). */
  effectiveAt: number;
  accounts: EmployeeAccount[];
}

/**
 * What the member monitor learns from a chat message or a member list (activity and the current card).
 * Built by adapters from platform events, or from a message v1 (`observationFromMessage`).
 */
export interface MemberObservation extends MemberRef {
  ts: number;
  /** The member's group card as the event shows it ('' = none); undefined when the event does not say. */
  card?: string;
  role?: SenderRole;
  /** The member spoke (a message); false for list syncs. Default true. */
  spoke?: boolean;
  /** Last time they spoke when a member list says so (overrides ts for activity). */
  lastSpokeAt?: number;
  /** When they joined, when a member list says so. */
  joinedAt?: number;
  /**
   * The message was sent anonymously (QQ anonymous chat): the sender is a pseudo-user, not a member, so
   * the observation says nothing about membership and the monitor ignores it (the message itself is
   * still moderated).
   */
  anonymous?: boolean;
}

/** What the membership store keeps about one member of one group. */
export interface MemberRecord extends MemberRef {
  /** Last group card seen ('' = none); undefined: never seen. */
  card?: string;
  /** `department\u0001name` parsed from the card (normalised), when it parsed. */
  identity?: string;
  role?: SenderRole;
  joinedAt?: number;
  /** Last activity (message, or join when they never spoke), ms. */
  lastActiveAt: number;
}
