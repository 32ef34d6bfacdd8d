import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisIdempotencyStore } from '../../../src/adapters/idempotency.js';
import {
  closeRedisClient,
  createRedisClient,
  whenReady,
  type RedisClient,
} from '../../../src/redis/client.js';
import { randomPrefix, requireRedis } from '../../helpers/services.js';

const redis = await requireRedis();

describe(
  'RedisIdempotencyStore: one enforcement per messageId across instances',
  { skip: redis.skip },
  () => {
    const clients: RedisClient[] = [];
    after(async () => {
      for (const c of clients) await closeRedisClient(c);
    });
    const client = async () => {
      const c = createRedisClient({ url: redis.url, commandTimeoutMs: 2000 });
      await whenReady(c, 5000);
      clients.push(c);
      return c;
    };

    it('claims once, completes, releases, expires', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const a = new RedisIdempotencyStore({
        client: await client(),
        keyPrefix: prefix,
        name: 'e',
        busyTtlMs: 200,
        doneTtlMs: 60_000,
      });
      const b = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'e' });
      const other = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'audit' });
      assert.equal(await a.begin('qq:1:1'), 'new');
      assert.equal(await b.begin('qq:1:1'), 'duplicate', 'in progress elsewhere');
      assert.equal(await other.begin('qq:1:1'), 'new', 'another enforcer has its own marks');
      await a.complete('qq:1:1');
      assert.equal(await b.begin('qq:1:1'), 'duplicate', 'done');
      assert.equal(await a.begin('qq:1:2'), 'new');
      await a.release('qq:1:2');
      assert.equal(await b.begin('qq:1:2'), 'new', 'released');
      assert.equal(await a.begin('qq:1:3'), 'new');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await b.begin('qq:1:3'), 'new', 'an abandoned claim expires');
      const c = clients[0];
      assert.ok((await c.pttl(`${prefix}enforced:v1:e:qq:1:1`)) > 50_000);
      await c.del(
        `${prefix}enforced:v1:e:qq:1:1`,
        `${prefix}enforced:v1:e:qq:1:2`,
        `${prefix}enforced:v1:e:qq:1:3`,
        `${prefix}enforced:v1:audit:qq:1:1`,
      );
    });

    it('an unreachable Redis rejects with STORE_UNAVAILABLE (the enforcer then acts without de-duplication)', async () => {
      const c = createRedisClient({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
      const s = new RedisIdempotencyStore({ client: c, name: 'e' });
      await assert.rejects(s.begin('x'), (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE');
      c.disconnect();
    });
  },
);
