import type { SenderRole } from '../contracts/types.js';
import type { Employee, MemberRecord, MemberRef } from './types.js';

/**
 * Membership state: who is in which group (known from member events, messages and member lists), their
 * last card and activity, plus the roster. Implementations: memory/ (embedded, tests) and redis/
 * (production; shared by every adapter instance). Every write takes a batch and applies it in order, so
 * Redis needs one round trip per batch. Semantics are shared and tested by
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
  /** Marks each key as done for `ttlMs`; true for the keys that were not marked yet (once per key, across instances). */
  claimOnce(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Bumped by every roster write; cheap to poll. */
  rosterVersion(): Promise<number>;
  readRoster(): Promise<{ version: number; employees: Employee[] }>;
  /** Upserts employees (or replaces the roster with them); answers the new version. */
  writeRoster(employees: readonly Employee[], replace: boolean): Promise<number>;
  close(): Promise<void>;
}
