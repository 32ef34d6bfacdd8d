/**
 * Properties of the detectors over arbitrary text: they never throw (lone surrogates included), every
 * reported span lies inside the text, and the text at the span is exactly the reported match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Message, Reason } from '../../src/contracts/types.js';
import { createDetectors } from '../../src/detect/index.js';

// Every rule on, so every code path is exercised.
const detectors = createDetectors({
  links: {
    allowDomains: ['company.com', 'github.com', '例子.中国'],
    denyDomains: ['evil.io'],
    unknown: true,
    ipLiteral: { ranges: 'all' },
  },
  pii: { cnId: { legacy15: true } },
  mentions: { maxMentions: 2 },
});

/** Any UTF-16 code unit, lone surrogates included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Pieces that trigger the detectors, glued together at random. */
const piece = fc.oneof(
  fc.constantFrom(
    'https://',
    'http：／／',
    'www.',
    '.',
    '。',
    '．',
    '点',
    '[.]',
    '@',
    '＠',
    ':',
    '/',
    '?',
    '#',
    '-',
    ' ',
    '+86',
    '0086',
    'X',
    'x',
    'Ｘ',
    '全体成员',
    'all',
    'com',
    'cn',
    'io',
    'xn--',
    'company',
    'c0mpany',
    'evil',
    '中国',
    'а',
    'о',
    '138',
    '0013',
    '8000',
    '13800138000',
    '１３８',
    '4111111111111111',
    '11010519491231002X',
    '6222',
    '\u200b',
    '\ud83d\ude00',
    '\ud800',
    '\udc00',
    '(',
    ')',
    '[',
    ']',
    '_',
    'I',
    'rn',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 6 }),
  fc.integer({ min: 0, max: 99999999 }).map(String),
  anyUnit,
);

const chatText = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
const arbitraryText = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  chatText,
);

function judge(text: string, mentions?: string[]): Reason[] {
  const m: Message = { id: 'p:1:1', platform: 'p', groupId: '1', userId: 'u', text, ts: 0 };
  if (mentions) m.mentions = mentions;
  const out: Reason[] = [];
  detectors.detect(m, out);
  return out;
}

describe('detectors: properties', () => {
  it('never throw, and every span lies in the text and covers exactly its match', () => {
    fc.assert(
      fc.property(
        arbitraryText,
        fc.option(fc.array(fc.string({ maxLength: 4 }), { maxLength: 6 }), { nil: undefined }),
        (text, mentions) => {
          for (const r of judge(text, mentions)) {
            assert.ok(['link', 'pii', 'mention'].includes(r.detector));
            assert.ok(Number.isInteger(r.severity));
            if (r.span === undefined) {
              assert.equal(r.match, undefined);
              continue;
            }
            const [start, end] = r.span;
            assert.ok(Number.isInteger(start) && Number.isInteger(end));
            assert.ok(
              start >= 0 && start < end && end <= text.length,
              `span [${start}, ${end}) in ${text.length}`,
            );
            assert.equal(text.slice(start, end), r.match);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('report the same reasons for the same text (no state leaks between messages)', () => {
    fc.assert(
      fc.property(chatText, chatText, (a, b) => {
        const first = judge(a);
        judge(b);
        assert.deepEqual(judge(a), first);
      }),
      { numRuns: 300 },
    );
  });

  it('find a planted mobile number wherever it is put between Chinese words', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('我', '的', '电', '话', '是', '，', '。', ' '), maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('谢', '谢', '！', ' ', '。'), maxLength: 8 }),
        (before, after) => {
          const text = `${before}13912345678${after}`;
          const found = judge(text).filter((r) => r.rule === 'pii:mobile');
          assert.equal(found.length, 1);
          assert.equal(found[0].match, '13912345678');
        },
      ),
      { numRuns: 200 },
    );
  });
});
