import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Reason } from '../../../src/contracts/types.js';
import { lexiconOf, matchAll } from './helpers.js';

const lexicon = lexiconOf(
  [
    ['加微信', 'ads'],
    ['网赌', 'gambling'],
    ['赌博网站', 'gambling'],
    ['fuck', 'abuse'],
    ['ass', 'abuse'],
    ['操', 'abuse'],
  ],
  ['操作', '增加'],
);

const chatChar = fc.constantFrom(
  ...'加微信网赌博站操作增你好的是了我们群里今天开会，。！？ 、*.-_~😀👍\u200bafkusc1234ABC'.split(''),
  '😀',
  '👨‍👩‍👧',
);
const chatText = fc.array(chatChar, { maxLength: 40 }).map((chars) => chars.join(''));

/** Every reason's span lies inside the text and slices to its match; no (rule, span) twice. */
function assertSpansSound(reasons: readonly Reason[], text: string): void {
  const seen = new Set<string>();
  for (const r of reasons) {
    const [start, end] = r.span!;
    assert.ok(0 <= start && start < end && end <= text.length);
    assert.equal(text.slice(start, end), r.match);
    const key = `${r.rule}@${start}:${end}`;
    assert.ok(!seen.has(key), key);
    seen.add(key);
  }
}

describe('lexicon matcher properties', () => {
  it('reports spans inside the text whose slice is the reported match, each (rule, span) once', () => {
    fc.assert(
      fc.property(chatText, (text) => assertSpansSound(matchAll(lexicon, text), text)),
      { numRuns: 500 },
    );
  });

  const separator = fc.constantFrom('*', '.', ' ', '-', '😀', '\u200b', '~');
  it('finds a term planted with uniform separators between neutral text, spanning exactly the planted part', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('加微信', '网赌', 'fuck'),
        separator,
        fc.constantFrom('', '今天', '好的，', 'ok '),
        fc.constantFrom('', '。', '！明天见', ' lol'),
        (term, sep, before, after) => {
          const planted = [...term].join(sep);
          const text = before + planted + after;
          const reasons = matchAll(lexicon, text);
          const hit = reasons.find((r) => r.match === planted);
          assert.ok(hit, `${JSON.stringify(text)} → ${JSON.stringify(reasons)}`);
          assert.deepEqual(hit.span, [before.length, before.length + planted.length]);
        },
      ),
      { numRuns: 200 },
    );
  });

  // Letters that spell the terms' syllables, glued to their characters, so the respelled view (respell.ts)
  // is built and scanned again all the time.
  const mixedLexicon = lexiconOf(
    [
      ['加微信', 'ads'],
      ['约炮', 'porn'],
      ['赌博', 'gambling'],
    ],
    ['增加'],
  );
  const mixedChar = fc.constantFrom(...'加微信约炮赌博增你好yuepaojiawexndbg Yo*。\u200b'.split(''), '😀');
  const mixedText = fc.array(mixedChar, { maxLength: 40 }).map((chars) => chars.join(''));

  it('mixed pinyin: spans slice to the match, each (rule, span) once, and every one takes a character', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        const reasons = matchAll(mixedLexicon, text);
        assertSpansSound(reasons, text);
        for (const r of reasons) assert.ok(/[加微信约炮赌博]/.test(r.match ?? ''), `${r.rule} ${r.match}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('mixed pinyin: a term with some characters spelled is found, spanning exactly the planted part', () => {
    const spelled: Record<string, string> = {
      加: 'jia',
      微: 'wei',
      信: 'xin',
      约: 'yue',
      炮: 'pao',
      赌: 'du',
      博: 'bo',
    };
    fc.assert(
      fc.property(
        fc.constantFrom('加微信', '约炮', '赌博'),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.constantFrom('', '今天', '好的，', 'ok '),
        fc.constantFrom('', '。', '！明天见', ' lol'),
        (term, spell, before, after) => {
          const chars = [...term];
          const mask = chars.map((_, i) => spell[i]);
          if (mask.every(Boolean) || !mask.some(Boolean)) return; // mixed only
          const planted = chars.map((ch, i) => (mask[i] ? spelled[ch] : ch)).join('');
          const text = before + planted + after;
          const reasons = matchAll(mixedLexicon, text);
          const hit = reasons.find((r) => r.match === planted);
          assert.ok(hit, `${JSON.stringify(text)} → ${JSON.stringify(reasons)}`);
          assert.deepEqual(hit.span, [before.length, before.length + planted.length]);
          assert.ok(hit.evasion?.includes('pinyin'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic and independent of earlier texts (buffers are reused)', () => {
    fc.assert(
      fc.property(chatText, chatText, (a, b) => {
        const first = matchAll(lexicon, b);
        matchAll(lexicon, a);
        assert.deepEqual(matchAll(lexicon, b), first);
      }),
      { numRuns: 200 },
    );
  });
});
