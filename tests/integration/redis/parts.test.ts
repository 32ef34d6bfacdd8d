/**
 * The Redis layer's parts that need no server: the fail-mode guard (fake clock), key names, the id hash,
 * the reconnect back-off, the script loader's NOSCRIPT fallback (fake client), and the block list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, StoreError } from '../../../src/contracts/errors.js';
import { LocalBlockList } from '../../../src/flood/redis/block-list.js';
import type { FloodLimits, FloodRequest } from '../../../src/flood/types.js';
import { reconnectDelay, type RedisClient } from '../../../src/redis/client.js';
import { isNoScriptError, toStoreError } from '../../../src/redis/errors.js';
import { FailModeGuard } from '../../../src/redis/fail-mode.js';
import { hash53 } from '../../../src/redis/hash.js';
import { FLOOD_FORMAT, RedisKeys, STRIKES_FORMAT, escapeKeyPart } from '../../../src/redis/keys.js';
import { RedisScript } from '../../../src/redis/script.js';

function replyError(message: string): Error {
  const e = new Error(message);
  e.name = 'ReplyError';
  return e;
}

describe('FailModeGuard', () => {
  function setup(failMode: 'open' | 'closed') {
    const time = { now: 1000 };
    const log: string[] = [];
    const events: number[] = [];
    const states: string[] = [];
    const guard = new FailModeGuard({
      failMode,
      store: 'flood',
      retryAfterMs: 500,
      clock: () => time.now,
      logger: { warn: (_o, m) => log.push(`warn ${m}`), info: (_o, m) => log.push(`info ${m}`) },
      onFailOpen: (e) => events.push(e.requests),
      onStateChange: (s) => states.push(s),
    });
    let redisUp = true;
    let primaryCalls = 0;
    const primary = async () => {
      primaryCalls++;
      if (!redisUp) throw new StoreError('down', { unavailable: true });
      return 'redis';
    };
    const run = (n = 1) => guard.run(n, primary, () => 'memory');
    return {
      guard,
      time,
      log,
      events,
      states,
      run,
      setDown: (d: boolean) => (redisUp = !d),
      calls: () => primaryCalls,
    };
  }

  it('open: falls back while failing, skips Redis during the cool-down, probes after it, recovers', async () => {
    const s = setup('open');
    assert.equal(await s.run(), 'redis');
    s.setDown(true);
    assert.equal(await s.run(3), 'memory');
    assert.equal(s.calls(), 2);
    s.time.now += 100;
    assert.equal(await s.run(2), 'memory');
    assert.equal(s.calls(), 2, 'no Redis call inside the cool-down');
    s.time.now += 500;
    assert.equal(await s.run(), 'memory', 'probe fails: still memory');
    assert.equal(s.calls(), 3);
    s.setDown(false);
    assert.equal(await s.run(), 'memory', 'inside the new cool-down');
    s.time.now += 500;
    assert.equal(await s.run(), 'redis');
    assert.equal(s.guard.degraded, false);
    assert.deepEqual(s.events, [3, 2, 1, 1]);
    assert.equal(s.guard.failOpenCount, 4);
    assert.deepEqual(s.guard.stats(), {
      degraded: false,
      failOpenCount: 4,
      failOpenRequests: 7,
      rejectedCount: 0,
      outages: 1,
    });
    assert.deepEqual(s.states, ['degraded', 'healthy']);
    assert.equal(s.log.length, 2, 'one line when it goes, one when it is back');
    assert.match(s.log[0], /^warn .*fail-open/);
    assert.match(s.log[1], /^info .*uses Redis again/);
  });

  it('closed: rejects with the StoreError, also during the cool-down', async () => {
    const s = setup('closed');
    s.setDown(true);
    await assert.rejects(s.run(), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE');
    await assert.rejects(s.run(), StoreError);
    assert.equal(s.calls(), 1);
    assert.equal(s.guard.stats().rejectedCount, 2);
    assert.equal(s.guard.failOpenCount, 0);
  });

  it('passes anything but a StoreError through (a bug is not an outage)', async () => {
    const guard = new FailModeGuard({ failMode: 'open', store: 'flood' });
    await assert.rejects(
      guard.run(
        1,
        async () => {
          throw new TypeError('bug');
        },
        () => 'memory',
      ),
      TypeError,
    );
    assert.equal(guard.degraded, false);
  });

  it('ends an outage on a probe outside any batch (readiness), once', async () => {
    const s = setup('closed');
    s.setDown(true);
    await assert.rejects(s.run(), StoreError);
    s.setDown(false);
    s.guard.probeSucceeded();
    assert.equal(s.guard.degraded, false);
    assert.equal(await s.run(), 'redis', 'no cool-down left to wait out');
    s.guard.probeSucceeded(); // healthy already: nothing to report
    assert.deepEqual(s.states, ['degraded', 'healthy']);
  });

  it('times its cool-down on a monotonic clock by default (a wall clock stepped back cannot hold it)', async () => {
    const realNow = Date.now;
    const guard = new FailModeGuard({ failMode: 'open', store: 'flood', retryAfterMs: 20 });
    let up = false;
    const primary = async () => {
      if (!up) throw new StoreError('down', { unavailable: true });
      return 'redis';
    };
    try {
      assert.equal(await guard.run(1, primary, () => 'memory'), 'memory');
      Date.now = () => realNow() - 3_600_000; // NTP steps the wall clock back an hour
      up = true;
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(await guard.run(1, primary, () => 'memory'), 'redis');
    } finally {
      Date.now = realNow;
    }
  });

  it('rejects an unknown fail mode', () => {
    assert.throws(() => new FailModeGuard({ failMode: 'maybe' as 'open', store: 'x' }), RangeError);
  });
});

describe('toStoreError', () => {
  it('tells unavailability from command errors', () => {
    assert.equal(toStoreError(new Error('Connection is closed.'), 'x').code, 'STORE_UNAVAILABLE');
    assert.equal(toStoreError(new Error('Command timed out'), 'x').code, 'STORE_UNAVAILABLE');
    assert.equal(
      toStoreError(replyError('LOADING Redis is loading the dataset'), 'x').code,
      'STORE_UNAVAILABLE',
    );
    assert.equal(
      toStoreError(replyError("READONLY You can't write against a read only replica."), 'x').code,
      'STORE_UNAVAILABLE',
    );
    assert.equal(toStoreError(replyError('ERR user_script:1: bad'), 'x').code, 'STORE_ERROR');
    const e = toStoreError(replyError('WRONGTYPE Operation against a key'), 'flood check');
    assert.ok(e instanceof StoreError);
    assert.match(e.message, /^flood check: WRONGTYPE/);
    assert.ok(isNoScriptError(replyError('NOSCRIPT No matching script.')));
    assert.ok(!isNoScriptError(new Error('NOSCRIPT but not a reply')));
  });
});

describe('RedisKeys', () => {
  it('prefixes and tags keys; escapes what could end a tag or collide', () => {
    const k = new RedisKeys('ms:');
    assert.equal(k.floodSenderField(k.groupTag('qq', '901234'), '10001'), '{qq:901234}10001');
    assert.equal(k.floodCrossField(k.userTag('qq', '10001'), 'abc'), '{u:qq:10001}abc');
    assert.equal(k.floodEpoch('fs', 3, 60_000, 29_400_000), 'ms:{fs:3}:v1:60000:29400000');
    assert.equal(k.floodEpoch('fx', 0, 60_000, 29_400_000), 'ms:{fx:0}:v1:60000:29400000');
    assert.equal(k.strikes(k.groupTagOf('qq:901234'), '10001'), 'ms:{qq:901234}:st:v1:10001');
    assert.equal(k.strikes(k.groupTagOf('qq:901234'), '{x}'), 'ms:{qq:901234}:st:v1:%7Bx%7D');
    assert.equal(k.groupTag('qq', '901234'), k.groupTagOf('qq:901234'));
    assert.equal(k.groupTag('q}q', 'g{1}'), '{q%7Dq:g%7B1%7D}');
    assert.equal(escapeKeyPart('100%'), '100%25');
    assert.notEqual(escapeKeyPart('a%7B'), escapeKeyPart('a{'));
    assert.equal(escapeKeyPart('plain:id'), 'plain:id');
  });

  it('puts the format version after the hash tag, never in it', () => {
    // The version is outside the tag, so bumping it keeps every key's slot; the tag is the key's first {...}.
    const k = new RedisKeys('ms:');
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    assert.equal(STRIKES_FORMAT, 1);
    assert.equal(FLOOD_FORMAT, 1);
    assert.equal(tag(k.strikes(k.groupTagOf('qq:901234'), '10001')), 'qq:901234');
    assert.equal(tag(k.floodEpoch('fs', 3, 60_000, 1)), 'fs:3');
    assert.equal(tag(k.floodEpoch('fx', 7, 60_000, 1)), 'fx:7');
  });

  it('rejects a prefix with braces', () => {
    assert.throws(() => new RedisKeys('bad{'), ConfigError);
  });
});

describe('hash53', () => {
  it('is deterministic, never 0, exact as a double, and spreads', () => {
    assert.equal(hash53('qq:901234:55871'), hash53('qq:901234:55871'));
    const seen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const h = hash53(`qq:901234:${i}`);
      assert.ok(Number.isSafeInteger(h) && h > 0);
      seen.add(h);
    }
    assert.equal(seen.size, 20_000);
    assert.notEqual(hash53('ab'), hash53('ba'));
    assert.ok(hash53('') > 0);
  });
});

describe('reconnectDelay', () => {
  it('doubles from the minimum to the cap, with ±20 % jitter', () => {
    assert.equal(
      reconnectDelay(1, 50, 2000, () => 0.5),
      50,
    );
    assert.equal(
      reconnectDelay(2, 50, 2000, () => 0.5),
      100,
    );
    assert.equal(
      reconnectDelay(10, 50, 2000, () => 0.5),
      2000,
    );
    assert.equal(
      reconnectDelay(1000, 50, 2000, () => 0.5),
      2000,
    );
    assert.equal(
      reconnectDelay(1, 50, 2000, () => 0),
      40,
    );
    assert.equal(
      reconnectDelay(1, 50, 2000, () => 1),
      60,
    );
  });
});

describe('RedisScript', () => {
  it('runs EVALSHA, and EVAL once when the server answers NOSCRIPT', async () => {
    const script = new RedisScript('x.lua', 'return 1');
    assert.equal(script.sha, 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    const calls: string[] = [];
    let cached = false;
    const fake = {
      evalsha: async (sha: string, numKeys: number, ...rest: unknown[]) => {
        calls.push(`evalsha ${sha.slice(0, 6)} ${numKeys} ${rest.join(' ')}`);
        if (!cached) throw replyError('NOSCRIPT No matching script. Please use EVAL.');
        return 'ok';
      },
      eval: async (source: string, numKeys: number, ...rest: unknown[]) => {
        calls.push(`eval ${source} ${numKeys} ${rest.join(' ')}`);
        cached = true;
        return 'ok';
      },
    } as unknown as RedisClient;
    assert.equal(await script.run(fake, ['k1'], ['a']), 'ok');
    assert.equal(await script.run(fake, ['k1'], ['b']), 'ok');
    assert.deepEqual(calls, ['evalsha e0e1f9 1 k1 a', 'eval return 1 1 k1 a', 'evalsha e0e1f9 1 k1 b']);
    assert.equal(script.reloads, 1);
  });

  it('passes other errors through', async () => {
    const script = new RedisScript('x.lua', 'return 1');
    const fake = {
      evalsha: async () => {
        throw new Error('Connection is closed.');
      },
    } as unknown as RedisClient;
    await assert.rejects(script.run(fake, [], []), /Connection is closed/);
  });
});

describe('LocalBlockList', () => {
  const LIMITS: FloodLimits = {
    rateMax: 3,
    rateWindowMs: 1000,
    duplicateMax: 3,
    duplicateWindowMs: 60_000,
    crossGroupMin: 5,
    crossGroupWindowMs: 60_000,
  };
  const req = (id: number, ts: number): FloodRequest => ({
    platform: 'qq',
    groupId: 'g',
    userId: 'u',
    messageId: `m${id}`,
    textHash: 'h',
    ts,
    limits: LIMITS,
  });

  it('answers while the window holds more than rateMax, then lifts with the local answers to backfill', () => {
    const now = { t: 0 };
    const blocks = new LocalBlockList({ clock: () => now.t });
    assert.equal(blocks.check('k', req(1, 100)), null, 'nobody blocked');
    blocks.block('k', '{qq:g}', [100, 200, 300, 400], 1000); // Redis: the 4th in the window tripped it
    assert.equal(
      blocks.check('k', req(4, 400)),
      null,
      'not after the latest Redis knows: maybe a redelivery',
    );
    const a = blocks.check('k', req(5, 500));
    assert.deepEqual(a, { hits: ['rate'], rateCount: 5, duplicateCount: 0, groupCount: 0 });
    assert.equal(blocks.check('k', req(5, 500)), a, 'a redelivery of a local answer: the same answer');
    assert.equal(blocks.check('k', req(6, 1250))?.rateCount, 4, '200 and earlier left the window');
    assert.equal(blocks.answered, 2);
    assert.equal(blocks.hasLifted, false);
    // At 1450: 500 and 1250 remain (400 and below left), so this one is the 3rd: under the limit, lift.
    assert.equal(blocks.check('k', req(7, 1450)), null);
    assert.equal(blocks.size, 0);
    const lifted = blocks.takeLifted();
    assert.deepEqual(
      lifted.map((b) => [b.key, b.tag, b.answers.map((x) => [x.messageId, x.ts, x.result.rateCount])]),
      [
        [
          'k',
          '{qq:g}',
          [
            ['m5', 500, 5],
            ['m6', 1250, 4],
          ],
        ],
      ],
    );
    assert.equal(blocks.hasLifted, false);
  });

  it('lifts a block idle for its window and evicts the oldest beyond maxSenders (backfill kept)', () => {
    const now = { t: 0 };
    const blocks = new LocalBlockList({ clock: () => now.t, maxSenders: 2 });
    blocks.block('a', 'ta', [1, 2, 3, 4], 1000);
    assert.ok(blocks.check('a', req(5, 5)));
    blocks.block('b', 'tb', [1, 2, 3, 4], 1000);
    blocks.block('c', 'tc', [1, 2, 3, 4], 1000);
    assert.equal(blocks.size, 2);
    assert.deepEqual(
      blocks.takeLifted().map((b) => b.key),
      ['a'],
    );
    now.t = 5000;
    assert.equal(blocks.check('b', req(9, 6)), null, 'idle past its window');
    assert.equal(blocks.size, 1);
  });
});
