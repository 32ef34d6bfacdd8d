import { StoreError } from '../../contracts/errors.js';
import type { RedisClient } from '../../redis/client.js';
import { toStoreError } from '../../redis/errors.js';
import { encodeDoubles } from '../../redis/encode.js';
import { hash53 } from '../../redis/hash.js';
import type { RedisKeys } from '../../redis/keys.js';
import { RedisScript, type ScriptArg } from '../../redis/script.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../types.js';
import { checkStrikeRequest } from '../request.js';

/**
 * The strike store on Redis (production): the same semantics as src/strikes/memory
 * (tests/contract/strikes.contract.ts), shared by every processor instance. Idempotent on messageId for as
 * long as a strike lives (30 days by default): a redelivered message never strikes twice. The entry-step
 * floor and cooldowns are decided inside the script, so concurrent instances never race on a count.
 *
 * One round trip per batch: one EVALSHA of strike-record.lua / strike-peek.lua (Redis Cluster: one call per
 * group, all sent at once). Store trouble rejects with StoreError; the fail mode is applied around this
 * class (FailSafeStrikeStore).
 */
export interface RedisStrikeStoreOptions {
  client: RedisClient;
  keys: RedisKeys;
  scripts: StrikeScripts;
  /** One script call per group hash tag (required on Redis Cluster). */
  callPerTag: boolean;
  /** Most records kept per user per group (see strike-record.lua for which go first). Default 256. */
  maxStrikesPerKey?: number;
  /** Seconds each batch's round trip took (metrics), failed ones included. */
  onCommand?: (seconds: number) => void;
}

export interface StrikeScripts {
  record: RedisScript;
  peek: RedisScript;
}

/** Reads strike-record.lua and strike-peek.lua from beside this module (src/ or dist/). */
export function loadStrikeScripts(): StrikeScripts {
  return {
    record: RedisScript.fromFile(new URL('./strike-record.lua', import.meta.url)),
    peek: RedisScript.fromFile(new URL('./strike-peek.lua', import.meta.url)),
  };
}

export interface PeekRequest {
  group: string;
  userId: string;
  ts: number;
}

/** The requests of one script call: distinct keys, the doubles it sends, and where answers go. */
class Call {
  readonly keys: string[] = [];
  readonly keyIndex = new Map<string, number>();
  readonly values: number[] = [];
  readonly requests: number[] = [];

  key(key: string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.push(key);
      this.keyIndex.set(key, k);
    }
    return k;
  }
}

export class RedisStrikeStore implements StrikeStore {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #scripts: StrikeScripts;
  readonly #callPerTag: boolean;
  readonly #maxStrikes: string;
  readonly #onCommand: ((seconds: number) => void) | undefined;

  constructor(options: RedisStrikeStoreOptions) {
    this.#client = options.client;
    this.#keys = options.keys;
    this.#scripts = options.scripts;
    this.#callPerTag = options.callPerTag;
    const max = options.maxStrikesPerKey ?? 256;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxStrikesPerKey must be an integer >= 1');
    this.#maxStrikes = String(max);
    this.#onCommand = options.onCommand;
  }

  async record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    const out = new Array<StrikeResult>(batch.length);
    if (batch.length === 0) return out;
    const calls = new Map<string, Call>();
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      checkStrikeRequest(r, i);
      const entryStep = r.entryStep ?? 0;
      const tag = this.#keys.groupTagOf(r.group);
      const call = this.#call(calls, tag);
      call.values.push(
        call.key(this.#keys.strikes(tag, r.userId)),
        hash53(r.messageId),
        r.ts,
        r.weight,
        entryStep,
        r.cooldownId === undefined ? 0 : hash53(r.cooldownId),
        r.ttlMs,
      );
      call.requests.push(i);
    }
    const replies = await this.#send('strike record', this.#scripts.record, calls, (call) => [
      encodeDoubles(call.values),
      this.#maxStrikes,
    ]);
    let c = 0;
    for (const call of calls.values()) {
      const reply = replies[c++];
      expectLength('strike record', reply, call.requests.length * 3);
      for (let j = 0; j < call.requests.length; j++) {
        out[call.requests[j]] = {
          strikes: Number(reply[j * 3]),
          duplicate: Number(reply[j * 3 + 1]) === 1,
          weight: Number(reply[j * 3 + 2]),
        };
      }
    }
    return out;
  }

  async peek(batch: readonly PeekRequest[]): Promise<number[]> {
    const out = new Array<number>(batch.length);
    if (batch.length === 0) return out;
    const calls = new Map<string, Call>();
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      const tag = this.#keys.groupTagOf(r.group);
      const call = this.#call(calls, tag);
      call.values.push(call.key(this.#keys.strikes(tag, r.userId)), r.ts);
      call.requests.push(i);
    }
    const replies = await this.#send('strike peek', this.#scripts.peek, calls, (call) => [
      encodeDoubles(call.values),
    ]);
    let c = 0;
    for (const call of calls.values()) {
      const reply = replies[c++];
      expectLength('strike peek', reply, call.requests.length);
      for (let j = 0; j < call.requests.length; j++) out[call.requests[j]] = Number(reply[j]);
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #call(calls: Map<string, Call>, tag: string): Call {
    const id = this.#callPerTag ? tag : '';
    let call = calls.get(id);
    if (call === undefined) {
      call = new Call();
      calls.set(id, call);
    }
    return call;
  }

  async #send(
    what: string,
    script: RedisScript,
    calls: Map<string, Call>,
    args: (call: Call) => ScriptArg[],
  ): Promise<unknown[][]> {
    let replies: unknown[];
    const started = performance.now();
    try {
      replies = await Promise.all(
        [...calls.values()].map((call) => script.run(this.#client, call.keys, args(call))),
      );
    } catch (e) {
      throw toStoreError(e, what);
    } finally {
      this.#onCommand?.((performance.now() - started) / 1000);
    }
    return replies as unknown[][];
  }
}

function expectLength(what: string, reply: unknown, length: number): void {
  if (!Array.isArray(reply) || reply.length !== length) {
    throw new StoreError(`${what}: unexpected reply (expected ${length} values)`);
  }
}
