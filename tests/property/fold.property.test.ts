import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GAP_HARD, GAP_NONE, createFoldBuffer, createFolder } from '../../src/fold/index.js';
import type { FoldBuffer } from '../../src/fold/index.js';

const folder = createFolder();
const buf = createFoldBuffer(8);

/** Characters that exercise every folding and every class in the tables. */
const INTERESTING = [
  '加',
  '微',
  '信',
  '發',
  '財',
  '裡',
  '啟',
  '𠀀',
  '𪚥',
  '⼈',
  '兀',
  'a',
  'b',
  'F',
  'U',
  'c',
  'k',
  's',
  'h',
  't',
  'q',
  'Ａ',
  'ｆ',
  'Ⓐ',
  'ⓤ',
  '⒜',
  '🄰',
  '🅰',
  '𝐀',
  '𝕗',
  'ﬁ',
  'ǅ',
  'é',
  'e\u0301',
  'ø',
  'а',
  'с',
  'ο',
  'Η',
  'η',
  'μ',
  'ս',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '7',
  '9',
  '４',
  '①',
  '⑩',
  '❿',
  '²',
  '½',
  '!',
  '@',
  '$',
  '！',
  '＠',
  '*',
  '.',
  '_',
  '-',
  '~',
  '/',
  '|',
  '+',
  '#',
  '…',
  '™',
  '㎏',
  ' ',
  '\t',
  '\u3000',
  '\u00a0',
  '\n',
  '\r\n',
  '，',
  '。',
  '？',
  '、',
  ':',
  ';',
  '\u200b',
  '\u200d',
  '\ufe0f',
  '\ufeff',
  '\u00ad',
  '\u0336',
  '\u202e',
  '\u{e0101}',
  '\u{e0067}',
  '\u20e3',
  '😀',
  '👍🏽',
  '👨\u200d👩\u200d👧',
  '🇨🇳',
  '❤️',
];

const interestingChar = fc.constantFrom(...INTERESTING);
const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((cp) => cp < 0xd800 || cp > 0xdfff)
  .map((cp) => String.fromCodePoint(cp));
const piece = fc.oneof(
  { weight: 5, arbitrary: interestingChar },
  { weight: 2, arbitrary: anyCodePoint },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));
const malformedText = fc
  .array(fc.oneof(piece, loneSurrogate), { maxLength: 30 })
  .map((parts) => parts.join(''));

const isHigh = (u: number) => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number) => u >= 0xdc00 && u <= 0xdfff;

/** Does cutting `s` at `at` split a surrogate pair? */
function splitsPair(s: string, at: number): boolean {
  return at > 0 && at < s.length && isHigh(s.charCodeAt(at - 1)) && isLow(s.charCodeAt(at));
}

function checkOffsets(s: string, b: FoldBuffer): void {
  assert.ok(b.length <= b.codes.length);
  for (let i = 0; i < b.length; i++) {
    const start = b.start[i];
    const end = b.end[i];
    assert.ok(start >= 0 && end <= s.length, `unit ${i} [${start}, ${end}) within [0, ${s.length}]`);
    assert.ok(start < end, `unit ${i} span is not empty`);
    assert.ok(!splitsPair(s, start) && !splitsPair(s, end), `unit ${i} does not split a surrogate pair`);
    assert.ok(b.run[i] >= 1, 'run >= 1');
    assert.ok(b.gap[i] <= GAP_HARD, 'gap kind');
    if (i + 1 < b.length) {
      const sameSource = b.start[i + 1] === start;
      if (sameSource) {
        // Units from one original character (a kept surrogate pair, an expansion) share its span.
        assert.equal(b.end[i + 1], end, `units ${i}, ${i + 1} share one source`);
      } else {
        assert.ok(b.start[i + 1] > start, `start increases at ${i + 1}`);
        assert.ok(end <= b.start[i + 1], `unit ${i} ends before unit ${i + 1} starts`);
      }
    }
  }
}

describe('fold (properties)', () => {
  it('maps every unit back to a non-empty, in-order, pair-safe span of the original', () => {
    fc.assert(
      fc.property(text, (s) => {
        checkOffsets(s, folder.fold(s, buf));
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps offsets well-formed on malformed text (lone surrogates)', () => {
    fc.assert(
      fc.property(malformedText, (s) => {
        const b = folder.fold(s, buf);
        for (let i = 0; i < b.length; i++) {
          assert.ok(b.start[i] >= 0 && b.start[i] < b.end[i] && b.end[i] <= s.length);
          if (i + 1 < b.length)
            assert.ok(
              b.start[i + 1] >= b.start[i] && (b.start[i + 1] === b.start[i] || b.end[i] <= b.start[i + 1]),
            );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('maps any folded range [a, b) back to a well-formed slice of the original', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (s, x, y) => {
        const b = folder.fold(s, buf);
        fc.pre(b.length > 0);
        const a = x % b.length;
        const e = a + 1 + (y % (b.length - a));
        const from = b.start[a];
        const to = b.end[e - 1];
        assert.ok(from < to && to <= s.length);
        assert.ok(!splitsPair(s, from) && !splitsPair(s, to));
        assert.equal(s.slice(from, to).isWellFormed?.() ?? true, true);
      }),
      { numRuns: 800 },
    );
  });

  it('never lets a repeat absorb units across sentence punctuation, and only identical ones', () => {
    fc.assert(
      fc.property(text, (s) => {
        const b = folder.fold(s, buf);
        // Units that share one source character (expansions such as ⑩ → 1 0, kept surrogate pairs) never
        // take part in collapsing; any other two adjacent identical units must have been collapsed unless
        // sentence punctuation separates them, or a gap does and a word goes on from the second one (it
        // begins that word: `fuck kids`, `a aa`).
        const shared = (k: number) =>
          (k > 0 && b.start[k] === b.start[k - 1]) || (k + 1 < b.length && b.start[k] === b.start[k + 1]);
        const beginsWord = (k: number) =>
          b.gap[k] !== GAP_NONE && (b.run[k] > 1 || (k + 1 < b.length && b.gap[k + 1] === GAP_NONE));
        for (let i = 1; i < b.length; i++) {
          if (b.codes[i] !== b.codes[i - 1] || b.gap[i] === GAP_HARD || beginsWord(i)) continue;
          const surrogate = b.codes[i] >= 0xd800 && b.codes[i] <= 0xdfff;
          assert.ok(
            shared(i) || shared(i - 1) || surrogate,
            `units ${i - 1}, ${i} are identical but not collapsed`,
          );
        }
      }),
      { numRuns: 800 },
    );
  });

  // Without gaps: foldToString drops them, and folding its output again may then collapse a repeat that a
  // gap had kept apart (`a aa` → `aa` → `a`).
  it('is idempotent on plain lowercase ASCII and CJK without gaps', () => {
    const plain = fc
      .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz', '加', '微', '信', '发', '财', '红', '包'), {
        maxLength: 40,
      })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(plain, (s) => {
        const once = folder.foldToString(s);
        assert.equal(folder.foldToString(once), once);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with foldTerm for any string (text and lexicon terms fold alike)', () => {
    fc.assert(
      fc.property(text, (s) => {
        const term = folder.foldTerm(s);
        const b = folder.fold(s, buf);
        assert.equal(term.length, b.length);
        assert.deepEqual(Array.from(term.codes), Array.from(b.codes.subarray(0, b.length)));
        assert.deepEqual(Array.from(term.run), Array.from(b.run.subarray(0, b.length)));
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on what the buffer held before', () => {
    fc.assert(
      fc.property(text, text, (first, second) => {
        folder.fold(first, buf);
        folder.fold(second, buf);
        const fresh = folder.fold(second, createFoldBuffer(1));
        assert.equal(buf.length, fresh.length);
        for (const k of ['codes', 'start', 'end', 'gap', 'flags', 'run'] as const) {
          assert.deepEqual(
            Array.from(buf[k].subarray(0, buf.length)),
            Array.from(fresh[k].subarray(0, fresh.length)),
            k,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
