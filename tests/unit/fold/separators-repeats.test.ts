import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GAP_HARD,
  GAP_NONE,
  GAP_SOFT,
  GAP_SPACE,
  createFoldBuffer,
  createFolder,
} from '../../../src/fold/index.js';
import { allEvasions, folded, gaps, mapBack, runs, view } from './helpers.js';

const folder = createFolder();

describe('noise separators', () => {
  it('drops symbols, emoji and ASCII punctuation between characters as soft gaps', () => {
    assert.equal(folded(folder, '加*微*信'), '加微信');
    assert.equal(gaps(folder, '加*微*信'), '.ss');
    // Bopomofo tone marks are letters to Unicode (Lm), noise here.
    assert.equal(folded(folder, '加ˉ微ˊ信ˇ'), '加微信');
    assert.equal(gaps(folder, '加ˉ微ˊ信'), '.ss');
    assert.equal(folded(folder, 'f.u.c.k'), 'fuck');
    assert.equal(gaps(folder, 'f.u.c.k'), '.sss');
    for (const sep of [
      '*',
      '.',
      '_',
      '-',
      '~',
      '/',
      '|',
      '+',
      '#',
      '^',
      '=',
      '"',
      "'",
      '(',
      '【',
      '·',
      '❤',
      '★',
      '…',
      '～',
    ]) {
      assert.equal(gaps(folder, `加${sep}微${sep}信`), '.ss', JSON.stringify(sep));
    }
  });

  it('treats emoji, ZWJ sequences, skin tones and flags as one soft gap', () => {
    for (const emoji of [
      '😀',
      '👍🏽',
      '👨\u200d👩\u200d👧',
      '🇨🇳',
      '❤️',
      '#️⃣',
      '🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}',
    ]) {
      const units = view(folder, `加${emoji}微信`);
      assert.equal(units.map((u) => u.unit).join(''), '加微信', emoji);
      assert.equal(units[1].gap, GAP_SOFT, emoji);
      assert.deepEqual(units[1].evasions, [], emoji);
    }
  });

  it('records white space as a space gap', () => {
    assert.equal(folded(folder, '加 微 信'), '加微信');
    assert.equal(gaps(folder, '加 微\t信'), '.__');
    assert.equal(gaps(folder, '加\u3000微\u00a0信'), '.__'); // ideographic space, no-break space
    for (const blank of ['\u3164', '\u115f', '\u1160', '\uffa0', '\u2800']) {
      assert.equal(
        gaps(folder, `加${blank}微`),
        '._',
        `U+${blank.charCodeAt(0).toString(16)} (blank letter)`,
      );
    }
  });

  it('records sentence punctuation and line breaks as hard gaps', () => {
    for (const p of [
      '，',
      '。',
      '！',
      '？',
      '；',
      '：',
      '、',
      ',',
      ';',
      '!',
      '?',
      ':',
      '\n',
      '\r\n',
      '\u2028',
    ]) {
      assert.equal(gaps(folder, `加${p}微`), '.|', JSON.stringify(p));
    }
  });

  it('keeps the strongest gap kind seen between two units', () => {
    assert.equal(view(folder, '加 * 微')[1].gap, GAP_SPACE);
    assert.equal(view(folder, '加*，* 微')[1].gap, GAP_HARD);
    assert.equal(view(folder, '加*😀*微')[1].gap, GAP_SOFT);
    assert.equal(view(folder, '加微')[1].gap, GAP_NONE);
  });

  it('keeps what precedes the first unit in gap[0]', () => {
    assert.equal(view(folder, '  加')[0].gap, GAP_SPACE);
    assert.equal(view(folder, '加')[0].gap, GAP_NONE);
  });

  it('keeps the word boundary of …再增加，微信群里… visible as a hard gap', () => {
    const text = '…再增加，微信群里…';
    const units = view(folder, text);
    assert.equal(units.map((u) => u.unit).join(''), '再增加微信群里');
    const wei = units.findIndex((u) => u.unit === '微');
    assert.equal(units[wei].gap, GAP_HARD);
    assert.equal(units[wei - 1].unit, '加');
  });

  it('maps a separated match back over its separators', () => {
    assert.equal(mapBack(folder, '快加 微 信', 1, 4), '加 微 信');
    assert.equal(mapBack(folder, 'so f.u.c.k.', 2, 6), 'f.u.c.k');
  });
});

describe('repeats', () => {
  it('collapses repeated letters into one unit with a run count', () => {
    assert.equal(folded(folder, 'fuuuck'), 'fuck');
    assert.deepEqual(runs(folder, 'fuuuck'), [1, 3, 1, 1]);
    const u = view(folder, 'fuuuck')[1];
    assert.deepEqual(u.span, [1, 4]);
    assert.deepEqual(u.evasions, ['repeats']);
  });

  it('collapses repeated CJK characters', () => {
    assert.equal(folded(folder, '加加微信'), '加微信');
    assert.deepEqual(runs(folder, '加加微信'), [2, 1, 1]);
    assert.deepEqual(view(folder, '加加微信')[0].span, [0, 2]);
  });

  it('collapses across soft and space gaps, not across sentence punctuation', () => {
    assert.deepEqual(runs(folder, '加 加*加 微信'), [3, 1, 1]);
    assert.deepEqual(allEvasions(folder, '加 加 微信'), ['repeats', 'separators']);
    assert.deepEqual(runs(folder, 'f u u c k'), [1, 2, 1, 1]);
    assert.deepEqual(runs(folder, 'f-u-u-c-k'), [1, 2, 1, 1]);
    assert.deepEqual(runs(folder, '加，加微信'), [1, 1, 1, 1]);
    assert.equal(folded(folder, '好。好'), '好好');
  });

  it('never folds a repeat across a gap into the word before when a word goes on from it', () => {
    // The second k begins "kids": folding it into "fuck" would hide the space between the words.
    assert.deepEqual(runs(folder, 'fuck kids'), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(runs(folder, 'this shit'), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(runs(folder, '傻逼 逼迫'), [1, 1, 1, 1]);
    assert.deepEqual(runs(folder, '加 加*加微信'), [2, 1, 1, 1]); // the last 加 begins 加微信
    assert.deepEqual(runs(folder, 'fuck k'), [1, 1, 1, 2]); // a letter standing alone still folds
    const buf = folder.fold('傻逼 逼迫', createFoldBuffer());
    assert.deepEqual([buf.start[1], buf.end[1]], [1, 2]); // 傻逼's last unit ends before the space
  });

  it('collapses repeats that only become identical after folding', () => {
    assert.deepEqual(runs(folder, 'fＵuUck'), [1, 3, 1, 1]);
    assert.deepEqual(runs(folder, '發发财'), [2, 1]);
  });

  it('does not collapse characters that share one source (expansions, surrogate pairs)', () => {
    assert.equal(folded(folder, 'ﬀ'), 'ff');
    assert.deepEqual(runs(folder, 'ﬀ'), [1, 1]);
    assert.deepEqual(runs(folder, 'f\u{fb00}'), [1, 1, 1]);
    assert.deepEqual(runs(folder, '𠀀𠀀'), [1, 1, 1, 1]);
  });
});
