/**
 * flood-check.lua beyond the contract: key names and hash tags, TTLs, what a redelivery writes (nothing),
 * the per-key record cap, the local block list and its backfill, and a differential run against the
 * in-memory limiter on random streams (out-of-order times, redeliveries, two limit sets, the cap).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryFloodLimiter } from '../../../src/flood/memory/memory-flood-limiter.js';
import {
  LocalBlockList,
  RedisFloodLimiter,
  createRedisFloodLimiter,
  loadFloodScript,
} from '../../../src/flood/redis/index.js';
import type { FloodLimits, FloodRequest, FloodResult } from '../../../src/flood/types.js';
import type { RedisClient } from '../../../src/redis/client.js';
import { hash53 } from '../../../src/redis/hash.js';
import { RedisKeys } from '../../../src/redis/keys.js';
import { requireRedis } from '../../helpers/services.js';
import { deleteKeysAndClose, hashBytes, keyPrefix, keySlot, keysUnder, prng, readyClient } from './kit.js';

const redis = await requireRedis();

const LIMITS: FloodLimits = Object.freeze({
  rateMax: 10,
  rateWindowMs: 10_000,
  duplicateMax: 3,
  duplicateWindowMs: 60_000,
  crossGroupMin: 5,
  crossGroupWindowMs: 60_000,
});
const STRICT: FloodLimits = Object.freeze({
  ...LIMITS,
  rateMax: 3,
  rateWindowMs: 2_000,
  duplicateMax: 2,
  crossGroupMin: 2,
});
/** Every window different from LIMITS (and so, before one cross epoch for all, every epoch length). */
const SHORT: FloodLimits = Object.freeze({
  rateMax: 3,
  rateWindowMs: 2_000,
  duplicateMax: 2,
  duplicateWindowMs: 5_000,
  crossGroupMin: 2,
  crossGroupWindowMs: 7_000,
});
const T0 = 1_764_000_000_000;

describe('keySlot (the test helper itself)', () => {
  it('matches Redis Cluster slots', () => {
    assert.equal(keySlot('123456789'), 0x31c3 % 16384);
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
  });
});

describe('flood-check.lua on Redis', { skip: redis.skip }, () => {
  let client: RedisClient;
  const prefix = keyPrefix('flood-lua');
  before(async () => {
    client = await readyClient(redis.url);
  });
  // Closes the client even when the clean-up fails (a client left open keeps the file from exiting).
  after(() => deleteKeysAndClose(client, prefix));

  let n = 0;
  function req(p: string, over: Partial<FloodRequest> = {}): FloodRequest {
    n++;
    return {
      platform: 'qq',
      groupId: `${p}-g`,
      userId: `${p}-u`,
      messageId: `${p}:${n}`,
      textHash: '',
      ts: T0 + n,
      limits: LIMITS,
      ...over,
    };
  }

  it('keeps state in epoch hashes: <prefix>{family:bucket}:v1:<keep>:<epoch>, one slot per bucket', async () => {
    const p = `${prefix}tags:`;
    const limiter = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed' });
    await limiter.check([req('x', { groupId: 'g{1}', userId: 'u:1', textHash: 'h%1' })]);
    const epoch = Math.floor((T0 + n) / 60_000);
    assert.deepEqual(await keysUnder(client, p), [
      `${p}{fs:0}:v1:60000:${epoch}`,
      `${p}{fx:0}:v1:60000:${epoch}`,
    ]);
    const k = new RedisKeys(p);
    assert.equal(keySlot(k.floodEpoch('fs', 3, 60_000, 1)), keySlot(k.floodEpoch('fs', 3, 10_000, 9)));
    assert.notEqual(keySlot(k.floodEpoch('fs', 3, 60_000, 1)), keySlot(k.floodEpoch('fs', 4, 60_000, 1)));
    assert.equal(
      keySlot(k.floodEpoch('fs', 3, 60_000, 1)),
      keySlot(`${p}{fs:3}`),
      'the version is outside the tag',
    );
    await limiter.close();
  });

  it('sets TTLs of 3 epochs (3 x the family keep) and unlinks the epoch 3 before the one written', async () => {
    const p = `${prefix}ttl:`;
    const limiter = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed' });
    const strict: FloodLimits = { ...LIMITS, duplicateWindowMs: 20_000, crossGroupWindowMs: 30_000 };
    const start = Math.ceil(T0 / 60_000) * 60_000; // the start of an epoch of both families
    await limiter.check([req('t', { textHash: 'h', ts: start, limits: strict })]);
    const [sender, cross] = await keysUnder(client, p);
    assert.match(sender, /\{fs:0\}:v1:20000:/, 'sender epochs: the longer of rate and duplicate window');
    assert.match(cross, /\{fx:0\}:v1:60000:/, 'cross epochs: 60 s whatever the limits');
    const senderTtl = await client.pttl(sender);
    const crossTtl = await client.pttl(cross);
    assert.ok(senderTtl > 50_000 && senderTtl <= 60_000, `sender PTTL ${senderTtl}`);
    assert.ok(crossTtl > 170_000 && crossTtl <= 180_000, `cross PTTL ${crossTtl}`);
    // Three sender epochs (20 s) later, the first one's hash is unlinked by the write of the fourth.
    await limiter.check([req('t', { textHash: '', ts: start + 60_000, limits: strict })]);
    assert.equal(await client.exists(sender), 0);
    assert.equal(await client.exists(cross), 1);
    // Three cross epochs later, likewise.
    await limiter.check([req('t', { textHash: 'h2', ts: start + 180_000, limits: strict })]);
    assert.equal(await client.exists(cross), 0);
    await limiter.close();
  });

  it('a redelivery writes nothing and repeats the first answer (across batches and inside one)', async () => {
    const p = `${prefix}redeliver:`;
    const limiter = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed' });
    const first = req('r', { textHash: 'same' });
    const [r1] = await limiter.check([first]);
    await limiter.check([req('r', { textHash: 'same' })]);
    const sizes = async () => [await hashBytes(client, p, '{fs:'), await hashBytes(client, p, '{fx:')];
    // sender value: a record per message; cross value: header + one group + an answer per message
    assert.deepEqual(await sizes(), [2 * 32, 8 + 16 + 2 * 24]);
    const [again] = await limiter.check([first]);
    assert.deepEqual(again, r1);
    assert.deepEqual(await sizes(), [2 * 32, 8 + 16 + 2 * 24], 'nothing written');
    const m = req('r', { textHash: 'same' });
    const [x, y] = await limiter.check([m, m]);
    assert.deepEqual(y, x);
    assert.equal(x.duplicateCount, 3);
    assert.equal(await hashBytes(client, p, '{fs:'), 3 * 32);
    await limiter.close();
  });

  it('keeps at most maxEntriesPerKey records per log; counts saturate there, as in memory', async () => {
    const p = `${prefix}cap:`;
    const redisLimiter = createRedisFloodLimiter({
      client,
      keyPrefix: p,
      failMode: 'closed',
      maxEntriesPerKey: 5,
      localBlock: false,
    });
    const memory = new MemoryFloodLimiter({ maxEntriesPerKey: 5 });
    const batch = Array.from({ length: 9 }, () => req('c', { textHash: 'x' }));
    const got = await redisLimiter.check(batch);
    assert.deepEqual(got, await memory.check(batch));
    assert.deepEqual(
      got.map((r) => r.rateCount),
      [1, 2, 3, 4, 5, 6, 6, 6, 6],
    );
    assert.equal(await hashBytes(client, p, '{fs:'), 5 * 32);
    await redisLimiter.close();
  });

  it('sends a batch as a pipeline of script calls: one per opsPerCall operations, or one per hash tag', async () => {
    let calls = 0;
    const counting = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'evalsha') {
          return (...args: unknown[]) => {
            calls++;
            return (target.evalsha as (...a: unknown[]) => Promise<unknown>)(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as RedisClient;
    const batch = Array.from({ length: 1000 }, (_, i) =>
      req('big', {
        groupId: `big-g${i % 40}`,
        userId: `big-u${i % 25}`,
        textHash: i % 4 === 0 ? '' : `t${i % 3}`,
      }),
    );
    const memory = new MemoryFloodLimiter();
    const ops = batch.length + batch.filter((r) => r.textHash !== '').length; // sender + cross-group
    // Per tag: one call per bucket of each family (64 buckets; a sender's follows its group, a cross log's
    // its user).
    const k = new RedisKeys('x:');
    const tags = new Set(
      batch.flatMap((r) => [
        `fs${hash53(k.groupTag(r.platform, r.groupId)) % 64}`,
        ...(r.textHash ? [`fx${hash53(k.userTag(r.platform, r.userId)) % 64}`] : []),
      ]),
    );
    const layouts = [
      { name: 'one call', callPerTag: false, opsPerCall: 100_000, expected: 1 },
      // a request's two operations stay in one call, so a call holds 32 or 33 of them
      { name: 'calls of 32', callPerTag: false, opsPerCall: 32, expected: Math.ceil(ops / 33) },
      { name: 'per tag', callPerTag: true, opsPerCall: 32, expected: tags.size },
    ];
    const expected = await memory.check(batch);
    for (const layout of layouts) {
      const limiter = new RedisFloodLimiter({
        client: counting,
        keys: new RedisKeys(`${prefix}big-${layout.name}:`),
        script: loadFloodScript(),
        callPerTag: layout.callPerTag,
        opsPerCall: layout.opsPerCall,
      });
      calls = 0;
      assert.deepEqual(await limiter.check(batch), expected, layout.name);
      assert.equal(calls, layout.expected, layout.name);
    }
  });

  /**
   * Random streams for the differential tests. Messages in batches of 1 to 8, each one after the previous
   * (0 ms, a little, or a big step), now and then with an earlier time than the newest (`late`), or a
   * redelivery of a recent message. Redeliveries are of messages inside the longest window of the newest
   * one: how long a redelivery is recognised beyond that is left open by the contract.
   */
  interface StreamProfile {
    groups: number;
    users: number;
    texts: number;
    /** Share of messages sent to the user's main group g0 (0: every group alike). */
    mainGroupShare: number;
    /** Share of messages stamped up to `lateMs` before the newest time. */
    lateShare: number;
    lateMs: number;
    bigStepMs: number;
    batches: number;
    /** The limits of a group (limits are per group); default: LIMITS or STRICT at random per message. */
    limitsOf?: (groupId: string) => FloodLimits;
  }

  function randomBatches(seed: number, profile: StreamProfile): FloodRequest[][] {
    const rand = prng(seed);
    const batches: FloodRequest[][] = [];
    const sent: FloodRequest[] = [];
    let ts = T0;
    let id = 0;
    for (let b = 0; b < profile.batches; b++) {
      const batch: FloodRequest[] = [];
      const size = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < size; i++) {
        if (sent.length > 0 && rand() < 0.1) {
          const again = sent[sent.length - 1 - Math.floor(rand() * Math.min(4, sent.length))];
          // A redelivery, inside the longest window of its own limits.
          const { rateWindowMs, duplicateWindowMs, crossGroupWindowMs } = again.limits;
          if (again.ts > ts - Math.max(rateWindowMs, duplicateWindowMs, crossGroupWindowMs))
            batch.push(again);
          continue;
        }
        const step = rand();
        ts +=
          step < 0.3 ? 0 : step < 0.9 ? Math.floor(rand() * 1500) : Math.floor(rand() * profile.bigStepMs);
        const main = profile.mainGroupShare > 0 && rand() < profile.mainGroupShare;
        const groupId = main ? 'g0' : `g${Math.floor(rand() * profile.groups)}`;
        const r: FloodRequest = {
          platform: rand() < 0.9 ? 'qq' : 'wechat',
          groupId,
          userId: `u${Math.floor(rand() * profile.users)}`,
          messageId: `m${++id}`,
          textHash: rand() < 0.15 ? '' : `t${Math.floor(rand() * profile.texts)}`,
          ts: rand() < profile.lateShare ? ts - Math.floor(rand() * profile.lateMs) : ts,
          limits: rand() < 0.8 ? LIMITS : STRICT,
        };
        if (profile.limitsOf) r.limits = profile.limitsOf(groupId);
        sent.push(r);
        batch.push(r);
      }
      batches.push(batch);
    }
    return batches;
  }

  async function assertSameAsMemory(label: string, seeds: number, profile: StreamProfile): Promise<void> {
    for (let seed = 1; seed <= seeds; seed++) {
      const redisLimiter = createRedisFloodLimiter({
        client,
        keyPrefix: `${prefix}${label}-${seed}:`,
        failMode: 'closed',
        localBlock: false,
      });
      const memory = new MemoryFloodLimiter();
      try {
        const batches = randomBatches(seed, profile);
        for (const [b, batch] of batches.entries()) {
          const expected = await memory.check(batch);
          const got = await redisLimiter.check(batch);
          assert.deepEqual(
            got,
            expected,
            `seed ${seed}, batch ${b}: ${JSON.stringify(batch.map((r) => [r.messageId, r.groupId, r.userId, r.textHash, r.ts - T0]))}`,
          );
        }
      } finally {
        await redisLimiter.close();
      }
    }
  }

  it('answers the same as the in-memory limiter on random streams', async () => {
    await assertSameAsMemory('diff', 25, {
      groups: 3,
      users: 2,
      texts: 3,
      mainGroupShare: 0,
      lateShare: 0.1,
      lateMs: 800,
      bigStepMs: 30_000,
      batches: 12,
    });
  });

  it('answers the same as the in-memory limiter for one batch that crosses epochs (calls split there)', async () => {
    // Epochs of 60 s (the duplicate window): a burst straddling a boundary, one late message back across
    // it, and a redelivery of the first, all in one batch, standalone and Cluster layouts alike.
    const boundary = Math.ceil(T0 / 60_000) * 60_000;
    const times = [-3000, -2000, -1000, 0, 500, -1500, 1000, 2000];
    const batch = times.map((dt, i) =>
      req('epoch', {
        ts: boundary + dt,
        textHash: i % 2 === 0 ? 'same' : 'other',
        groupId: `epoch-g${i % 3}`,
      }),
    );
    batch.push(batch[0]);
    for (const callPerTag of [false, true]) {
      const limiter = new RedisFloodLimiter({
        client,
        keys: new RedisKeys(`${prefix}epoch-${callPerTag}:`),
        script: loadFloodScript(),
        callPerTag,
      });
      const memory = new MemoryFloodLimiter();
      assert.deepEqual(await limiter.check(batch), await memory.check(batch), `callPerTag ${callPerTag}`);
      await limiter.close();
    }
  });

  it('answers the same as the in-memory limiter when copies to other groups arrive late', async () => {
    // Many users who talk mostly in one group (in memory, no cross-group list until a second group shows
    // up: it is seeded from the first group's log then) and messages up to 30 s late: the cross-group
    // counts must still find every group Redis finds.
    await assertSameAsMemory('late', 25, {
      groups: 3,
      users: 20,
      texts: 2,
      mainGroupShare: 0.8,
      lateShare: 0.3,
      lateMs: 30_000,
      bigStepMs: 40_000,
      batches: 60,
    });
  });

  it('answers the same as the in-memory limiter when groups have different flood windows (two limit sets)', async () => {
    // Every window differs between the two sets (so did the cross-group epochs before they were made one
    // for all requests): a user's copies to groups of both kinds must meet, each counted with its own window.
    await assertSameAsMemory('two-sets', 20, {
      groups: 6,
      users: 3,
      texts: 2,
      mainGroupShare: 0,
      lateShare: 0.1,
      lateMs: 800,
      bigStepMs: 20_000,
      batches: 40,
      limitsOf: (groupId) => (Number(groupId.slice(1)) % 2 === 0 ? LIMITS : SHORT),
    });
  });

  it('puts copies to groups with different limits in one cross-group value, counted alike', async () => {
    // The reported case: one group allows 20 messages in 2 minutes; the text in all five groups is spam.
    const p = `${prefix}cross-one:`;
    const limiter = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    const memory = new MemoryFloodLimiter();
    const slow: FloodLimits = { ...LIMITS, rateWindowMs: 120_000, rateMax: 20 };
    const batch = ['g1', 'g2', 'g3', 'g4', 'g5'].map((g, i) =>
      req('one', { groupId: g, textHash: 'ad', ts: T0 + i * 1000, limits: g === 'g5' ? slow : LIMITS }),
    );
    const got = await limiter.check(batch);
    assert.deepEqual(got, await memory.check(batch));
    assert.equal(got[4].groupCount, 5);
    assert.deepEqual(got[4].hits, ['crossGroup']);
    const cross = (await keysUnder(client, p)).filter((k) => k.includes('{fx:'));
    assert.equal(cross.length, 1, `one cross-group hash: ${cross.join(', ')}`);
    await limiter.close();
  });

  it('reads as many epochs back as a long cross-group window needs, and keeps them for every instance', async () => {
    const p = `${prefix}cross-long:`;
    const LONG: FloodLimits = { ...LIMITS, crossGroupWindowMs: 150_000 }; // 2.5 epochs: reads 3 back
    const S = Math.ceil(T0 / 60_000) * 60_000; // the start of epoch E0
    const memory = new MemoryFloodLimiter();
    const a = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    // Another instance that has only seen short windows (its own horizon cache starts at 1).
    const b = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    const one = async (limiter: typeof a, r: FloodRequest) => {
      const [got] = await limiter.check([r]);
      assert.deepEqual(got, (await memory.check([r]))[0], JSON.stringify([r.groupId, r.ts - S]));
      return got.groupCount;
    };
    const spam = (groupId: string, at: number, limits = LONG) =>
      req('long', { userId: 'spammer', groupId, textHash: 'ad', ts: S + at, limits });
    assert.equal(await one(a, spam('g1', 59_000)), 1); // epoch E0
    assert.equal(await one(a, spam('g2', 130_000)), 2, 'E0+2 reads back to E0-1'); // epoch E0+2
    const e0 = (await keysUnder(client, p)).find((k) => k.includes('{fx:') && k.endsWith(`:${S / 60_000}`));
    assert.ok(e0, 'epoch E0 of the cross family');
    // A write of epoch E0+3 by the other instance would unlink E0 (E-3) if it did not know the horizon.
    assert.equal(await one(b, req('long', { userId: 'other', textHash: 'x', ts: S + 181_000 })), 1);
    assert.equal(await client.exists(e0), 1, 'E0 kept: a request of epoch E0+3 with a 150 s window reads it');
    assert.equal(await one(a, spam('g3', 200_000)), 3, 'g1 (59 s) and g2 (130 s) are within 150 s of 200 s');
    const ttl = await client.pttl(
      (await keysUnder(client, p)).find((k) => k.includes('{fx:') && k.endsWith(`:${S / 60_000 + 3}`))!,
    );
    assert.ok(ttl > 290_000 && ttl <= 300_000, `(3 + 2) epochs of TTL: ${ttl}`);
    await a.close();
    await b.close();
  });

  it('rateMax 0: every message over the limit from the first, the same answers as memory', async () => {
    const p = `${prefix}rate-zero:`;
    const limiter = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    const memory = new MemoryFloodLimiter();
    const zero: FloodLimits = { ...LIMITS, rateMax: 0 };
    for (let i = 0; i < 3; i++) {
      const batch = [req('z', { ts: T0 + i * 1000, limits: zero, textHash: i === 1 ? '' : 'same' })];
      assert.deepEqual(await limiter.check(batch), await memory.check(batch), `message ${i}`);
    }
    await limiter.close();
  });

  it('keeps the horizon through a quiet epoch: short-window writes never unlink what a long window reads', async () => {
    // The reviewer's case: long-window copies in E0+1 and E0+2, nothing in E0+3, then short-window writes of
    // E0+4 (by this instance and another) before the long window reads back to E0+1.
    const p = `${prefix}cross-gap:`;
    const LONG: FloodLimits = { ...LIMITS, crossGroupWindowMs: 150_000 };
    const S = Math.ceil(T0 / 60_000) * 60_000;
    const memory = new MemoryFloodLimiter();
    const a = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    const b = createRedisFloodLimiter({ client, keyPrefix: p, failMode: 'closed', localBlock: false });
    const one = async (limiter: typeof a, r: FloodRequest) => {
      const [got] = await limiter.check([r]);
      assert.deepEqual(got, (await memory.check([r]))[0], JSON.stringify([r.groupId, r.ts - S]));
      return got.groupCount;
    };
    const spam = (groupId: string, at: number) =>
      req('gap', { userId: 'spammer', groupId, textHash: 'ad', ts: S + at, limits: LONG });
    assert.equal(await one(a, spam('g1', 100_000)), 1);
    assert.equal(await one(a, spam('g2', 130_000)), 2);
    assert.equal(
      await one(a, req('gap', { userId: 'o1', groupId: 'gx', textHash: 'x', ts: S + 241_000 })),
      1,
    );
    assert.equal(
      await one(b, req('gap', { userId: 'o2', groupId: 'gy', textHash: 'y', ts: S + 242_000 })),
      1,
    );
    assert.equal(
      await one(a, req('gap', { userId: 'o3', groupId: 'gz', textHash: 'z', ts: S + 243_000 })),
      1,
    );
    const e1 = (await keysUnder(client, p)).find(
      (k) => k.includes('{fx:') && k.endsWith(`:${S / 60_000 + 1}`),
    );
    assert.ok(e1, 'epoch E0+1 kept');
    assert.equal(await one(a, spam('g3', 245_000)), 3, 'g1 (100 s) and g2 (130 s) are within 150 s of 245 s');
    await a.close();
    await b.close();
  });

  describe('the local block list', () => {
    function limiterWithBlocks(
      p: string,
      clock: () => number,
    ): { limiter: RedisFloodLimiter; blocks: LocalBlockList } {
      const blocks = new LocalBlockList({ clock });
      const limiter = new RedisFloodLimiter({
        client,
        keys: new RedisKeys(p),
        script: loadFloodScript(),
        callPerTag: false,
        blockList: blocks,
      });
      return { limiter, blocks };
    }

    it('answers a flooder locally with the exact rate count, then lifts and backfills Redis', async () => {
      const p = `${prefix}block:`;
      let now = T0;
      const { limiter, blocks } = limiterWithBlocks(p, () => now);
      const memory = new MemoryFloodLimiter({ clock: () => now });
      const stream: FloodRequest[] = [];
      const results: FloodResult[] = [];
      const expected: FloodResult[] = [];
      // 25 messages, one every 200 ms, one batch each: the 11th trips the limit, the next 14 stay over it.
      for (let i = 0; i < 25; i++) {
        now = T0 + i * 200;
        const r = req('b', { ts: now, textHash: '' });
        stream.push(r);
        results.push((await limiter.check([r]))[0]);
        expected.push((await memory.check([r]))[0]);
      }
      assert.deepEqual(results, expected, 'rate-only messages: the same answers as memory');
      assert.equal(blocks.answered, 14, 'answered without a round trip');
      assert.equal(blocks.size, 1);
      assert.equal(
        await hashBytes(client, p, '{fs:'),
        11 * 32,
        'only the messages Redis answered are in Redis yet',
      );
      // A redelivery of a locally answered message gets its answer again.
      assert.deepEqual((await limiter.check([stream[20]]))[0], results[20]);
      // 10 s after the 16th message only 9 are in the window: the block lifts, the locally answered
      // messages are written to Redis first, and Redis counts them.
      now = T0 + 15 * 200 + 10_000;
      const next = req('b', { ts: now, textHash: '' });
      const [lifted] = await limiter.check([next]);
      assert.deepEqual(lifted, (await memory.check([next]))[0]);
      assert.equal(blocks.size, 0);
      assert.equal(
        await hashBytes(client, p, '{fs:'),
        26 * 32,
        'backfilled: all 26 (epochs of 60 s, the duplicate window)',
      );
      await limiter.close();
    });

    it('keeps duplicate counts exact after the block (backfilled records carry their text)', async () => {
      const p = `${prefix}block-dup:`;
      let now = T0;
      const { limiter } = limiterWithBlocks(p, () => now);
      const memory = new MemoryFloodLimiter({ clock: () => now });
      for (let i = 0; i < 15; i++) {
        now = T0 + i * 100;
        const r = req('d', { ts: now, textHash: 'spam' });
        const [got] = await limiter.check([r]);
        const [want] = await memory.check([r]);
        assert.equal(got.rateCount, want.rateCount);
        assert.equal(got.hits.includes('rate'), want.hits.includes('rate'));
      }
      now = T0 + 14 * 100 + 10_000;
      const r = req('d', { ts: now, textHash: 'spam' });
      assert.deepEqual((await limiter.check([r]))[0], (await memory.check([r]))[0]);
      await limiter.close();
    });
  });
});
