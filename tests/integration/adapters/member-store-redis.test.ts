import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisMemberStore } from '../../../src/members/redis/redis-member-store.js';
import {
  createRedisClient,
  whenReady,
  closeRedisClient,
  type RedisClient,
} from '../../../src/redis/client.js';
import { randomPrefix, requireRedis } from '../../helpers/services.js';
import { memberStoreContract } from '../../unit/members/member-store.contract.js';

const redis = await requireRedis();
const clients: RedisClient[] = [];

async function client(): Promise<RedisClient> {
  const c = createRedisClient({ url: redis.url, commandTimeoutMs: 2000 });
  await whenReady(c, 5000);
  clients.push(c);
  return c;
}

async function deleteUnder(c: RedisClient, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await (c as import('ioredis').Redis).scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    if (keys.length) await c.unlink(...keys);
  } while (cursor !== '0');
}

after(async () => {
  for (const c of clients) await closeRedisClient(c);
});

memberStoreContract(
  'redis',
  async () => {
    const c = await client();
    const prefix = `${randomPrefix('members')}:`;
    return {
      store: new RedisMemberStore({ client: c, keyPrefix: prefix, maxPerCall: 2, rosterChunk: 1 }),
      cleanup: () => deleteUnder(c, prefix),
    };
  },
  { skip: redis.skip },
);

describe('RedisMemberStore specifics', { skip: redis.skip }, () => {
  it('every key carries the {members} hash tag, and ids with : { } % are escaped', async () => {
    const c = await client();
    const prefix = `${randomPrefix('members-keys')}:`;
    const s = new RedisMemberStore({ client: c, keyPrefix: prefix });
    try {
      await s.touch([
        {
          platform: 'matrix',
          groupId: '!room:example.org',
          userId: '@a:{x}%',
          ts: 1,
          card: 'a-b',
          identity: 'a\u0001b',
          idleMs: 1000,
        },
      ]);
      await s.claimOnce(['x:y'], 60_000);
      await s.writeRoster(
        [{ employeeId: 'e', name: 'n', department: 'd', status: 'active', effectiveAt: 0, accounts: [] }],
        false,
      );
      let cursor = '0';
      const keys: string[] = [];
      do {
        const [next, found] = await (c as import('ioredis').Redis).scan(
          cursor,
          'MATCH',
          `${prefix}*`,
          'COUNT',
          1000,
        );
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      assert.ok(keys.length >= 7, keys.join(', '));
      for (const k of keys) assert.ok(k.startsWith(`${prefix}{members}:`), k);
      assert.ok(
        keys.includes(`${prefix}{members}:m:v1:matrix:!room%3Aexample.org:@a%3A%7Bx%7D%25`),
        keys.join(', '),
      );
      // Every record family carries its format version after the tag.
      for (const k of [
        `${prefix}{members}:u:v1:matrix:@a%3A%7Bx%7D%25`,
        `${prefix}{members}:g:v1:matrix:!room%3Aexample.org`,
        `${prefix}{members}:i:v1:a\u0001b`,
        `${prefix}{members}:idle:v1`,
        `${prefix}{members}:o:v1:x%3Ay`,
        `${prefix}{members}:roster:v1`,
        `${prefix}{members}:roster:v1:v`,
      ])
        assert.ok(keys.includes(k), `${k} not in ${keys.join(', ')}`);
      const r = await s.get('matrix', '!room:example.org', '@a:{x}%');
      assert.equal(r?.userId, '@a:{x}%');
      assert.equal(r?.groupId, '!room:example.org');
    } finally {
      await deleteUnder(c, prefix);
      await s.close();
    }
  });

  it('store failures are StoreErrors', async () => {
    const c = createRedisClient({
      url: 'redis://127.0.0.1:1',
      commandTimeoutMs: 200,
      reconnectMaxDelayMs: 1000,
    });
    const s = new RedisMemberStore({ client: c });
    try {
      await assert.rejects(
        s.touch([{ platform: 'qq', groupId: 'g', userId: 'u', ts: 1 }]),
        (e: Error & { code?: string }) => e.name === 'StoreError' && e.code === 'STORE_UNAVAILABLE',
      );
    } finally {
      c.disconnect();
    }
  });
});
