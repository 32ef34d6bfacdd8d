import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reason } from '../../../src/contracts/types.js';
import { MAX_REASON_BYTES, MAX_REASONS_PER_RULE, capReasons } from '../../../src/pipeline/reasons-cap.js';

const reason = (rule: string, severity: number, match = 'x'.repeat(8), at = 0): Reason => ({
  detector: 'lexicon',
  category: 'abuse',
  rule,
  match,
  span: [at, at + match.length],
  severity,
});

describe('capReasons: every verdict fits a Kafka record', () => {
  it('leaves ordinary reasons alone', () => {
    const reasons = Array.from({ length: 40 }, (_, i) => reason('abuse:sb', 2, 'sb', i * 3));
    assert.equal(capReasons(reasons), 0);
    assert.equal(reasons.length, 40);
  });

  it('past the byte bound keeps the first few of each rule, in text order', () => {
    // 傻逼 padded over a 64 KiB text: thousands of one reason, as a message may legally hold.
    const reasons = Array.from({ length: 9362 }, (_, i) => reason('abuse:傻逼', 3, '傻逼', i * 3));
    reasons.splice(5000, 0, reason('porn:约炮', 4, '约炮', 15_000));
    const dropped = capReasons(reasons);
    assert.equal(reasons.length, MAX_REASONS_PER_RULE + 1);
    assert.equal(dropped, 9363 - reasons.length);
    assert.deepEqual(
      reasons.map((r) => r.span![0]),
      [0, 3, 6, 9, 12, 15, 18, 21, 15_000],
    );
  });

  it('still too large: the most severe that fit, back in text order', () => {
    const long = 'y'.repeat(20_000); // 120 KB at worst each
    const reasons = [reason('a:1', 1, long, 0), reason('a:2', 5, long, 1), reason('a:3', 3, long, 2)];
    const dropped = capReasons(reasons);
    assert.equal(dropped, 1);
    assert.deepEqual(
      reasons.map((r) => r.rule),
      ['a:2', 'a:3'],
    );
    const worst = reasons.reduce((n, r) => n + 160 + 6 * (r.rule.length + r.match!.length + 11), 0);
    assert.ok(worst <= MAX_REASON_BYTES);
  });

  it('keeps at least one reason, however large', () => {
    const reasons = [reason('a:1', 1, 'z'.repeat(65_536))];
    assert.equal(capReasons(reasons), 0);
    assert.equal(reasons.length, 1);
  });
});
