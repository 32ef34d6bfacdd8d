import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLexiconFile } from '../../../src/lexicon/index.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

describe('parseLexiconFile', () => {
  it('reads terms, skips comments, and parses the TAB tail of attributes', () => {
    const { lines, warnings } = parseLexiconFile(
      utf8(
        '# header\n加微信\n代开发票\tseverity=3\n网赌\tseverity=5 phonetic=off boundary=word dryRun\n  # indented comment\nfuck you # trailing comment\n',
      ),
      'ads.txt',
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      lines.map((l) => [l.text, l.attributes, l.line]),
      [
        ['加微信', {}, 2],
        ['代开发票', { severity: 3 }, 3],
        ['网赌', { severity: 5, phonetic: false, boundary: 'word', dryRun: true }, 4],
        ['fuck you', {}, 6],
      ],
    );
  });

  it('accepts attributes separated by tabs or commas and flag spellings', () => {
    const { lines, warnings } = parseLexiconFile(utf8('a\tseverity=1,phonetic=on\tdryRun=false\n'), 'x.txt');
    assert.deepEqual(warnings, []);
    assert.deepEqual(lines[0].attributes, { severity: 1, phonetic: true, dryRun: false });
  });

  it('warns about a BOM and reads on', () => {
    const { lines, warnings } = parseLexiconFile(concat([0xef, 0xbb, 0xbf], utf8('赌博\n')), 'g.txt');
    assert.deepEqual(
      lines.map((l) => l.text),
      ['赌博'],
    );
    assert.deepEqual(
      warnings.map((w) => [w.file, w.line, w.code]),
      [['g.txt', 1, 'BOM']],
    );
  });

  it('warns once about CRLF line endings and strips the CR', () => {
    const { lines, warnings } = parseLexiconFile(utf8('赌博\r\n网赌\tseverity=4\r\n'), 'g.txt');
    assert.deepEqual(
      lines.map((l) => [l.text, l.attributes.severity]),
      [
        ['赌博', undefined],
        ['网赌', 4],
      ],
    );
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].code, 'CRLF');
    assert.equal(warnings[0].line, 1);
    assert.match(warnings[0].message, /2 line/);
  });

  it('warns about blank and duplicate lines with their line numbers', () => {
    const { lines, warnings } = parseLexiconFile(utf8('赌博\n\n   \n网赌\n赌博\n'), 'g.txt');
    assert.deepEqual(
      lines.map((l) => l.text),
      ['赌博', '网赌'],
    );
    assert.deepEqual(
      warnings.map((w) => [w.line, w.code]),
      [
        [2, 'BLANK_LINE'],
        [3, 'BLANK_LINE'],
        [5, 'DUPLICATE'],
      ],
    );
    assert.match(warnings[2].message, /line 1/);
  });

  it('skips an invalid UTF-8 line with a warning and keeps the rest', () => {
    const bytes = concat(
      utf8('赌博\n'),
      [0x61, 0xff, 0xfe, 0x62],
      utf8('\n网赌\n'),
      [0xe5, 0x8a],
      utf8('\n'),
    );
    const { lines, warnings } = parseLexiconFile(bytes, 'g.txt');
    assert.deepEqual(
      lines.map((l) => [l.text, l.line]),
      [
        ['赌博', 1],
        ['网赌', 3],
      ],
    );
    assert.deepEqual(
      warnings.map((w) => [w.line, w.code]),
      [
        [2, 'INVALID_UTF8'],
        [4, 'INVALID_UTF8'],
      ],
    );
  });

  it('warns about bad attributes and keeps the term', () => {
    const { lines, warnings } = parseLexiconFile(
      utf8('a\tseverity=9\nb\tphonetic=maybe\nc\tboundary=line\nd\tcolour=red\ne\tseverity=two\n'),
      'x.txt',
    );
    assert.deepEqual(
      lines.map((l) => [l.text, l.attributes]),
      [
        ['a', {}],
        ['b', {}],
        ['c', {}],
        ['d', {}],
        ['e', {}],
      ],
    );
    assert.deepEqual(
      warnings.map((w) => [w.line, w.code]),
      [
        [1, 'BAD_ATTRIBUTE'],
        [2, 'BAD_ATTRIBUTE'],
        [3, 'BAD_ATTRIBUTE'],
        [4, 'BAD_ATTRIBUTE'],
        [5, 'BAD_ATTRIBUTE'],
      ],
    );
  });

  it('warns when attributes come without a term, or where attributes are not used', () => {
    assert.deepEqual(
      parseLexiconFile(utf8('\tseverity=3\n'), 'x.txt').warnings.map((w) => w.code),
      ['BLANK_LINE'],
    );
    const allow = parseLexiconFile(utf8('操作\tseverity=3\n'), 'allow.txt', false);
    assert.deepEqual(
      allow.lines.map((l) => l.text),
      ['操作'],
    );
    assert.deepEqual(
      allow.warnings.map((w) => w.code),
      ['BAD_ATTRIBUTE'],
    );
  });

  it('caps warnings per code and sums up the rest', () => {
    const { warnings } = parseLexiconFile(utf8('a\n'.repeat(50)), 'x.txt');
    assert.equal(warnings.length, 21);
    assert.equal(warnings[20].line, 0);
    assert.match(warnings[20].message, /29 more DUPLICATE warnings.*49 in all/);
  });

  it('handles an empty file and a file without a final newline', () => {
    assert.deepEqual(parseLexiconFile(new Uint8Array(0), 'x.txt'), { lines: [], warnings: [] });
    assert.deepEqual(
      parseLexiconFile(utf8('a\nb'), 'x.txt').lines.map((l) => l.text),
      ['a', 'b'],
    );
  });
});
