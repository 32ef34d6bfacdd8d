import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemberMonitor } from '../../../src/members/monitor.js';
import { RedisMemberStore, loadMemberScripts } from '../../../src/members/redis/redis-member-store.js';
import type { Employee } from '../../../src/members/types.js';
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

  it('a roster write of many chunks is seen whole or not at all, and leaves no staging key', async () => {
    const c = await client();
    const other = await client();
    const prefix = `${randomPrefix('members-roster')}:`;
    const reader = new RedisMemberStore({ client: other, keyPrefix: prefix });
    const states: string[] = [];
    const probe = async () => {
      const r = await reader.readRoster();
      const names = new Set(r.employees.map((e) => e.name[0]));
      states.push(`v${r.version}:${r.employees.length}:${[...names].sort().join('')}`);
    };
    // The writer's client reads the roster after every script call it makes: what another instance
    // could load between two chunks.
    const probing = new Proxy(c, {
      get(target, p) {
        if (p === 'evalsha' || p === 'eval')
          return async (...args: unknown[]) => {
            const fn = target[p] as (...a: unknown[]) => Promise<unknown>;
            const r = await fn.apply(target, args);
            await probe();
            return r;
          };
        const v = Reflect.get(target, p, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const writer = new RedisMemberStore({ client: probing, keyPrefix: prefix, rosterChunk: 2 });
    const emp = (name: string, i: number): Employee => ({
      employeeId: `E${i}`,
      name: `${name}${i}`,
      department: '研发部',
      status: 'active',
      effectiveAt: 0,
      accounts: [],
    });
    try {
      await writer.writeRoster(
        Array.from({ length: 7 }, (_, i) => emp('A', i)),
        true,
      );
      await writer.writeRoster(
        Array.from({ length: 7 }, (_, i) => emp('B', i)),
        true,
      );
      await writer.writeRoster(
        Array.from({ length: 5 }, (_, i) => emp('C', i + 100)),
        false,
      );
      // Before a write's last call the roster is the previous one; after it, all of the new one.
      assert.deepEqual([...new Set(states)], ['v0:0:', 'v1:7:A', 'v2:7:B', 'v3:12:BC']);
      const keys = await (c as import('ioredis').Redis).keys(`${prefix}*`);
      assert.deepEqual(
        keys.filter((k) => k.includes('staging')),
        [],
        'the staging hash is renamed or merged away',
      );
      assert.equal(await c.pttl(`${prefix}{members}:roster:v1`), -1, 'the roster itself never expires');
    } finally {
      await deleteUnder(c, prefix);
      await writer.close();
      await reader.close();
    }
  });

  it('a roster write whose staged part was lost (expired, evicted) fails and applies nothing', async () => {
    const c = await client();
    const prefix = `${randomPrefix('members-roster-lost')}:`;
    let calls = 0;
    // The staging hash disappears after the writer's second script call (its TTL ran out, or eviction).
    const losing = new Proxy(c, {
      get(target, p) {
        if (p === 'evalsha' || p === 'eval')
          return async (...args: unknown[]) => {
            const fn = target[p] as (...a: unknown[]) => Promise<unknown>;
            const r = await fn.apply(target, args);
            if (++calls === 2) {
              const staging = await target.keys(`${prefix}*staging*`);
              assert.equal(staging.length, 1);
              await target.del(...staging);
            }
            return r;
          };
        const v = Reflect.get(target, p, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const writer = new RedisMemberStore({ client: losing, keyPrefix: prefix, rosterChunk: 2 });
    const reader = new RedisMemberStore({ client: c, keyPrefix: prefix });
    const emp = (i: number): Employee => ({
      employeeId: `E${i}`,
      name: `N${i}`,
      department: '研发部',
      status: 'active',
      effectiveAt: 0,
      accounts: [],
    });
    try {
      await reader.writeRoster([emp(900)], true);
      for (const replace of [true, false]) {
        calls = 0;
        await assert.rejects(
          writer.writeRoster(
            Array.from({ length: 7 }, (_, i) => emp(i)),
            replace,
          ),
          (e: Error & { code?: string }) =>
            e.name === 'StoreError' && e.code === 'STORE_ERROR' && /ROSTER_STAGING_LOST/.test(e.message),
        );
        const r = await reader.readRoster();
        assert.equal(r.version, 1, 'nothing applied');
        assert.deepEqual(
          r.employees.map((e) => e.employeeId),
          ['E900'],
        );
      }
      assert.deepEqual(await c.keys(`${prefix}*staging*`), [], 'nothing staged is left behind');
      // Repeated ids count once: a write with duplicates still passes the check.
      await writer.writeRoster([emp(1), emp(1), emp(2), emp(1), emp(3)], true);
      assert.deepEqual((await reader.readRoster()).employees.map((e) => e.employeeId).sort(), [
        'E1',
        'E2',
        'E3',
      ]);
    } finally {
      await deleteUnder(c, prefix);
      await writer.close();
      await reader.close();
    }
  });

  it('the touch script refuses a request it cannot read, alone (a safety net behind touchProblem)', async () => {
    const c = await client();
    const prefix = `${randomPrefix('members-lua')}:`;
    const s = new RedisMemberStore({ client: c, keyPrefix: prefix });
    const k = s.keys;
    const req = (u: string, card: string) =>
      JSON.stringify({
        k: k.member('qq', 'g', u),
        uk: k.user('qq', u),
        gk: k.group('qq', 'g'),
        p: 'qq',
        g: 'g',
        u,
        ts: 1,
        card,
        idk: '',
      })
        // JSON.stringify escapes a lone surrogate: what a client without the check would send.
        .replace('LONE', '\\ud800');
    try {
      const reply = await loadMemberScripts().touch.run(
        c,
        [k.idle],
        [req('a', 'x'), req('b', 'LONE'), '{"k": 1}', 'not json', req('c', 'y')],
      );
      assert.deepEqual(reply, [0, 0, '', -1, 0, '', -1, 0, '', -1, 0, '', 0, 0, '']);
      assert.deepEqual((await s.membersOf('qq', 'g')).map((m) => m.userId).sort(), ['a', 'c']);
    } finally {
      await deleteUnder(c, prefix);
      await s.close();
    }
  });

  it('the monitor on Redis: a lone surrogate in one card costs no other member its findings', async () => {
    const c = await client();
    const prefix = `${randomPrefix('members-monitor')}:`;
    const store = new RedisMemberStore({ client: c, keyPrefix: prefix });
    let rejected = 0;
    const monitor = new MemberMonitor({ store, hooks: { onRejected: () => rejected++ } });
    const seen = (userId: string, card: string, ts = 1_764_000_000_000) => ({
      platform: 'qq',
      groupId: '901234',
      userId,
      ts,
      card,
      role: 'member' as const,
    });
    try {
      const v = await monitor.observe([
        seen('10001', '小王'),
        seen('10002', '研发部-李\ud800四'),
        { ...seen('10003', '小李'), ts: Infinity },
        seen('10004', '小张'),
      ]);
      assert.deepEqual(
        v.map((x) => `${x.userId}:${x.reasons[0].rule}`),
        ['10001:member:card-format', '10004:member:card-format'],
      );
      assert.equal(rejected, 1, 'the infinite time is skipped and reported');
      assert.equal((await store.get('qq', '901234', '10002'))?.card, '研发部-李\ufffd四');
      assert.equal(await store.get('qq', '901234', '10003'), null);
      assert.equal((await store.membersOf('qq', '901234')).length, 3);
    } finally {
      await deleteUnder(c, prefix);
      await store.close();
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
