import { StoreError } from '../../contracts/errors.js';
import { ClockMap, type ClockEntry } from '../../flood/memory/clock-map.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../types.js';
import { checkStrikeRequest } from '../request.js';

/**
 * In-process strike store (embedded mode, and the Redis store's fail-open fallback).
 *
 * Semantics (shared with the Redis store through tests/contract/strikes.contract.ts):
 *   - Strikes are kept per user per group. A strike recorded at event time `ts` with `ttlMs` is live at time
 *     t while t < ts + ttlMs; the live count is the sum of the live strikes' weights.
 *   - `record` handles its requests in batch order. A messageId already recorded for that user and group
 *     records nothing and answers with the count of its first recording (`duplicate: true`), for as long as
 *     it is remembered, i.e. until its record expires. Otherwise, with `live` the count at the request's ts:
 *       - a request whose `cooldownId` has a live strike is cooled: the count becomes
 *         `max(live, entryStep)`;
 *       - any other request: `max(live + weight, entryStep)`, and when it has a `cooldownId` its strike
 *         carries that id, so later requests with it are cooled.
 *     The difference to `live` is the weight stored (and answered as `weight`); the message id is kept
 *     with its answer for redeliveries (a cooled request keeps a record of weight 0 for that).
 *   - `peek` reads the count at the given ts and changes nothing: the strikes recorded at an event time before
 *     ts and live at ts. What is recorded later (in time) never changes it, so a redelivered message that
 *     peeks is told the same count whatever was recorded in between.
 *
 * Memory is bounded: at most `maxKeys` users×groups (evicted by CLOCK, an approximate LRU — see
 * flood/memory/clock-map.ts — each eviction counted) and at most `maxStrikesPerKey` strikes per user×group
 * (records of weight 0 — what cooled requests keep for their redeliveries — dropped first, then the
 * soonest-expiring strike; each counted; the ladder tops out long before). A user×group with no
 * strike recorded for its longest ttl, by the injected processing-time clock, is dropped like a Redis key
 * reaching its PEXPIRE.
 */
export interface MemoryStrikeStoreOptions {
  /** Bound on the users×groups held. Default 100 000. */
  maxKeys?: number;
  /** Bound on the strikes held per user×group. Default 256. */
  maxStrikesPerKey?: number;
  /** Processing-time clock for idle expiry (expiry itself uses the requests' event time). Default Date.now. */
  clock?: () => number;
}

export interface MemoryStrikeStoreStats {
  /** Users×groups held now. */
  keys: number;
  /** Users×groups with live strikes dropped to respect maxKeys: their strikes are forgotten. Alert if > 0. */
  evictions: number;
  /** Idle users×groups dropped after their strikes expired (harmless housekeeping). */
  expired: number;
  /** Strikes dropped from a user×group that reached maxStrikesPerKey. */
  trimmed: number;
  /** Redelivered messageIds answered from memory. */
  duplicates: number;
}

interface Strike {
  /** The message id, or the cooldown id for the strike that starts a cooldown. */
  id: string;
  /** The event time it was recorded at. */
  ts: number;
  expiresAt: number;
  weight: number;
  /** The answer given when it was recorded, repeated to redeliveries. */
  strikes: number;
}

class StrikeLog implements ClockEntry {
  used = false;
  strikes: Strike[] = [];
  /** Processing time after which every strike here is surely expired (the Redis key's PEXPIRE). */
  idleUntil = 0;

  reset(): void {
    this.strikes.length = 0;
    this.idleUntil = 0;
  }

  /** Forgets strikes that are expired at event time t. */
  prune(t: number): void {
    const list = this.strikes;
    let write = 0;
    for (let read = 0; read < list.length; read++) {
      const s = list[read];
      if (s.expiresAt > t) list[write++] = s;
    }
    list.length = write;
  }

  /** Summed weight of the strikes recorded before t and live at t (see peek). */
  weightBefore(t: number): number {
    const list = this.strikes;
    let sum = 0;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.expiresAt > t && s.ts < t) sum += s.weight;
    }
    return sum;
  }

  liveWeight(t: number): number {
    const list = this.strikes;
    let sum = 0;
    for (let i = 0; i < list.length; i++) if (list[i].expiresAt > t) sum += list[i].weight;
    return sum;
  }

  find(id: string): Strike | undefined {
    const list = this.strikes;
    // Newest first: a redelivery is most likely of a recent message.
    for (let i = list.length - 1; i >= 0; i--) if (list[i].id === id) return list[i];
    return undefined;
  }

  /**
   * Drops one record at the per-key bound: the soonest-expiring of weight 0 (a cooled request's answer,
   * kept for redeliveries), or else the soonest-expiring strike.
   */
  dropOne(): void {
    const list = this.strikes;
    let at = -1;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.weight === 0 && (at < 0 || s.expiresAt < list[at].expiresAt)) at = i;
    }
    if (at < 0) {
      at = 0;
      for (let i = 1; i < list.length; i++) if (list[i].expiresAt < list[at].expiresAt) at = i;
    }
    list.splice(at, 1);
  }
}

export class MemoryStrikeStore implements StrikeStore {
  readonly #maxStrikesPerKey: number;
  readonly #clock: () => number;
  /** (group, userId) → strikes. */
  readonly #logs: ClockMap<StrikeLog>;
  #trimmed = 0;
  #duplicates = 0;
  #closed = false;

  constructor(options: MemoryStrikeStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    const maxStrikes = options.maxStrikesPerKey ?? 256;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer >= 1');
    if (!Number.isInteger(maxStrikes) || maxStrikes < 1) {
      throw new RangeError('maxStrikesPerKey must be an integer >= 1');
    }
    this.#logs = new ClockMap(maxKeys);
    this.#maxStrikesPerKey = maxStrikes;
    this.#clock = options.clock ?? Date.now;
  }

  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    try {
      return Promise.resolve(this.recordSync(batch));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]> {
    try {
      return Promise.resolve(this.peekSync(batch));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `record`, synchronously (the Redis store's fail-open path uses it). */
  recordSync(batch: readonly StrikeRequest[]): StrikeResult[] {
    this.#assertOpen();
    // All checked before any is recorded, so a bad request leaves the batch unwritten, as in Redis.
    for (let i = 0; i < batch.length; i++) checkStrikeRequest(batch[i], i);
    const now = this.#clock();
    const out = new Array<StrikeResult>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = this.#recordOne(batch[i], now);
    return out;
  }

  /** `peek`, synchronously. */
  peekSync(batch: readonly { group: string; userId: string; ts: number }[]): number[] {
    this.#assertOpen();
    const now = this.#clock();
    const out = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const req = batch[i];
      const log = this.#logs.peek(req.group, req.userId);
      out[i] = log === undefined || log.idleUntil <= now ? 0 : log.weightBefore(req.ts);
    }
    return out;
  }

  stats(): MemoryStrikeStoreStats {
    return {
      keys: this.#logs.size,
      evictions: this.#logs.evictions,
      expired: this.#logs.expired,
      trimmed: this.#trimmed,
      duplicates: this.#duplicates,
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#logs.clear();
    return Promise.resolve();
  }

  #recordOne(req: StrikeRequest, now: number): StrikeResult {
    const log =
      this.#logs.get(req.group, req.userId, now) ??
      this.#logs.add(req.group, req.userId, new StrikeLog(), now);
    const t = req.ts;
    log.prune(t);
    const seen = log.find(req.messageId);
    if (seen !== undefined) {
      this.#duplicates++;
      return { strikes: seen.strikes, duplicate: true, weight: 0 };
    }
    const live = log.liveWeight(t);
    const cooldownId = req.cooldownId;
    const cooled = cooldownId !== undefined && log.find(cooldownId) !== undefined;
    const entryStep = req.entryStep ?? 0;
    const target = Math.max(cooled ? live : live + req.weight, entryStep);
    const weight = target - live;
    const expiresAt = t + req.ttlMs;
    const added: Strike[] = [];
    if (cooldownId !== undefined && !cooled) {
      // The strike that starts the cooldown carries its id (and the weight); the message keeps its answer.
      added.push({ id: cooldownId, ts: t, expiresAt, weight, strikes: 0 });
      added.push({ id: req.messageId, ts: t, expiresAt, weight: 0, strikes: 0 });
    } else {
      added.push({ id: req.messageId, ts: t, expiresAt, weight, strikes: 0 });
    }
    for (const a of added) log.strikes.push(a);
    let trimmed = false;
    while (log.strikes.length > this.#maxStrikesPerKey) {
      log.dropOne();
      this.#trimmed++;
      trimmed = true;
    }
    // Unless trimming dropped something (or the strike expires at once), the live count is the target.
    const strikes = trimmed || req.ttlMs <= 0 ? log.liveWeight(t) : target;
    for (const a of added) a.strikes = strikes;
    const idle = now + req.ttlMs;
    if (idle > log.idleUntil) log.idleUntil = idle;
    return { strikes, duplicate: false, weight };
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('MemoryStrikeStore is closed', { unavailable: true });
  }
}

/** Factory form, for wiring code that prefers functions. */
export function createMemoryStrikeStore(options: MemoryStrikeStoreOptions = {}): MemoryStrikeStore {
  return new MemoryStrikeStore(options);
}
