/**
 * Detection benchmark (issue 2, "Performance"): in one run, our folding + matching path against
 * @monyone/aho-corasick/fast, modern-ahocorasick, mint-filter, the npm aho-corasick package and a naive
 * alternation RegExp, over the same generated corpus, for the generated 20k lexicon and the konsheng list.
 * Every matcher runs in its own child process (bench/detection-worker.ts) for clean build/RSS figures.
 *
 *   npm run bench -- detection [--messages N] [--seed S] [--lexicons generated,konsheng]
 *                              [--competitors id,...] [--time-limit SECONDS] [--passes N]
 *                              [--build-sizes 100000,...]
 *
 * Prints a markdown report and writes it to bench/out/detection.md.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BENCH_OUT,
  KONSHENG_DIR,
  PROJECT_ROOT,
  describeCorpus,
  loadKonsheng,
  prepareBenchInputs,
  prepareLexicon,
} from './corpus.js';
import { COMPETITORS } from './detection-competitors.js';
import type { BenchLexicon } from './detection-competitors.js';
import type { WorkerResult, WorkerTask } from './detection-worker.js';

const WORKER = join(PROJECT_ROOT, 'bench', 'detection-worker.ts');

interface LexiconCase {
  name: string;
  file: string;
  termCount: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '200000' },
      seed: { type: 'string', default: '1' },
      'lexicon-size': { type: 'string', default: '20000' },
      lexicons: { type: 'string', default: 'generated,konsheng' },
      competitors: { type: 'string', default: COMPETITORS.map((c) => c.id).join(',') },
      'time-limit': { type: 'string', default: '15' },
      passes: { type: 'string', default: '3' },
      'build-sizes': { type: 'string', default: '100000' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- detection [--messages N] [--seed S] [--lexicon-size N] [--lexicons generated,konsheng]\n' +
        `       [--competitors ${COMPETITORS.map((c) => c.id).join(',')}] [--time-limit SECONDS] [--passes N] [--build-sizes N,...]\n`,
    );
    return;
  }
  const messages = positiveInt(values.messages, '--messages');
  const seed = positiveInt(values.seed, '--seed');
  const lexiconSize = positiveInt(values['lexicon-size'], '--lexicon-size');
  const timeLimitSeconds = Number(values['time-limit']);
  const passes = positiveInt(values.passes, '--passes');
  const competitorIds = list(values.competitors);
  const buildSizes = list(values['build-sizes']).map((s) => positiveInt(s, '--build-sizes'));
  mkdirSync(BENCH_OUT, { recursive: true });

  const loadAtStart = loadavg()[0];
  log(`preparing corpus (${messages} messages, seed ${seed}) and lexicons…`);
  const inputs = prepareBenchInputs(messages, seed, lexiconSize);
  const corpus = describeCorpus(inputs.texts);

  const lexicons: LexiconCase[] = [];
  const skipped: string[] = [];
  for (const name of list(values.lexicons)) {
    if (name === 'generated') {
      const terms = inputs.lexicon.map((t) => t.term);
      lexicons.push(writeLexiconCase(`generated ${terms.length}`, terms, inputs.lexiconDir));
    } else if (name === 'konsheng') {
      const terms = loadKonsheng();
      if (terms === null) {
        skipped.push(`konsheng: skipped, ${KONSHENG_DIR} is absent (../shared/data not mounted)`);
        log(skipped[skipped.length - 1]);
        continue;
      }
      lexicons.push(writeLexiconCase(`konsheng ${terms.length}`, terms, KONSHENG_DIR));
    } else {
      throw new Error(`unknown lexicon ${name} (generated, konsheng)`);
    }
  }

  const tables: string[] = [];
  for (const lexicon of lexicons) {
    const results: WorkerResult[] = [];
    for (const id of competitorIds) {
      log(`[${lexicon.name}] ${id}…`);
      const result = runWorker({
        competitor: id,
        lexiconFile: lexicon.file,
        textsFile: inputs.textsJson,
        messages,
        timeLimitSeconds,
        warmupMessages: 5000,
        passes,
      });
      log(`[${lexicon.name}] ${id}: ${summary(result)}`);
      results.push(result);
    }
    tables.push(renderScanTable(lexicon, results));
  }

  const buildRows: string[] = [];
  for (const size of buildSizes) {
    const { lexicon, lexiconDir } = prepareLexicon(size, seed);
    const terms = lexicon.map((t) => t.term);
    const file = writeLexiconCase(`generated ${size}`, terms, lexiconDir).file;
    for (const id of ['automaton', 'lexicon'].filter((c) => competitorIds.includes(c))) {
      log(`[build ${size}] ${id}…`);
      const result = runWorker({ competitor: id, lexiconFile: file, timeLimitSeconds, warmupMessages: 0 });
      buildRows.push(renderBuildRow(`generated ${terms.length}`, result));
    }
  }

  const command = `npm run bench -- detection ${argv.join(' ')}`.trim();
  const report = [
    `### Detection run ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Command: \`${command}\``,
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ` +
      `load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0].toFixed(1)} at end (other jobs share the cores). ` +
      `Corpus: ${corpus.messages} generated messages (seed ${seed}), median ${corpus.medianChars} UTF-16 units, ` +
      `${(corpus.utf8Bytes / 1e6).toFixed(1)} MB UTF-8 (\`${relative(inputs.corpusJsonl)}\`). ` +
      `Each matcher runs in its own process: warm-up on the first 5000 messages, then up to ${passes} timed ` +
      `passes over the corpus within ${timeLimitSeconds} s, the fastest counting (a slow matcher stops at ` +
      `the limit part-way through its first pass; its rate is over what it scanned).`,
    '',
    ...skipped.map((s) => `- ${s}`),
    ...tables,
    ...(buildRows.length > 0
      ? [
          '#### Build only',
          '',
          '| lexicon | matcher | build ms | build CPU ms | build peak ΔRSS MB | retained ΔRSS MB | module load ms (CPU ms), not in build |',
          '|---|---|--:|--:|--:|--:|--:|',
          ...buildRows,
          '',
          'The lexicon build is `loadLexicons` on the directory, in a process whose modules are already loaded: ' +
            'reading and parsing the files, the version hash, the folding tables (`createFolder`), the pinyin ' +
            'tables and the compile. Loading the modules is shown apart.',
          '',
        ]
      : []),
  ].join('\n');
  const out = join(BENCH_OUT, 'detection.md');
  writeFileSync(out, report + '\n');
  process.stdout.write(report + '\n');
  log(`report written to ${relative(out)}`);
}

function writeLexiconCase(name: string, terms: string[], path: string): LexiconCase {
  const file = join(BENCH_OUT, `bench-lexicon-${name.replace(/\W+/g, '-')}.json`);
  const lexicon: BenchLexicon = { terms, path };
  writeFileSync(file, JSON.stringify(lexicon));
  return { name, file, termCount: terms.length };
}

function runWorker(task: WorkerTask): WorkerResult {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', WORKER, JSON.stringify(task)],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const line = child.stdout
    ?.split('\n')
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (!line) {
    return failed(task.competitor, `worker exited with ${child.status ?? child.signal} and no result`);
  }
  const parsed = JSON.parse(line.slice('RESULT '.length)) as WorkerResult;
  return parsed.error !== undefined ? failed(task.competitor, parsed.error) : parsed;
}

function failed(competitor: string, error: string): WorkerResult {
  return {
    competitor,
    error,
    loadMs: NaN,
    loadCpuMs: NaN,
    buildMs: NaN,
    buildCpuMs: NaN,
    buildPeakMB: NaN,
    retainedMB: NaN,
    messages: 0,
    totalMessages: 0,
    seconds: 0,
    cpuSeconds: 0,
    messagesPerSecond: NaN,
    messagesPerCpuSecond: NaN,
    mbPerSecond: NaN,
    detections: 0,
    processPeakMB: NaN,
  };
}

function renderScanTable(lexicon: LexiconCase, results: WorkerResult[]): string {
  const reference = results.find((r) => r.competitor === 'monyone' && !r.error);
  const mint = results.find((r) => r.competitor === 'mint' && !r.error);
  const lines = [
    `#### Lexicon: ${lexicon.name} terms`,
    '',
    '| matcher | msgs/s | MB/s | × @monyone | msgs/CPU-s | × @monyone (CPU) | build ms (CPU ms) | build peak ΔRSS MB | retained ΔRSS MB | process peak RSS MB | detections | scanned |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const competitor = COMPETITORS.find((c) => c.id === r.competitor);
    const label = competitor?.label ?? r.competitor;
    if (r.error) {
      lines.push(`| ${label} | failed: ${r.error.replace(/\|/g, '\\|').slice(0, 120)} |${' |'.repeat(11)}`);
      continue;
    }
    const ratio = reference ? `${(r.messagesPerSecond / reference.messagesPerSecond).toFixed(2)}×` : '–';
    const cpuRatio = reference
      ? `${(r.messagesPerCpuSecond / reference.messagesPerCpuSecond).toFixed(2)}×`
      : '–';
    const scanned =
      r.messages === r.totalMessages ? `all × ${r.passes ?? 1}` : `${r.messages} of ${r.totalMessages}`;
    lines.push(
      `| ${label} | ${fmt(r.messagesPerSecond, 0)} | ${fmt(r.mbPerSecond, 1)} | ${ratio} | ` +
        `${fmt(r.messagesPerCpuSecond, 0)} | ${cpuRatio} | ${fmt(r.buildMs, 0)} (${fmt(r.buildCpuMs, 0)}) | ` +
        `${fmt(r.buildPeakMB, 1)} | ${fmt(r.retainedMB, 1)} | ${fmt(r.processPeakMB, 0)} | ${r.detections} | ${scanned} |`,
    );
  }
  lines.push('');
  for (const r of results) {
    const competitor = COMPETITORS.find((c) => c.id === r.competitor);
    if (competitor) lines.push(`- ${competitor.label}: ${competitor.semantics}.`);
  }
  for (const id of ['lexicon', 'fold-scan', 'automaton']) {
    const ours = results.find((r) => r.competitor === id && !r.error);
    if (!ours || !reference) continue;
    const label = COMPETITORS.find((c) => c.id === id)?.label ?? id;
    const versus = (other: WorkerResult): string =>
      `${(ours.messagesPerSecond / other.messagesPerSecond).toFixed(2)}× wall, ` +
      `${(ours.messagesPerCpuSecond / other.messagesPerCpuSecond).toFixed(2)}× CPU`;
    lines.push(
      `- ${label} vs @monyone/aho-corasick/fast: ${versus(reference)}` +
        (mint ? `; vs mint-filter: ${versus(mint)}.` : '.'),
    );
  }
  const raw = results.find((r) => r.competitor === 'automaton' && !r.error);
  if (raw && reference && raw.messages === reference.messages) {
    lines.push(
      raw.detections === reference.detections
        ? `- Check: the automaton alone reports exactly @monyone's ${reference.detections} detections.`
        : `- CHECK FAILED: automaton ${raw.detections} vs @monyone ${reference.detections} detections.`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function renderBuildRow(lexicon: string, r: WorkerResult): string {
  const label = COMPETITORS.find((c) => c.id === r.competitor)?.label ?? r.competitor;
  if (r.error) return `| ${lexicon} | ${label} | failed: ${r.error} | | | | |`;
  return (
    `| ${lexicon} | ${label} | ${fmt(r.buildMs, 0)} | ${fmt(r.buildCpuMs, 0)} | ${fmt(r.buildPeakMB, 1)} | ` +
    `${fmt(r.retainedMB, 1)} | ${r.loadCpuMs > 0 ? `${fmt(r.loadMs, 0)} (${fmt(r.loadCpuMs, 0)})` : '–'} |`
  );
}

function summary(r: WorkerResult): string {
  if (r.error) return `failed: ${r.error}`;
  return (
    `${fmt(r.messagesPerSecond, 0)} msgs/s, ${fmt(r.mbPerSecond, 1)} MB/s, build ${fmt(r.buildMs, 0)} ms, ` +
    `${r.detections} detections over ${r.messages} messages`
  );
}

function fmt(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  // Tiny rates (the RegExp) keep two significant digits instead of rounding to 0.
  if (value !== 0 && Math.abs(value) < 10 ** -digits * 10) return value.toPrecision(2);
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${value}`);
  return n;
}

function relative(path: string): string {
  return path.startsWith(PROJECT_ROOT + '/') ? path.slice(PROJECT_ROOT.length + 1) : path;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
