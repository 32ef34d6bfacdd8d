import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnglishPinyinStoplist } from '../../../src/lexicon/english-stoplist.js';
import { pinyinForms } from '../../../src/lexicon/index.js';
import { tables } from './helpers.js';

const codes = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));
const stoplist = createEnglishPinyinStoplist();
const forms = (term: string, maxForms = 4, minLetters = 5): string[] =>
  pinyinForms(codes(term), tables, { stoplist, minLetters, maxForms }).map((f) => f.letters);

describe('phonetic tables', () => {
  const syllable = (ch: string): string => tables.syllables[tables.syllableOf[ch.charCodeAt(0)]];

  it('give every common CJK character its toneless default reading', () => {
    assert.equal(syllable('微'), 'wei');
    assert.equal(syllable('赌'), 'du');
    assert.equal(syllable('绿'), 'lü');
    assert.equal(tables.syllableOf['a'.charCodeAt(0)], 0);
    assert.equal(tables.syllableOf['，'.charCodeAt(0)], 0);
  });

  it('map same-sound characters to one canonical character and leave the rest alone', () => {
    const canon = (ch: string): number => tables.canonical[ch.charCodeAt(0)];
    assert.equal(canon('微'), canon('薇'));
    assert.equal(canon('微'), canon('威'));
    assert.equal(canon('赌'), canon('读'));
    assert.notEqual(canon('微'), canon('信'));
    assert.notEqual(canon('女'), canon('奴')); // nü ≠ nu
    assert.equal(canon('v'), 'v'.charCodeAt(0));
  });

  it('list the readings of heteronyms, default first', () => {
    const readings = tables.readings('行'.charCodeAt(0)).map((id) => tables.syllables[id]);
    assert.equal(readings[0], 'xing');
    assert.ok(readings.includes('hang'));
    assert.deepEqual(tables.readings('a'.charCodeAt(0)), []);
  });
});

describe('pinyinForms', () => {
  it('spells a term and remembers where each syllable starts', () => {
    const [form] = pinyinForms(codes('加微信'), tables, { stoplist, minLetters: 5, maxForms: 4 });
    assert.deepEqual(form, { letters: 'jiaweixin', syllableStarts: [0, 3, 6] });
  });

  it('puts the reading in context first, then the default reading', () => {
    const spelled = forms('银行卡');
    assert.equal(spelled[0], 'yinhangka');
    assert.ok(spelled.includes('yinxingka'));
  });

  it('spells ü both as v and as u', () => {
    assert.deepEqual(forms('绿色', 4, 4), ['lvse', 'luse']);
    assert.deepEqual(forms('绿色'), []); // 4 letters: too short by default
    assert.deepEqual(forms('旅游团'), ['lvyoutuan', 'luyoutuan']);
  });

  it('does not spell out rare readings of single characters', () => {
    assert.deepEqual(forms('吸毒品'), ['xidupin']); // 毒 also reads dai
  });

  it('drops spellings that are too short or English words, and caps the count', () => {
    assert.deepEqual(forms('赌博'), []); // dubo
    assert.deepEqual(forms('嫦娥'), []); // change
    assert.ok(forms('重重行行', 3).length <= 3);
  });

  it('returns nothing for a term with a non-CJK unit', () => {
    assert.deepEqual(forms('加v'), []);
    assert.deepEqual(forms(''), []);
  });
});
