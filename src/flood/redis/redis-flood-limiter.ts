import { StoreError } from '../../contracts/errors.js';
import type { RedisClient } from '../../redis/client.js';
import { toStoreError } from '../../redis/errors.js';
import { encodeDoubles } from '../../redis/encode.js';
import { hash53 } from '../../redis/hash.js';
import type { RedisKeys } from '../../redis/keys.js';
import { RedisScript } from '../../redis/script.js';
import { CROSS_GROUP_BIT, DUPLICATE_BIT, RATE_BIT, floodResult } from '../results.js';
import type { FloodLimiter, FloodLimits, FloodRequest, FloodResult } from '../types.js';
import type { Backfill, LocalBlockList } from './block-list.js';

/**
 * The flood limiter on Redis (production): exact sliding windows, the same semantics as
 * src/flood/memory (tests/contract/flood.contract.ts), shared by every processor instance.
 *
 * One round trip per batch: the whole batch is one EVALSHA of flood-check.lua (up to opsPerCall operations;
 * beyond, a pipeline of calls), or on Redis Cluster one call per hash tag, all sent at once. Store trouble rejects with StoreError; the fail mode is applied around this
 * class (FailSafeFloodLimiter), never inside it.
 */
export interface RedisFloodLimiterOptions {
  client: RedisClient;
  keys: RedisKeys;
  /** flood-check.lua, read once at start-up (see loadFloodScript). */
  script: RedisScript;
  /**
   * One script call per hash tag (required on Redis Cluster, where a call's keys must share a slot).
   * Off: one call for the whole batch (standalone server). Default: on for a Cluster client.
   */
  callPerTag: boolean;
  /** Most records one sender log or cross log keeps (counts saturate there). Default 1000. */
  maxEntriesPerKey?: number;
  /** Known flooders answered without a round trip; null turns it off. */
  blockList?: LocalBlockList | null;
  /** Seconds each batch's round trip took (metrics), failed ones included. */
  onCommand?: (seconds: number) => void;
  /**
   * Standalone layout: most operations per script call (a request is one operation, two with text). A
   * larger batch goes as a pipeline of calls, each sent as soon as it is ready; this bounds how long one
   * script holds Redis (other instances wait meanwhile). Default 512.
   */
  opsPerCall?: number;
}

/** Reads flood-check.lua from beside this module (src/ under tsx, dist/ when built). */
export function loadFloodScript(): RedisScript {
  return RedisScript.fromFile(new URL('./flood-check.lua', import.meta.url));
}

const OP_SENDER = 1;
const OP_CROSS = 2;
const OP_BACKFILL = 3;
const OP_WIDTH = 7;
/** Reply packing (see flood-check.lua): rateCount + duplicateCount * 2^20 + replayed * 2^40. */
const COUNT_BASE = 2 ** 20;
const REPLAYED = 2 ** 40;

/** The operations of one script call: its distinct keys, and 7 doubles per operation. */
class ScriptCall {
  readonly keys: string[] = [];
  readonly keyIndex = new Map<string, number>();
  readonly ops: number[] = [];
  /** Per operation: the batch index of its request (-1 for a backfill). */
  readonly requests: number[] = [];
  /** The reply, once sent. */
  reply: Promise<unknown> | null = null;

  add(
    key: string,
    kind: number,
    limitSet: number,
    extra: number,
    ts: number,
    idHash: number,
    hash: number,
    request: number,
  ): void {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.push(key);
      this.keyIndex.set(key, k);
    }
    this.ops.push(kind, k, limitSet, extra, ts, idHash, hash);
    this.requests.push(request);
  }
}

/**
 * Everything one batch sends: the limit sets it uses and its calls. Standalone layout: calls of at most
 * `chunkOps` operations, each sent as soon as it is full, so Redis runs one while the next is prepared
 * (all on one connection, in order: a pipeline). Cluster layout: one call per hash tag, sent at the end.
 */
class BatchPlan {
  readonly calls: ScriptCall[] = [];
  readonly limitSets = new Map<FloodLimits, number>();
  readonly limitValues: number[] = [];
  readonly #byTag = new Map<string, ScriptCall>();
  readonly #callPerTag: boolean;
  readonly #maxEntries: number;
  readonly #chunkOps: number;
  #current: ScriptCall | null = null;

  constructor(callPerTag: boolean, maxEntries: number, chunkOps: number) {
    this.#callPerTag = callPerTag;
    this.#maxEntries = maxEntries;
    this.#chunkOps = chunkOps;
  }

  call(tag: string): ScriptCall {
    if (!this.#callPerTag) {
      if (this.#current === null) {
        this.#current = new ScriptCall();
        this.calls.push(this.#current);
      }
      return this.#current;
    }
    let call = this.#byTag.get(tag);
    if (call === undefined) {
      call = new ScriptCall();
      this.#byTag.set(tag, call);
      this.calls.push(call);
    }
    return call;
  }

  /** The standalone call in progress when it is full (the caller sends it); the next ops start a new one. */
  takeFull(): ScriptCall | null {
    const call = this.#current;
    if (call === null || call.requests.length < this.#chunkOps) return null;
    this.#current = null;
    return call;
  }

  limitSet(limits: FloodLimits): number {
    let index = this.limitSets.get(limits);
    if (index !== undefined) return index;
    index = this.limitSets.size;
    this.limitSets.set(limits, index);
    const senderKeep = Math.ceil(Math.max(limits.rateWindowMs, limits.duplicateWindowMs));
    const crossKeep = Math.ceil(Math.max(limits.crossGroupWindowMs, senderKeep));
    this.limitValues.push(
      limits.rateWindowMs,
      limits.rateMax,
      limits.duplicateWindowMs,
      senderKeep,
      limits.crossGroupWindowMs,
      crossKeep,
      this.#maxEntries,
    );
    return index;
  }
}

export class RedisFloodLimiter implements FloodLimiter {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #script: RedisScript;
  readonly #callPerTag: boolean;
  readonly #maxEntries: number;
  readonly #blocks: LocalBlockList | null;
  readonly #onCommand: ((seconds: number) => void) | undefined;
  readonly #opsPerCall: number;

  constructor(options: RedisFloodLimiterOptions) {
    this.#client = options.client;
    this.#keys = options.keys;
    this.#script = options.script;
    this.#callPerTag = options.callPerTag;
    this.#maxEntries = options.maxEntriesPerKey ?? 1000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError('maxEntriesPerKey must be an integer >= 1');
    }
    this.#blocks = options.blockList ?? null;
    this.#onCommand = options.onCommand;
    this.#opsPerCall = options.opsPerCall ?? 512;
    if (!Number.isInteger(this.#opsPerCall) || this.#opsPerCall < 1) {
      throw new RangeError('opsPerCall must be an integer >= 1');
    }
  }

  /** The local block list, when on (for stats and tests). */
  get blockList(): LocalBlockList | null {
    return this.#blocks;
  }

  async check(batch: readonly FloodRequest[]): Promise<FloodResult[]> {
    const n = batch.length;
    const results = new Array<FloodResult>(n);
    if (n === 0) return results;
    // Not connected: fail now, before the block list answers anything, so that a batch the block list
    // could answer alone never passes for Redis being back.
    if (this.#client.status !== 'ready') {
      throw new StoreError(`flood check: redis ${this.#client.status}`, { unavailable: true });
    }
    const keys = this.#keys;
    const blocks = this.#blocks;
    const plan = new BatchPlan(this.#callPerTag, this.#maxEntries, this.#opsPerCall);
    const started = performance.now();
    if (blocks !== null && blocks.hasLifted) this.#planBackfills(plan, blocks.takeLifted());

    // Kept for the block list: the sender key and group tag of each request sent to Redis.
    const senderKeys = new Array<string>(n);
    const groupTags = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const req = batch[i];
      assertLimits(req.limits);
      const groupTag = keys.groupTag(req.platform, req.groupId);
      const senderKey = keys.floodSender(groupTag, req.userId);
      if (blocks !== null) {
        const local = blocks.check(senderKey, req);
        if (local !== null) {
          results[i] = local;
          continue;
        }
        if (blocks.hasLifted) this.#planBackfills(plan, blocks.takeLifted());
      }
      senderKeys[i] = senderKey;
      groupTags[i] = groupTag;
      const limitSet = plan.limitSet(req.limits);
      const idHash = hash53(req.messageId);
      const ts = req.ts;
      if (req.textHash === '') {
        plan.call(groupTag).add(senderKey, OP_SENDER, limitSet, 0, ts, idHash, 0, i);
      } else {
        plan.call(groupTag).add(senderKey, OP_SENDER, limitSet, 0, ts, idHash, hash53(req.textHash), i);
        const userTag = keys.userTag(req.platform, req.userId);
        plan
          .call(userTag)
          .add(
            keys.floodCross(userTag, req.textHash),
            OP_CROSS,
            limitSet,
            0,
            ts,
            idHash,
            hash53(req.groupId),
            i,
          );
      }
      const full = plan.takeFull();
      if (full !== null) this.#dispatch(plan, full);
    }
    if (plan.calls.length === 0) return results;

    const replies = await this.#collect(plan, started);

    // Per request: rateCount, duplicateCount, groupCount, filled in from whichever call carried each part.
    const counts = new Float64Array(n * 3);
    let c = 0;
    for (const call of plan.calls) {
      const reply = replies[c++];
      let p = 0;
      const ops = call.ops;
      for (let o = 0; o < call.requests.length; o++) {
        const kind = ops[o * OP_WIDTH];
        const i = call.requests[o];
        if (kind === OP_SENDER) {
          const packed = reply[p++];
          const replayed = packed >= REPLAYED;
          const bothCounts = replayed ? packed - REPLAYED : packed;
          const rateCount = bothCounts % COUNT_BASE;
          counts[i * 3] = rateCount;
          counts[i * 3 + 1] = (bothCounts - rateCount) / COUNT_BASE;
          if (!replayed && rateCount > batch[i].limits.rateMax) {
            // The window's times follow: the sender goes on the block list.
            if (blocks !== null) {
              blocks.block(
                senderKeys[i],
                groupTags[i],
                reply.slice(p, p + rateCount),
                batch[i].limits.rateWindowMs,
              );
            }
            p += rateCount;
          }
        } else if (kind === OP_CROSS) {
          const packed = reply[p++];
          counts[i * 3 + 2] = packed >= REPLAYED ? packed - REPLAYED : packed;
        } else {
          p += 1;
        }
      }
      if (p !== reply.length)
        throw new StoreError(`flood check: reply of ${reply.length} values, expected ${p}`);
    }

    for (let i = 0; i < n; i++) {
      if (results[i] !== undefined) continue;
      const limits = batch[i].limits;
      const rateCount = counts[i * 3];
      const duplicateCount = counts[i * 3 + 1];
      const groupCount = counts[i * 3 + 2];
      let bits = rateCount > limits.rateMax ? RATE_BIT : 0;
      if (batch[i].textHash !== '') {
        if (duplicateCount >= limits.duplicateMax) bits |= DUPLICATE_BIT;
        if (groupCount >= limits.crossGroupMin) bits |= CROSS_GROUP_BIT;
      }
      results[i] = floodResult(bits, rateCount, duplicateCount, groupCount);
    }
    return results;
  }

  close(): Promise<void> {
    this.#blocks?.clear();
    return Promise.resolve();
  }

  #planBackfills(plan: BatchPlan, backfills: readonly Backfill[]): void {
    for (const { key, tag, answers } of backfills) {
      const call = plan.call(tag);
      for (const a of answers) {
        const textHash = a.textHash === '' ? 0 : hash53(a.textHash);
        call.add(
          key,
          OP_BACKFILL,
          plan.limitSet(a.limits),
          a.result.rateCount,
          a.ts,
          hash53(a.messageId),
          textHash,
          -1,
        );
      }
    }
  }

  /** Sends one call now (the limit sets known so far are all it can refer to). */
  #dispatch(plan: BatchPlan, call: ScriptCall): void {
    call.reply = this.#script.run(this.#client, call.keys, [
      encodeDoubles(plan.limitValues),
      encodeDoubles(call.ops),
    ]);
    // Rejections are handled in #collect; this keeps an early one from counting as unhandled meanwhile.
    call.reply.catch(() => {});
  }

  /** Sends the calls not sent yet, then waits for every reply (flat integer arrays, in plan order). */
  async #collect(plan: BatchPlan, started: number): Promise<number[][]> {
    for (const call of plan.calls) if (call.reply === null) this.#dispatch(plan, call);
    let replies: unknown[];
    try {
      replies = await Promise.all(plan.calls.map((call) => call.reply));
    } catch (e) {
      throw toStoreError(e, 'flood check');
    } finally {
      this.#onCommand?.((performance.now() - started) / 1000);
    }
    for (const r of replies) {
      if (!Array.isArray(r)) throw new StoreError(`flood check: unexpected reply ${typeof r}`);
    }
    return replies as number[][];
  }
}

function assertLimits(l: FloodLimits): void {
  if (
    !(l.rateWindowMs > 0 && l.duplicateWindowMs > 0 && l.crossGroupWindowMs > 0) ||
    !Number.isFinite(l.rateWindowMs + l.duplicateWindowMs + l.crossGroupWindowMs) ||
    !(l.rateMax >= 0 && l.duplicateMax >= 0 && l.crossGroupMin >= 0)
  ) {
    throw new RangeError('flood limits: windows must be finite and > 0, maxima >= 0');
  }
}
