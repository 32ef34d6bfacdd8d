/**
 * strike-record.lua / strike-peek.lua beyond the contract: what a redelivery writes (nothing), the TTL,
 * the per-key cap (records of cooled requests go first), fractional weights, state written by the
 * previous version of the script, and that peek writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RedisClient } from '../../../src/redis/client.js';
import { MemoryStrikeStore } from '../../../src/strikes/memory/memory-strike-store.js';
import { createRedisStrikeStore } from '../../../src/strikes/redis/index.js';
import type { StrikeRequest } from '../../../src/strikes/types.js';
import { requireRedis } from '../../helpers/services.js';
import { deleteKeysAndClose, keyPrefix, keysUnder, prng, readyClient } from './kit.js';

const redis = await requireRedis();
const T0 = 1_764_000_000_000;
const DAY = 86_400_000;

describe('strike scripts on Redis', { skip: redis.skip }, () => {
  let client: RedisClient;
  const prefix = keyPrefix('strikes-lua');
  before(async () => {
    client = await readyClient(redis.url);
  });
  // Closes the client even when the clean-up fails (a client left open keeps the file from exiting).
  after(() => deleteKeysAndClose(client, prefix));

  let n = 0;
  const req = (over: Partial<StrikeRequest> = {}): StrikeRequest => ({
    group: 'qq:901234',
    userId: 'u1',
    messageId: `qq:901234:${++n}`,
    ts: T0 + n,
    weight: 1,
    ttlMs: 30 * DAY,
    ...over,
  });

  it('a redelivery writes nothing; the key lives as long as its longest strike', async () => {
    const p = `${prefix}a:`;
    const store = createRedisStrikeStore({ client, keyPrefix: p, failMode: 'closed' });
    const first = req({ ttlMs: 2 * DAY });
    await store.record([first, req({ ttlMs: 1000 })]);
    const [key] = await keysUnder(client, p);
    assert.equal(key, `${p}{qq:901234}:st:v1:u1`);
    const size = await client.strlen(key);
    assert.equal(size, 2 * 40);
    const ttl = await client.pttl(key);
    assert.ok(ttl > 2 * DAY - 60_000 && ttl <= 2 * DAY, `PTTL ${ttl}`);
    assert.deepEqual(await store.record([first]), [{ strikes: 1, duplicate: true, weight: 0 }]);
    assert.equal(await client.strlen(key), size);
    await store.peek([{ group: 'qq:901234', userId: 'u1', ts: T0 + n }]);
    assert.equal(await client.strlen(key), size, 'peek writes nothing');
    await store.close();
  });

  it('keeps at most maxStrikesPerKey, dropping the soonest to expire, as in memory', async () => {
    const p = `${prefix}cap:`;
    const store = createRedisStrikeStore({ client, keyPrefix: p, failMode: 'closed', maxStrikesPerKey: 3 });
    const memory = new MemoryStrikeStore({ maxStrikesPerKey: 3 });
    const batch = [
      req({ ttlMs: 5 * DAY }),
      req({ ttlMs: DAY }),
      req({ ttlMs: 3 * DAY }),
      req({ ttlMs: 2 * DAY }),
      req({ ttlMs: 4 * DAY }),
    ];
    assert.deepEqual(await store.record(batch), await memory.record(batch));
    assert.equal((await client.strlen(`${p}{qq:901234}:st:v1:u1`)) / 40, 3);
    await store.close();
  });

  it('at the cap, drops what cooled requests kept before any strike, as in memory', async () => {
    const p = `${prefix}capcool:`;
    const store = createRedisStrikeStore({ client, keyPrefix: p, failMode: 'closed', maxStrikesPerKey: 4 });
    const memory = new MemoryStrikeStore({ maxStrikesPerKey: 4 });
    const cooldownId = '#cooldown/flood/1';
    // A strike, then a flood burst: its first message strikes (2 records), the rest keep weight-0 answers.
    const batch = [req({ ttlMs: DAY }), ...Array.from({ length: 6 }, () => req({ cooldownId }))];
    const got = await store.record(batch);
    assert.deepEqual(got, await memory.record(batch));
    assert.deepEqual(
      got.map((r) => r.strikes),
      [1, 2, 2, 2, 2, 2, 2],
    );
    assert.equal((await client.strlen(`${p}{qq:901234}:st:v1:u1`)) / 40, 4);
    // Both strikes survived the burst: the cooldown still holds and the count is still 2.
    const next = [req({ cooldownId }), req()];
    const after = await store.record(next);
    assert.deepEqual(after, await memory.record(next));
    assert.deepEqual(
      after.map((r) => [r.strikes, r.weight]),
      [
        [2, 0],
        [3, 1],
      ],
    );
    await store.close();
  });

  it('reads a cooldown strike written by the previous version (stored under the cooldown id)', async () => {
    // Before cooldown ids were a field of the request, the engine sent them as the message id.
    const store = createRedisStrikeStore({ client, keyPrefix: `${prefix}v1:`, failMode: 'closed' });
    const cooldownId = '#cooldown/flood/2940000';
    await store.record([req({ messageId: cooldownId })]);
    const [r] = await store.record([req({ cooldownId })]);
    assert.deepEqual(r, { strikes: 1, duplicate: false, weight: 0 });
    await store.close();
  });

  it('sums fractional weights exactly', async () => {
    const store = createRedisStrikeStore({ client, keyPrefix: `${prefix}frac:`, failMode: 'closed' });
    const [a, b] = await store.record([req({ weight: 0.5 }), req({ weight: 0.25 })]);
    assert.deepEqual([a.strikes, b.strikes], [0.5, 0.75]);
    await store.close();
  });

  it('answers the same as the in-memory store on random streams', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      // A small cap now and then, so that trimming is compared too.
      const maxStrikesPerKey = seed % 4 === 0 ? 3 : 256;
      const store = createRedisStrikeStore({
        client,
        keyPrefix: `${prefix}diff-${seed}:`,
        failMode: 'closed',
        maxStrikesPerKey,
      });
      const memory = new MemoryStrikeStore({ maxStrikesPerKey });
      const rand = prng(seed);
      const sent: StrikeRequest[] = [];
      let ts = T0;
      for (let b = 0; b < 15; b++) {
        const batch: StrikeRequest[] = [];
        for (let i = 0, size = 1 + Math.floor(rand() * 6); i < size; i++) {
          if (sent.length > 0 && rand() < 0.15) {
            batch.push(sent[Math.floor(rand() * sent.length)]);
            continue;
          }
          ts += Math.floor(rand() * 3 * DAY);
          const r: StrikeRequest = {
            group: `qq:g${Math.floor(rand() * 2)}`,
            userId: `u${Math.floor(rand() * 2)}`,
            messageId: `m${sent.length}`,
            ts,
            weight: 1 + Math.floor(rand() * 3),
            entryStep: rand() < 0.3 ? 1 + Math.floor(rand() * 5) : undefined,
            cooldownId: rand() < 0.3 ? `#cooldown/flood/${Math.floor(rand() * 3)}` : undefined,
            ttlMs: rand() < 0.5 ? 30 * DAY : Math.floor(rand() * 10 * DAY) + 1,
          };
          sent.push(r);
          batch.push(r);
        }
        const got = await store.record(batch);
        const want = await memory.record(batch);
        assert.deepEqual(got, want, `seed ${seed}, batch ${b}`);
        const peeks = ['u0', 'u1'].map((userId) => ({ group: 'qq:g0', userId, ts }));
        assert.deepEqual(await store.peek(peeks), await memory.peek(peeks), `seed ${seed}, peek ${b}`);
      }
      await store.close();
    }
  });
});
