import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../../src/contracts/errors.js';
import { MemoryStrikeStore } from '../../../src/strikes/index.js';
import { strikeStoreContract } from '../../contract/strikes.contract.js';

strikeStoreContract('memory', async (clock) => new MemoryStrikeStore({ clock }));

const T0 = 1_764_000_000_000;
const DAY = 86_400_000;

describe('MemoryStrikeStore (memory specifics)', () => {
  const req = (userId: string, messageId: string, ts = T0, ttlMs = 30 * DAY) => ({
    group: 'qq:1',
    userId,
    messageId,
    ts,
    weight: 1,
    ttlMs,
  });

  it('bounds the users×groups held and counts evictions of live state', async () => {
    const store = new MemoryStrikeStore({ maxKeys: 3, clock: () => T0 });
    for (let u = 0; u < 5; u++) await store.record([req(`u${u}`, `m${u}`)]);
    const stats = store.stats();
    assert.equal(stats.keys, 3);
    assert.equal(stats.evictions, 2);
    assert.equal(stats.expired, 0);
    // The least recently recorded went first: u0 and u1 are forgotten, u4 is kept.
    assert.deepEqual(
      await store.peek([0, 1, 4].map((u) => ({ group: 'qq:1', userId: `u${u}`, ts: T0 + 1 }))),
      [0, 0, 1],
    );
  });

  it('keeps recently recorded users when evicting (LRU, not FIFO)', async () => {
    const store = new MemoryStrikeStore({ maxKeys: 2, clock: () => T0 });
    await store.record([req('a', 'm1'), req('b', 'm2'), req('a', 'm3'), req('c', 'm4')]);
    assert.deepEqual(
      await store.peek(['a', 'b', 'c'].map((userId) => ({ group: 'qq:1', userId, ts: T0 + 1 }))),
      [2, 0, 1],
    );
  });

  it('counts idle state dropped after its ttl as expired, not evicted', async () => {
    let now = T0;
    const store = new MemoryStrikeStore({ maxKeys: 1, clock: () => now });
    await store.record([req('a', 'm1', T0, 1000)]);
    now += 1000;
    await store.record([req('b', 'm2', now)]);
    assert.deepEqual(store.stats(), { keys: 1, evictions: 0, expired: 1, trimmed: 0, duplicates: 0 });
  });

  it('bounds the strikes kept per user×group', async () => {
    const store = new MemoryStrikeStore({ maxStrikesPerKey: 4, clock: () => T0 });
    const results = await store.record(Array.from({ length: 6 }, (_, i) => req('a', `m${i}`, T0 + i)));
    assert.deepEqual(
      results.map((r) => r.strikes),
      [1, 2, 3, 4, 4, 4],
    );
    assert.equal(store.stats().trimmed, 2);
  });

  it('at the bound, drops the answers kept for cooled requests before any strike', async () => {
    const store = new MemoryStrikeStore({ maxStrikesPerKey: 3, clock: () => T0 });
    const cooled = (id: string, ts: number) => ({ ...req('a', id, ts), cooldownId: '#cooldown/flood/1' });
    // A strike, the flood's first message (its strike + its answer), then 5 cooled flood messages.
    const results = await store.record([
      req('a', 'm0'),
      ...Array.from({ length: 6 }, (_, i) => cooled(`f${i}`, T0 + 1 + i)),
    ]);
    assert.deepEqual(
      results.map((r) => r.strikes),
      [1, 2, 2, 2, 2, 2, 2],
    );
    assert.equal(store.stats().trimmed, 5, 'only weight-0 answers were dropped');
    // Both strikes are still there: the flood is still cooled, and the next ad is the 3rd step.
    const [flood, ad] = await store.record([cooled('f9', T0 + 10), req('a', 'm1', T0 + 11)]);
    assert.deepEqual([flood.weight, ad.strikes], [0, 3]);
  });

  it('counts redeliveries', async () => {
    const store = new MemoryStrikeStore({ clock: () => T0 });
    await store.record([req('a', 'm1'), req('a', 'm1')]);
    assert.equal(store.stats().duplicates, 1);
  });

  it('rejects with StoreError once closed', async () => {
    const store = new MemoryStrikeStore();
    await store.close();
    await assert.rejects(store.record([req('a', 'm1')]), StoreError);
    await assert.rejects(store.peek([{ group: 'qq:1', userId: 'a', ts: T0 }]), StoreError);
  });

  it('rejects bad bounds at construction', () => {
    assert.throws(() => new MemoryStrikeStore({ maxKeys: 0 }), RangeError);
    assert.throws(() => new MemoryStrikeStore({ maxStrikesPerKey: 1.5 }), RangeError);
  });
});
