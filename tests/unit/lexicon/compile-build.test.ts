/**
 * What the build-speed work on the compiler must keep exactly: the lexicon version (golden values computed
 * before the rewrite), which terms merge, and the pinyin spellings the speller produces term after term.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnglishPinyinStoplist } from '../../../src/lexicon/english-stoplist.js';
import { lexiconVersion, pinyinForms } from '../../../src/lexicon/index.js';
import { PinyinSpeller } from '../../../src/lexicon/pinyin.js';
import { lexiconOf, matchAll, tables } from './helpers.js';

describe('lexicon version', () => {
  it('keeps its format (golden values)', () => {
    assert.equal(
      lexiconVersion([], []),
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(
      lexiconVersion([{ term: '刷单', category: 'ads' }], ['操作']),
      'sha256:391831f899fd1cb5463f2048f0b46899bc41560c63046346aba6eac9351280ab',
    );
    assert.equal(
      lexiconVersion(
        [
          { term: '刷单', category: 'ads', severity: 3, dryRun: true },
          { term: 'fuck', category: 'abuse', boundary: 'any', phonetic: false, plain: true },
          { term: '微信', category: 'ads', plain: false },
          { term: '刷单', category: 'ads', severity: 3, dryRun: true },
          { term: 'a\tb', category: 'ads' },
          { term: 'ab', category: 'ads' },
          { term: '', category: 'porn' },
        ],
        ['操作', { phrase: '体操' }, '操作', ''],
      ),
      'sha256:780de8e0995a9831d1ffb77ee48ddaa10454052ab4d2ed09d889f469fb3adc92',
    );
  });

  it('does not depend on the order of terms or allow phrases', () => {
    const terms = Array.from({ length: 3000 }, (_, i) => ({
      term: `t${i % 2000}`,
      category: 'ads' as const,
    }));
    const allow = ['x', 'y', 'x'];
    assert.equal(lexiconVersion(terms, allow), lexiconVersion([...terms].reverse(), [...allow].reverse()));
  });
});

describe('term merging', () => {
  it('merges terms that fold alike within a category, keeping runs apart', () => {
    const lexicon = lexiconOf([
      ['FUCK', 'abuse'],
      ['fuck', 'abuse'],
      ['fuck', 'porn'],
      ['ass', 'abuse'],
      ['as', 'abuse'],
      ['asss', 'abuse'],
      { term: 'ａｓｓ', category: 'abuse', severity: 3 },
    ]);
    assert.equal(lexicon.termCount, 5);
    const rules = (text: string) => matchAll(lexicon, text).map((r) => `${r.rule}/${r.severity}`);
    // The first spelling names the rule; the later definition's attributes win.
    assert.deepEqual(rules('fuck'), ['abuse:FUCK/2', 'porn:fuck/3']);
    assert.deepEqual(rules('ass'), ['abuse:ass/3']);
    assert.deepEqual(rules('as'), ['abuse:as/2']);
    assert.deepEqual(rules('asss'), ['abuse:asss/2']);
  });
});

describe('PinyinSpeller', () => {
  const options = { stoplist: createEnglishPinyinStoplist(), minLetters: 5, maxForms: 4 };
  const codes = (text: string) => Uint16Array.from([...text].map((ch) => ch.charCodeAt(0)));

  it('spells term after term like pinyinForms, runs expanded', () => {
    const speller = new PinyinSpeller(tables, options);
    for (const term of [
      '银行卡',
      '加微信',
      '旅游团',
      '重重行行',
      '哈哈哈哈',
      '赌博',
      '加v',
      '长长久久的银行',
    ]) {
      const units = codes(term);
      const spelled = speller.spell(units, undefined, 0, units.length).map((f) => ({ ...f }));
      assert.deepEqual(spelled, pinyinForms(units, tables, options), term);
    }
    // 哈 with a run of 3 spells like 哈哈哈.
    const folded = codes('x哈y');
    const run = Uint16Array.from([1, 3, 1]);
    assert.deepEqual(
      speller.spell(folded, run, 1, 2).map((f) => f.letters),
      pinyinForms(codes('哈哈哈'), tables, options).map((f) => f.letters),
    );
  });
});

describe('phonetic tables from toned readings', () => {
  it('list every character’s readings as pinyin-pro’s toneless output does', async () => {
    const { pinyin, polyphonic } = await import('pinyin-pro');
    let all = '';
    for (let code = 0x3400; code <= 0x4dbf; code++) all += String.fromCharCode(code);
    for (let code = 0x4e00; code <= 0x9fff; code++) all += String.fromCharCode(code);
    const toneless = polyphonic(all, { toneType: 'none', type: 'array' });
    for (let k = 0; k < all.length; k++) {
      const expected = [...new Set(toneless[k].filter((r) => /^[a-zü]+$/.test(r)))];
      const actual = tables.readings(all.charCodeAt(k)).map((id) => tables.syllables[id]);
      if (actual.join() !== expected.join()) assert.deepEqual(actual, expected, all[k]);
    }
    for (const term of ['银行卡', '重庆', '了解', '不对', '一样', '长大了', '绿色']) {
      const plain = pinyin(term, { toneType: 'none', type: 'array' });
      const toned = pinyin(term, { toneType: 'symbol', type: 'array' });
      assert.deepEqual(
        toned.map((s) => tables.tonedSyllableId(s)),
        plain.map((s) => tables.syllableId(s)),
        term,
      );
    }
  });
});
