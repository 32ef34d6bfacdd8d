/**
 * The emitter's invariants on texts with many overlapping candidates (more than the insertion-sort limit):
 * reasons in text order (span start, longer first), none inside a longer match of its category, one per
 * (category, span).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reason } from '../../../src/contracts/types.js';
import { lexiconOf, matchAll } from './helpers.js';

function assertInvariants(reasons: Reason[]): void {
  for (let i = 1; i < reasons.length; i++) {
    const [a0, a1] = reasons[i - 1].span!;
    const [b0, b1] = reasons[i].span!;
    assert.ok(a0 < b0 || (a0 === b0 && a1 >= b1), `ordered: ${a0}-${a1} before ${b0}-${b1}`);
  }
  for (const r of reasons) {
    for (const o of reasons) {
      if (r === o || r.category !== o.category) continue;
      const [r0, r1] = r.span!;
      const [o0, o1] = o.span!;
      assert.ok(!(o0 <= r0 && r1 <= o1), `${r.rule} ${r0}-${r1} inside ${o.rule} ${o0}-${o1}`);
    }
  }
}

describe('reason order and containment with many candidates', () => {
  const lexicon = lexiconOf([
    ['加微', 'ads'],
    ['微信', 'ads'],
    ['加微信', 'ads'],
    ['微信群', 'porn'],
    ['信群', 'abuse'],
    ['群里', 'abuse'],
    ['加微信群', 'gambling'],
  ]);

  it('keeps its invariants past the insertion-sort limit', () => {
    const text = '加微信群里'.repeat(30);
    const reasons = matchAll(lexicon, text);
    assert.ok(reasons.length > 48, `${reasons.length} reasons`);
    assertInvariants(reasons);
    // Per repetition: 加微信 (ads; 加微 and 微信 are inside it), 微信群 (porn), 信群 and 群里 (abuse), 加微信群.
    assert.deepEqual(
      reasons.slice(0, 5).map((r) => `${r.rule}@${r.span![0]}`),
      ['gambling:加微信群@0', 'ads:加微信@0', 'porn:微信群@1', 'abuse:信群@2', 'abuse:群里@3'],
    );
    assert.equal(reasons.length, 5 * 30);
  });

  it('gives the same reasons for a text whether it has few candidates or many', () => {
    const one = matchAll(lexicon, '加微信群里');
    const many = matchAll(lexicon, '加微信群里'.repeat(20));
    assert.deepEqual(
      many.slice(0, one.length).map((r) => r.rule),
      one.map((r) => r.rule),
    );
  });
});
