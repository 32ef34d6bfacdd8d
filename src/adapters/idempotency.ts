import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis/client.js';
import { toStoreError } from '../redis/errors.js';
import { RedisScript } from '../redis/script.js';
import { ConfigError } from '../contracts/errors.js';

/**
 * "Has this verdict been enforced?" — so a redelivered verdict acts once. `begin` claims a message id for a
 * short while (`busyTtlMs`), which the claim's holder keeps alive with `renew` as long as it works on the
 * verdict, so a crash lets a redelivery act as soon as the claim runs out; `complete` marks the verdict done
 * for a long while; `release` gives a claim back when the work could not be finished, remembering which
 * calls were already made so that the redelivery skips them.
 */
export interface IdempotencyStore {
  /** How long a claim holds unless renewed (ms). Its holder renews it every third of this. */
  readonly busyTtlMs: number;
  /**
   * `new`: claimed (with `claim`, the holder's token, and `acted`, the calls an earlier delivery already
   * made); `busy`: another delivery holds the claim right now; `done`: enforced already.
   */
  begin(messageId: string): Promise<BeginResult>;
  /** Extends a claim this holder still has; false when it was lost (expired and maybe taken over). */
  renew(messageId: string, claim: string): Promise<boolean>;
  /** Marks the verdict done (whoever holds the claim: the work was done). */
  complete(messageId: string): Promise<void>;
  /**
   * Gives a claim back (only while this holder still has it), remembering `acted`: the calls already made,
   * which a redelivery must not make again.
   */
  release(messageId: string, claim: string, acted?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export type BeginResult =
  { state: 'new'; claim: string; acted: readonly string[] } | { state: 'busy' } | { state: 'done' };

export interface IdempotencyTimes {
  /** How long a finished verdict is remembered. Default 7 days (Kafka's default retention). */
  doneTtlMs?: number;
  /**
   * How long a claim holds without being renewed. Default 15 s: a claim abandoned by a crash runs out
   * before Kafka's redelivery (a 30 s session timeout) has waited long, while the holder renews every 5 s.
   */
  busyTtlMs?: number;
}

const DEFAULT_DONE_MS = 7 * 86_400_000;
const DEFAULT_BUSY_MS = 15_000;

/** In-process, bounded (oldest forgotten first): one enforcer process, or tests. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly busyTtlMs: number;
  readonly #marks = new Map<string, { done: boolean; claim: string; until: number }>();
  readonly #acted = new Map<string, { keys: readonly string[]; until: number }>();
  readonly #max: number;
  readonly #doneMs: number;
  readonly #clock: () => number;

  constructor(o: IdempotencyTimes & { maxEntries?: number; clock?: () => number } = {}) {
    this.#max = o.maxEntries ?? 500_000;
    this.#doneMs = o.doneTtlMs ?? DEFAULT_DONE_MS;
    this.busyTtlMs = o.busyTtlMs ?? DEFAULT_BUSY_MS;
    this.#clock = o.clock ?? Date.now;
  }

  async begin(id: string): Promise<BeginResult> {
    const now = this.#clock();
    const e = this.#marks.get(id);
    if (e && e.until > now) return e.done ? { state: 'done' } : { state: 'busy' };
    const claim = randomUUID();
    bounded(this.#marks, this.#max, id, { done: false, claim, until: now + this.busyTtlMs });
    const a = this.#acted.get(id);
    return { state: 'new', claim, acted: a && a.until > now ? a.keys : [] };
  }

  async renew(id: string, claim: string): Promise<boolean> {
    const now = this.#clock();
    const e = this.#marks.get(id);
    if (!e || e.done || e.claim !== claim || e.until <= now) return false;
    e.until = now + this.busyTtlMs;
    return true;
  }

  async complete(id: string): Promise<void> {
    bounded(this.#marks, this.#max, id, { done: true, claim: '', until: this.#clock() + this.#doneMs });
    this.#acted.delete(id);
  }

  async release(id: string, claim: string, acted: readonly string[] = []): Promise<void> {
    const e = this.#marks.get(id);
    if (!e || e.done || e.claim !== claim) return;
    if (acted.length > 0)
      bounded(this.#acted, this.#max, id, { keys: [...acted], until: this.#clock() + this.#doneMs });
    this.#marks.delete(id);
  }

  async close(): Promise<void> {}
}

function bounded<V>(map: Map<string, V>, max: number, id: string, v: V): void {
  map.delete(id);
  map.set(id, v);
  if (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/**
 * The format version of the enforcement marks (`v1` in their keys): bump it when what a mark stores or how
 * its key is named changes incompatibly. The new code then reads and writes new keys; old marks are ignored
 * and expire by their TTL (busyTtlMs, doneTtlMs). (A claim's value became `busy:<token>` without a bump:
 * every version reads any value other than `done` as "in progress", so versions can run side by side.)
 */
const ENFORCED_FORMAT = 1;

/**
 * Claims a verdict in one round trip.
 *   KEYS[1]  the claim: <prefix>enforced:v1:<name>:<messageId>
 *   KEYS[2]  the calls a released claim made: <prefix>enforced-acted:v1:<name>:<messageId>
 *   ARGV[1]  busy:<token>;  ARGV[2]  the claim's time to live (ms)
 * Output: {1, the acted list (JSON) or nil} when claimed (SET NX PX); {0, the claim's value or nil} when
 * not (held: busy:<token> or done; nil: gone in between).
 */
const BEGIN = new RedisScript(
  'enforced-begin',
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, redis.call('GET', KEYS[2])} end
return {0, redis.call('GET', KEYS[1])}`,
);
// Renew or give back a claim only while it is still this holder's (it may have expired and been taken).
const RENEW = new RedisScript(
  'enforced-renew',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);
const RELEASE = new RedisScript(
  'enforced-release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);

/**
 * The enforcer's name as it goes into a key. Message ids hold colons (`qq:901234:…`), so a name with a colon
 * could name another enforcer's key (`a:b` + `c:d` = `a` + `b:c:d`), and braces would make a hash tag:
 * both are percent-encoded (as encodeURIComponent does), which leaves the usual names (letters, digits,
 * `-` `_` `.`) and so the keys of existing deployments as they were.
 */
export function enforcerKeyName(name: string): string {
  if (name === '') throw new ConfigError('CONFIG_INVALID', 'name', 'the enforcer name must not be empty');
  return encodeURIComponent(name.toWellFormed()); // a lone surrogate would make it throw
}

/**
 * On Redis, shared by every instance of one enforcer: `SET key busy:<token> NX PX`, renewed while the
 * holder works, then `SET key done PX`. Keys: `<prefix>enforced:v1:<enforcer name>:<messageId>`, and for
 * the calls a released claim had already made (a JSON array, kept as long as a done mark, deleted when
 * the verdict is done), `<prefix>enforced-acted:v1:<enforcer name>:<messageId>`; v1 being ENFORCED_FORMAT.
 * `begin` is one round trip: the BEGIN script claims and reads the acted list at once. The two keys carry
 * no hash tag, so on Redis Cluster (where they may live on different slots) `begin` takes two commands
 * instead, one key each; `complete` sends its two commands together (one round trip either way).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly busyTtlMs: number;
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #actedPrefix: string;
  readonly #doneMs: number;

  constructor(o: IdempotencyTimes & { client: RedisClient; keyPrefix?: string; name: string }) {
    this.#client = o.client;
    const prefix = o.keyPrefix ?? 'modstream:';
    const name = enforcerKeyName(o.name);
    this.#prefix = `${prefix}enforced:v${ENFORCED_FORMAT}:${name}:`;
    this.#actedPrefix = `${prefix}enforced-acted:v${ENFORCED_FORMAT}:${name}:`;
    this.#doneMs = o.doneTtlMs ?? DEFAULT_DONE_MS;
    this.busyTtlMs = o.busyTtlMs ?? DEFAULT_BUSY_MS;
  }

  async begin(id: string): Promise<BeginResult> {
    try {
      const claim = randomUUID();
      const key = this.#prefix + id;
      const acted = this.#actedPrefix + id;
      let claimed: boolean;
      let value: string | null;
      if (this.#client instanceof Cluster) {
        claimed = (await this.#client.set(key, `busy:${claim}`, 'PX', this.busyTtlMs, 'NX')) === 'OK';
        value = await this.#client.get(claimed ? acted : key);
      } else {
        const reply = (await BEGIN.run(this.#client, [key, acted], [`busy:${claim}`, this.busyTtlMs])) as [
          number,
          string | null,
        ];
        claimed = reply[0] === 1;
        value = reply[1] ?? null;
      }
      if (claimed) return { state: 'new', claim, acted: parseActed(value) };
      // Gone in between (an expired claim): "busy" for now; the caller's next try claims it.
      return value === 'done' ? { state: 'done' } : { state: 'busy' };
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async renew(id: string, claim: string): Promise<boolean> {
    try {
      return (await RENEW.run(this.#client, [this.#prefix + id], [`busy:${claim}`, this.busyTtlMs])) === 1;
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async complete(id: string): Promise<void> {
    try {
      // Done: the calls a released claim made are of no further use (as in the memory store). Both
      // commands are sent at once: one round trip.
      await Promise.all([
        this.#client.set(this.#prefix + id, 'done', 'PX', this.#doneMs),
        this.#client.del(this.#actedPrefix + id),
      ]);
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async release(id: string, claim: string, acted: readonly string[] = []): Promise<void> {
    try {
      // What was done first, then the claim: whoever claims next finds it.
      if (acted.length > 0)
        await this.#client.set(this.#actedPrefix + id, JSON.stringify(acted), 'PX', this.#doneMs);
      await RELEASE.run(this.#client, [this.#prefix + id], [`busy:${claim}`]);
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async close(): Promise<void> {}
}

function parseActed(raw: string | null): readonly string[] {
  if (raw === null) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
