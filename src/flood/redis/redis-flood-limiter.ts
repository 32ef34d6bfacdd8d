import { StoreError } from '../../contracts/errors.js';
import type { RedisClient } from '../../redis/client.js';
import { toStoreError } from '../../redis/errors.js';
import { encodeDoubles } from '../../redis/encode.js';
import { hash53 } from '../../redis/hash.js';
import type { RedisKeys } from '../../redis/keys.js';
import { RedisScript } from '../../redis/script.js';
import { CROSS_GROUP_BIT, DUPLICATE_BIT, RATE_BIT, floodResult } from '../results.js';
import { CROSS_GROUP_EPOCH_MS } from '../types.js';
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
  /**
   * Buckets per family and epoch: the hashes each epoch's state is spread over. On Redis Cluster each
   * bucket is a hash tag, so more buckets spread the state over more slots (and nodes), at one script call
   * per bucket a batch touches. Default: 64 with callPerTag, else 1 (one call per batch).
   */
  buckets?: number;
  /** Most records one sender or cross value keeps per epoch (counts saturate there). Default 1000. */
  maxEntriesPerKey?: number;
  /**
   * Epoch length of the cross-group state (ms), the same for every request whatever its limits, so that
   * the copies a user sends to groups with different flood windows meet in one value. Every instance
   * sharing the Redis must use the same. Default CROSS_GROUP_EPOCH_MS (60 s).
   */
  crossEpochMs?: number;
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
const OP_WIDTH = 8;
/** Reply packing (see flood-check.lua): rateCount + duplicateCount * 2^20 + replayed * 2^40. */
const COUNT_BASE = 2 ** 20;
const REPLAYED = 2 ** 40;
type Family = 'fs' | 'fx';

/**
 * The state one call reads and writes for one family, bucket and epoch length: the hashes of epochs
 * E-back .. E+1 (and the one unlinked after a write, and for the cross family the bucket's horizon key) and
 * the distinct fields the call's operations use, each with its slot (1-based), which the operations refer to.
 */
class EpochGroup {
  readonly fields: string[] = [];
  readonly #slots = new Map<string, number>();
  /** Epochs read before E: 1, or for the cross family as many as its longest window needs. */
  back = 1;

  constructor(
    /** The call this group belongs to: operations on it are added there. */
    readonly call: ScriptCall,
    readonly index: number,
    readonly family: Family,
    readonly bucket: number,
    readonly keepMs: number,
    readonly epoch: number,
  ) {}

  slot(field: string): number {
    let slot = this.#slots.get(field);
    if (slot === undefined) {
      slot = this.fields.push(field);
      this.#slots.set(field, slot);
    }
    return slot;
  }
}

/**
 * The operations of one script call: its epoch groups, 8 doubles per operation, and, once built, its keys
 * (epoch hashes) and the groups' fields as the last arguments. One epoch per family, bucket and epoch
 * length: a batch that crosses into the next epoch goes on in a new call (sent after this one), so that no
 * hash is read through two groups of one call.
 */
class ScriptCall {
  readonly keys: string[] = [];
  readonly groups: EpochGroup[] = [];
  readonly #groupById = new Map<string, EpochGroup>();
  readonly ops: number[] = [];
  /** Per operation: the batch index of its request (-1 for a backfill). */
  readonly requests: number[] = [];
  /** The reply, once sent. */
  reply: Promise<unknown> | null = null;
  // The last group looked up: nearly every message of a batch shares it (compared without building the
  // map key, which would be a string per message).
  #last: EpochGroup | null = null;

  /**
   * The group of (family, bucket, keepMs) at `epoch`, added when new; null when this call already holds
   * another epoch of it (the caller starts a new call).
   */
  group(family: Family, bucket: number, keepMs: number, epoch: number): EpochGroup | null {
    const last = this.#last;
    let group: EpochGroup | undefined;
    let id = '';
    if (last !== null && last.family === family && last.bucket === bucket && last.keepMs === keepMs)
      group = last;
    else group = this.#groupById.get((id = family + bucket + ':' + keepMs));
    if (group === undefined) {
      group = new EpochGroup(this, this.groups.length, family, bucket, keepMs, epoch);
      this.groups.push(group);
      this.#groupById.set(id, group);
    } else if (group.epoch !== epoch) return null;
    this.#last = group;
    return group;
  }

  add(
    kind: number,
    group: EpochGroup,
    limitSet: number,
    extra: number,
    ts: number,
    idHash: number,
    hash: number,
    field: string,
    request: number,
  ): void {
    this.ops.push(kind, group.index, limitSet, extra, ts, idHash, hash, group.slot(field));
    this.requests.push(request);
  }

  /**
   * Fills `keys` and returns ARGV: the limit sets, the groups (their keys, epoch length, where their fields
   * start in ARGV), the operations, the fields. Per group the keys of epochs E-back .. E+1, in order, then
   * the one to unlink after a write, E-(back+2), then for the cross family the bucket's horizon key (see
   * flood-check.lua).
   */
  build(keys: RedisKeys, limitValues: readonly number[]): (Buffer | string)[] {
    const groupValues: number[] = [];
    const fields: string[] = [];
    for (const group of this.groups) {
      const { family, bucket, keepMs, epoch, back } = group;
      const first = this.keys.length + 1;
      for (let e = epoch - back; e <= epoch + 1; e++)
        this.keys.push(keys.floodEpoch(family, bucket, keepMs, e));
      const old = this.keys.push(keys.floodEpoch(family, bucket, keepMs, epoch - back - 2));
      const hkey = family === 'fx' ? this.keys.push(keys.floodHorizon(bucket, keepMs)) : 0;
      groupValues.push(first, back, old, hkey, keepMs, 4 + fields.length, group.fields.length);
      for (const field of group.fields) fields.push(field);
    }
    return [encodeDoubles(limitValues), encodeDoubles(groupValues), encodeDoubles(this.ops), ...fields];
  }
}

/**
 * Everything one batch sends: the limit sets it uses and its calls. Standalone layout: calls of at most
 * `chunkOps` operations, each sent as soon as it is full (or crosses an epoch), so Redis runs one while the
 * next is prepared (all on one connection, in order: a pipeline). Cluster layout: one call per bucket tag
 * (more when a batch crosses an epoch), sent at the end, each tag's calls in order.
 */
class BatchPlan {
  readonly calls: ScriptCall[] = [];
  readonly limitSets = new Map<FloodLimits, number>();
  readonly limitValues: number[] = [];
  /** Per limit set: the sender family's epoch length, and the cross epochs its window reads before E. */
  readonly senderKeep: number[] = [];
  readonly crossBack: number[] = [];
  readonly #byTag = new Map<string, ScriptCall>();
  readonly #callPerTag: boolean;
  readonly #maxEntries: number;
  readonly #chunkOps: number;
  readonly #send: (call: ScriptCall) => void;
  #current: ScriptCall | null = null;

  readonly #crossEpoch: number;

  constructor(
    callPerTag: boolean,
    maxEntries: number,
    chunkOps: number,
    crossEpoch: number,
    send: (call: ScriptCall) => void,
  ) {
    this.#callPerTag = callPerTag;
    this.#crossEpoch = crossEpoch;
    this.#maxEntries = maxEntries;
    this.#chunkOps = chunkOps;
    this.#send = send;
  }

  /** The group (and with it the call) an operation of (family, bucket, keepMs) at `epoch` goes in. */
  place(family: Family, bucket: number, keepMs: number, epoch: number): EpochGroup {
    let group = this.#call(family, bucket).group(family, bucket, keepMs, epoch);
    if (group === null) {
      // Another epoch than the call holds: this call is complete; the operation starts the next one.
      if (this.#callPerTag) this.#byTag.delete(family + bucket);
      else {
        this.#send(this.#current!);
        this.#current = null;
      }
      group = this.#call(family, bucket).group(family, bucket, keepMs, epoch)!;
    }
    return group;
  }

  /** Sends the standalone call in progress once it is full; the next operations start a new one. */
  sendIfFull(): void {
    const call = this.#current;
    if (call === null || call.requests.length < this.#chunkOps) return;
    this.#current = null;
    this.#send(call);
  }

  limitSet(limits: FloodLimits): number {
    let index = this.limitSets.get(limits);
    if (index !== undefined) return index;
    index = this.limitSets.size;
    this.limitSets.set(limits, index);
    const senderKeep = Math.ceil(Math.max(limits.rateWindowMs, limits.duplicateWindowMs));
    this.senderKeep.push(senderKeep);
    this.crossBack.push(Math.max(1, Math.ceil(limits.crossGroupWindowMs / this.#crossEpoch)));
    this.limitValues.push(
      limits.rateWindowMs,
      limits.rateMax,
      limits.duplicateWindowMs,
      senderKeep,
      limits.crossGroupWindowMs,
      this.#maxEntries,
    );
    return index;
  }

  #call(family: Family, bucket: number): ScriptCall {
    if (!this.#callPerTag) {
      if (this.#current === null) {
        this.#current = new ScriptCall();
        this.calls.push(this.#current);
      }
      return this.#current;
    }
    const tag = family + bucket;
    let call = this.#byTag.get(tag);
    if (call === undefined) {
      call = new ScriptCall();
      this.#byTag.set(tag, call);
      this.calls.push(call);
    }
    return call;
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
  readonly #buckets: number;
  readonly #crossEpoch: number;

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
    this.#buckets = options.buckets ?? (options.callPerTag ? 64 : 1);
    if (!Number.isInteger(this.#buckets) || this.#buckets < 1) {
      throw new RangeError('buckets must be an integer >= 1');
    }
    if (!Number.isInteger(this.#opsPerCall) || this.#opsPerCall < 1) {
      throw new RangeError('opsPerCall must be an integer >= 1');
    }
    this.#crossEpoch = options.crossEpochMs ?? CROSS_GROUP_EPOCH_MS;
    if (!Number.isInteger(this.#crossEpoch) || this.#crossEpoch < 1) {
      throw new RangeError('crossEpochMs must be an integer >= 1');
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
    const blocks = this.#blocks;
    const plan = new BatchPlan(
      this.#callPerTag,
      this.#maxEntries,
      this.#opsPerCall,
      this.#crossEpoch,
      (call) => this.#dispatch(plan, call),
    );
    const started = performance.now();
    // Backfills taken for this batch: given back to the block list if the batch fails, or they are lost.
    const taken: Backfill[] = [];
    const takeLifted = (list: LocalBlockList) => {
      const lifted = list.takeLifted();
      for (const b of lifted) taken.push(b);
      this.#planBackfills(plan, lifted);
    };
    try {
      return await this.#checkPlanned(batch, results, plan, started, blocks, takeLifted);
    } catch (e) {
      blocks?.restoreLifted(taken);
      throw e;
    }
  }

  async #checkPlanned(
    batch: readonly FloodRequest[],
    results: FloodResult[],
    plan: BatchPlan,
    started: number,
    blocks: LocalBlockList | null,
    takeLifted: (list: LocalBlockList) => void,
  ): Promise<FloodResult[]> {
    const n = batch.length;
    const keys = this.#keys;
    const crossEpoch = this.#crossEpoch;
    if (blocks !== null && blocks.hasLifted) takeLifted(blocks);

    // Kept for the block list: the sender and group tag of each request sent to Redis.
    const senders = new Array<string>(n);
    const groupTags = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const req = batch[i];
      assertLimits(req.limits);
      const groupTag = keys.groupTag(req.platform, req.groupId);
      // The sender's identity: the block list's key, and the field of its epoch values.
      const sender = keys.floodSenderField(groupTag, req.userId);
      if (blocks !== null) {
        const local = blocks.check(sender, req);
        if (local !== null) {
          results[i] = local;
          continue;
        }
        if (blocks.hasLifted) takeLifted(blocks);
      }
      senders[i] = sender;
      groupTags[i] = groupTag;
      const limitSet = plan.limitSet(req.limits);
      const idHash = hash53(req.messageId);
      const ts = req.ts;
      const senderKeep = plan.senderKeep[limitSet];
      const s = plan.place('fs', this.#bucket(groupTag), senderKeep, Math.floor(ts / senderKeep));
      if (req.textHash === '') {
        s.call.add(OP_SENDER, s, limitSet, 0, ts, idHash, 0, sender, i);
      } else {
        s.call.add(OP_SENDER, s, limitSet, 0, ts, idHash, hash53(req.textHash), sender, i);
        const userTag = keys.userTag(req.platform, req.userId);
        // One epoch length for every request: copies to groups with other limits meet in one value.
        const c = plan.place('fx', this.#bucket(userTag), crossEpoch, Math.floor(ts / crossEpoch));
        const back = plan.crossBack[limitSet];
        if (back > c.back) c.back = back;
        const field = keys.floodCrossField(userTag, req.textHash);
        c.call.add(OP_CROSS, c, limitSet, 0, ts, idHash, hash53(req.groupId), field, i);
      }
      plan.sendIfFull();
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
                senders[i],
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
      const bucket = this.#bucket(tag);
      for (const a of answers) {
        const limitSet = plan.limitSet(a.limits);
        const keep = plan.senderKeep[limitSet];
        const group = plan.place('fs', bucket, keep, Math.floor(a.ts / keep));
        const textHash = a.textHash === '' ? 0 : hash53(a.textHash);
        group.call.add(
          OP_BACKFILL,
          group,
          limitSet,
          a.result.rateCount,
          a.ts,
          hash53(a.messageId),
          textHash,
          key,
          -1,
        );
      }
    }
  }

  /** The bucket of a group's (sender family) or a user's (cross family) state. */
  #bucket(tag: string): number {
    return this.#buckets === 1 ? 0 : hash53(tag) % this.#buckets;
  }

  /** Sends one call now (the limit sets known so far are all it can refer to). */
  #dispatch(plan: BatchPlan, call: ScriptCall): void {
    const args = call.build(this.#keys, plan.limitValues);
    call.reply = this.#script.run(this.#client, call.keys, args);
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
