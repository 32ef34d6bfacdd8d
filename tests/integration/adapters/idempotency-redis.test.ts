import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Enforcer } from '../../../src/adapters/enforcer.js';
import type { FailureSink } from '../../../src/adapters/failures.js';
import { RedisIdempotencyStore } from '../../../src/adapters/idempotency.js';
import { ActionError, type PlannedAction, type PlatformEnforcement } from '../../../src/adapters/platform.js';
import type { Verdict } from '../../../src/contracts/types.js';
import {
  closeRedisClient,
  createRedisClient,
  whenReady,
  type RedisClient,
} from '../../../src/redis/client.js';
import { randomPrefix, requireRedis } from '../../helpers/services.js';
import { verdict } from '../../unit/adapters/helpers.js';

const redis = await requireRedis();

/** Kicks (after a delete), recording every call; `slowMs` makes each call take that long. */
class KickPlatform implements PlatformEnforcement {
  readonly platform = 'qq';
  readonly calls: string[] = [];
  slowMs = 0;
  failDelete = false;
  plan(v: Verdict): PlannedAction[] {
    return [
      { action: 'delete_msg', purpose: 'delete', params: { id: v.messageId } },
      { action: 'set_group_kick', purpose: 'kick', params: { user_id: v.userId } },
    ];
  }
  async execute(a: PlannedAction): Promise<unknown> {
    this.calls.push(a.action);
    if (this.slowMs > 0) await new Promise((r) => setTimeout(r, this.slowMs));
    if (this.failDelete && a.action === 'delete_msg')
      throw new ActionError('failed', 'retcode 1400', { retryable: false, retcode: 1400 });
    return null;
  }
}

const okFailures: FailureSink = { name: 'memory', record: async () => {}, close: async () => {} };

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
    const cleanup = async (prefix: string) => {
      const c = clients[0];
      const keys = await c.keys(`${prefix}*`);
      if (keys.length > 0) await c.del(...keys);
    };

    it('keeps enforcers whose names hold colons apart (a:b on c:d is not a on b:c:d)', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const ab = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'qq:a' });
      const a = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'qq' });
      const claim = await ab.begin('b:1');
      assert.ok(claim.state === 'new');
      await ab.complete('b:1');
      assert.equal((await a.begin('a:b:1')).state, 'new', 'another enforcer, another message');
      assert.deepEqual(
        (await clients[0].keys(`${prefix}enforced:*`)).sort(),
        [`${prefix}enforced:v1:qq%3Aa:b:1`, `${prefix}enforced:v1:qq:a:b:1`].sort(),
      );
      await cleanup(prefix);
    });

    it('claims once, renews, completes, releases (only its own claim), expires', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const a = new RedisIdempotencyStore({
        client: await client(),
        keyPrefix: prefix,
        name: 'e',
        busyTtlMs: 200,
        doneTtlMs: 60_000,
      });
      const b = new RedisIdempotencyStore({
        client: await client(),
        keyPrefix: prefix,
        name: 'e',
        busyTtlMs: 200,
      });
      const other = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'audit' });
      const c1 = await a.begin('qq:1:1');
      assert.ok(c1.state === 'new');
      assert.deepEqual(c1.acted, []);
      assert.deepEqual(await b.begin('qq:1:1'), { state: 'busy' }, 'in progress elsewhere');
      assert.equal((await other.begin('qq:1:1')).state, 'new', 'another enforcer has its own marks');
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(await a.renew('qq:1:1', c1.claim), true);
      await new Promise((r) => setTimeout(r, 120));
      assert.deepEqual(await b.begin('qq:1:1'), { state: 'busy' }, 'renewed: still held after 240 ms');
      await a.complete('qq:1:1');
      assert.deepEqual(await b.begin('qq:1:1'), { state: 'done' });
      assert.equal(await a.renew('qq:1:1', c1.claim), false, 'a done mark is not a claim');

      const c2 = await a.begin('qq:1:2');
      assert.ok(c2.state === 'new');
      await a.release('qq:1:2', c2.claim);
      assert.equal((await b.begin('qq:1:2')).state, 'new', 'released');
      await a.release('qq:1:2', c2.claim);
      assert.deepEqual(await a.begin('qq:1:2'), { state: 'busy' }, "a stale holder cannot release b's claim");

      const c3 = await a.begin('qq:1:3');
      assert.ok(c3.state === 'new');
      await new Promise((r) => setTimeout(r, 300));
      const c3b = await b.begin('qq:1:3');
      assert.equal(c3b.state, 'new', 'an abandoned claim expires');
      assert.equal(await a.renew('qq:1:3', c3.claim), false, 'the old holder lost it');

      const raw = clients[0];
      assert.ok((await raw.pttl(`${prefix}enforced:v1:e:qq:1:1`)) > 50_000);
      assert.match(String(await raw.get(`${prefix}enforced:v1:e:qq:1:3`)), /^busy:[0-9a-f-]{36}$/);
      await cleanup(prefix);
    });

    it('a released claim remembers the calls made (enforced-acted key) for whoever claims next', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const a = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'e' });
      const b = new RedisIdempotencyStore({ client: await client(), keyPrefix: prefix, name: 'e' });
      const c = await a.begin('qq:1:1');
      assert.ok(c.state === 'new');
      await a.release('qq:1:1', c.claim, ['set_group_kick {"user_id":"1"}']);
      const next = await b.begin('qq:1:1');
      assert.ok(next.state === 'new');
      assert.deepEqual(next.acted, ['set_group_kick {"user_id":"1"}']);
      assert.ok((await clients[0].pttl(`${prefix}enforced-acted:v1:e:qq:1:1`)) > 86_400_000);
      await cleanup(prefix);
    });

    it('begin is one command (the BEGIN script); complete forgets the acted list, like the memory store', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const raw = await client();
      const sent: string[] = [];
      const counting = new Proxy(raw, {
        get(target, p) {
          const v = Reflect.get(target, p, target) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (['set', 'get', 'del', 'evalsha', 'eval'].includes(String(p))) sent.push(String(p));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const a = new RedisIdempotencyStore({ client: counting, keyPrefix: prefix, name: 'e' });
      await a.begin('qq:1:0'); // the server caches the script (EVAL after NOSCRIPT, when it is new to it)
      sent.length = 0;
      const c = await a.begin('qq:1:1');
      assert.ok(c.state === 'new');
      assert.deepEqual(sent, ['evalsha']);
      await a.release('qq:1:1', c.claim, ['set_group_kick {"user_id":"1"}']);
      sent.length = 0;
      const next = await a.begin('qq:1:1');
      assert.ok(next.state === 'new');
      assert.deepEqual(next.acted, ['set_group_kick {"user_id":"1"}']);
      assert.deepEqual(await a.begin('qq:1:1'), { state: 'busy' });
      assert.deepEqual(sent, ['evalsha', 'evalsha']);
      await a.complete('qq:1:1');
      assert.equal(await raw.exists(`${prefix}enforced-acted:v1:e:qq:1:1`), 0, 'the acted list is gone');
      sent.length = 0;
      assert.deepEqual(await a.begin('qq:1:1'), { state: 'done' });
      assert.deepEqual(sent, ['evalsha']);
      await cleanup(prefix);
    });

    it('an instance that dies after claiming: the redelivery to another instance acts once the claim runs out', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const v = verdict({ action: 'kick', messageId: 'qq:901234:777' });
      // Instance A claims the verdict and dies: nothing renews its claim.
      const a = new RedisIdempotencyStore({
        client: await client(),
        keyPrefix: prefix,
        name: 'onebot',
        busyTtlMs: 400,
      });
      assert.equal((await a.begin(v.messageId)).state, 'new');
      // Instance B gets the uncommitted verdict from Kafka.
      const platform = new KickPlatform();
      const b = new Enforcer({
        enforcement: platform,
        idempotency: new RedisIdempotencyStore({
          client: await client(),
          keyPrefix: prefix,
          name: 'onebot',
          busyTtlMs: 400,
        }),
        failures: okFailures,
        busyWaitMs: 2000,
        busyBackoff: { minMs: 20, maxMs: 100 },
      });
      const t0 = Date.now();
      assert.equal(await b.enforce(v), 'acted');
      assert.ok(Date.now() - t0 >= 300, 'it waited for the claim to run out');
      assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
      assert.equal(await clients[0].get(`${prefix}enforced:v1:onebot:${v.messageId}`), 'done');
      assert.equal(await b.enforce(v), 'duplicate');
      await cleanup(prefix);
    });

    it('an instance still working renews its claim: another delivery waits and is a duplicate, or is handed back', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const v = verdict({ action: 'kick', messageId: 'qq:901234:778' });
      const store = async () =>
        new RedisIdempotencyStore({
          client: await client(),
          keyPrefix: prefix,
          name: 'onebot',
          busyTtlMs: 150,
        });
      const slow = new KickPlatform();
      slow.slowMs = 250; // 500 ms in all: over three claim lifetimes
      const a = new Enforcer({ enforcement: slow, idempotency: await store(), failures: okFailures });
      const other = new KickPlatform();
      const mk = async (busyWaitMs: number) =>
        new Enforcer({
          enforcement: other,
          idempotency: await store(),
          failures: okFailures,
          busyWaitMs,
          busyBackoff: { minMs: 20, maxMs: 50 },
        });
      const impatient = await mk(100);
      const patient = await mk(3000);
      const running = a.enforce(v);
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(
        impatient.enforce(v),
        (e: Error & { code?: string }) => e.code === 'ENFORCEMENT_BUSY',
      );
      assert.equal(await patient.enforce(v), 'duplicate');
      assert.equal(await running, 'acted');
      assert.deepEqual(other.calls, []);
      assert.deepEqual(slow.calls, ['delete_msg', 'set_group_kick']);
      await cleanup(prefix);
    });

    it('failure records that cannot be written: the redelivery (on any instance) repeats only what failed', async () => {
      const prefix = `${randomPrefix('enforced')}:`;
      const v = verdict({ action: 'kick', deleteMessage: true, messageId: 'qq:901234:779' });
      const platform = new KickPlatform();
      platform.failDelete = true;
      let broken = true;
      const recorded: string[] = [];
      const failures: FailureSink = {
        name: 'file',
        record: async (f) => {
          if (broken) throw new Error('EROFS');
          recorded.push(...f.map((x) => x.action));
        },
        close: async () => {},
      };
      const mk = async () =>
        new Enforcer({
          enforcement: platform,
          idempotency: new RedisIdempotencyStore({
            client: await client(),
            keyPrefix: prefix,
            name: 'onebot',
          }),
          failures,
          recordRetries: 1,
          sleep: async () => {},
        });
      await assert.rejects((await mk()).enforce(v), /EROFS/);
      broken = false;
      assert.equal(await (await mk()).enforce(v), 'partial');
      assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick', 'delete_msg']);
      assert.deepEqual(recorded, ['delete_msg']);
      await cleanup(prefix);
    });

    it('an unreachable Redis rejects with STORE_UNAVAILABLE (the enforcer then acts without de-duplication)', async () => {
      const c = createRedisClient({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
      const s = new RedisIdempotencyStore({ client: c, name: 'e' });
      await assert.rejects(s.begin('x'), (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE');
      await assert.rejects(
        s.renew('x', 'y'),
        (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE',
      );
      c.disconnect();
    });
  },
);
