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

  it('drops idle state after twice its longest window by the clock (like the Redis TTL), counted as expired', () => {
    let now = T0;
    const limiter = new MemoryFloodLimiter({ maxKeys: 1, clock: () => now });
    limiter.checkSync([req({ ts: now, textHash: '' })]);
    now += 2 * DEFAULT_LIMITS.duplicateWindowMs - 1;
    limiter.checkSync([req({ ts: now, userId: 'other', textHash: '' })]);
    assert.deepEqual(
      { evictions: limiter.stats().evictions, expired: limiter.stats().expired },
      { evictions: 1, expired: 0 },
      '1 ms before: still held, so making room evicts it',
    );
    now += 2 * DEFAULT_LIMITS.duplicateWindowMs;
    limiter.checkSync([req({ ts: now, textHash: '' })]);
    assert.deepEqual(
      { evictions: limiter.stats().evictions, expired: limiter.stats().expired },
      { evictions: 1, expired: 1 },
    );
  });

  it('keeps what a late copy from another group needs while the user is in one group', () => {
    // A single-group user's log drops messages once they leave its windows (and compacts them away), but
    // a copy of a text sent to another group can arrive with an earlier event time and must still find
    // them, as Redis would. The user chats in g1 every 100 ms for 300 s; at 200 s they send 'spam'.
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const spamAt = T0 + 200_000;
    const stream: FloodRequest[] = [];
    for (let t = T0; t <= T0 + 300_000; t += 100) {
      stream.push(req({ ts: t, textHash: t === spamAt ? 'spam' : `chat${t}` }));
    }
    for (let i = 0; i < stream.length; i += 64) limiter.checkSync(stream.slice(i, i + 64));
    // g1 has moved on 100 s past 'spam'; the copy to g2, stamped 59.999 s after it, arrives now.
    const [late] = limiter.checkSync([req({ groupId: 'g2', ts: spamAt + 59_999, textHash: 'spam' })]);
    assert.equal(late.groupCount, 2);
    const [tooLate] = limiter.checkSync([req({ groupId: 'g3', ts: spamAt + 60_000, textHash: 'spam' })]);
    assert.equal(tooLate.groupCount, 2, "g1's copy is exactly 60 s older: out; g2's is in");
  });

  it('counts a text across groups with different cross-group windows, each request with its own', () => {
    // g-short forgets after 7 s, g-long counts 60 s back: a copy recorded under the short window must still
    // be there for the long one (the Redis limiter keeps both in one cross-group value).
    const SHORT = {
      ...DEFAULT_LIMITS,
      rateWindowMs: 2_000,
      duplicateWindowMs: 5_000,
      crossGroupWindowMs: 7_000,
    };
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const send = (groupId: string, at: number, limits = DEFAULT_LIMITS) =>
      limiter.checkSync([req({ groupId, ts: T0 + at, textHash: 'ad', limits })])[0].groupCount;
    assert.equal(send('g-short-1', 0, SHORT), 1);
    assert.equal(send('g-short-2', 10_000, SHORT), 1, "the short window no longer sees g-short-1's copy");
    assert.equal(send('g-long-1', 20_000), 3, 'the long window sees both copies');
    assert.equal(send('g-short-3', 22_000, SHORT), 2, 'the short window: g-long-1 (2 s ago) and itself');
    assert.equal(send('g-long-2', 59_000), 5);
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

  it('bounds the groups kept per text in the cross-group list, as Redis does (counts saturate there)', () => {
    const limiter = new MemoryFloodLimiter({ maxEntriesPerKey: 3, clock: () => T0 });
    const other = ['g1', 'g2', 'g3'].map((groupId) => req({ groupId, textHash: 'other' }));
    const spam = ['g1', 'g2', 'g3', 'g4', 'g5'].map((groupId) => req({ groupId, textHash: 'spam' }));
    const results = limiter.checkSync([...other, ...spam]);
    // Another text's groups do not use up this text's room; beyond 3 groups the count stays at 3 + 1.
    assert.deepEqual(
      results.map((r) => r.groupCount),
      [1, 2, 3, 1, 2, 3, 4, 4],
    );
  });

  it("bounds one user's cross-group list, all texts together: the entry seen longest ago goes", () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const limits = { ...DEFAULT_LIMITS, rateMax: 1_000_000, duplicateMax: 1_000_000 };
    // In two groups (the list exists once a user is seen in several), then 2,000 distinct texts.
    limiter.checkSync([req({ groupId: 'g1', textHash: 'first', limits })]);
    limiter.checkSync([req({ groupId: 'g2', textHash: 'x', limits })]);
    const many = Array.from({ length: 2000 }, (_, i) =>
      req({ groupId: 'g2', textHash: `d${i}`, ts: T0 + 1 + i, limits }),
    );
    limiter.checkSync(many);
    // 'first' in g1 went with the oldest; a recent text is still counted across groups.
    const [first, recent] = limiter.checkSync([
      req({ groupId: 'g2', textHash: 'first', ts: T0 + 3000, limits }),
      req({ groupId: 'g1', textHash: 'd1999', ts: T0 + 3000, limits }),
    ]);
    assert.equal(first.groupCount, 1);
    assert.equal(recent.groupCount, 2);
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

  it('starts an idle user afresh, reusing their slots without reviving old messages', () => {
    let now = T0;
    const limiter = new MemoryFloodLimiter({ clock: () => now });
    const first = [1, 2, 3].map((i) => req({ ts: now + i, messageId: `old${i}`, textHash: 'same' }));
    assert.equal(limiter.checkSync(first)[2].duplicateCount, 3);
    now += 3 * DEFAULT_LIMITS.duplicateWindowMs; // idle past twice its longest window: reset in place
    const [back] = limiter.checkSync([req({ ts: now, messageId: 'new1', textHash: 'same' })]);
    assert.deepEqual([back.rateCount, back.duplicateCount, back.hits], [1, 1, []]);
    assert.equal(limiter.stats().expired, 1);
    // An old message delivered again after the reset is new again (as after a Redis TTL), not answered
    // from the slots the reset kept for reuse.
    const [late] = limiter.checkSync([req({ ts: T0 + 3, messageId: 'old3', textHash: 'same' })]);
    // (Its first answer was 3 and 3; now it counts itself and new1, as a sorted set would.)
    assert.deepEqual([late.rateCount, late.duplicateCount], [2, 2]);
    assert.equal(limiter.stats().duplicates, 0);
  });

  it('shares one frozen result per small answer', () => {
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const [a] = limiter.checkSync([req({ userId: 'a', textHash: '' })]);
    const [b] = limiter.checkSync([req({ userId: 'b', textHash: '' })]);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
  });

  it('rejects with StoreError once closed', async () => {
    const limiter = new MemoryFloodLimiter();
    await limiter.close();
    await assert.rejects(limiter.check([req()]), StoreError);
  });

  it('rejects bad bounds at construction', () => {
    assert.throws(() => new MemoryFloodLimiter({ maxKeys: 0 }), RangeError);
    assert.throws(() => new MemoryFloodLimiter({ maxEntriesPerKey: -1 }), RangeError);
    assert.throws(
      () => new MemoryFloodLimiter({ maxEntriesPerKey: 16_383 }),
      RangeError,
      'counts are packed in 14 bits',
    );
  });
});
