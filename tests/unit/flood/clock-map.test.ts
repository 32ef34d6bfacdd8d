import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClockMap, type ClockEntry } from '../../../src/flood/memory/clock-map.js';

const entry = (idleUntil = Infinity): ClockEntry & { resets: number } => ({
  used: false,
  idleUntil,
  resets: 0,
  reset() {
    this.resets++;
    this.idleUntil = 0;
  },
});

describe('ClockMap', () => {
  it('finds entries by (scope, key) and keeps scopes apart', () => {
    const map = new ClockMap(10);
    const a = map.add('qq', 'u1', entry(), 0);
    map.add('wechat', 'u1', entry(), 0);
    assert.equal(map.get('qq', 'u1', 0), a);
    assert.notEqual(map.get('wechat', 'u1', 0), a);
    assert.equal(map.get('qq', 'u2', 0), undefined);
    assert.equal(map.size, 2);
  });

  it('never holds more than maxKeys and frees 1/64 of the map per sweep', () => {
    const map = new ClockMap(128);
    for (let i = 0; i < 1000; i++) map.add('p', `k${i}`, entry(), 0);
    assert.ok(map.size <= 128);
    assert.equal(map.evictions, 1000 - map.size);
    assert.ok(map.size >= 126, 'a sweep frees 2 of 128');
  });

  it('gives entries used since the last sweep a second chance', () => {
    const map = new ClockMap(3);
    map.add('p', 'a', entry(), 0);
    map.add('p', 'b', entry(), 0);
    map.add('p', 'c', entry(), 0);
    map.get('p', 'a', 0);
    map.add('p', 'd', entry(), 0);
    assert.ok(map.peek('p', 'a'), 'a was used: kept');
    assert.equal(map.peek('p', 'b'), undefined, 'b was not: evicted');
  });

  it('evicts the oldest when everything was used', () => {
    const map = new ClockMap(2);
    map.add('p', 'a', entry(), 0);
    map.add('p', 'b', entry(), 0);
    map.get('p', 'a', 0);
    map.get('p', 'b', 0);
    map.add('p', 'c', entry(), 0);
    assert.equal(map.size, 2);
    assert.equal(map.evictions, 1);
  });

  it('resets idle entries in place on access, and drops them when sweeping, counted as expired', () => {
    const map = new ClockMap<ReturnType<typeof entry>>(2);
    const a = map.add('p', 'a', entry(100), 0);
    assert.equal(map.get('p', 'a', 100), a);
    assert.equal(a.resets, 1);
    assert.equal(map.expired, 1);
    map.get('p', 'a', 100);
    assert.equal(a.resets, 2, 'still idle: its idleUntil is for its owner to move');
    map.clear();
    map.add('p', 'b', entry(50), 0);
    map.add('p', 'c', entry(), 0);
    map.add('p', 'd', entry(), 60); // full: b is idle at 60
    assert.deepEqual([map.expired, map.evictions, map.size], [3, 0, 2]);
  });

  it('peek neither marks used nor drops', () => {
    const map = new ClockMap(4);
    const e = map.add('p', 'a', entry(10), 0);
    assert.equal(map.peek('p', 'a'), e);
    assert.equal(e.used, false);
    assert.equal(map.size, 1);
  });

  it('rejects a bad bound', () => {
    assert.throws(() => new ClockMap(0), RangeError);
  });
});
