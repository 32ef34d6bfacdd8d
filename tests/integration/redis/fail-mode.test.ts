/**
 * Fail modes with Redis really failing: a closed port, a private redis-server stopped mid-stream and
 * restarted, and one hung with SIGSTOP. Never the machine's Redis on 6379.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StoreError } from '../../../src/contracts/errors.js';
import { MemoryFloodLimiter } from '../../../src/flood/memory/memory-flood-limiter.js';
import { createRedisFloodLimiter } from '../../../src/flood/redis/index.js';
import type { FloodLimits, FloodRequest } from '../../../src/flood/types.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, whenReady, type RedisClient } from '../../../src/redis/client.js';
import type { FailOpenEvent, LogSink } from '../../../src/redis/fail-mode.js';
import { createRedisState } from '../../../src/redis/state.js';
import { createRedisStrikeStore } from '../../../src/strikes/redis/index.js';
import type { StrikeRequest } from '../../../src/strikes/types.js';
import { waitFor } from '../../helpers/services.js';
import { closeAll, readyClient } from './kit.js';
import { RedisServer, requireRedisServerBinary } from './redis-server.js';

const LIMITS: FloodLimits = {
  rateMax: 10,
  rateWindowMs: 10_000,
  duplicateMax: 3,
  duplicateWindowMs: 60_000,
  crossGroupMin: 5,
  crossGroupWindowMs: 60_000,
};
const CLOSED_PORT = 'redis://127.0.0.1:1';

let seq = 0;
function flood(over: Partial<FloodRequest> = {}): FloodRequest {
  seq++;
  return {
    platform: 'qq',
    groupId: 'g1',
    userId: 'u1',
    messageId: `qq:g1:${seq}`,
    textHash: `t${seq}`,
    ts: 1_764_000_000_000 + seq,
    limits: LIMITS,
    ...over,
  };
}
function strike(over: Partial<StrikeRequest> = {}): StrikeRequest {
  seq++;
  return {
    group: 'qq:g1',
    userId: 'u1',
    messageId: `qq:g1:${seq}`,
    ts: 1_764_000_000_000 + seq,
    weight: 1,
    ttlMs: 86_400_000,
    ...over,
  };
}

/** A logger that remembers what it was told. */
function spyLogger(): LogSink & { warns: string[]; infos: string[] } {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warns, infos, warn: (_o, m) => warns.push(m), info: (_o, m) => infos.push(m) };
}

describe('fail modes with Redis unreachable (closed port)', () => {
  it('fail-open: the flood limiter answers from memory, counts it, logs the outage once', async () => {
    const logger = spyLogger();
    const events: FailOpenEvent[] = [];
    const limiter = createRedisFloodLimiter({
      connection: { url: CLOSED_PORT },
      failMode: 'open',
      logger,
      onFailOpen: (e) => events.push(e),
    });
    try {
      const burst = Array.from({ length: 12 }, () => flood({ userId: 'burst' }));
      const results = await limiter.check(burst);
      const expected = await new MemoryFloodLimiter().check(burst);
      assert.deepEqual(results, expected, 'the same answers as the in-memory limiter');
      assert.deepEqual(results[10].hits, ['rate'], 'real limits still apply from memory');
      await limiter.check([flood()]);
      await limiter.check([flood()]);
      assert.equal(limiter.failOpenCount, 3);
      assert.equal(limiter.degraded, true);
      assert.deepEqual(
        events.map((e) => [e.store, e.requests, e.error.code]),
        [
          ['flood', 12, 'STORE_UNAVAILABLE'],
          ['flood', 1, 'STORE_UNAVAILABLE'],
          ['flood', 1, 'STORE_UNAVAILABLE'],
        ],
      );
      assert.equal(logger.warns.length, 1, 'one log line per outage, not per batch');
      assert.match(logger.warns[0], /fail-open/);
    } finally {
      await limiter.close();
    }
  });

  it('fail-closed: the flood limiter rejects with StoreError, never with a limit hit', async () => {
    const limiter = createRedisFloodLimiter({ connection: { url: CLOSED_PORT }, failMode: 'closed' });
    try {
      for (let i = 0; i < 2; i++) {
        await assert.rejects(limiter.check([flood()]), (e: unknown) => {
          assert.ok(e instanceof StoreError);
          assert.equal(e.code, 'STORE_UNAVAILABLE');
          return true;
        });
      }
      assert.equal(limiter.stats().rejectedCount, 2);
      assert.equal(limiter.failOpenCount, 0);
    } finally {
      await limiter.close();
    }
  });

  it('fail-open and fail-closed strike stores (record and peek)', async () => {
    const open = createRedisStrikeStore({ connection: { url: CLOSED_PORT }, failMode: 'open' });
    const closed = createRedisStrikeStore({ connection: { url: CLOSED_PORT }, failMode: 'closed' });
    try {
      const [a, b] = await open.record([strike(), strike()]);
      assert.deepEqual([a.strikes, b.strikes], [1, 2]);
      assert.deepEqual(
        await open.peek([{ group: 'qq:g1', userId: 'u1', ts: 1_764_000_000_000 + seq + 1 }]),
        [2],
      );
      assert.equal(open.failOpenCount, 2);
      await assert.rejects(closed.record([strike()]), StoreError);
      await assert.rejects(closed.peek([{ group: 'qq:g1', userId: 'u1', ts: 0 }]), StoreError);
    } finally {
      await closeAll(
        () => open.close(),
        () => closed.close(),
      );
    }
  });
});

const binary = requireRedisServerBinary();

describe('fail modes with a private redis-server', { skip: binary.skip }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.dispose();
  });

  /**
   * A client on the private server that reconnects quickly. Its command timeout is the tests' generous
   * one, unless a test about timeouts passes the production default.
   */
  async function client(commandTimeoutMs?: number): Promise<RedisClient> {
    return readyClient(server.url, {
      reconnectMinDelayMs: 20,
      reconnectMaxDelayMs: 100,
      ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
    });
  }

  it('fail-closed: readiness comes back with Redis, without waiting for a batch', async () => {
    const state = createRedisState({
      url: server.url,
      keyPrefix: 'ready:',
      failMode: 'closed',
      retryAfterMs: 50,
      reconnectMinDelayMs: 20,
      reconnectMaxDelayMs: 100,
    });
    try {
      assert.equal(await state.waitUntilReady(5000), true);
      assert.equal(state.ready().ok, true);
      await server.stop();
      await waitFor(() => state.client.status !== 'ready', 'the client to notice');
      await assert.rejects(state.flood.check([flood({ userId: 'r' })]), StoreError);
      assert.equal(state.ready().ok, false);
      await server.restart();
      assert.equal(await state.waitUntilReady(10_000), true);
      // No batch runs: the readiness check itself probes Redis and ends the outage.
      await waitFor(() => state.ready().ok, 'readiness to return');
      assert.equal(state.flood.degraded, false);
    } finally {
      await state.close();
    }
  });

  it('a failed batch gives the block list its backfills back: the next batch writes them', async () => {
    const redis = await client();
    const limits: FloodLimits = { ...LIMITS, rateMax: 2, rateWindowMs: 10_000 };
    const limiter = createRedisFloodLimiter({
      client: redis,
      keyPrefix: 'lift:',
      failMode: 'closed',
      retryAfterMs: 20,
    });
    const t0 = 1_800_000_000_000;
    const at = (i: number, dt: number): FloodRequest => ({
      ...flood({ userId: 'lift', textHash: '', limits }),
      messageId: `qq:g1:lift-${i}`,
      ts: t0 + dt,
    });
    try {
      await limiter.check([at(1, 0), at(2, 1), at(3, 2)]); // over rateMax: the sender is blocked locally
      await limiter.check([at(4, 3), at(5, 4), at(6, 5)]); // answered by the block list, not Redis
      await redis.call('CONFIG', 'SET', 'maxmemory', '1'); // every write now fails (OOM)
      await assert.rejects(limiter.check([at(7, 30_000)]), StoreError); // lifts the block: backfill fails
      await redis.call('CONFIG', 'SET', 'maxmemory', '0');
      await new Promise((r) => setTimeout(r, 40)); // the fail mode's cool-down
      // A late message inside the window of all six: the three answered locally count too.
      const [late] = await limiter.check([at(8, 9_000)]);
      assert.equal(late.rateCount, 7);
    } finally {
      await redis.call('CONFIG', 'SET', 'maxmemory', '0').catch(() => {});
      await closeAll(
        () => limiter.close(),
        () => redis.disconnect(),
      );
    }
  });

  it('stopped mid-stream: fail-open from memory, then back to Redis when it returns', async () => {
    const redis = await client();
    const logger = spyLogger();
    const states: string[] = [];
    const limiter = createRedisFloodLimiter({
      client: redis,
      keyPrefix: 'stop:',
      failMode: 'open',
      retryAfterMs: 50,
      logger,
      onStateChange: (s) => states.push(s),
    });
    const strikes = createRedisStrikeStore({
      client: redis,
      keyPrefix: 'stop:',
      failMode: 'open',
      retryAfterMs: 50,
    });
    try {
      const first = await limiter.check(Array.from({ length: 5 }, () => flood({ userId: 'mid' })));
      assert.deepEqual(
        first.map((r) => r.rateCount),
        [1, 2, 3, 4, 5],
      );
      assert.equal((await strikes.record([strike({ userId: 'mid' })]))[0].strikes, 1);
      assert.equal(limiter.failOpenCount, 0);
      const senderState = async () => (await redis.keys('stop:{fs:*')).length;
      assert.equal(await senderState(), 1, 'Redis holds the sender log');

      await server.stop();
      await waitFor(() => redis.status !== 'ready', 'the client to notice');
      // Redis is down: memory answers (its own, fresh state), nothing is rejected, nothing hangs.
      const during = await limiter.check(Array.from({ length: 3 }, () => flood({ userId: 'mid' })));
      assert.deepEqual(
        during.map((r) => r.rateCount),
        [1, 2, 3],
      );
      assert.equal((await strikes.record([strike({ userId: 'mid' })]))[0].strikes, 1);
      await limiter.check([flood({ userId: 'mid' })]);
      assert.equal(limiter.failOpenCount, 2);
      assert.equal(strikes.failOpenCount, 1);
      assert.equal(limiter.degraded, true);
      assert.equal(logger.warns.length, 1);

      await server.restart();
      await whenReady(redis, 10_000);
      // The first batch after the cool-down probes Redis and stays there. The restarted server has an
      // empty script cache and no data (--save ''): the scripts are loaded again, counting starts over.
      const back = await waitFor(async () => {
        const [r] = await limiter.check([flood({ userId: 'mid' })]);
        return limiter.degraded ? null : r;
      }, 'Redis mode to return');
      assert.equal(back.rateCount, 1);
      assert.deepEqual(states, ['degraded', 'healthy']);
      assert.equal(logger.infos.length, 1);
      assert.match(logger.infos[0], /uses Redis again/);
      const [again] = await limiter.check([flood({ userId: 'mid' })]);
      assert.equal(again.rateCount, 2, 'counting in Redis again');
      await waitFor(
        async () => (await strikes.record([strike({ userId: 'mid' })]))[0].strikes === 1 && !strikes.degraded,
        'strikes back on Redis',
      );
      assert.equal(await senderState(), 1);
    } finally {
      await closeAll(
        () => limiter.close(),
        () => strikes.close(),
        () => redis.disconnect(),
      );
    }
  });

  it('hung (SIGSTOP): commands time out into the fail mode; SIGCONT brings Redis mode back', async () => {
    // About timeouts: the production command timeout, which is what turns a hung server into the fail mode.
    const redis = await client(DEFAULT_COMMAND_TIMEOUT_MS);
    const open = createRedisFloodLimiter({
      client: redis,
      keyPrefix: 'hung-open:',
      failMode: 'open',
      retryAfterMs: 50,
    });
    const closed = createRedisFloodLimiter({
      client: redis,
      keyPrefix: 'hung-closed:',
      failMode: 'closed',
      retryAfterMs: 50,
    });
    try {
      assert.equal((await open.check([flood()]))[0].rateCount, 1);
      server.pause();
      const [fromMemory] = await open.check([flood({ userId: 'hung' })]);
      assert.equal(fromMemory.rateCount, 1);
      assert.equal(open.failOpenCount, 1);
      await assert.rejects(closed.check([flood()]), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'STORE_UNAVAILABLE');
        assert.match(e.message, /timed out/i);
        return true;
      });
      server.resume();
      await waitFor(async () => {
        await open.check([flood()]);
        return !open.degraded;
      }, 'Redis mode to return after SIGCONT');
    } finally {
      server.resume();
      await closeAll(
        () => open.close(),
        () => closed.close(),
        () => redis.disconnect(),
      );
    }
  });

  it('EVALSHA after SCRIPT FLUSH: the script is sent again and the batch is answered', async () => {
    const redis = await client();
    const limiter = createRedisFloodLimiter({ client: redis, keyPrefix: 'flush:', failMode: 'closed' });
    const strikes = createRedisStrikeStore({ client: redis, keyPrefix: 'flush:', failMode: 'closed' });
    try {
      assert.equal((await limiter.check([flood({ userId: 'f' })]))[0].rateCount, 1);
      assert.equal((await strikes.record([strike({ userId: 'f' })]))[0].strikes, 1);
      await redis.script('FLUSH');
      assert.deepEqual(await redis.script('EXISTS', ...(await scriptShas())), [0, 0, 0]);
      assert.equal((await limiter.check([flood({ userId: 'f' })]))[0].rateCount, 2);
      assert.equal((await strikes.record([strike({ userId: 'f' })]))[0].strikes, 2);
      assert.deepEqual(
        await strikes.peek([{ group: 'qq:g1', userId: 'f', ts: 1_764_000_000_000 + seq + 1 }]),
        [2],
      );
      assert.deepEqual(await redis.script('EXISTS', ...(await scriptShas())), [1, 1, 1], 'cached again');
    } finally {
      await closeAll(
        () => limiter.close(),
        () => strikes.close(),
        () => redis.disconnect(),
      );
    }
  });
});

describe('createRedisState with Redis unreachable', () => {
  it('reports readiness and metrics per fail mode', async () => {
    const calls: string[] = [];
    const metrics = {
      onCommand: () => calls.push('command'),
      onError: (s: string) => calls.push(`error ${s}`),
      onFailOpen: (s: string) => calls.push(`failopen ${s}`),
      setFailOpen: (s: string, active: boolean) => calls.push(`active ${s} ${active}`),
    };
    const open = createRedisState({ url: CLOSED_PORT, failMode: 'open', metrics });
    const closed = createRedisState({ url: CLOSED_PORT, failMode: 'closed' });
    try {
      assert.equal(await open.waitUntilReady(100), false);
      await open.flood.check([flood()]);
      await open.strikes.record([strike()]);
      // The flood limiter fails before any round trip (the client is not ready); the strike store tries one.
      assert.deepEqual(calls, [
        'error flood',
        'active flood true',
        'failopen flood',
        'command',
        'error strikes',
        'active strikes true',
        'failopen strikes',
      ]);
      assert.equal(open.ready().ok, true);
      assert.match(open.ready().detail ?? '', /fail-open/);
      assert.equal(closed.ready().ok, false);
    } finally {
      await closeAll(
        () => open.close(),
        () => closed.close(),
      );
    }
  });
});

async function scriptShas(): Promise<string[]> {
  const { loadFloodScript } = await import('../../../src/flood/redis/index.js');
  const { loadStrikeScripts } = await import('../../../src/strikes/redis/index.js');
  const s = loadStrikeScripts();
  return [loadFloodScript().sha, s.record.sha, s.peek.sha];
}
