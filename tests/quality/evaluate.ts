/**
 * The quality evaluation shared by tests/quality/quality.test.ts and scripts/eval-quality.ts: build the
 * labelled sets from the default lexicon and our benign corpora, run the matcher, and measure
 * - recall on disguised terms (every folding kind but phonetic), per kind;
 * - recall on phonetic spellings (pinyin, same-sound swaps, Latin stand-ins), per kind;
 * - the false-hit rate on benign chat and on traps, and (when ../shared is present) on COLD's
 *   non-offensive comments, reported separately because COLD is about offensive topics;
 * - the false-hit rate on generated everyday chat: the detection benchmark's corpus generator with no terms
 *   planted (50k short messages mixing Chinese, traditional Chinese, English, emoji and links — WeChat
 *   article links included), to catch rules that misfire on volume rather than on hand-picked lines;
 * - the precision of phonetic matches: of all reasons found through pinyin/homophone on (a), (b) and (c),
 *   how many cover the planted term with its category (COLD is not counted there).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus } from '../../bench/corpus.js';
import type { Reason } from '../../src/contracts/types.js';
import type { CompiledLexicon, PhoneticTables, TermSource } from '../../src/lexicon/index.js';
import type { PlantedLine } from './generate.js';
import { corpusLines, generateDisguised, generatePhonetic } from './generate.js';

export const QUALITY_SEED = 20240611;
export const TARGETS = { disguisedRecall: 0.99, phoneticRecall: 0.8, benignFalseHitRate: 0.005 } as const;
/** Messages of generated everyday chat (about 0.2 s to generate and match). */
export const GENERATED_CHAT_MESSAGES = 50_000;

export interface Tally {
  total: number;
  hit: number;
}

export interface RecallReport extends Tally {
  recall: number;
  byKind: Record<string, Tally>;
  misses: { text: string; kind: string; term: string; found: string[] }[];
}

export interface FalseHitReport {
  total: number;
  falseHits: number;
  rate: number;
  examples: { text: string; rules: string[] }[];
  /** Rules that fired on benign text, most frequent first. */
  rules: [string, number][];
}

export interface QualityReport {
  disguised: RecallReport;
  phonetic: RecallReport;
  benign: FalseHitReport;
  traps: FalseHitReport;
  /** benign + traps: what the ≤ 0.5 % target is measured on. */
  everyday: FalseHitReport;
  /** Generated everyday chat (bench/corpus.ts, nothing planted): held to the same ≤ 0.5 %. */
  generated: FalseHitReport;
  /** COLD label-0 comments, when ../shared is available. */
  cold?: FalseHitReport;
  phoneticPrecision: { correct: number; wrong: number; precision: number; wrongExamples: string[] };
}

const QUALITY_DIR = new URL('.', import.meta.url).pathname;

export function sharedDataDir(projectRoot: string): string {
  return join(projectRoot, '..', 'shared', 'data');
}

export interface EvaluationInput {
  lexicon: CompiledLexicon;
  terms: readonly TermSource[];
  tables: PhoneticTables;
  /** Directory of COLD's CSV files; skipped when absent. */
  coldDir?: string;
  seed?: number;
}

export function evaluateQuality(input: EvaluationInput): QualityReport {
  const seed = input.seed ?? QUALITY_SEED;
  const { lexicon } = input;
  const disguisedLines = generateDisguised(input.terms, seed);
  const phoneticLines = generatePhonetic(input.terms, input.tables, seed + 1);
  const benignLines = corpusLines(readFileSync(join(QUALITY_DIR, 'benign.txt'), 'utf8'));
  const trapLines = corpusLines(readFileSync(join(QUALITY_DIR, 'traps.txt'), 'utf8'));

  const precision = { correct: 0, wrong: 0, precision: 1, wrongExamples: [] as string[] };
  const wrong = (text: string, r: Reason): void => {
    precision.wrong++;
    if (precision.wrongExamples.length < 50)
      precision.wrongExamples.push(`${r.rule} «${r.match}» in ${JSON.stringify(text)}`);
  };
  const isPhonetic = (r: Reason): boolean => !!r.evasion?.some((e) => e === 'pinyin' || e === 'homophone');

  const recall = (lines: readonly PlantedLine[]): RecallReport => {
    const report: RecallReport = { total: 0, hit: 0, recall: 0, byKind: {}, misses: [] };
    for (const line of lines) {
      const out: Reason[] = [];
      lexicon.match(line.text, out);
      // The whole planted text must lie inside the span: a span reaches the disguise's first and last
      // characters, trailing marks and collapsed repeats included.
      const covers = (r: Reason): boolean =>
        r.category === line.category && !!r.span && r.span[0] <= line.start && r.span[1] >= line.end;
      const ok = out.some(covers);
      const kind = (report.byKind[line.kind] ??= { total: 0, hit: 0 });
      kind.total++;
      report.total++;
      if (ok) {
        kind.hit++;
        report.hit++;
      } else {
        report.misses.push({
          text: line.text,
          kind: line.kind,
          term: line.term,
          found: out.map((r) => r.rule),
        });
      }
      for (const r of out) {
        if (!isPhonetic(r)) continue;
        if (covers(r)) precision.correct++;
        else wrong(line.text, r);
      }
    }
    report.recall = report.total === 0 ? 1 : report.hit / report.total;
    return report;
  };

  const falseHits = (texts: readonly string[], countPrecision: boolean): FalseHitReport => {
    const report: FalseHitReport = { total: 0, falseHits: 0, rate: 0, examples: [], rules: [] };
    const rules = new Map<string, number>();
    for (const text of texts) {
      const out: Reason[] = [];
      lexicon.match(text, out);
      report.total++;
      if (countPrecision) for (const r of out) if (isPhonetic(r)) wrong(text, r);
      if (out.length === 0) continue;
      report.falseHits++;
      if (report.examples.length < 50)
        report.examples.push({ text, rules: out.map((r) => `${r.rule} «${r.match}»`) });
      for (const r of out) rules.set(r.rule, (rules.get(r.rule) ?? 0) + 1);
    }
    report.rate = report.total === 0 ? 0 : report.falseHits / report.total;
    report.rules = [...rules].sort((a, b) => b[1] - a[1]);
    return report;
  };

  const disguised = recall(disguisedLines);
  const phonetic = recall(phoneticLines);
  const benign = falseHits(benignLines, true);
  const traps = falseHits(trapLines, true);
  const everyday = falseHits([...benignLines, ...trapLines], false);
  const generated = falseHits(generateCorpus({ count: GENERATED_CHAT_MESSAGES, seed, plant: [] }), false);
  let cold: FalseHitReport | undefined;
  if (input.coldDir && existsSync(input.coldDir)) cold = falseHits(coldBenignComments(input.coldDir), false);
  const judged = precision.correct + precision.wrong;
  precision.precision = judged === 0 ? 1 : precision.correct / judged;
  return { disguised, phonetic, benign, traps, everyday, generated, cold, phoneticPrecision: precision };
}

/** The TEXT column of COLD rows labelled 0 (not offensive), from train/dev/test.csv. */
export function coldBenignComments(coldDir: string): string[] {
  const texts: string[] = [];
  for (const name of ['train.csv', 'dev.csv', 'test.csv']) {
    const file = join(coldDir, name);
    if (!existsSync(file)) continue;
    const rows = parseCsv(readFileSync(file, 'utf8').replace(/^\ufeff/, ''));
    const header = rows.shift() ?? [];
    const label = header.indexOf('label');
    const text = header.indexOf('TEXT');
    if (label < 0 || text < 0) continue;
    for (const row of rows) if (row[label] === '0' && row[text]) texts.push(row[text]);
  }
  return texts;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (quoted) {
      if (ch === '"' && content[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && content[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** A markdown summary, printed by scripts/eval-quality.ts and the quality test's diagnostics. */
export function formatQualityReport(report: QualityReport): string {
  const lines: string[] = [];
  const recallLine = (name: string, r: RecallReport, target: number): void => {
    lines.push(`${name}: recall ${pct(r.recall)} (${r.hit}/${r.total}, target ≥ ${pct(target)})`);
    for (const [kind, t] of Object.entries(r.byKind)) {
      lines.push(
        `  ${kind.padEnd(14)} ${pct(t.total ? t.hit / t.total : 1).padStart(8)}  (${t.hit}/${t.total})`,
      );
    }
  };
  const falseLine = (name: string, r: FalseHitReport): void => {
    lines.push(`${name}: false hits ${pct(r.rate)} (${r.falseHits}/${r.total} lines)`);
    if (r.rules.length)
      lines.push(
        `  top rules: ${r.rules
          .slice(0, 8)
          .map(([rule, n]) => `${rule}×${n}`)
          .join(', ')}`,
      );
  };
  recallLine('(a) disguised terms', report.disguised, TARGETS.disguisedRecall);
  recallLine('(b) phonetic spellings', report.phonetic, TARGETS.phoneticRecall);
  falseLine(`(c) benign chat + traps (target ≤ ${pct(TARGETS.benignFalseHitRate)})`, report.everyday);
  falseLine('    benign chat only', report.benign);
  falseLine('    traps only', report.traps);
  falseLine('generated everyday chat (bench corpus generator, nothing planted)', report.generated);
  if (report.cold)
    falseLine('COLD label-0 comments (offensive-topic corpus, reported separately)', report.cold);
  else lines.push('COLD label-0 comments: skipped (../shared/data/cold absent)');
  const p = report.phoneticPrecision;
  lines.push(
    `phonetic matches: precision ${pct(p.precision)} (${p.correct} right, ${p.wrong} wrong), recall ${pct(report.phonetic.recall)}`,
  );
  return lines.join('\n');
}
