/**
 * strike-record.lua / strike-peek.lua beyond the contract: what a redelivery writes (nothing), the TTL,
 * the per-key cap, fractional weights, and that peek writes nothing.
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
    assert.deepEqual(await store.record([first]), [{ strikes: 1, duplicate: true }]);
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

  it('sums fractional weights exactly', async () => {
    const store = createRedisStrikeStore({ client, keyPrefix: `${prefix}frac:`, failMode: 'closed' });
    const [a, b] = await store.record([req({ weight: 0.5 }), req({ weight: 0.25 })]);
    assert.deepEqual([a.strikes, b.strikes], [0.5, 0.75]);
    await store.close();
  });

  it('answers the same as the in-memory store on random streams', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const store = createRedisStrikeStore({
        client,
        keyPrefix: `${prefix}diff-${seed}:`,
        failMode: 'closed',
      });
      const memory = new MemoryStrikeStore();
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
