import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EV_CASE,
  EV_LEET,
  EV_TRADITIONAL,
  createFoldBuffer,
  createFolder,
  evasionBit,
  evasionNames,
  growFoldBuffer,
} from '../../../src/fold/index.js';
import { folded, runs, view } from './helpers.js';

const folder = createFolder();

describe('FoldBuffer', () => {
  it('grows to the text and is reused without reallocating when large enough', () => {
    const buf = createFoldBuffer(16);
    const long = '加微信'.repeat(20);
    folder.fold(long, buf);
    assert.ok(buf.codes.length >= long.length);
    assert.equal(buf.length, 60);
    const arrays = [buf.codes, buf.start, buf.end, buf.gap, buf.flags, buf.run];
    const out = folder.fold('发财', buf);
    assert.equal(out, buf, 'returns the buffer it was given');
    assert.deepEqual([buf.codes, buf.start, buf.end, buf.gap, buf.flags, buf.run], arrays, 'same arrays');
    assert.equal(buf.length, 2);
  });

  it('gives the same result whatever the buffer held before', () => {
    const used = createFoldBuffer(4);
    folder.fold('ＦＵＵＵＣＫ，加加加 微 信！'.repeat(5), used);
    const fresh = createFoldBuffer(4);
    const text = 'f4ck 加 微';
    folder.fold(text, used);
    folder.fold(text, fresh);
    const slice = (b: typeof used) =>
      [b.codes, b.start, b.end, b.gap, b.flags, b.run].map((a) => Array.from(a.subarray(0, b.length)));
    assert.deepEqual(slice(used), slice(fresh));
  });

  it('grows mid-text when expansions produce more units than code units', () => {
    const buf = createFoldBuffer(16);
    const text = '⑩'.repeat(40); // every character → "10", no repeats across sources
    folder.fold(text, buf);
    assert.equal(buf.length, 80);
    assert.equal(buf.start[79], 39);
    assert.equal(buf.end[79], 40);
  });

  it('keeps room for the rest of the text after an expansion', () => {
    const buf = createFoldBuffer(16);
    const text = '⑩' + '𠀀'.repeat(10); // 1 + 20 code units → 2 + 20 units
    folder.fold(text, buf);
    assert.equal(buf.length, 22);
    assert.equal(buf.end[21], text.length);
  });

  it('keeps units already written when grown explicitly', () => {
    const buf = createFoldBuffer(16);
    folder.fold('加微信', buf);
    growFoldBuffer(buf, 1000);
    assert.ok(buf.codes.length >= 1000);
    assert.equal(String.fromCharCode(...buf.codes.subarray(0, 3)), '加微信');
  });

  it('caps run counts at 65535 but keeps extending the span', () => {
    const text = 'a'.repeat(70_000);
    const units = view(folder, text);
    assert.equal(units.length, 1);
    assert.equal(units[0].run, 65_535);
    assert.deepEqual(units[0].span, [0, 70_000]);
  });

  it('folds the empty string and separator-only text to nothing', () => {
    assert.equal(folded(folder, ''), '');
    assert.equal(folded(folder, ' *，😀\u200b '), '');
  });

  it('keeps lone surrogates as single units instead of losing offsets', () => {
    const units = view(folder, 'a\ud800b\udc00');
    assert.deepEqual(
      units.map((u) => u.span),
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
      ],
    );
  });

  it('keeps unfolded astral characters as their two units, both mapping to the pair', () => {
    const units = view(folder, '好𠀀好');
    assert.deepEqual(
      units.map((u) => u.span),
      [
        [0, 1],
        [1, 3],
        [1, 3],
        [3, 4],
      ],
    );
    assert.equal(folded(folder, '𠀀'), '𠀀');
  });
});

describe('foldTerm', () => {
  it('folds a lexicon term exactly like text, trimmed to its length', () => {
    const term = folder.foldTerm('加 薇 信');
    assert.equal(term.text, '加薇信');
    assert.equal(term.length, 3);
    assert.equal(term.codes.length, 3);
    assert.deepEqual(Array.from(term.gap), [0, 2, 2]);
    assert.deepEqual(Array.from(term.run), [1, 1, 1]);
    assert.deepEqual(Array.from(term.start), [0, 2, 4]);
    assert.equal(folder.foldTerm('發財').flags[0] & EV_TRADITIONAL, EV_TRADITIONAL);
  });

  it('returns copies that later folds do not overwrite', () => {
    const a = folder.foldTerm('FUCK');
    folder.foldTerm('something else entirely');
    assert.equal(String.fromCharCode(...a.codes), 'fuck');
    assert.equal(a.flags[0] & EV_CASE, EV_CASE);
  });

  it('agrees with fold on disguised forms of the same term', () => {
    const term = folder.foldTerm('加微信').text;
    for (const text of ['加*微*信', '加 微 信', '加微\u200b信', '加加微信', '加微信']) {
      assert.equal(folder.foldToString(text), term, text);
    }
    const latin = folder.foldTerm('fuck').text;
    for (const text of ['FUCK', 'f.u.c.k', 'fuuuck', 'ｆｕｃｋ', 'fսсk', 'f\u0336u\u0336c\u0336k']) {
      assert.equal(folder.foldToString(text), latin, text);
    }
    assert.equal(folder.foldTerm('shit').text, folder.foldToString('sh!t'));
  });

  it('offers the literal spelling of a term whose digits fold as leet', () => {
    const forms = folder.foldTermForms('betfast74').map((t) => t.text);
    assert.deepEqual(forms, ['betfasta', 'betfast74']);
    assert.ok(forms.includes(folder.foldToString('betfast74')));
    assert.ok(forms.includes(folder.foldToString('b*e*t*f*a*s*t*7*4')));
    assert.ok(forms.includes(folder.foldToString('betfast 74')));
    assert.deepEqual(
      folder.foldTermForms('3p').map((t) => t.text),
      ['ep', '3p'],
    );
  });

  it('offers one form for terms without leet digits', () => {
    assert.deepEqual(
      folder.foldTermForms('加微信').map((t) => t.text),
      ['加微信'],
    );
    assert.deepEqual(
      folder.foldTermForms('qq123456').map((t) => t.text),
      ['q123456'],
    );
    assert.deepEqual(
      folder.foldTermForms('a$$').map((t) => t.text),
      ['as'],
    );
    assert.deepEqual(
      createFolder({ leet: false })
        .foldTermForms('betfast74')
        .map((t) => t.text),
      ['betfast74'],
    );
  });

  it('reports a term that folds to nothing as empty', () => {
    assert.equal(folder.foldTerm('***').length, 0);
    assert.equal(folder.foldTerm('\u200b').text, '');
  });
});

describe('options', () => {
  it('fills in defaults and exposes them', () => {
    assert.deepEqual(folder.options, {
      width: true,
      case: true,
      traditional: true,
      lookalike: true,
      leet: true,
      repeats: true,
    });
  });

  it('can switch each folding off', () => {
    assert.equal(createFolder({ width: false }).foldToString('ｆｕｃｋ'), 'ｆｕｃｋ');
    assert.equal(createFolder({ case: false }).foldToString('FuCk'), 'FuCk');
    assert.equal(createFolder({ traditional: false }).foldToString('發財'), '發財');
    assert.equal(createFolder({ lookalike: false }).foldToString('vіаgrа'), 'vіаgrа');
    const noRepeats = createFolder({ repeats: false });
    assert.equal(noRepeats.foldToString('fuuuck'), 'fuuuck');
    assert.deepEqual(runs(noRepeats, 'fuuuck'), [1, 1, 1, 1, 1, 1]);
  });
});

describe('evasion names', () => {
  it('maps bits to the names in contracts EVASIONS order', () => {
    assert.deepEqual(evasionNames(EV_CASE | EV_LEET), ['case', 'leet']);
    assert.deepEqual(evasionNames(0), []);
    assert.equal(evasionBit('traditional'), EV_TRADITIONAL);
    assert.equal(evasionBit('leet'), EV_LEET);
  });
});
