import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildAutomaton, createMatchHits, toCodeUnits } from '../../../src/lexicon/automaton.js';
import type { CompiledAutomaton, MatchHits } from '../../../src/lexicon/automaton.js';
import { ConfigError } from '../../../src/contracts/errors.js';

/** Scan a string and return [patternText, endInclusive] pairs in reported order. */
function scanText(automaton: CompiledAutomaton, patterns: string[], text: string, hits = createMatchHits()) {
  const count = automaton.scan(toCodeUnits(text), text.length, hits);
  const out: [string, number][] = [];
  for (let k = 0; k < count; k++) out.push([patterns[hits.pattern[k]], hits.end[k]]);
  return out;
}

function build(patterns: string[], canonical?: Uint16Array): CompiledAutomaton {
  return buildAutomaton(patterns.map(toCodeUnits), canonical ? { canonical } : {});
}

describe('buildAutomaton / scan', () => {
  it('reports she, he and hers in "ushers" (output links)', () => {
    const patterns = ['she', 'he', 'hers'];
    const automaton = build(patterns);
    assert.deepEqual(scanText(automaton, patterns, 'ushers'), [
      ['she', 3],
      ['he', 3],
      ['hers', 5],
    ]);
    assert.equal(automaton.patternCount, 3);
    // root, s, sh, she, h, he, her, hers
    assert.equal(automaton.stateCount, 8);
  });

  it('reports nested and overlapping occurrences, longest first at one end', () => {
    const patterns = ['a', 'aa', 'aaa'];
    const automaton = build(patterns);
    assert.deepEqual(scanText(automaton, patterns, 'aaaa'), [
      ['a', 0],
      ['aa', 1],
      ['a', 1],
      ['aaa', 2],
      ['aa', 2],
      ['a', 2],
      ['aaa', 3],
      ['aa', 3],
      ['a', 3],
    ]);
  });

  it('follows dictionary links past states that end no pattern', () => {
    // At "abcd" the fail chain is abcd → bcd → cd → d: only "cd" and "d" are patterns ("bcd" is not).
    const patterns = ['abcd', 'bc', 'cd', 'd', 'bcx'];
    const automaton = build(patterns);
    assert.deepEqual(scanText(automaton, patterns, 'abcd'), [
      ['bc', 2],
      ['abcd', 3],
      ['cd', 3],
      ['d', 3],
    ]);
    assert.deepEqual(scanText(automaton, patterns, 'abcxd'), [
      ['bc', 2],
      ['bcx', 3],
      ['d', 4],
    ]);
  });

  it('matches CJK terms, including overlaps and astral characters (two code units)', () => {
    const patterns = ['加微信', '微信', '微信群', '信', '𠀀好'];
    const automaton = build(patterns);
    assert.deepEqual(scanText(automaton, patterns, '请加微信群𠀀好'), [
      ['加微信', 3],
      ['微信', 3],
      ['信', 3],
      ['微信群', 4],
      ['𠀀好', 7],
    ]);
    // Lone halves of the surrogate pair are units like any other: no false hit on a different pair.
    assert.deepEqual(scanText(automaton, patterns, '𠀁好'), []);
  });

  it('merges codes through the canonical table, for patterns and text alike', () => {
    const canonical = new Uint16Array(0x10000);
    for (let code = 0; code < canonical.length; code++) canonical[code] = code;
    canonical['薇'.charCodeAt(0)] = '微'.charCodeAt(0);
    canonical['V'.charCodeAt(0)] = '微'.charCodeAt(0);
    canonical['v'.charCodeAt(0)] = '微'.charCodeAt(0);
    const patterns = ['微信', '薇信'];
    const automaton = build(patterns, canonical);
    for (const text of ['微信', '薇信', 'V信', 'v信']) {
      assert.deepEqual(scanText(automaton, patterns, text), [
        ['微信', 1],
        ['薇信', 1],
      ]);
    }
    assert.deepEqual(scanText(automaton, patterns, '威信'), []);
  });

  it('reports every duplicate pattern, in input order', () => {
    const patterns = ['abc', 'x', 'abc', 'bc'];
    const automaton = build(patterns);
    const hits = createMatchHits();
    const count = automaton.scan(toCodeUnits('abc'), 3, hits);
    assert.equal(count, 3);
    assert.deepEqual([...hits.pattern.subarray(0, count)], [0, 2, 3]);
    assert.deepEqual([...hits.end.subarray(0, count)], [2, 2, 2]);
  });

  it('ignores empty patterns but keeps the indices of the others', () => {
    const patterns = ['', 'a', ''];
    const automaton = build(patterns);
    assert.equal(automaton.patternCount, 3);
    const hits = createMatchHits();
    assert.equal(automaton.scan(toCodeUnits('aa'), 2, hits), 2);
    assert.deepEqual([...hits.pattern.subarray(0, 2)], [1, 1]);
    assert.equal(build([]).scan(toCodeUnits('anything'), 8, hits), 0);
    assert.equal(hits.count, 0);
    assert.equal(build(['', '']).scan(toCodeUnits('abc'), 3, hits), 0);
  });

  it('restarts at the root on units that are in no pattern', () => {
    const patterns = ['he'];
    const automaton = build(patterns);
    assert.deepEqual(scanText(automaton, patterns, 'h e'), []);
    assert.deepEqual(scanText(automaton, patterns, 'h\u0000e he'), [['he', 5]]);
  });

  it('scans only codes[0..length) and rejects a length beyond the buffer', () => {
    const automaton = build(['ab']);
    const codes = toCodeUnits('abab');
    const hits = createMatchHits();
    assert.equal(automaton.scan(codes, 3, hits), 1);
    assert.equal(automaton.scan(codes, 0, hits), 0);
    assert.throws(() => automaton.scan(codes, 5, hits), RangeError);
    assert.throws(() => automaton.scan(codes, -1, hits), RangeError);
  });

  it('grows the hit arrays as needed and resets the count on every scan', () => {
    const automaton = build(['a', 'aa']);
    const hits: MatchHits = createMatchHits(1);
    const text = 'a'.repeat(100);
    assert.equal(automaton.scan(toCodeUnits(text), text.length, hits), 199);
    assert.ok(hits.pattern.length >= 199 && hits.end.length >= 199);
    assert.equal(hits.end[198], 99);
    assert.equal(automaton.scan(toCodeUnits('a'), 1, hits), 1);
    assert.equal(hits.count, 1);
  });

  it('accepts any ArrayLike of code units, including 0 and 0xFFFF', () => {
    const automaton = buildAutomaton([[0, 0xffff], new Uint16Array([0xffff, 0xffff])]);
    const hits = createMatchHits();
    assert.equal(automaton.scan(new Uint16Array([0, 0xffff, 0xffff]), 3, hits), 2);
    assert.deepEqual([...hits.pattern.subarray(0, 2)], [0, 1]);
  });

  it('handles a wide alphabet (thousands of distinct CJK characters)', () => {
    const patterns: string[] = [];
    for (let k = 0; k < 3000; k++) {
      patterns.push(String.fromCharCode(0x4e00 + ((k * 7) % 5000), 0x4e00 + ((k * 13) % 5000)));
    }
    const automaton = build(patterns);
    assert.ok(automaton.classCount > 3000);
    const text = patterns.slice(0, 50).join('');
    const found = new Set(scanText(automaton, patterns, text).map(([p]) => p));
    for (const p of patterns.slice(0, 50)) assert.ok(found.has(p), p);
    assert.ok(automaton.byteLength > 0x20000); // the class map alone is 128 KiB
  });

  it('rejects bad patterns and a bad canonical table with LEXICON_INVALID', () => {
    for (const bad of [[[65, 0x10000]], [[1.5]], [[-1]], [[Number.NaN]]]) {
      assert.throws(
        () => buildAutomaton(bad),
        (e: unknown) =>
          e instanceof ConfigError && e.code === 'LEXICON_INVALID' && /patterns\[0\]/.test(e.message),
      );
    }
    assert.throws(
      () => buildAutomaton([[65]], { canonical: new Uint16Array(10) }),
      (e: unknown) => e instanceof ConfigError && e.code === 'LEXICON_INVALID' && /canonical/.test(e.message),
    );
  });
});
