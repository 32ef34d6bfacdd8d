/**
 * The quality targets of issue 2, on our own labelled sets (see evaluate.ts and generate.ts):
 * (a) disguised terms ≥ 99 % recall, (b) phonetic spellings ≥ 80 % recall, (c) benign chat + traps ≤ 0.5 %
 * false hits (also held on 50k messages of generated everyday chat). COLD's non-offensive comments are
 * measured too when ../shared is present, and reported only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createFolder } from '../../src/fold/index.js';
import type { CompiledLexicon, PhoneticTables, TermSource } from '../../src/lexicon/index.js';
import {
  compileLexicon,
  createPhoneticTables,
  defaultLexiconDir,
  readLexiconSources,
} from '../../src/lexicon/index.js';
import type { QualityReport } from './evaluate.js';
import {
  evaluateQuality,
  formatQualityReport,
  GENERATED_CHAT_MESSAGES,
  sharedDataDir,
  TARGETS,
} from './evaluate.js';

describe('lexicon quality on the default lexicons', () => {
  let report: QualityReport;
  let lexicon: CompiledLexicon;
  let terms: readonly TermSource[];
  let tables: PhoneticTables;

  before(() => {
    tables = createPhoneticTables();
    const read = readLexiconSources([defaultLexiconDir()]);
    terms = read.sources.terms;
    lexicon = compileLexicon(read.sources, { folder: createFolder(), tables });
    const coldDir = join(sharedDataDir(join(defaultLexiconDir(), '..')), 'cold');
    report = evaluateQuality({ lexicon, terms, tables, coldDir });
  });

  it('prints the figures', (t) => {
    for (const line of formatQualityReport(report).split('\n')) t.diagnostic(line);
    if (!report.cold) t.diagnostic('COLD skipped: ../shared/data/cold is absent');
  });

  it(`(a) finds ≥ ${TARGETS.disguisedRecall * 100}% of disguised terms`, () => {
    assert.ok(report.disguised.total > 1000, 'the generated set is large enough to mean something');
    assert.ok(
      report.disguised.recall >= TARGETS.disguisedRecall,
      `recall ${report.disguised.recall}; misses: ${JSON.stringify(report.disguised.misses.slice(0, 20))}`,
    );
  });

  it(`(a) covers every disguise kind`, () => {
    for (const kind of [
      'width',
      'case',
      'traditional',
      'invisible',
      'separators',
      'repeats',
      'lookalike',
      'leet',
      'combined',
    ]) {
      assert.ok((report.disguised.byKind[kind]?.total ?? 0) > 0, `no ${kind} lines generated`);
    }
  });

  it(`(b) finds ≥ ${TARGETS.phoneticRecall * 100}% of phonetic spellings`, () => {
    assert.ok(report.phonetic.total > 500);
    for (const kind of ['pinyin', 'pinyin-spaced', 'pinyin-mixed', 'homophone', 'latin-alias']) {
      assert.ok((report.phonetic.byKind[kind]?.total ?? 0) > 0, `no ${kind} lines generated`);
    }
    assert.ok(
      report.phonetic.recall >= TARGETS.phoneticRecall,
      `recall ${report.phonetic.recall}; misses: ${JSON.stringify(report.phonetic.misses.slice(0, 20))}`,
    );
  });

  it(`(c) hits ≤ ${TARGETS.benignFalseHitRate * 100}% of benign chat and traps`, () => {
    assert.ok(report.everyday.total > 400);
    assert.ok(
      report.everyday.rate <= TARGETS.benignFalseHitRate,
      `false-hit rate ${report.everyday.rate}: ${JSON.stringify(report.everyday.examples)}`,
    );
  });

  // A tenth of the target: on 50k messages one rule misfiring on a common phrase or link shows up well
  // before it reaches 0.5 % (WeChat article links alone once made 0.48 %).
  it(`(c) hits ≤ ${(TARGETS.benignFalseHitRate * 100) / 10}% of generated everyday chat`, () => {
    assert.equal(report.generated.total, GENERATED_CHAT_MESSAGES);
    assert.ok(
      report.generated.rate <= TARGETS.benignFalseHitRate / 10,
      `false-hit rate ${report.generated.rate}: ${JSON.stringify(report.generated.examples.slice(0, 10))}`,
    );
  });

  it('keeps phonetic matches precise', () => {
    assert.ok(report.phoneticPrecision.precision >= 0.95, JSON.stringify(report.phoneticPrecision));
  });

  it('is reproducible: the same seed gives the same figures', () => {
    const again = evaluateQuality({ lexicon, terms, tables });
    assert.equal(again.disguised.hit, report.disguised.hit);
    assert.equal(again.phonetic.hit, report.phonetic.hit);
    assert.equal(again.everyday.falseHits, report.everyday.falseHits);
  });
});
