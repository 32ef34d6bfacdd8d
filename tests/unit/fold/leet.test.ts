import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GAP_HARD, GAP_SOFT, createFolder } from '../../../src/fold/index.js';
import { folded, gaps, view } from './helpers.js';

const folder = createFolder();

describe('leetspeak', () => {
  it('reads 4 @ 3 1 ! 0 5 $ 7 as letters inside Latin words', () => {
    assert.equal(folded(folder, 'f4ck'), 'fack');
    assert.equal(folded(folder, 'sh!t'), 'shit');
    assert.equal(folded(folder, 'sh1t'), 'shit');
    assert.equal(folded(folder, 'a55'), 'as');
    assert.equal(folded(folder, 'a$$'), 'as');
    assert.equal(folded(folder, 'b@stard'), 'bastard');
    assert.equal(folded(folder, 'h3ll0'), 'helo');
    assert.equal(folded(folder, 'n1gg3r'), 'niger');
    assert.equal(folded(folder, 'b1tch35'), 'bitches');
    assert.equal(folded(folder, '5h17'), 'shit');
    assert.equal(folded(folder, '@ss'), 'as');
    assert.equal(folded(folder, 'pr0n 4 u'), 'pron4u');
  });

  it('flags converted units, and keeps their original spans', () => {
    const units = view(folder, 'f4ck');
    assert.deepEqual(units[1].evasions, ['leet']);
    assert.deepEqual(units[1].span, [1, 2]);
    assert.deepEqual(units[0].evasions, []);
    assert.deepEqual(view(folder, 'ｆ４ｃｋ')[1].evasions, ['width', 'leet']);
  });

  it('leaves numbers alone: no real letter in the word', () => {
    assert.equal(folded(folder, '1000'), '10');
    assert.deepEqual(
      view(folder, '1000').map((u) => [u.unit, u.run]),
      [
        ['1', 1],
        ['0', 3],
      ],
    );
    assert.equal(folded(folder, '12:30'), '1230');
    assert.equal(gaps(folder, '12:30'), '..|.');
    assert.equal(folded(folder, '13800138000'), '13801380');
    assert.equal(folded(folder, '我有1000元'), '我有10元');
    assert.equal(folded(folder, '３１４'), '314');
  });

  it('reads $ and @ outside words as noise', () => {
    const units = view(folder, '$5');
    assert.deepEqual(
      units.map((u) => u.unit),
      ['5'],
    );
    assert.equal(units[0].gap, GAP_SOFT);
    assert.equal(folded(folder, '@ 全体'), '全体');
  });

  it('keeps digit groups that hold a 2, 6, 8 or 9 as numbers (IDs after a word)', () => {
    assert.equal(folded(folder, 'qq123456'), 'q123456');
    assert.equal(folded(folder, 'wx5201314'), 'wx5201314');
    assert.equal(folded(folder, 'covid19'), 'covid19');
    assert.equal(folded(folder, 'abc123def'), 'abc123def');
  });

  it('reads a trailing ! as punctuation, not i', () => {
    assert.equal(folded(folder, 'fuck!!!'), 'fuck');
    assert.equal(view(folder, 'fuck! you')[4].gap, GAP_HARD);
    assert.equal(folded(folder, 'hell0!'), 'helo');
    assert.equal(folded(folder, 'sh!!t'), 'shit');
  });

  it('reads a leading ! as i only where a word starts (text start or after white space)', () => {
    assert.equal(folded(folder, '!diot'), 'idiot');
    assert.equal(folded(folder, 'you !diot'), 'youidiot');
    assert.equal(folded(folder, '好!ok'), '好ok');
    assert.equal(view(folder, '好!ok')[1].gap, GAP_HARD);
    assert.equal(folded(folder, 'ok.!yes'), 'okyes');
  });

  it('reads a lone leet character in a word spelled out one character at a time', () => {
    assert.equal(folded(folder, 'm=0=r|0=n'), 'moron');
    assert.equal(folded(folder, 'c u n 7'), 'cunt');
    assert.equal(folded(folder, 'c😀u😀n😀7!'), 'cunt'); // a trailing ! stays punctuation
    assert.equal(folded(folder, 'b 1 t c h'), 'bitch');
    // Also a lone one that begins such a word, or follows a letter that begins one after Chinese.
    assert.equal(folded(folder, '5.h.1.7'), 'shit');
    assert.equal(folded(folder, '$|b'), 'sb');
    assert.equal(folded(folder, '5😀7😀f😀u'), 'stfu');
    assert.equal(folded(folder, '7_M_D'), 'tmd');
    assert.equal(folded(folder, '5 h i t'), 'shit');
    assert.equal(folded(folder, '这人真是m.0/r_0^n'), '这人真是moron');
    assert.equal(folded(folder, '你就是个5.h.1.7'), '你就是个shit');
    // Not after a word, not a run of digits, not a number: these stay digits.
    assert.equal(folded(folder, 'room 5 b'), 'rom5b');
    assert.equal(folded(folder, 'at 7 a.m.'), 'at7am');
    assert.equal(folded(folder, 'score 1:0'), 'score10');
    assert.equal(folded(folder, '5-7 days'), '57days');
    assert.equal(folded(folder, 'version 1.0'), 'version10');
    assert.equal(folded(folder, 'QQ 1 2 3'), 'q123');
    assert.equal(folded(folder, 'a 10'), 'a10');
    assert.equal(folded(folder, '第 1 名'), '第1名');
  });

  it('is not fooled by invisible characters inside a leet word', () => {
    const units = view(folder, 'f\u200b4ck');
    assert.equal(units.map((u) => u.unit).join(''), 'fack');
    assert.deepEqual(units[1].evasions, ['invisible', 'leet']);
  });

  it('can be switched off', () => {
    const plain = createFolder({ leet: false });
    assert.equal(plain.foldToString('f4ck'), 'f4ck');
    assert.equal(plain.foldToString('sh!t'), 'sht');
    assert.equal(plain.foldToString('a$$'), 'a');
  });
});
