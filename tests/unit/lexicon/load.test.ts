import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import type { Reason } from '../../../src/contracts/types.js';
import {
  categoryForFileName,
  compileLexicon,
  lexiconVersion,
  loadLexicons,
  readLexiconSources,
} from '../../../src/lexicon/index.js';
import { brief, folder, tables } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'modstream-lexicon-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
function lexiconDir(files: Record<string, string | Uint8Array>): string {
  const dir = join(root, `lex${dirs++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const options = { folder, tables };

describe('loadLexicons', () => {
  it('reads <category>.txt files and allow.txt from a directory', () => {
    const dir = lexiconDir({
      'ads.txt': '# ads\n加微信\n',
      'gambling.txt': '网赌\tseverity=5\n',
      'abuse.txt': '操\n',
      'allow.txt': '# allow\n操作\n',
      'README.md': 'not a lexicon',
    });
    const { lexicon, warnings, files } = loadLexicons([dir], options);
    assert.deepEqual(warnings, []);
    assert.equal(files.length, 4);
    assert.equal(lexicon.termCount, 3);
    assert.deepEqual(lexicon.categories, ['gambling', 'ads', 'abuse']);
    assert.match(lexicon.version, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(brief(lexicon, '操作加微信'), ['ads:加微信|加微信|']);
    const out: Reason[] = [];
    lexicon.match('网赌', out);
    assert.equal(out[0].severity, 5);
  });

  it('merges several directories; a later definition re-rates a term', () => {
    const base = lexiconDir({ 'ads.txt': '加微信\n刷单\n' });
    const operator = lexiconDir({ 'ads.txt': '刷单\tseverity=5\n', 'secret.txt': '星河计划\n' });
    const { lexicon } = loadLexicons([base, operator], options);
    assert.equal(lexicon.termCount, 3);
    const out: Reason[] = [];
    lexicon.match('刷单 星河计划', out);
    assert.deepEqual(
      out.map((r) => [r.rule, r.severity]),
      [
        ['ads:刷单', 5],
        ['secret:星河计划', 3],
      ],
    );
  });

  it('loads extra allow files', () => {
    const dir = lexiconDir({ 'abuse.txt': '操\n' });
    const allowFile = join(lexiconDir({ 'mine.txt': '操场\n' }), 'mine.txt');
    const { lexicon } = loadLexicons([dir], { ...options, allowFiles: [allowFile] });
    assert.deepEqual(brief(lexicon, '去操场'), []);
  });

  it('collects warnings for bad files instead of failing', () => {
    const dir = lexiconDir({
      'ads.txt': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('加微信\r\n\r\n加微信\r\n***\r\n'),
        Buffer.from([0xc3, 0x28, 0x0d, 0x0a]),
        Buffer.from('刷单\tseverity=0\r\n'),
      ]),
      'notes.txt': 'hello\n',
    });
    const seen: string[] = [];
    const { lexicon, warnings } = loadLexicons([dir], { ...options, onWarning: (w) => seen.push(w.code) });
    assert.deepEqual(seen.sort(), warnings.map((w) => w.code).sort(), 'onWarning sees every warning too');
    assert.deepEqual(
      warnings.map((w) => [w.file.slice(dir.length + 1), w.line, w.code]).sort(),
      [
        ['ads.txt', 1, 'BOM'],
        ['ads.txt', 1, 'CRLF'],
        ['ads.txt', 2, 'BLANK_LINE'],
        ['ads.txt', 3, 'DUPLICATE'],
        ['ads.txt', 4, 'EMPTY_AFTER_FOLD'],
        ['ads.txt', 5, 'INVALID_UTF8'],
        ['ads.txt', 6, 'BAD_ATTRIBUTE'],
        ['notes.txt', 0, 'UNKNOWN_FILE'],
      ].sort(),
    );
    assert.equal(lexicon.termCount, 2);
  });

  it('reads a single file with a category taken from its name or given explicitly', () => {
    const dir = lexiconDir({ '色情词库.txt': '裸聊\n', 'words.txt': '星河计划\n' });
    const byName = loadLexicons([join(dir, '色情词库.txt')], options);
    assert.deepEqual(byName.lexicon.categories, ['porn']);
    const explicit = loadLexicons([{ path: join(dir, 'words.txt'), category: 'secret' }], options);
    assert.deepEqual(explicit.lexicon.categories, ['secret']);
    const unknown = loadLexicons([join(dir, 'words.txt')], options);
    assert.equal(unknown.lexicon.termCount, 0);
    assert.equal(unknown.warnings[0].code, 'UNKNOWN_FILE');
  });

  it('throws a ConfigError for a path that does not exist or an unknown category', () => {
    assert.throws(
      () => loadLexicons([join(root, 'nope')], options),
      (e: unknown) => e instanceof ConfigError && e.code === 'LEXICON_INVALID',
    );
    assert.throws(
      () => loadLexicons([{ path: root, category: 'weather' as never }], options),
      (e: unknown) => e instanceof ConfigError && e.code === 'LEXICON_INVALID',
    );
    assert.throws(() => loadLexicons([], { ...options, allowFiles: [join(root, 'nope.txt')] }), ConfigError);
  });
});

describe('lexicon version', () => {
  it('does not depend on load order, comments, line endings or BOMs', () => {
    const a = lexiconDir({ 'ads.txt': '加微信\n刷单\tseverity=3\n' });
    const b = lexiconDir({ 'abuse.txt': '操\n', 'allow.txt': '操作\n' });
    const c = lexiconDir({
      'ads.txt': '\ufeff# the same, written differently\r\n刷单\tseverity=3\r\n加微信\r\n',
      'abuse.txt': '操\n',
      'allow.txt': '操作\n',
    });
    const ab = readLexiconSources([a, b]).sources.version;
    const ba = readLexiconSources([b, a]).sources.version;
    assert.equal(ab, ba);
    assert.equal(readLexiconSources([c]).sources.version, ab);
  });

  it('changes with any term, attribute, category or allow phrase', () => {
    const base = lexiconVersion([{ term: '刷单', category: 'ads' }], ['操作']);
    assert.notEqual(lexiconVersion([{ term: '刷单', category: 'ads', severity: 3 }], ['操作']), base);
    assert.notEqual(lexiconVersion([{ term: '刷单', category: 'illegal' }], ['操作']), base);
    assert.notEqual(lexiconVersion([{ term: '刷单', category: 'ads' }], ['体操']), base);
    assert.notEqual(lexiconVersion([{ term: '刷单', category: 'ads' }], []), base);
    assert.equal(lexiconVersion([{ term: '刷单', category: 'ads' }], ['操作']), base);
  });

  it('is carried by an in-memory compile too', () => {
    const lex = compileLexicon({ terms: [{ term: '刷单', category: 'ads' }], allow: ['操作'] }, options);
    assert.equal(lex.version, lexiconVersion([{ term: '刷单', category: 'ads' }], ['操作']));
  });
});

describe('third-party lists', () => {
  it('maps file names to categories', () => {
    assert.equal(categoryForFileName('ads.txt'), 'ads');
    assert.equal(categoryForFileName('Abuse.txt'), 'abuse');
    assert.equal(categoryForFileName('色情类型.txt'), 'porn');
    assert.equal(categoryForFileName('涉枪涉爆.txt'), 'illegal');
    assert.equal(categoryForFileName('零时-Tencent.txt'), 'political');
    assert.equal(categoryForFileName('非法网址.txt'), 'phishing');
    assert.equal(categoryForFileName('赌博词库.txt'), 'gambling');
    assert.equal(categoryForFileName('notes.txt'), undefined);
  });

  const konsheng = join(process.cwd(), '..', 'shared', 'data', 'lexicons', 'konsheng', 'Vocabulary');
  it(
    'loads the 87k-line Konsheng vocabulary',
    { skip: existsSync(konsheng) ? false : `skipped: ${konsheng} is absent (shared data not checked out)` },
    (t) => {
      const { lexicon, warnings, compileMs } = loadLexicons([konsheng], options);
      t.diagnostic(
        `konsheng: ${lexicon.termCount} terms, ${lexicon.patternCount} patterns, compiled in ${compileMs.toFixed(0)} ms, ${warnings.length} warnings`,
      );
      assert.ok(lexicon.termCount > 50_000);
      assert.ok(
        warnings.every((w) =>
          ['DUPLICATE', 'BLANK_LINE', 'EMPTY_AFTER_FOLD', 'BOM', 'CRLF'].includes(w.code),
        ),
      );
      assert.ok(lexicon.categories.includes('porn') && lexicon.categories.includes('political'));
      const out: Reason[] = [];
      lexicon.match('出售雷管炸药', out);
      assert.ok(out.some((r) => r.category === 'illegal'));
    },
  );
});
