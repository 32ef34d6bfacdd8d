import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CATEGORIES } from '../../../src/contracts/types.js';
import { compileLexicon, defaultLexiconDir, readLexiconSources } from '../../../src/lexicon/index.js';
import { folder, matchAll, tables } from './helpers.js';

const dir = defaultLexiconDir();
const { sources, warnings } = readLexiconSources([dir]);
const lexicon = compileLexicon(sources, { folder, tables });

describe('default lexicons (lexicons/)', () => {
  it('has one file per category, each opening with a header comment, plus allow.txt', () => {
    for (const name of [...CATEGORIES, 'allow']) {
      const text = readFileSync(join(dir, `${name}.txt`), 'utf8');
      assert.match(text, /^# \S+ — /, `${name}.txt needs a header saying what it covers`);
    }
  });

  it('loads without a single warning', () => {
    assert.deepEqual(warnings, []);
  });

  it('ships political, secret, privacy and flood without terms', () => {
    for (const category of ['political', 'secret', 'privacy', 'flood'] as const) {
      assert.equal(sources.terms.filter((t) => t.category === category).length, 0, category);
    }
    assert.ok(!lexicon.categories.includes('political'));
  });

  it('has realistic content for the lexicon-driven categories', () => {
    for (const category of ['illegal', 'porn', 'violence', 'gambling', 'ads', 'abuse'] as const) {
      assert.ok(sources.terms.filter((t) => t.category === category).length >= 30, category);
    }
    const terms = new Set(sources.terms.map((t) => t.term));
    for (const term of [
      '加微信',
      '加v',
      '兼职刷单',
      '代开发票',
      '网赌',
      '百家乐',
      '傻逼',
      '操你妈',
      'fuck',
      'shit',
      'asshole',
    ]) {
      assert.ok(terms.has(term), term);
    }
  });

  it('finds every term written plainly (plain=off terms excepted)', () => {
    for (const source of sources.terms) {
      const reasons = matchAll(lexicon, source.term);
      const found = reasons.some(
        (r) => r.category === source.category && r.span![0] === 0 && r.span![1] === source.term.length,
      );
      assert.equal(
        found,
        source.plain !== false,
        `${source.category}:${source.term} → ${JSON.stringify(reasons)}`,
      );
    }
  });

  it('never hits an allow-list phrase on its own', () => {
    for (const phrase of sources.allow ?? []) {
      const text = typeof phrase === 'string' ? phrase : phrase.phrase;
      assert.deepEqual(matchAll(lexicon, text), [], text);
    }
  });

  it('carries a content version', () => {
    assert.match(lexicon.version, /^sha256:[0-9a-f]{64}$/);
    assert.equal(readLexiconSources([dir]).sources.version, lexicon.version);
  });
});
