import { StoreError } from '../../contracts/errors.js';
import { CROSS_GROUP_EPOCH_MS } from '../types.js';
import type { FloodLimiter, FloodLimits, FloodRequest, FloodResult } from '../types.js';
import { CROSS_GROUP_BIT, DUPLICATE_BIT, RATE_BIT, floodResult } from '../results.js';
import { ClockMap, type ClockEntry } from './clock-map.js';

/**
 * In-process flood limiter (embedded mode, and the Redis limiter's fail-open fallback).
 *
 * Window semantics — exact sliding windows, no buckets, no approximation. A message at time t (its event
 * time `ts`) counts every message recorded before it for the same key whose time is > t − W (a message
 * exactly W ms older has left the window). This is what a Redis sorted set gives with
 * `ZREMRANGEBYSCORE key -inf (t−W]` followed by `ZCARD`, so the Redis limiter can match it exactly.
 *   - rate:       messages of this user in this group, this one included; hit when the count > rateMax.
 *   - duplicate:  of those, the ones with this textHash (window duplicateWindowMs); hit when ≥ duplicateMax.
 *   - crossGroup: distinct groups where this user sent this textHash within crossGroupWindowMs, this group
 *                 included; hit when ≥ crossGroupMin.
 * An empty textHash (no text) counts for the rate only; its duplicate and group counts are 0.
 *
 * Idempotent on messageId: a message already seen (same user, group, ts and id) gets its first answer back
 * and is not counted again, for as long as it is inside its longest window.
 *
 * Memory is bounded: state is kept per user (platform + userId: their recent messages in each group, for
 * the longest of the three windows, and for users in several groups which text went where), at most
 * `maxKeys` users, evicted by CLOCK, an approximate LRU (clock-map.ts). Each per-group log keeps at most
 * `maxEntriesPerKey` messages, and the cross-group list at most that many groups per text (beyond that
 * the oldest are dropped, so counts saturate there). Where a text went is kept for the cross-group
 * retention: twice the longer of a Redis cross-group epoch (CROSS_GROUP_EPOCH_MS) and the longest
 * cross-group window seen, whatever each group's own window, because groups with different limits share
 * the list (as they share the Redis limiter's cross-group values). A user idle for twice their longest
 * window (or that retention, when longer) by the injected clock is forgotten like a Redis key reaching its
 * PEXPIRE (the Redis limiter's keys live that long, so a message that arrives late still finds what Redis
 * would); counted as expired. Evictions of still-live state are counted separately.
 *
 * No known-flooder short-circuit here: a check is a few array reads in process, so skipping it would save
 * nothing (the Redis limiter has one to save round trips).
 */
export interface MemoryFloodLimiterOptions {
  /** Bound on the users held. Default 100 000. */
  maxKeys?: number;
  /** Bound on the messages remembered per user+group. Default 10 000, at most 16 382. */
  maxEntriesPerKey?: number;
  /** Processing-time clock for idle expiry (not for the windows, which use event time). Default Date.now. */
  clock?: () => number;
}

export interface MemoryFloodLimiterStats {
  /** Users held now. */
  users: number;
  /** Users with live state dropped to respect maxKeys: windows forgotten. Should stay 0; alert if not. */
  evictions: number;
  /** Idle users forgotten twice their longest window after their last message (harmless housekeeping). */
  expired: number;
  /** Messages dropped from a log that reached maxEntriesPerKey. */
  trimmed: number;
  /** Redelivered messages answered from memory. */
  duplicates: number;
}

// A SenderLog entry is STRIDE consecutive slots of one array: the time as an offset from the log's base
// (a small integer, so stored unboxed; beyond ±12 days it would be boxed, still correct), the message id,
// the text hash and its key (see smallKey), and the answer given as two small integers: rateCount * 8 +
// hit bits, and duplicateCount * 2^14 + groupCount (counts never pass maxEntriesPerKey + 1 < 2^14). One
// array per log means one cache miss per message, not one per field; six slots rather than one per count
// because these arrays are nearly all the limiter allocates, and what survives a scavenge is what it costs.
const STRIDE = 6;
const E_TIME = 0;
const E_ID = 1;
const E_HASH = 2;
const E_KEY = 3;
const E_PACKED = 4;
const E_COUNTS = 5;
const COUNT_SHIFT = 0x4000;
/** Largest maxEntriesPerKey: keeps every count below COUNT_SHIFT. */
const MAX_ENTRIES_PER_KEY = COUNT_SHIFT - 2;
/** Arrays up to this many slots are kept for reuse when a log is cleared (64 entries). */
const SPARE_SLOTS = 64 * STRIDE;

/**
 * A 30-bit key of a string: its length and last 8 code units, FNV-1a mixed, as a small integer. Scans
 * compare keys first and the strings only when keys match, because comparing two different strings reads
 * both from memory and stored ones are rarely in cache. A key collision only costs a string comparison, so
 * the key need not be strong: text hashes are random hex, group ids differ at their end.
 */
function smallKey(s: string): number {
  const n = s.length;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  for (let i = n > 8 ? n - 8 : 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/**
 * The recent messages of one user in one group, oldest first (sorted by time). Entries [head, size) are
 * live; dropping old ones moves the head (O(1)), and the array is compacted once the dead part is large.
 */
class SenderLog {
  e: (number | string)[] = [];
  /** Slots in use: e[0, n). Slots past n are spare capacity kept by clear(). */
  n = 0;
  /** First live entry (entry index, not slot). */
  head = 0;
  /** Event time that entry times are offsets from. */
  base = 0;
  /** Event time from which nothing here is inside any window. */
  staleFrom = 0;

  /** Entries held, live or not yet compacted away. */
  get end(): number {
    return this.n / STRIDE;
  }

  get size(): number {
    return this.end - this.head;
  }

  time(i: number): number {
    return (this.e[i * STRIDE + E_TIME] as number) + this.base;
  }

  /** Drops entries with time <= cutoff from the front. */
  dropUpTo(cutoff: number): void {
    const e = this.e;
    const rel = cutoff - this.base;
    const n = this.n;
    let k = this.head * STRIDE;
    while (k < n && (e[k] as number) <= rel) k += STRIDE;
    this.head = k / STRIDE;
    if (this.head > 32 && k * 2 > n) this.compact();
  }

  dropOldest(): void {
    this.head++;
    if (this.head > 32 && this.head * STRIDE * 2 > this.n) this.compact();
  }

  /** First entry index in [head, end) whose time is > t. */
  firstAfter(t: number): number {
    const e = this.e;
    const rel = t - this.base;
    let lo = this.head;
    let hi = this.n / STRIDE;
    // Fast path: messages arrive in time order, so the answer is usually at one of the ends.
    if (lo === hi || (e[(hi - 1) * STRIDE] as number) <= rel) return hi;
    if ((e[lo * STRIDE] as number) > rel) return lo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((e[mid * STRIDE] as number) <= rel) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of messageId among the entries at exactly time t (where a redelivery must be), or -1. */
  findRedelivery(t: number, end: number, messageId: string): number {
    const e = this.e;
    const rel = t - this.base;
    for (let j = end - 1; j >= this.head && e[j * STRIDE] === rel; j--) {
      if (e[j * STRIDE + E_ID] === messageId) return j;
    }
    return -1;
  }

  /** Copies of `hash` (whose smallKey is `key`) at times > cutoff. */
  countHash(hash: string, key: number, cutoff: number): number {
    const e = this.e;
    let count = 0;
    for (let k = this.firstAfter(cutoff) * STRIDE, n = this.n; k < n; k += STRIDE) {
      if (e[k + E_KEY] === key && e[k + E_HASH] === hash) count++;
    }
    return count;
  }

  /** The answer stored at entry i, rebuilt (for a redelivery). */
  answer(i: number): FloodResult {
    const k = i * STRIDE;
    const packed = this.e[k + E_PACKED] as number;
    const counts = this.e[k + E_COUNTS] as number;
    return floodResult(packed & 7, packed >>> 3, (counts / COUNT_SHIFT) | 0, counts & (COUNT_SHIFT - 1));
  }

  insert(at: number, t: number, id: string, hash: string, key: number, packed: number, counts: number): void {
    const e = this.e;
    const n = this.n;
    if (n === 0) this.base = t;
    const rel = t - this.base;
    this.n = n + STRIDE;
    if (at * STRIDE !== n) {
      // Out-of-order event time: rare (per-group order is kept upstream), so a splice is fine.
      e.splice(at * STRIDE, 0, rel, id, hash, key, packed, counts);
    } else if (n === e.length) e.push(rel, id, hash, key, packed, counts);
    else {
      // Reusing slots a reset left behind (see reset): no allocation.
      e[n + E_TIME] = rel;
      e[n + E_ID] = id;
      e[n + E_HASH] = hash;
      e[n + E_KEY] = key;
      e[n + E_PACKED] = packed;
      e[n + E_COUNTS] = counts;
    }
  }

  /**
   * Forgets every entry. A small array is kept, its strings blanked, and refilled in place: an idle user
   * coming back is the common case, and a fresh array grown by push would be reallocated a few times and
   * survive into the old generation each time — most of what a scavenge had to copy.
   */
  clear(): void {
    // Slots past n are never read; the strings left in them are held until overwritten, never more than
    // the log held at its peak.
    if (this.e.length > SPARE_SLOTS) this.e.length = 0;
    this.n = 0;
    this.head = 0;
  }

  /** Called once the dropped entries outnumber the live ones: removes them from the array. */
  compact(): void {
    this.removeFront(this.head);
  }

  /** Removes the first `count` entries (all dropped: count <= head) from the array. */
  protected removeFront(count: number): void {
    if (count <= 0) return;
    // Removing from the front of an array lets V8 move its start instead of copying (left trimming).
    this.e.splice(0, count * STRIDE);
    this.n -= count * STRIDE;
    this.head -= count;
  }
}

/**
 * Where a user in several groups sent which text lately: one entry per distinct (text, group) with the
 * latest time it was sent there, so the distinct groups of a text are its live entries. A spammer's list
 * holds one entry per group it hit within the window, whatever the number of messages.
 */
/**
 * Entries one user's cross-group log holds at most, all texts together: a sender of endless distinct texts
 * would otherwise grow it for the whole retention period, and every message scans it. Beyond it the entry
 * seen longest ago goes (its text's count can only be lower for it).
 */
const MAX_CROSS_ENTRIES = 512;

class CrossGroupLog {
  hashes: string[] = [];
  groups: string[] = [];
  /** smallKey of each hash and of each group, compared before the strings. */
  hashKeys: number[] = [];
  groupKeys: number[] = [];
  last: number[] = [];

  get size(): number {
    return this.hashes.length;
  }

  /**
   * Records `hash` sent to `group` at t and returns in how many distinct groups (this one included) the
   * user sent `hash` after `cutoff` (t − this request's crossGroupWindowMs). One pass, in place.
   *
   * Entries last seen at or before t − retentionMs go, this text's and others' alike: retentionMs is at
   * least twice the longest cross-group window any request uses, and at least two Redis cross epochs, so
   * nothing goes that a later request — whatever its group's window, and up to an epoch late — could
   * still count (the Redis limiter keeps those epochs). At most maxEntries groups per text: beyond that
   * this text's oldest entry goes (counts saturate).
   */
  record(
    hash: string,
    hashKey: number,
    group: string,
    groupKey: number,
    t: number,
    cutoff: number,
    retentionMs: number,
    maxEntries: number,
  ): number {
    const { hashes, groups, hashKeys, groupKeys, last } = this;
    const forget = t - retentionMs;
    const n = hashes.length;
    let write = 0;
    let found = false;
    let count = 1;
    /** This text's entries kept, and the one seen longest ago (after the move to `write`). */
    let held = 0;
    let oldest = -1;
    /** The entry seen longest ago, any text (for MAX_CROSS_ENTRIES). */
    let oldestAny = -1;
    for (let read = 0; read < n; read++) {
      let when = last[read];
      const sameText = hashKeys[read] === hashKey && hashes[read] === hash;
      if (sameText) {
        if (groupKeys[read] === groupKey && groups[read] === group) {
          found = true;
          // Stored here, not only by the compaction below: an entry that does not move is not copied.
          if (t > when) last[read] = when = t;
        } else if (when > cutoff) count++;
      }
      if (when <= forget) continue;
      if (write !== read) {
        hashes[write] = hashes[read];
        groups[write] = groups[read];
        hashKeys[write] = hashKeys[read];
        groupKeys[write] = groupKeys[read];
        last[write] = when;
      }
      if (sameText) {
        held++;
        if (oldest < 0 || when < last[oldest]) oldest = write;
      }
      if (oldestAny < 0 || when < last[oldestAny]) oldestAny = write;
      write++;
    }
    if (write !== n) {
      hashes.length = write;
      groups.length = write;
      hashKeys.length = write;
      groupKeys.length = write;
      last.length = write;
    }
    if (!found) {
      hashes.push(hash);
      groups.push(group);
      hashKeys.push(hashKey);
      groupKeys.push(groupKey);
      last.push(t);
      held++;
      if (oldest < 0 || t < last[oldest]) oldest = write;
    }
    if (held > maxEntries) this.#remove(oldest);
    else if (hashes.length > MAX_CROSS_ENTRIES && oldestAny >= 0) this.#remove(oldestAny);
    return count;
  }

  /** Removes entry i; used only at the per-text and per-user bounds. */
  #remove(i: number): void {
    this.hashes.splice(i, 1);
    this.groups.splice(i, 1);
    this.hashKeys.splice(i, 1);
    this.groupKeys.splice(i, 1);
    this.last.splice(i, 1);
  }
}

/**
 * Everything the limiter remembers about one user: their log in each group. Most users talk in one group,
 * so the state itself is the log of their first group (one object, two arrays), and its texts answer the
 * cross-group question (one group). Only a user seen in several groups gets a Map of the other groups'
 * logs and a cross-group list, seeded from the first group's log.
 *
 * The seed must hold what the Redis limiter's cross logs hold: every text sent to the first group that a
 * message from another group can still count, including one that arrives late (event time before the
 * first group's latest message). So while the user has one group, the entries dropped from its log (dead
 * for its own counts) are not compacted away at once but kept for a second longest window, or the
 * cross-group retention when longer (the newest maxEntriesPerKey of them at least; at most twice that
 * between compactions), and the seed reads them too.
 */
class UserState extends SenderLog implements ClockEntry {
  used = false;
  idleUntil = 0;
  /** The group whose log is this object itself: the first one the user was seen in (since a reset). */
  firstGroup = '';
  otherGroups: Map<string, SenderLog> | null = null;
  cross: CrossGroupLog | null = null;
  /** Size of otherGroups at which stale logs are swept out (grows with the user's real group count). */
  #sweepAt = 8;
  /**
   * While the user has one group: dropped entries at or before this event time (the latest message's time
   * minus twice its longest window, or the cross-group retention when longer) are of no use to the seed
   * any more (see the class comment).
   */
  seedFrom = -Infinity;
  /** Most dropped entries kept for the seed. */
  readonly #maxDropped: number;

  constructor(maxDropped: number) {
    super();
    this.#maxDropped = maxDropped;
  }

  reset(): void {
    this.clear();
    this.head = 0;
    this.base = 0;
    this.staleFrom = 0;
    this.idleUntil = 0;
    this.firstGroup = '';
    this.otherGroups = null;
    this.cross = null;
    this.#sweepAt = 8;
    this.seedFrom = -Infinity;
  }

  /**
   * Until the cross-group list is seeded (one group, or several but no text since), keeps the dropped
   * entries the seed may need (see the class comment). The ones it no
   * longer needs go once they are at least half of the dropped ones, so each removal (a splice) frees many.
   */
  override compact(): void {
    if (this.cross !== null) return super.compact();
    const e = this.e;
    const dead = this.head;
    const rel = this.seedFrom - this.base;
    // Dropped entries are sorted by time like the live ones: binary search for the first one still needed.
    let lo = 0;
    let hi = dead;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((e[mid * STRIDE + E_TIME] as number) <= rel) lo = mid + 1;
      else hi = mid;
    }
    const removable = Math.max(lo, dead - this.#maxDropped);
    if (removable >= 32 && removable * 2 >= dead) this.removeFront(removable);
  }

  /** The user's log in `group`, created when absent. */
  log(group: string, t: number): SenderLog {
    if (group === this.firstGroup) return this;
    if (this.firstGroup === '' || (this.n === 0 && this.otherGroups === null)) {
      this.firstGroup = group;
      return this;
    }
    let others = this.otherGroups;
    if (others === null) {
      this.otherGroups = others = new Map();
    }
    let log = others.get(group);
    if (log === undefined) {
      if (others.size >= this.#sweepAt) this.#dropStale(others, t);
      log = new SenderLog();
      others.set(group, log);
    }
    return log;
  }

  /**
   * Records that `hash` was sent to `group` at t; returns the distinct groups that got it after cutoff,
   * this one included (see CrossGroupLog.record for retentionMs and maxEntries).
   */
  groupsWith(
    hash: string,
    hashKey: number,
    group: string,
    t: number,
    cutoff: number,
    retentionMs: number,
    maxEntries: number,
  ): number {
    let cross = this.cross;
    if (cross === null) {
      if (this.otherGroups === null) return 1; // one group only: this one
      // Seeded at the first text after a second group appeared, not when it appeared: a user of several
      // groups whose messages carry no text (rate only) never needs the list. Until then compaction keeps
      // what the seed reads (see compact), so the seed is the same either way.
      this.cross = cross = this.#seedCrossGroups();
    }
    return cross.record(hash, hashKey, group, smallKey(group), t, cutoff, retentionMs, maxEntries);
  }

  /**
   * The cross-group list starts from what the user sent in their first group: one entry per text, at the
   * latest time it was sent there. A Map finds a text's entry (a one-off per user, so its allocation is
   * fine), rather than a scan of the list per message.
   */
  #seedCrossGroups(): CrossGroupLog {
    const cross = new CrossGroupLog();
    const group = this.firstGroup;
    const groupKey = smallKey(group);
    const entryOf = new Map<string, number>();
    const e = this.e;
    // From 0, not head: the dropped entries kept for this (see the class comment).
    for (let j = 0, end = this.end; j < end; j++) {
      const hash = e[j * STRIDE + E_HASH] as string;
      if (hash === '') continue;
      const t = this.time(j);
      const at = entryOf.get(hash);
      if (at === undefined) {
        entryOf.set(hash, cross.size);
        cross.hashes.push(hash);
        cross.groups.push(group);
        cross.hashKeys.push(e[j * STRIDE + E_KEY] as number);
        cross.groupKeys.push(groupKey);
        cross.last.push(t);
      } else if (t > cross.last[at]) cross.last[at] = t;
    }
    return cross;
  }

  #dropStale(others: Map<string, SenderLog>, t: number): void {
    for (const [group, log] of others) if (log.staleFrom <= t) others.delete(group);
    this.#sweepAt = Math.max(8, others.size * 2);
  }
}

/** How long a log must remember a message: its longest window. */
function longestWindow(limits: FloodLimits): number {
  let w = limits.rateWindowMs;
  if (limits.duplicateWindowMs > w) w = limits.duplicateWindowMs;
  if (limits.crossGroupWindowMs > w) w = limits.crossGroupWindowMs;
  return w;
}

export class MemoryFloodLimiter implements FloodLimiter {
  readonly #maxEntriesPerKey: number;
  readonly #clock: () => number;
  readonly #users: ClockMap<UserState>;
  /**
   * How long where a text went is kept (event time): twice the longer of a Redis cross epoch and the
   * longest cross-group window seen. It only grows, so a request with a long window still finds what
   * requests with short ones recorded (groups with different limits share one cross-group list).
   */
  #crossRetention = 2 * CROSS_GROUP_EPOCH_MS;
  #trimmed = 0;
  #duplicates = 0;
  #closed = false;

  constructor(options: MemoryFloodLimiterOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    const maxEntries = options.maxEntriesPerKey ?? 10_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer >= 1');
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_ENTRIES_PER_KEY) {
      throw new RangeError(`maxEntriesPerKey must be an integer from 1 to ${MAX_ENTRIES_PER_KEY}`);
    }
    this.#users = new ClockMap(maxKeys);
    this.#maxEntriesPerKey = maxEntries;
    this.#clock = options.clock ?? Date.now;
  }

  check(batch: readonly FloodRequest[]): Promise<FloodResult[]> {
    try {
      return Promise.resolve(this.checkSync(batch));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The same as `check`, synchronously (the embedded pipeline and the Redis fail-open path use it). */
  checkSync(batch: readonly FloodRequest[]): FloodResult[] {
    if (this.#closed) throw new StoreError('MemoryFloodLimiter is closed', { unavailable: true });
    const now = this.#clock();
    const out = new Array<FloodResult>(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = this.#checkOne(batch[i], now);
    return out;
  }

  stats(): MemoryFloodLimiterStats {
    return {
      users: this.#users.size,
      evictions: this.#users.evictions,
      expired: this.#users.expired,
      trimmed: this.#trimmed,
      duplicates: this.#duplicates,
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#users.clear();
    return Promise.resolve();
  }

  #checkOne(req: FloodRequest, now: number): FloodResult {
    const t = req.ts;
    const limits = req.limits;
    const hash = req.textHash;
    const keepMs = longestWindow(limits);
    if (2 * limits.crossGroupWindowMs > this.#crossRetention)
      this.#crossRetention = 2 * limits.crossGroupWindowMs;
    const crossRetention = this.#crossRetention;

    const user =
      this.#users.get(req.platform, req.userId, now) ??
      this.#users.add(req.platform, req.userId, new UserState(this.#maxEntriesPerKey), now);
    const log = user.log(req.groupId, t);
    log.dropUpTo(t - keepMs);

    // A redelivered message has the same ts as its first delivery: only entries at that ts can be it.
    const end = log.firstAfter(t);
    const seen = log.findRedelivery(t, end, req.messageId);
    if (seen >= 0) {
      this.#duplicates++;
      return log.answer(seen);
    }

    const rateCount = log.end - log.firstAfter(t - limits.rateWindowMs) + 1;
    let bits = rateCount > limits.rateMax ? RATE_BIT : 0;
    let duplicateCount = 0;
    let groupCount = 0;
    let key = 0;
    if (hash !== '') {
      key = smallKey(hash);
      duplicateCount = log.countHash(hash, key, t - limits.duplicateWindowMs) + 1;
      if (duplicateCount >= limits.duplicateMax) bits |= DUPLICATE_BIT;
      const cutoff = t - limits.crossGroupWindowMs;
      groupCount = user.groupsWith(hash, key, req.groupId, t, cutoff, crossRetention, this.#maxEntriesPerKey);
      if (groupCount >= limits.crossGroupMin) bits |= CROSS_GROUP_BIT;
    }

    const counts = duplicateCount * COUNT_SHIFT + groupCount;
    log.insert(end, t, req.messageId, hash, key, rateCount * 8 + bits, counts);
    if (log.size > this.#maxEntriesPerKey) {
      log.dropOldest();
      this.#trimmed++;
    }
    if (t + keepMs > log.staleFrom) log.staleFrom = t + keepMs;
    // What the first group's log keeps for seeding a cross-group list covers its retention too.
    const keepFor = Math.max(2 * keepMs, crossRetention);
    if (log === user && t - keepFor > user.seedFrom) user.seedFrom = t - keepFor;
    // Twice the longest window (and the cross-group retention), like the Redis keys' TTL (file comment).
    const idle = now + keepFor;
    if (idle > user.idleUntil) user.idleUntil = idle;
    return floodResult(bits, rateCount, duplicateCount, groupCount);
  }
}

/** Factory form, for wiring code that prefers functions. */
export function createMemoryFloodLimiter(options: MemoryFloodLimiterOptions = {}): MemoryFloodLimiter {
  return new MemoryFloodLimiter(options);
}
