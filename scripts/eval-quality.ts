/**
 * Prints the lexicon quality figures: recall on disguised terms (a) and phonetic spellings (b), the
 * false-hit rate on benign chat + traps (c), on COLD's non-offensive comments when ../shared is present, and
 * the precision of phonetic matches.
 *
 * Usage: node --import tsx scripts/eval-quality.ts [--seed N] [--misses] [--false-hits] [--dictionary]
 */
import { join } from 'node:path';
import { createFolder } from '../src/fold/index.js';
import {
  compileLexicon,
  createPhoneticTables,
  defaultLexiconDir,
  readLexiconSources,
} from '../src/lexicon/index.js';
import {
  evaluateQuality,
  formatQualityReport,
  QUALITY_SEED,
  sharedDataDir,
} from '../tests/quality/evaluate.js';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : QUALITY_SEED;
const lexiconDir = defaultLexiconDir();
const projectRoot = join(lexiconDir, '..');

const tables = createPhoneticTables();
const { sources, warnings } = readLexiconSources([lexiconDir]);
const started = performance.now();
const lexicon = compileLexicon(sources, {
  folder: createFolder(),
  tables,
  dictionary: args.includes('--dictionary'),
});
const compileMs = performance.now() - started;
console.log(
  `default lexicons: ${lexicon.termCount} terms, ${lexicon.patternCount} patterns, ` +
    `compiled in ${compileMs.toFixed(0)} ms, ${warnings.length} warnings, ${lexicon.version}\n`,
);

const report = evaluateQuality({
  lexicon,
  terms: sources.terms,
  tables,
  coldDir: join(sharedDataDir(projectRoot), 'cold'),
  seed,
});
console.log(formatQualityReport(report));

if (args.includes('--misses')) {
  console.log('\nmisses (a):');
  for (const m of report.disguised.misses)
    console.log(`  [${m.kind}] ${m.term}: ${JSON.stringify(m.text)} → ${m.found.join(', ') || '-'}`);
  console.log('\nmisses (b):');
  for (const m of report.phonetic.misses)
    console.log(`  [${m.kind}] ${m.term}: ${JSON.stringify(m.text)} → ${m.found.join(', ') || '-'}`);
}
if (args.includes('--false-hits')) {
  console.log('\nwrong phonetic matches:');
  for (const e of report.phoneticPrecision.wrongExamples) console.log(`  ${e}`);
  for (const [name, r] of [
    ['benign', report.benign],
    ['traps', report.traps],
    ['cold', report.cold],
  ] as const) {
    if (!r) continue;
    console.log(`\nfalse hits (${name}):`);
    for (const e of r.examples)
      console.log(`  ${JSON.stringify(e.text.slice(0, 80))} → ${e.rules.join(', ')}`);
  }
}
