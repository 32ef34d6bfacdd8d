/**
 * One-unit patterns found by a table lookup (CompileOptions.singleUnitLookup) must give exactly the Reasons,
 * in exactly the order, that the automaton gives: same lexicon, same text, both ways. Alphabets are small and
 * mixed on purpose: same-sound characters (加/家/佳, 微/薇/威), repeats, separators, expansions (⑩ → 1 0, which
 * puts several units on one source character) and allow phrases that overlap the terms.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Category, Reason } from '../../src/contracts/types.js';
import { createFolder } from '../../src/fold/index.js';
import { compileLexicon, createPhoneticTables } from '../../src/lexicon/index.js';
import type { CompiledLexicon, TermSource } from '../../src/lexicon/index.js';

const folder = createFolder();
const tables = createPhoneticTables();

const termUnit = fc.constantFrom('加', '家', '佳', '微', '薇', '威', '信', '操', '草', '1', '0', 'x');
const textUnit = fc.constantFrom(
  '加',
  '家',
  '佳',
  '微',
  '薇',
  '威',
  '信',
  '操',
  '草',
  '作',
  '1',
  '0',
  'x',
  '⑩',
  ' ',
  '*',
  '！',
  'X',
);
const categories: Category[] = ['ads', 'abuse', 'porn'];

const lexiconSpec = fc.record({
  terms: fc.array(
    fc.record({
      term: fc.string({ unit: termUnit, minLength: 1, maxLength: 3 }),
      category: fc.constantFrom(...categories),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  allow: fc.array(fc.string({ unit: termUnit, minLength: 1, maxLength: 3 }), { maxLength: 3 }),
});

function compile(terms: TermSource[], allow: string[], singleUnitLookup: boolean): CompiledLexicon {
  return compileLexicon({ terms, allow }, { folder, tables, singleUnitLookup });
}

function reasons(lexicon: CompiledLexicon, text: string): Reason[] {
  const out: Reason[] = [];
  lexicon.match(text, out);
  return out;
}

describe('one-unit patterns: table lookup vs automaton (property)', () => {
  it('gives the same reasons in the same order', () => {
    fc.assert(
      fc.property(
        lexiconSpec,
        fc.array(fc.string({ unit: textUnit, maxLength: 14 }), { minLength: 1, maxLength: 6 }),
        (spec, texts) => {
          const terms: TermSource[] = spec.terms.map((t) => ({ ...t }));
          const viaAutomaton = compile(terms, spec.allow, false);
          const viaLookup = compile(terms, spec.allow, true);
          for (const text of texts)
            assert.deepEqual(reasons(viaLookup, text), reasons(viaAutomaton, text), text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds one-character terms in a lexicon with many of them (the lookup is the default there)', () => {
    const singles =
      '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可'.split(
        '',
      );
    assert.ok(singles.length >= 32);
    const lexicon = compileLexicon(
      {
        terms: [
          ...singles.map((term) => ({ term, category: 'abuse' as const })),
          { term: '加微信', category: 'ads' },
        ],
      },
      { folder, tables },
    );
    const found = reasons(lexicon, '你加薇信了').map((r) => `${r.rule}|${r.match}`);
    assert.deepEqual(found, ['abuse:你|你', 'ads:加微信|加薇信', 'abuse:了|了']);
    // Same-sound characters of a one-character term are never reported (乐 and 勒 sound like 了).
    assert.deepEqual(reasons(lexicon, '快乐勒索'), []);
  });
});
