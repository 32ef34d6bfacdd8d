import type { RedisClient } from '../redis/client.js';
import { toStoreError } from '../redis/errors.js';

/**
 * "Has this verdict been enforced?" — so a redelivered verdict acts once. `begin` claims a message id
 * (in progress for a short while, so a crash mid-way lets a redelivery try again); `complete` marks it done
 * for a long while; `release` gives a claim back when the work could not be finished.
 */
export interface IdempotencyStore {
  /** 'new': claimed, go ahead; 'duplicate': done already, or in progress elsewhere. */
  begin(messageId: string): Promise<'new' | 'duplicate'>;
  complete(messageId: string): Promise<void>;
  release(messageId: string): Promise<void>;
  close(): Promise<void>;
}

export interface IdempotencyTimes {
  /** How long a finished verdict is remembered. Default 7 days (Kafka's default retention). */
  doneTtlMs?: number;
  /** How long a claim in progress holds. Default 5 minutes. */
  busyTtlMs?: number;
}

const DEFAULT_DONE_MS = 7 * 86_400_000;
const DEFAULT_BUSY_MS = 5 * 60_000;

/** In-process, bounded (oldest forgotten first): one enforcer process, or tests. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, { done: boolean; until: number }>();
  readonly #max: number;
  readonly #doneMs: number;
  readonly #busyMs: number;
  readonly #clock: () => number;

  constructor(o: IdempotencyTimes & { maxEntries?: number; clock?: () => number } = {}) {
    this.#max = o.maxEntries ?? 500_000;
    this.#doneMs = o.doneTtlMs ?? DEFAULT_DONE_MS;
    this.#busyMs = o.busyTtlMs ?? DEFAULT_BUSY_MS;
    this.#clock = o.clock ?? Date.now;
  }

  async begin(id: string): Promise<'new' | 'duplicate'> {
    const now = this.#clock();
    const e = this.#entries.get(id);
    if (e && e.until > now) return 'duplicate';
    this.#set(id, { done: false, until: now + this.#busyMs });
    return 'new';
  }

  async complete(id: string): Promise<void> {
    this.#set(id, { done: true, until: this.#clock() + this.#doneMs });
  }

  async release(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  async close(): Promise<void> {}

  #set(id: string, v: { done: boolean; until: number }): void {
    this.#entries.delete(id);
    this.#entries.set(id, v);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

/**
 * The format version of the enforcement marks (`v1` in their keys): bump it when what a mark stores or how
 * its key is named changes. The new code then reads and writes new keys; old marks are ignored and expire
 * by their TTL (busyTtlMs, doneTtlMs).
 */
export const ENFORCED_FORMAT = 1;

/**
 * On Redis, shared by every instance of one enforcer: `SET key busy NX PX`, then `SET key done PX`.
 * Keys: `<prefix>enforced:v1:<enforcer name>:<messageId>`, v1 being ENFORCED_FORMAT (one key per command:
 * no hash tag needed).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #doneMs: number;
  readonly #busyMs: number;

  constructor(o: IdempotencyTimes & { client: RedisClient; keyPrefix?: string; name: string }) {
    this.#client = o.client;
    this.#prefix = `${o.keyPrefix ?? 'modstream:'}enforced:v${ENFORCED_FORMAT}:${o.name}:`;
    this.#doneMs = o.doneTtlMs ?? DEFAULT_DONE_MS;
    this.#busyMs = o.busyTtlMs ?? DEFAULT_BUSY_MS;
  }

  async begin(id: string): Promise<'new' | 'duplicate'> {
    try {
      const ok = await this.#client.set(this.#prefix + id, 'busy', 'PX', this.#busyMs, 'NX');
      return ok === 'OK' ? 'new' : 'duplicate';
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async complete(id: string): Promise<void> {
    try {
      await this.#client.set(this.#prefix + id, 'done', 'PX', this.#doneMs);
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async release(id: string): Promise<void> {
    try {
      await this.#client.del(this.#prefix + id);
    } catch (e) {
      throw toStoreError(e, 'enforcer idempotency');
    }
  }

  async close(): Promise<void> {}
}
