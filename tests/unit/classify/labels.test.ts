import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import type { Reason } from '../../../src/contracts/types.js';
import { appendReasons, compileLabels, hasLexiconReason } from '../../../src/classify/labels.js';
import { LEXICON_REASON } from './helpers.js';

describe('classifier labels → reasons', () => {
  it('maps our model by default: offensive → abuse, neutral never reported', () => {
    const labels = compileLabels(['neutral', 'offensive'], 'm');
    assert.deepEqual(labels, [
      {
        index: 1,
        label: 'offensive',
        category: 'abuse',
        threshold: 0.5,
        severity: 2,
        rule: 'classifier:offensive',
      },
    ]);
  });

  it('matches common public label names case-insensitively', () => {
    const labels = compileLabels(['Toxic', 'severe_toxic', 'THREAT', 'LABEL_3'], 'm');
    assert.deepEqual(
      labels.map((l) => [l.label, l.category, l.severity]),
      [
        ['Toxic', 'abuse', 2],
        ['severe_toxic', 'abuse', 3],
        ['THREAT', 'violence', 2],
      ],
    );
  });

  it('options override the defaults, and may silence a label', () => {
    const labels = compileLabels(['neutral', 'offensive', 'LABEL_2'], 'm', {
      offensive: { category: 'abuse', threshold: 0.8, severity: 1 },
      LABEL_2: { category: 'porn' },
    });
    assert.deepEqual(
      labels.map((l) => [l.label, l.category, l.threshold, l.severity]),
      [
        ['offensive', 'abuse', 0.8, 1],
        ['LABEL_2', 'porn', 0.5, 2],
      ],
    );
    assert.throws(
      () => compileLabels(['neutral', 'offensive'], 'm', { offensive: null }),
      /maps none of model m's labels/,
    );
  });

  it('rejects labels the model does not have, bad categories and thresholds', () => {
    const check = (fn: () => unknown, path: string) =>
      assert.throws(
        fn,
        (e: unknown) => e instanceof ConfigError && e.code === 'CONFIG_INVALID' && e.path === path,
      );
    check(
      () => compileLabels(['neutral', 'offensive'], 'm', { toxic: { category: 'abuse' } }),
      'classifier.labels.toxic',
    );
    check(
      () => compileLabels(['neutral', 'offensive'], 'm', { offensive: { category: 'rude' as never } }),
      'classifier.labels.offensive.category',
    );
    check(
      () =>
        compileLabels(['neutral', 'offensive'], 'm', { offensive: { category: 'abuse', threshold: 1.5 } }),
      'classifier.labels.offensive.threshold',
    );
    check(() => compileLabels(['LABEL_0', 'LABEL_1'], 'm'), 'classifier.labels');
  });

  it('adds a reason only when the score passes the threshold; per-group thresholds win', () => {
    const labels = compileLabels(['neutral', 'offensive'], 'm');
    const out: Reason[] = [];
    assert.equal(appendReasons(labels, new Float32Array([0.51, 0.49]), 'm', false, undefined, out), 0);
    assert.equal(out.length, 0);
    assert.equal(appendReasons(labels, new Float32Array([0.3, 0.7]), 'm', false, undefined, out), 1);
    assert.deepEqual(out[0], {
      detector: 'classifier',
      category: 'abuse',
      rule: 'classifier:offensive',
      severity: 2,
      label: 'offensive',
      score: 0.7,
      model: 'm',
    });
    assert.equal(appendReasons(labels, new Float32Array([0.3, 0.7]), 'm', false, { offensive: 0.9 }, out), 0);
    assert.equal(appendReasons(labels, new Float32Array([0.6, 0.4]), 'm', false, { offensive: 0.3 }, out), 1);
    assert.equal(out.length, 2);
  });

  it('shadow reasons carry shadow: true', () => {
    const labels = compileLabels(['neutral', 'offensive'], 'm');
    const out: Reason[] = [];
    appendReasons(labels, new Float32Array([0.1, 0.9]), 'm', true, undefined, out);
    assert.equal(out[0]!.shadow, true);
  });

  it('multi-label: every label past its threshold gives its own reason', () => {
    const labels = compileLabels(['toxic', 'threat', 'insult'], 'm', {
      insult: { category: 'abuse', threshold: 0.95 },
    });
    const out: Reason[] = [];
    appendReasons(labels, new Float32Array([0.8, 0.6, 0.9]), 'm', false, undefined, out);
    assert.deepEqual(
      out.map((r) => [r.label, r.category]),
      [
        ['toxic', 'abuse'],
        ['threat', 'violence'],
      ],
    );
  });

  it('hasLexiconReason looks for lexicon reasons only', () => {
    assert.equal(hasLexiconReason([]), false);
    assert.equal(
      hasLexiconReason([{ detector: 'link', category: 'phishing', rule: 'link:x', severity: 2 }]),
      false,
    );
    assert.equal(hasLexiconReason([LEXICON_REASON]), true);
  });
});
