import {
  touchProblem,
  type CardCheckRelease,
  type IdleRearm,
  type MemberRemoval,
  type MemberStore,
  type MemberTouch,
  type TouchResult,
} from '../store.js';
import type { Employee, MemberRecord } from '../types.js';

export interface MemoryMemberStoreOptions {
  /** Bound on members×groups held; beyond it the least recently touched are forgotten (counted). Default 1 000 000. */
  maxMembers?: number;
  /** Bound on claimOnce keys held (the oldest go first). Default 1 000 000. */
  maxClaims?: number;
  /** Processing-time clock for claimOnce expiry. Default Date.now. */
  clock?: () => number;
}

interface Entry {
  record: MemberRecord;
  checkKey?: string;
  /** When inactivity is due (ms), or Infinity when not tracked or already claimed. */
  idleDue: number;
}

const SEP = '\u0000';

/**
 * In-process membership state (embedded mode, tests). Same semantics as the Redis store. Members are kept
 * in touch order (a Map re-inserted on every touch), so the bound drops the least recently touched.
 */
export class MemoryMemberStore implements MemberStore {
  readonly #members = new Map<string, Entry>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #byGroup = new Map<string, Set<string>>();
  readonly #byIdentity = new Map<string, Set<string>>();
  readonly #claims = new Map<string, number>();
  readonly #maxMembers: number;
  readonly #maxClaims: number;
  readonly #clock: () => number;
  #roster = new Map<string, Employee>();
  #rosterVersion = 0;
  /** Members forgotten to respect maxMembers. */
  evictions = 0;

  constructor(options: MemoryMemberStoreOptions = {}) {
    this.#maxMembers = options.maxMembers ?? 1_000_000;
    this.#maxClaims = options.maxClaims ?? 1_000_000;
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#members.size;
  }

  async touch(batch: readonly MemberTouch[]): Promise<TouchResult[]> {
    return batch.map((t) => this.#touch(t));
  }

  #touch(t: MemberTouch): TouchResult {
    const problem = touchProblem(t);
    if (problem !== null) return { known: false, checkCard: false, rejected: problem };
    const key = memberKey(t.platform, t.groupId, t.userId);
    let entry = this.#members.get(key);
    const known = entry !== undefined;
    if (entry === undefined) {
      entry = {
        record: {
          platform: t.platform,
          groupId: t.groupId,
          userId: t.userId,
          lastActiveAt: t.activeAt ?? t.joinedAt ?? t.ts,
        },
        idleDue: Infinity,
      };
      this.#members.set(key, entry);
      addTo(this.#byUser, t.platform + SEP + t.userId, key);
      addTo(this.#byGroup, t.platform + SEP + t.groupId, key);
      this.#bound();
    } else {
      // Re-insert: Map order is touch order, which the bound evicts by.
      this.#members.delete(key);
      this.#members.set(key, entry);
    }
    const r = entry.record;
    let checkCard = false;
    if (t.card !== undefined) {
      r.card = t.card;
      const identity = t.identity || undefined;
      if (identity !== r.identity) {
        if (r.identity !== undefined) removeFrom(this.#byIdentity, r.identity, key);
        if (identity !== undefined) addTo(this.#byIdentity, identity, key);
        r.identity = identity;
      }
      if (t.cardCheckKey !== undefined && t.cardCheckKey !== entry.checkKey) {
        entry.checkKey = t.cardCheckKey;
        checkCard = true;
      }
    }
    if (t.role !== undefined) r.role = t.role;
    if (t.joinedAt !== undefined) r.joinedAt = t.joinedAt;
    const moved = t.activeAt !== undefined && t.activeAt > r.lastActiveAt;
    if (moved) r.lastActiveAt = t.activeAt!;
    if (!known || moved) entry.idleDue = t.idleMs && t.idleMs > 0 ? r.lastActiveAt + t.idleMs : Infinity;
    const result: TouchResult = { known, checkCard };
    if (r.role !== undefined) result.role = r.role;
    return result;
  }

  async remove(batch: readonly MemberRemoval[]): Promise<boolean[]> {
    return batch.map((m) => this.#remove(memberKey(m.platform, m.groupId, m.userId)));
  }

  #remove(key: string): boolean {
    const entry = this.#members.get(key);
    if (entry === undefined) return false;
    const r = entry.record;
    this.#members.delete(key);
    removeFrom(this.#byUser, r.platform + SEP + r.userId, key);
    removeFrom(this.#byGroup, r.platform + SEP + r.groupId, key);
    if (r.identity !== undefined) removeFrom(this.#byIdentity, r.identity, key);
    return true;
  }

  async get(platform: string, groupId: string, userId: string): Promise<MemberRecord | null> {
    const e = this.#members.get(memberKey(platform, groupId, userId));
    return e ? { ...e.record } : null;
  }

  async groupsOf(platform: string, userId: string): Promise<MemberRecord[]> {
    return this.#records(this.#byUser.get(platform + SEP + userId));
  }

  async withIdentity(identity: string): Promise<MemberRecord[]> {
    return this.#records(this.#byIdentity.get(identity));
  }

  async membersOf(platform: string, groupId: string): Promise<MemberRecord[]> {
    return this.#records(this.#byGroup.get(platform + SEP + groupId));
  }

  #records(keys: Set<string> | undefined): MemberRecord[] {
    if (!keys) return [];
    const out: MemberRecord[] = [];
    for (const k of keys) {
      const e = this.#members.get(k);
      if (e) out.push({ ...e.record });
    }
    return out;
  }

  async claimIdle(now: number, limit: number): Promise<MemberRecord[]> {
    // A full scan: sweeps run every few minutes, and a scan of a million entries takes milliseconds.
    const due: Entry[] = [];
    for (const e of this.#members.values()) if (e.idleDue <= now) due.push(e);
    due.sort((a, b) => a.idleDue - b.idleDue);
    const out: MemberRecord[] = [];
    for (const e of due.slice(0, limit)) {
      e.idleDue = Infinity;
      out.push({ ...e.record });
    }
    return out;
  }

  async rearmIdle(batch: readonly IdleRearm[]): Promise<void> {
    for (const m of batch) {
      const e = this.#members.get(memberKey(m.platform, m.groupId, m.userId));
      if (e && e.record.lastActiveAt === m.lastActiveAt && e.idleDue === Infinity) e.idleDue = m.dueAt;
    }
  }

  async claimOnce(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    const now = this.#clock();
    return keys.map((k) => {
      const until = this.#claims.get(k);
      if (until !== undefined && until > now) return false;
      this.#claims.delete(k);
      this.#claims.set(k, now + ttlMs);
      if (this.#claims.size > this.#maxClaims) {
        const oldest = this.#claims.keys().next().value;
        if (oldest !== undefined) this.#claims.delete(oldest);
      }
      return true;
    });
  }

  async releaseOnce(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.#claims.delete(k);
  }

  async releaseCardCheck(batch: readonly CardCheckRelease[]): Promise<void> {
    for (const c of batch) {
      const e = this.#members.get(memberKey(c.platform, c.groupId, c.userId));
      if (e && e.checkKey === c.checkKey) delete e.checkKey;
    }
  }

  async rosterVersion(): Promise<number> {
    return this.#rosterVersion;
  }

  async readRoster(): Promise<{ version: number; employees: Employee[] }> {
    return { version: this.#rosterVersion, employees: [...this.#roster.values()].map(cloneEmployee) };
  }

  async writeRoster(employees: readonly Employee[], replace: boolean): Promise<number> {
    const next = replace ? new Map<string, Employee>() : new Map(this.#roster);
    for (const e of employees) next.set(e.employeeId, cloneEmployee(e));
    this.#roster = next;
    return ++this.#rosterVersion;
  }

  async close(): Promise<void> {}

  #bound(): void {
    while (this.#members.size > this.#maxMembers) {
      const oldest = this.#members.keys().next().value;
      if (oldest === undefined) return;
      this.#remove(oldest);
      this.evictions++;
    }
  }
}

export function createMemoryMemberStore(options: MemoryMemberStoreOptions = {}): MemoryMemberStore {
  return new MemoryMemberStore(options);
}

function memberKey(platform: string, groupId: string, userId: string): string {
  return platform + SEP + groupId + SEP + userId;
}

function addTo(index: Map<string, Set<string>>, key: string, member: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(member);
}

function removeFrom(index: Map<string, Set<string>>, key: string, member: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) index.delete(key);
}

function cloneEmployee(e: Employee): Employee {
  return { ...e, accounts: e.accounts.map((a) => ({ ...a })) };
}
