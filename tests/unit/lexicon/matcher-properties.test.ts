import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

describe('lexicon matcher properties', () => {
  it('reports spans inside the text whose slice is the reported match, each (rule, span) once', () => {
    fc.assert(
      fc.property(chatText, (text) => {
        const seen = new Set<string>();
        for (const r of matchAll(lexicon, text)) {
          const [start, end] = r.span!;
          assert.ok(0 <= start && start < end && end <= text.length);
          assert.equal(text.slice(start, end), r.match);
          const key = `${r.rule}@${start}:${end}`;
          assert.ok(!seen.has(key), key);
          seen.add(key);
        }
      }),
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
