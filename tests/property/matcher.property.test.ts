/**
 * The automaton against a naive O(n·m) matcher: every (pattern, end) occurrence, overlapping and nested
 * ones included, must be reported exactly once per pattern index. Small alphabets make overlaps frequent;
 * CJK and full 16-bit alphabets exercise wide class maps and the double-array placement.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildAutomaton, createMatchHits, toCodeUnits } from '../../src/lexicon/automaton.js';

type Hit = [pattern: number, end: number];

function naiveMatches(patterns: Uint16Array[], text: Uint16Array, canonical?: Uint16Array): Hit[] {
  const map = (u: number): number => (canonical ? canonical[u] : u);
  const hits: Hit[] = [];
  for (let p = 0; p < patterns.length; p++) {
    const pattern = patterns[p];
    if (pattern.length === 0) continue;
    for (let end = pattern.length - 1; end < text.length; end++) {
      let equal = true;
      for (let k = 0; k < pattern.length && equal; k++) {
        equal = map(pattern[k]) === map(text[end - pattern.length + 1 + k]);
      }
      if (equal) hits.push([p, end]);
    }
  }
  return hits;
}

const byEndThenPattern = (a: Hit, b: Hit): number => a[1] - b[1] || a[0] - b[0];

function automatonMatches(patterns: Uint16Array[], text: Uint16Array, canonical?: Uint16Array): Hit[] {
  const automaton = buildAutomaton(patterns, canonical ? { canonical } : {});
  const hits = createMatchHits(2); // small on purpose: growth is exercised too
  const count = automaton.scan(text, text.length, hits);
  assert.equal(count, hits.count);
  const out: Hit[] = [];
  for (let k = 0; k < count; k++) out.push([hits.pattern[k], hits.end[k]]);
  // Reported in order of end unit.
  for (let k = 1; k < out.length; k++) assert.ok(out[k - 1][1] <= out[k][1], 'hits ordered by end');
  return out;
}

function assertSameAsNaive(patterns: Uint16Array[], text: Uint16Array, canonical?: Uint16Array): void {
  const expected = naiveMatches(patterns, text, canonical).sort(byEndThenPattern);
  const actual = automatonMatches(patterns, text, canonical).sort(byEndThenPattern);
  assert.deepEqual(actual, expected);
}

const codesOf = (s: string): Uint16Array => toCodeUnits(s);

/** Strings over a tiny alphabet: patterns overlap and nest all the time. */
const smallAlphabet = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' '), maxLength: 6 });
/** Common CJK plus an astral character (two code units) and some Latin. */
const cjkUnit = fc.constantFrom('加', '微', '信', '薇', '群', '赌', '博', '网', '𠀀', 'v', 'x');
const cjkString = (maxLength: number) => fc.string({ unit: cjkUnit, maxLength });

describe('automaton vs naive matcher (property)', () => {
  it('small alphabets: every overlapping and nested occurrence', () => {
    fc.assert(
      fc.property(
        fc.array(smallAlphabet, { maxLength: 25 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', 'd'), maxLength: 80 }),
        (patterns, text) => {
          assertSameAsNaive(patterns.map(codesOf), codesOf(text));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random CJK strings, texts built from pattern pieces so hits are common', () => {
    fc.assert(
      fc.property(
        fc.array(cjkString(5), { minLength: 1, maxLength: 30 }),
        fc.array(fc.oneof(fc.nat(), cjkString(3)), { maxLength: 20 }),
        (patterns, pieces) => {
          const text = pieces
            .map((piece) => (typeof piece === 'number' ? patterns[piece % patterns.length] : piece))
            .join('');
          assertSameAsNaive(patterns.map(codesOf), codesOf(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('wide alphabets: random CJK code points from the whole unified block', () => {
    const wideUnit = fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c));
    const wide = (maxLength: number) => fc.string({ unit: wideUnit, minLength: 1, maxLength });
    fc.assert(
      fc.property(
        fc.array(wide(4), { minLength: 1, maxLength: 200 }),
        fc.array(fc.oneof(fc.nat(), wide(3)), { maxLength: 40 }),
        (patterns, pieces) => {
          const text = pieces
            .map((piece) => (typeof piece === 'number' ? patterns[piece % patterns.length] : piece))
            .join('');
          assertSameAsNaive(patterns.map(codesOf), codesOf(text));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('any 16-bit code units, patterns cut from the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 6 })), { maxLength: 20 }),
        (textUnits, cuts) => {
          const text = Uint16Array.from(textUnits);
          const patterns = cuts.map(([at, length]) =>
            text.slice(at % text.length, (at % text.length) + length),
          );
          assertSameAsNaive(patterns, text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a canonical table merges codes for patterns and text alike', () => {
    const letters = ['a', 'b', 'c', 'A', 'B', 'C', '微', '薇'];
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 4 }), {
          maxLength: 15,
        }),
        fc.string({ unit: fc.constantFrom(...letters, ' '), maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom(...letters), fc.constantFrom(...letters)), { maxLength: 4 }),
        (patterns, text, merges) => {
          const canonical = new Uint16Array(0x10000);
          for (let code = 0; code < canonical.length; code++) canonical[code] = code;
          for (const [from, to] of merges) canonical[from.charCodeAt(0)] = canonical[to.charCodeAt(0)];
          assertSameAsNaive(patterns.map(codesOf), codesOf(text), canonical);
        },
      ),
      { numRuns: 200 },
    );
  });
});
