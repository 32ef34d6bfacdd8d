import type { FloodHit, FloodLimits, FloodRequest, FloodResult } from '../types.js';

/**
 * The in-process block list for known flooders: a user found over the rate limit in a group is answered
 * here, without a Redis round trip, for as long as the rate window keeps them over the limit.
 *
 * Exact for the rate limit: Redis returns, with the hit, the times of the sender's messages in the
 * window; locally answered messages are added to them, so the local count is the count Redis would have
 * given (Kafka sends all of a group's messages to one consumer, so this instance sees all of them). Once
 * a message would be under the limit again the block lifts and that message goes to Redis, preceded by
 * the locally answered ones ("backfill"), so Redis state is complete again: rate and duplicate windows
 * stay exact after the block.
 *
 * The trade-off (documented in docs/deployment.md): a locally answered message is checked for the rate
 * limit only. Its duplicateCount and groupCount are reported as 0 and its hits are ['rate']; the verdict is
 * the flood verdict either way. It reaches the cross-group log of its user never (only its own group would
 * be counted there, and that group is already counted by the message that tripped the limit unless the
 * text is new).
 *
 * Memory is bounded by `maxSenders` (oldest block evicted first; its local answers still backfilled) and
 * `maxLocalPerSender`; a block left idle for its window by the processing clock is lifted.
 */
export interface LocalBlockListOptions {
  /** Senders blocked at once. Default 10 000. */
  maxSenders?: number;
  /** Locally answered messages remembered per sender (for backfill and redeliveries). Default 1000. */
  maxLocalPerSender?: number;
  /** Processing-time clock. Default Date.now. */
  clock?: () => number;
}

/** A message answered here, to be recorded in Redis when its block lifts. */
export interface LocalAnswer {
  messageId: string;
  textHash: string;
  ts: number;
  limits: FloodLimits;
  result: FloodResult;
}

/** Local answers to write to one sender log (`key`, whose hash tag is `tag`) before its next request. */
export interface Backfill {
  key: string;
  tag: string;
  answers: LocalAnswer[];
}

interface BlockedSender {
  tag: string;
  /** Times of the sender's messages in the rate window, ascending (Redis's at the hit, then local ones). */
  times: number[];
  local: LocalAnswer[];
  /** The latest time Redis knows of: a message not after it may be a redelivery, so Redis answers it. */
  redisUntil: number;
  /** The latest time answered here. */
  localUntil: number;
  idleUntil: number;
}

const RATE_ONLY: FloodHit[] = Object.freeze(['rate']) as FloodHit[];

export class LocalBlockList {
  readonly #maxSenders: number;
  readonly #maxLocal: number;
  readonly #clock: () => number;
  readonly #blocked = new Map<string, BlockedSender>();
  #lifted: Backfill[] = [];
  #answered = 0;

  constructor(options: LocalBlockListOptions = {}) {
    this.#maxSenders = options.maxSenders ?? 10_000;
    this.#maxLocal = options.maxLocalPerSender ?? 1000;
    this.#clock = options.clock ?? Date.now;
    if (!Number.isInteger(this.#maxSenders) || this.#maxSenders < 1)
      throw new RangeError('maxSenders must be an integer >= 1');
    if (!Number.isInteger(this.#maxLocal) || this.#maxLocal < 1)
      throw new RangeError('maxLocalPerSender must be an integer >= 1');
  }

  /** Senders blocked now. */
  get size(): number {
    return this.#blocked.size;
  }

  /** Messages answered locally so far (round trips saved). */
  get answered(): number {
    return this.#answered;
  }

  /** True when lifted blocks wait for their backfill to be written. */
  get hasLifted(): boolean {
    return this.#lifted.length > 0;
  }

  /** Hands over the backfills of lifted blocks; the caller writes them before any other request. */
  takeLifted(): Backfill[] {
    const out = this.#lifted;
    this.#lifted = [];
    return out;
  }

  /**
   * Takes back backfills whose write failed, ahead of any lifted since: they go with the next batch that
   * reaches Redis (writing one twice is harmless, the script skips a record it already holds).
   */
  restoreLifted(backfills: readonly Backfill[]): void {
    if (backfills.length > 0) this.#lifted = [...backfills, ...this.#lifted];
  }

  /**
   * The local answer for a request of sender `key` when it is blocked and still over the limit; null
   * when the request must go to Redis (then a lifted block's backfill waits in takeLifted()). A message
   * not later than the latest one Redis knows of may be a redelivery of it, so Redis answers it too.
   */
  check(key: string, req: FloodRequest): FloodResult | null {
    if (this.#blocked.size === 0) return null;
    const block = this.#blocked.get(key);
    if (block === undefined) return null;

    const t = req.ts;
    if (t <= block.redisUntil) return null;
    const local = block.local;
    // A redelivery of a message answered here (never later than the latest): the same answer, nothing counted.
    if (t <= block.localUntil) {
      for (let i = local.length - 1; i >= 0; i--) {
        if (local[i].messageId === req.messageId && local[i].ts === t) return local[i].result;
      }
    }
    const now = this.#clock();
    const times = block.times;
    const count = times.length - firstAfter(times, t - req.limits.rateWindowMs) + 1;
    if (block.idleUntil <= now || count <= req.limits.rateMax) {
      this.#lift(key, block);
      return null;
    }

    insertSorted(times, t);
    // Times that left the window of the latest message can never count again.
    const cutoff = times[times.length - 1] - req.limits.rateWindowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= cutoff) drop++;
    if (drop > 0) times.splice(0, drop);

    const result: FloodResult = { hits: RATE_ONLY, rateCount: count, duplicateCount: 0, groupCount: 0 };
    if (local.length >= this.#maxLocal) local.shift();
    local.push({ messageId: req.messageId, textHash: req.textHash, ts: t, limits: req.limits, result });
    if (t > block.localUntil) block.localUntil = t;
    block.idleUntil = now + req.limits.rateWindowMs;
    this.#answered++;
    return result;
  }

  /** Blocks sender `key` after Redis reported a rate hit, with the window's times Redis returned. */
  block(key: string, tag: string, times: number[], windowMs: number): void {
    const previous = this.#blocked.get(key);
    if (previous !== undefined) {
      this.#blocked.delete(key);
      if (previous.local.length > 0) this.#lifted.push({ key, tag: previous.tag, answers: previous.local });
    } else if (this.#blocked.size >= this.#maxSenders) {
      const [oldestKey, oldest] = this.#blocked.entries().next().value as [string, BlockedSender];
      this.#lift(oldestKey, oldest);
    }
    const redisUntil = times.length > 0 ? times[times.length - 1] : -Infinity;
    this.#blocked.set(key, {
      tag,
      times,
      local: [],
      redisUntil,
      localUntil: -Infinity,
      idleUntil: this.#clock() + windowMs,
    });
  }

  /** Forgets every block (their backfills stay queued). */
  clear(): void {
    for (const [key, block] of this.#blocked) this.#lift(key, block);
  }

  #lift(key: string, block: BlockedSender): void {
    this.#blocked.delete(key);
    if (block.local.length > 0) this.#lifted.push({ key, tag: block.tag, answers: block.local });
  }
}

function firstAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  if (hi === 0 || sorted[hi - 1] <= t) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], t: number): void {
  const at = firstAfter(sorted, t);
  if (at === sorted.length) sorted.push(t);
  else sorted.splice(at, 0, t);
}
