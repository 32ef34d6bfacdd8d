import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateMessages, Semaphore } from '../../../../src/transport/kafka/index.js';

describe('generateMessages', () => {
  it('is deterministic per seed and valid message v1', () => {
    const a = [...generateMessages({ seed: 7, count: 50, now: () => 1 })];
    const b = [...generateMessages({ seed: 7, count: 50, now: () => 1 })];
    const c = [...generateMessages({ seed: 8, count: 50, now: () => 1 })];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const m of a) {
      assert.equal(m.v, 1);
      for (const f of ['id', 'platform', 'groupId', 'userId', 'text'] as const)
        assert.equal(typeof m[f], 'string');
      assert.equal(m.ts, 1);
    }
  });

  it('unique ids counting per group; groups and violations spread as asked', () => {
    const msgs = [
      ...generateMessages({ seed: 1, count: 2000, groups: 5, violationRate: 0.2, groupPrefix: 'x' }),
    ];
    assert.equal(new Set(msgs.map((m) => m.id)).size, 2000);
    const groups = new Map<string, number>();
    for (const m of msgs) {
      const seq = Number(m.id.split(':')[2]);
      assert.equal(seq, (groups.get(m.groupId) ?? 0) + 1, 'per-group counter');
      groups.set(m.groupId, seq);
      assert.ok(m.groupId.startsWith('x'));
    }
    assert.equal(groups.size, 5);
    const chinese = msgs.filter((m) => /[\u4e00-\u9fff]/.test(m.text)).length;
    const english = msgs.filter((m) => /^[\x20-\x7e]+$/.test(m.text)).length;
    assert.ok(chinese > 0 && english > 0, 'mixed Chinese and English');
  });
});

describe('Semaphore', () => {
  it('grants up to its size, then first come first served', async () => {
    const s = new Semaphore(1);
    const order: number[] = [];
    await s.acquire();
    const w1 = s.acquire().then(() => order.push(1));
    const w2 = s.acquire().then(() => order.push(2));
    assert.equal(s.waiting, 2);
    s.release();
    await w1;
    s.release();
    await w2;
    s.release();
    assert.deepEqual(order, [1, 2]);
    assert.equal(s.available, 1);
  });
});
