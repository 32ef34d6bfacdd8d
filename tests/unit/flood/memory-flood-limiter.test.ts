import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../../src/contracts/errors.js';
import { MemoryFloodLimiter } from '../../../src/flood/index.js';
import type { FloodRequest } from '../../../src/flood/index.js';
import { DEFAULT_LIMITS, floodLimiterContract } from '../../contract/flood.contract.js';

floodLimiterContract('memory', async (clock) => new MemoryFloodLimiter({ clock }));

const T0 = 1_764_000_000_000;

describe('MemoryFloodLimiter (memory specifics)', () => {
  let seq = 0;
  const req = (over: Partial<FloodRequest> = {}): FloodRequest => ({
    platform: 'qq',
    groupId: 'g',
    userId: 'u',
    messageId: `m${++seq}`,
    textHash: `t${seq}`,
    ts: T0,
    limits: DEFAULT_LIMITS,
    ...over,
  });

  it('bounds the users held and counts evictions of live state', () => {
    const limiter = new MemoryFloodLimiter({ maxKeys: 3, clock: () => T0 });
    limiter.checkSync(Array.from({ length: 5 }, (_, u) => req({ userId: `u${u}`, textHash: 'same' })));
    const stats = limiter.stats();
    assert.equal(stats.users, 3);
    assert.equal(stats.evictions, 2);
    assert.equal(stats.expired, 0);
    // u0 was evicted: its count starts again; u4 was kept.
    assert.equal(limiter.checkSync([req({ userId: 'u0' })])[0].rateCount, 1);
    assert.equal(limiter.checkSync([req({ userId: 'u4' })])[0].rateCount, 2);
  });

  it('gives recently used users a second chance when evicting', () => {
    const limiter = new MemoryFloodLimiter({ maxKeys: 2, clock: () => T0 });
    limiter.checkSync([
      req({ userId: 'a' }),
      req({ userId: 'b' }),
      req({ userId: 'a' }),
      req({ userId: 'c' }),
    ]);
    const [a, b] = limiter.checkSync([req({ userId: 'a' }), req({ userId: 'b' })]);
    assert.equal(a.rateCount, 3, 'a was kept');
    assert.equal(b.rateCount, 1, 'b was evicted');
  });

  it('forgets stale group logs of a user active in many groups', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    for (let g = 0; g < 100; g++) limiter.checkSync([req({ groupId: `g${g}`, ts: T0 + g * 61_000 })]);
    // Still exact for the groups inside the windows.
    const [r] = limiter.checkSync([req({ groupId: 'g99', ts: T0 + 99 * 61_000 + 1 })]);
    assert.equal(r.rateCount, 2);
  });

  it('drops idle state after its longest window by the clock, counted as expired', () => {
    let now = T0;
    const limiter = new MemoryFloodLimiter({ maxKeys: 1, clock: () => now });
    limiter.checkSync([req({ ts: now, textHash: '' })]);
    now += DEFAULT_LIMITS.duplicateWindowMs;
    limiter.checkSync([req({ ts: now, userId: 'other', textHash: '' })]);
    assert.deepEqual(
      { evictions: limiter.stats().evictions, expired: limiter.stats().expired },
      { evictions: 0, expired: 1 },
    );
  });

  it('bounds the messages kept per sender (counts saturate there)', () => {
    const limiter = new MemoryFloodLimiter({ maxEntriesPerKey: 5, clock: () => T0 });
    const results = limiter.checkSync(Array.from({ length: 8 }, () => req({ textHash: '' })));
    assert.deepEqual(
      results.map((r) => r.rateCount),
      [1, 2, 3, 4, 5, 6, 6, 6],
    );
    assert.equal(limiter.stats().trimmed, 3);
  });

  it('handles out-of-order event times like a sorted set', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const [a, b, c] = limiter.checkSync([
      req({ ts: T0 + 5000 }),
      req({ ts: T0 }), // late: still counts the later message, as ZCARD would
      req({ ts: T0 + 14_000 }), // T0 left (≤ 14000 − 10000), T0+5000 remains
    ]);
    assert.deepEqual([a.rateCount, b.rateCount, c.rateCount], [1, 2, 2]);
  });

  it('repeats the first answer to a redelivery after old entries were compacted away', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    limiter.checkSync(Array.from({ length: 40 }, () => req({ ts: T0 })));
    const later = Array.from({ length: 40 }, () => req({ ts: T0 + 30_000, textHash: 'same' }));
    const firstAnswers = limiter.checkSync(later);
    limiter.checkSync([req({ ts: T0 + 60_001 })]); // drops the 40 at T0: the log compacts
    const again = limiter.checkSync([later[25], later[39]]);
    assert.deepEqual(again, [firstAnswers[25], firstAnswers[39]]);
    assert.equal(limiter.stats().duplicates, 2);
  });

  it('repeats the right answer after an out-of-order insert', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const a = req({ ts: T0 + 100 });
    const b = req({ ts: T0 + 300 });
    const late = req({ ts: T0 + 200 });
    const first = limiter.checkSync([a, b, late]);
    assert.deepEqual(limiter.checkSync([a, b, late]), first);
  });

  it('answers from the same frozen hits lists (no per-message arrays)', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const [r] = limiter.checkSync([req()]);
    assert.ok(Object.isFrozen(r.hits));
  });

  it('rejects with StoreError once closed', async () => {
    const limiter = new MemoryFloodLimiter();
    await limiter.close();
    await assert.rejects(limiter.check([req()]), StoreError);
  });

  it('rejects bad bounds at construction', () => {
    assert.throws(() => new MemoryFloodLimiter({ maxKeys: 0 }), RangeError);
    assert.throws(() => new MemoryFloodLimiter({ maxEntriesPerKey: -1 }), RangeError);
  });
});
