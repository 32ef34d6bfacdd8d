import { randomUUID } from 'node:crypto';
import type { SenderRole } from '../../contracts/types.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisConnectionOptions,
} from '../../redis/client.js';
import { toStoreError } from '../../redis/errors.js';
import { RedisScript, keepScriptsLoaded } from '../../redis/script.js';
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
import { MemberKeys } from './keys.js';

export interface MemberScripts {
  touch: RedisScript;
  remove: RedisScript;
  read: RedisScript;
  claimIdle: RedisScript;
  rearmIdle: RedisScript;
  claimOnce: RedisScript;
  releaseCard: RedisScript;
  rosterWrite: RedisScript;
  rosterRead: RedisScript;
}

/** Reads the membership scripts from beside this module (src/ or dist/). */
export function loadMemberScripts(): MemberScripts {
  const at = (name: string) => RedisScript.fromFile(new URL(`./${name}.lua`, import.meta.url));
  return {
    touch: at('member-touch'),
    remove: at('member-remove'),
    read: at('member-read'),
    claimIdle: at('member-claim-idle'),
    rearmIdle: at('member-idle-rearm'),
    claimOnce: at('member-claim-once'),
    releaseCard: at('member-card-release'),
    rosterWrite: at('roster-write'),
    rosterRead: at('roster-read'),
  };
}

export interface RedisMemberStoreOptions {
  /** A shared client (left open by close()); or `connection` to make one that close() quits. */
  client?: RedisClient;
  connection?: RedisConnectionOptions;
  /** Default 'modstream:'. */
  keyPrefix?: string;
  /** Most requests per script call (a long batch is split). Default 500. */
  maxPerCall?: number;
  /** Roster entries per script call when writing a roster (a write is still applied at once). Default 5000. */
  rosterChunk?: number;
}

/** How long the staged part of an unfinished roster write is kept (the writer died half-way). */
const ROSTER_STAGING_TTL_MS = 3_600_000;

/**
 * The membership store on Redis (production): the same semantics as the memory store, shared by every
 * adapter instance. One script call per batch (longer batches are split); failures reject with StoreError
 * (STORE_UNAVAILABLE / STORE_ERROR). Membership is not on the message hot path: callers log and count a
 * failure and carry on.
 */
export class RedisMemberStore implements MemberStore {
  readonly #client: RedisClient;
  readonly #ownsClient: boolean;
  readonly #keys: MemberKeys;
  readonly #scripts: MemberScripts;
  readonly #stopLoading: () => void;
  readonly #maxPerCall: number;
  readonly #rosterChunk: number;

  constructor(options: RedisMemberStoreOptions = {}) {
    this.#ownsClient = options.client === undefined;
    this.#client =
      options.client ?? createRedisClient({ connectionName: 'modstream-members', ...options.connection });
    this.#keys = new MemberKeys(options.keyPrefix ?? 'modstream:');
    this.#scripts = loadMemberScripts();
    this.#stopLoading = keepScriptsLoaded(this.#client, Object.values(this.#scripts));
    this.#maxPerCall = options.maxPerCall ?? 500;
    this.#rosterChunk = options.rosterChunk ?? 5000;
  }

  get keys(): MemberKeys {
    return this.#keys;
  }

  async touch(batch: readonly MemberTouch[]): Promise<TouchResult[]> {
    const out: TouchResult[] = new Array<TouchResult>(batch.length);
    // Each request is checked on its own: a refused one is answered here and never sent, so it cannot
    // fail the script for the rest of the batch.
    const send: { index: number; arg: string }[] = [];
    batch.forEach((t, index) => {
      const problem = touchProblem(t);
      if (problem !== null) out[index] = { known: false, checkCard: false, rejected: problem };
      else send.push({ index, arg: JSON.stringify(this.#touchRequest(t)) });
    });
    for (let i = 0; i < send.length; i += this.#maxPerCall) {
      const part = send.slice(i, i + this.#maxPerCall);
      const reply = (await this.#run(
        'member touch',
        this.#scripts.touch,
        [this.#keys.idle],
        part.map((x) => x.arg),
      )) as (number | string)[];
      part.forEach(({ index }, j) => {
        const [known, check, role] = reply.slice(j * 3, j * 3 + 3);
        if (known === -1) {
          out[index] = {
            known: false,
            checkCard: false,
            rejected: 'refused by the store (member-touch.lua)',
          };
          return;
        }
        const r: TouchResult = { known: known === 1, checkCard: check === 1 };
        if (typeof role === 'string' && role !== '') r.role = role as SenderRole;
        out[index] = r;
      });
    }
    return out;
  }

  #touchRequest(t: MemberTouch): Record<string, unknown> {
    const k = this.#keys;
    const r: Record<string, unknown> = {
      k: k.member(t.platform, t.groupId, t.userId),
      uk: k.user(t.platform, t.userId),
      gk: k.group(t.platform, t.groupId),
      p: t.platform,
      g: t.groupId,
      u: t.userId,
      ts: t.ts,
    };
    if (t.card !== undefined) {
      r.card = t.card;
      r.idk = t.identity ? k.identity(t.identity) : '';
      if (t.identity) r.id = t.identity;
      if (t.cardCheckKey !== undefined) r.chk = t.cardCheckKey;
    }
    if (t.role !== undefined) r.role = t.role;
    if (t.activeAt !== undefined) r.activeAt = t.activeAt;
    if (t.joinedAt !== undefined) r.joinedAt = t.joinedAt;
    if (t.idleMs !== undefined) r.idleMs = t.idleMs;
    return r;
  }

  async remove(batch: readonly MemberRemoval[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let i = 0; i < batch.length; i += this.#maxPerCall) {
      const args: string[] = [];
      for (const m of batch.slice(i, i + this.#maxPerCall)) {
        args.push(
          this.#keys.member(m.platform, m.groupId, m.userId),
          this.#keys.user(m.platform, m.userId),
          this.#keys.group(m.platform, m.groupId),
        );
      }
      const reply = (await this.#run(
        'member remove',
        this.#scripts.remove,
        [this.#keys.idle],
        args,
      )) as number[];
      for (const x of reply) out.push(x === 1);
    }
    return out;
  }

  async get(platform: string, groupId: string, userId: string): Promise<MemberRecord | null> {
    const reply = await this.#read(['keys', this.#keys.member(platform, groupId, userId)]);
    return reply[0] ?? null;
  }

  groupsOf(platform: string, userId: string): Promise<MemberRecord[]> {
    return this.#read(['set', this.#keys.user(platform, userId)]);
  }

  withIdentity(identity: string): Promise<MemberRecord[]> {
    return this.#read(['set', this.#keys.identity(identity)]);
  }

  membersOf(platform: string, groupId: string): Promise<MemberRecord[]> {
    return this.#read(['set', this.#keys.group(platform, groupId)]);
  }

  async #read(args: string[]): Promise<MemberRecord[]> {
    const reply = (await this.#run('member read', this.#scripts.read, [this.#keys.idle], args)) as string[][];
    return reply.map(toRecord);
  }

  async claimIdle(now: number, limit: number): Promise<MemberRecord[]> {
    const reply = (await this.#run(
      'member claim idle',
      this.#scripts.claimIdle,
      [this.#keys.idle],
      [String(Math.floor(now)), String(limit)],
    )) as string[][];
    return reply.map(toRecord);
  }

  async rearmIdle(batch: readonly IdleRearm[]): Promise<void> {
    for (let i = 0; i < batch.length; i += this.#maxPerCall) {
      const args: string[] = [];
      for (const m of batch.slice(i, i + this.#maxPerCall))
        args.push(
          this.#keys.member(m.platform, m.groupId, m.userId),
          String(m.lastActiveAt),
          String(m.dueAt),
        );
      await this.#run('member rearm idle', this.#scripts.rearmIdle, [this.#keys.idle], args);
    }
  }

  async claimOnce(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const reply = (await this.#run(
      'member claim once',
      this.#scripts.claimOnce,
      [this.#keys.idle],
      [String(Math.max(1, Math.round(ttlMs))), ...keys.map((k) => this.#keys.once(k))],
    )) as number[];
    return reply.map((x) => x === 1);
  }

  async releaseOnce(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += this.#maxPerCall) {
      try {
        // One slot ({members}), so one multi-key DEL works on Redis Cluster too.
        await this.#client.del(...keys.slice(i, i + this.#maxPerCall).map((k) => this.#keys.once(k)));
      } catch (e) {
        throw toStoreError(e, 'member release once');
      }
    }
  }

  async releaseCardCheck(batch: readonly CardCheckRelease[]): Promise<void> {
    for (let i = 0; i < batch.length; i += this.#maxPerCall) {
      const args: string[] = [];
      for (const c of batch.slice(i, i + this.#maxPerCall))
        args.push(this.#keys.member(c.platform, c.groupId, c.userId), c.checkKey);
      await this.#run('member release card check', this.#scripts.releaseCard, [this.#keys.idle], args);
    }
  }

  async rosterVersion(): Promise<number> {
    try {
      return Number((await this.#client.get(this.#keys.rosterVersion)) ?? 0);
    } catch (e) {
      throw toStoreError(e, 'roster version');
    }
  }

  async readRoster(): Promise<{ version: number; employees: Employee[] }> {
    const [version, pairs] = (await this.#run(
      'roster read',
      this.#scripts.rosterRead,
      [this.#keys.roster, this.#keys.rosterVersion],
      [],
    )) as [number, string[]];
    const employees: Employee[] = [];
    for (let i = 1; i < pairs.length; i += 2) employees.push(JSON.parse(pairs[i]) as Employee);
    return { version: Number(version), employees };
  }

  async writeRoster(employees: readonly Employee[], replace: boolean): Promise<number> {
    // All chunks but the last are staged under a key of this write's own; the last call applies them
    // all at once and bumps the version (roster-write.lua), so no reader loads half a roster.
    const keys = [this.#keys.roster, this.#keys.rosterVersion, this.#keys.rosterStaging(randomUUID())];
    const ttl = String(ROSTER_STAGING_TTL_MS);
    const pairs = (from: number, to: number) =>
      employees.slice(from, to).flatMap((e) => [e.employeeId, JSON.stringify(e)]);
    // The last call checks the staging hash still holds every entry staged (it may have expired or been
    // evicted meanwhile): a mismatch fails the write (StoreError) rather than applying a part as the whole.
    const staged = new Set<string>();
    let i = 0;
    for (; employees.length - i > this.#rosterChunk; i += this.#rosterChunk) {
      for (let j = i; j < i + this.#rosterChunk; j++) staged.add(employees[j].employeeId);
      await this.#run('roster write', this.#scripts.rosterWrite, keys, [
        'stage',
        ttl,
        '0',
        ...pairs(i, i + this.#rosterChunk),
      ]);
    }
    const version = await this.#run('roster write', this.#scripts.rosterWrite, keys, [
      replace ? 'replace' : 'upsert',
      ttl,
      String(staged.size),
      ...pairs(i, employees.length),
    ]);
    return Number(version);
  }

  async close(): Promise<void> {
    this.#stopLoading();
    if (this.#ownsClient) await closeRedisClient(this.#client);
  }

  async #run(what: string, script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await script.run(this.#client, keys, args);
    } catch (e) {
      throw toStoreError(e, what);
    }
  }
}

export function createRedisMemberStore(options: RedisMemberStoreOptions = {}): RedisMemberStore {
  return new RedisMemberStore(options);
}

function toRecord(h: string[]): MemberRecord {
  const f: Record<string, string> = {};
  for (let i = 0; i < h.length; i += 2) f[h[i]] = h[i + 1];
  const r: MemberRecord = { platform: f.p, groupId: f.g, userId: f.u, lastActiveAt: Number(f.active ?? 0) };
  if (f.card !== undefined) r.card = f.card;
  if (f.id) r.identity = f.id;
  if (f.role) r.role = f.role as SenderRole;
  if (f.joined !== undefined) r.joinedAt = Number(f.joined);
  return r;
}
