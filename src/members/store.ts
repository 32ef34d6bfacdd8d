import type { SenderRole } from '../contracts/types.js';
import type { Employee, MemberRecord, MemberRef } from './types.js';

/**
 * Membership state: who is in which group (known from member events, messages and member lists), their
 * last card and activity, plus the roster. Implementations: memory/ (embedded, tests) and redis/
 * (production; shared by every adapter instance). Every write takes a batch and applies it in order, so
 * Redis needs one round trip per batch; each request of a batch is checked on its own (touchProblem), so
 * one bad request never fails the others. Semantics are shared and tested by
 * tests/unit/members/member-store.contract.ts.
 */
export interface MemberTouch extends MemberRef {
  /** Event time (ms); the activity of a member first seen without `activeAt` or `joinedAt`. */
  ts: number;
  /** The member's current card, when the event shows it ('' = none). */
  card?: string;
  /** With `card`: its identity (department + name) when it parses, '' when it does not. */
  identity?: string;
  role?: SenderRole;
  /** Activity at this time (a message; a member list's last-spoke time). Only moves forward. */
  activeAt?: number;
  joinedAt?: number;
  /**
   * With `card`: a key naming the card and the rules it is checked under. The store answers
   * `checkCard: true` (and remembers the key) when it differs from the key remembered for this member.
   */
  cardCheckKey?: string;
  /**
   * Inactivity is reported this long after the member's last activity; 0 or absent: not tracked for this
   * member. Applied when the member is first seen and at each new activity.
   */
  idleMs?: number;
}

export interface TouchResult {
  /** The member was already known in this group. */
  known: boolean;
  /** The card (under these rules) has not been checked before: check it now. */
  checkCard: boolean;
  /** The member's role as stored after this touch (this touch's, or one seen before). */
  role?: SenderRole;
  /** The request was refused and nothing of it written (touchProblem says why); the rest of the batch was. */
  rejected?: string;
}

/** A card check key to forget (its card finding was not delivered): the card is checked again. */
export interface CardCheckRelease extends MemberRef {
  checkKey: string;
}

/** A member claimed from the idle queue to put back, due at `dueAt`. */
export interface IdleRearm extends MemberRef {
  /** The last activity it was claimed with: a member active since then is left as its activity armed it. */
  lastActiveAt: number;
  dueAt: number;
}

export interface MemberRemoval extends MemberRef {
  ts: number;
}

export interface MemberStore {
  touch(batch: readonly MemberTouch[]): Promise<TouchResult[]>;
  /** Forgets members who left; answers whether each was known. */
  remove(batch: readonly MemberRemoval[]): Promise<boolean[]>;
  get(platform: string, groupId: string, userId: string): Promise<MemberRecord | null>;
  /** Every group one account is known in. */
  groupsOf(platform: string, userId: string): Promise<MemberRecord[]>;
  /** Every member (any platform, any group) whose card has this identity. */
  withIdentity(identity: string): Promise<MemberRecord[]>;
  /** Every member known in one group. */
  membersOf(platform: string, groupId: string): Promise<MemberRecord[]>;
  /**
   * Members idle at `now` (last activity + their idle time <= now), at most `limit`, each claimed: it is not
   * answered again until it is active again. Safe with several instances: a member is claimed once.
   */
  claimIdle(now: number, limit: number): Promise<MemberRecord[]>;
  /**
   * Puts claimed members back in the idle queue (their finding could not be delivered, or is not due yet
   * under the current rules): each one still known, still last active at `lastActiveAt` and not queued
   * already is due again at `dueAt`.
   */
  rearmIdle(batch: readonly IdleRearm[]): Promise<void>;
  /** Marks each key as done for `ttlMs`; true for the keys that were not marked yet (once per key, across instances). */
  claimOnce(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Forgets marks made by claimOnce (their verdicts could not be delivered), so they can be claimed again. */
  releaseOnce(keys: readonly string[]): Promise<void>;
  /** Forgets each member's card check key when it is still `checkKey`, so the card is checked again. */
  releaseCardCheck(batch: readonly CardCheckRelease[]): Promise<void>;
  /** Bumped by every roster write; cheap to poll. */
  rosterVersion(): Promise<number>;
  readRoster(): Promise<{ version: number; employees: Employee[] }>;
  /**
   * Upserts employees (or replaces the roster with them) at once, however many: readers see the roster
   * before or after, never a part of it. Answers the new version.
   */
  writeRoster(employees: readonly Employee[], replace: boolean): Promise<number>;
  close(): Promise<void>;
}

const TOUCH_IDS = ['platform', 'groupId', 'userId'] as const;
const TOUCH_STRINGS = ['card', 'identity', 'role', 'cardCheckKey'] as const;
const TOUCH_NUMBERS = ['activeAt', 'joinedAt', 'idleMs'] as const;

/**
 * Why a store refuses a touch request, or null: ids must be non-empty strings, strings must be well-formed
 * UTF-16 (no lone surrogate: Redis' cjson cannot read one), numbers finite (JSON has no Infinity).
 */
export function touchProblem(t: MemberTouch): string | null {
  for (const f of TOUCH_IDS) {
    const v = t[f] as unknown;
    if (typeof v !== 'string' || v === '') return `${f} must be a non-empty string`;
    if (!v.isWellFormed()) return `${f} contains a lone UTF-16 surrogate`;
  }
  for (const f of TOUCH_STRINGS) {
    const v = t[f] as unknown;
    if (v === undefined) continue;
    if (typeof v !== 'string') return `${f} must be a string`;
    if (!v.isWellFormed()) return `${f} contains a lone UTF-16 surrogate`;
  }
  if (!Number.isFinite(t.ts)) return 'ts must be a finite number';
  for (const f of TOUCH_NUMBERS) {
    const v = t[f] as unknown;
    if (v !== undefined && !Number.isFinite(v)) return `${f} must be a finite number`;
  }
  return null;
}
