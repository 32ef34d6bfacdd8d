/**
 * Classifier benchmark (issue 5, "Performance"): messages/s of the classifier stage with 1 and 2 worker
 * threads at several micro-batch sizes, and the latency it adds per message (p50/p99).
 *
 *   node --import tsx bench/classifier.bench.ts [--messages N] [--workers 1,2] [--batch-sizes 1,8,16,32]
 *                                               [--call-size 64] [--concurrency 4] [--model DIR]
 *
 * Texts: COLD's test split when ../shared/data is beside the project (real chat-length Chinese comments),
 * else generated sentences. Each run feeds --messages texts through classify() in calls of --call-size
 * messages (a pipeline batch), --concurrency calls in flight (several partitions / batches overlapping), with
 * mode `all`, and a budget long enough that nothing times out: it measures capacity, not shedding.
 * Latency: (a) unloaded — one message per call, one call at a time: what the stage adds to a lone message;
 * (b) loaded — per call during the throughput run (every message of a call waits for its slowest text).
 * Hot path (--hot-path, on by default): the whole embedded pipeline (decode, fold, lexicon, detectors, flood,
 * policy) over the same texts as message records in batches of --call-size, with the classifier off and in
 * `unmatched` mode, one batch at a time (a single partition).
 * Results are printed as Markdown tables (and written to bench/out/classifier.md).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createClassifier, DEFAULT_MODEL_DIR, type Classifier } from '../src/classify/index.js';
import { loadConfig } from '../src/config/load.js';
import type { Message, Reason } from '../src/contracts/types.js';
import { createLogger } from '../src/log/logger.js';
import type { IncomingRecord } from '../src/pipeline/types.js';
import { Engine } from '../src/runtime/engine.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COLD_TEST = join(ROOT, '..', 'shared', 'data', 'cold', 'test.csv');

interface Options {
  messages: number;
  workers: number[];
  batchSizes: number[];
  callSize: number;
  concurrency: number;
  model: string;
}

/** COLD texts: the last field of each CSV record (quoted fields may hold commas and newlines). */
function coldTexts(): string[] | null {
  if (!existsSync(COLD_TEST)) return null;
  const text = readFileSync(COLD_TEST, 'utf8');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') field = '';
    else if (ch === '\n') {
      out.push(field);
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field) out.push(field);
  return out.slice(1).filter((t) => t.length > 0);
}

function generatedTexts(n: number): string[] {
  const parts = [
    '今天',
    '我们',
    '开会',
    '讨论',
    '项目',
    '进度',
    '你',
    '真的',
    '很',
    '厉害',
    '这个',
    '方案',
    '不行',
    '哈哈',
    '明天',
    '见',
    '大家',
    '辛苦了',
  ];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () =>
    Array.from({ length: 4 + Math.floor(rnd() * 16) }, () => parts[Math.floor(rnd() * parts.length)]).join(
      '',
    ),
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function items(texts: string[]): { message: Message; reasons: Reason[] }[] {
  return texts.map((text, i) => ({
    message: { id: `b:${i}`, platform: 'bench', groupId: 'g', userId: 'u', text, ts: 0 },
    reasons: [],
  }));
}

async function measure(texts: string[], workers: number, batchSize: number, o: Options) {
  const clf = await createClassifier({
    modelDir: o.model,
    workers,
    batchSize,
    batchWindowMs: 2,
    timeoutMs: 120_000,
    queueMax: 1_000_000,
    defaultMode: 'all',
  });
  try {
    // Warm-up: first inferences allocate onnxruntime buffers.
    await clf.classify(items(texts.slice(0, 64)));
    // (a) unloaded latency
    const single: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await clf.classify(items([texts[i % texts.length]!]));
      single.push(performance.now() - t0);
    }
    single.sort((a, b) => a - b);
    // (b) throughput with overlapping calls
    const before = clf.stats();
    const calls: string[][] = [];
    for (let i = 0; i < o.messages; i += o.callSize)
      calls.push(
        Array.from(
          { length: Math.min(o.callSize, o.messages - i) },
          (_, k) => texts[(i + k) % texts.length]!,
        ),
      );
    const perCall: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (next < calls.length) {
          const call = calls[next++]!;
          const c0 = performance.now();
          await clf.classify(items(call));
          perCall.push(performance.now() - c0);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    perCall.sort((a, b) => a - b);
    const after = clf.stats();
    return {
      workers,
      batchSize,
      msgsPerSec: o.messages / secs,
      unloadedP50: percentile(single, 50),
      unloadedP99: percentile(single, 99),
      loadedP50: percentile(perCall, 50),
      loadedP99: percentile(perCall, 99),
      meanBatch: (after.scored - before.scored) / Math.max(1, after.batches - before.batches),
      timeouts: after.timeouts,
    };
  } finally {
    await clf.close();
  }
}

/** The embedded pipeline over `texts`, in sequential batches, with or without the classifier. */
async function hotPath(texts: string[], o: Options, withClassifier: boolean) {
  const config = loadConfig({ env: {} });
  const logger = createLogger({ level: 'silent' });
  let classifier: Classifier | null = null;
  if (withClassifier) {
    classifier = await createClassifier({
      modelDir: o.model,
      workers: 1,
      batchSize: 16,
      batchWindowMs: 2,
      timeoutMs: 50,
      defaultMode: 'unmatched',
    });
  }
  const engine = await Engine.create({ config, logger, classifier });
  try {
    const records: IncomingRecord[] = Array.from({ length: o.messages }, (_, i) => ({
      raw: JSON.stringify({
        v: 1,
        id: `b:${i}`,
        platform: 'bench',
        groupId: `g${i % 50}`,
        userId: `u${i % 997}`,
        text: texts[i % texts.length],
        ts: 1_764_000_000_000 + i * 50,
      }),
      source: { line: i + 1 },
    }));
    await engine.pipeline.judge(records.slice(0, o.callSize)); // warm-up
    const t0 = performance.now();
    let flagged = 0;
    for (let i = 0; i < records.length; i += o.callSize) {
      for (const out of await engine.pipeline.judge(records.slice(i, i + o.callSize))) {
        if (out.kind === 'verdict' && out.verdict.reasons.some((r) => r.detector === 'classifier')) flagged++;
      }
    }
    const secs = (performance.now() - t0) / 1000;
    const stats = classifier?.stats();
    return {
      msgsPerSec: o.messages / secs,
      flagged,
      scored: stats?.scored ?? 0,
      notNeeded: stats?.notNeeded ?? 0,
      timeouts: stats?.timeouts ?? 0,
    };
  } finally {
    await engine.close();
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      messages: { type: 'string', default: '2000' },
      workers: { type: 'string', default: '1,2' },
      'batch-sizes': { type: 'string', default: '1,8,16,32' },
      'call-size': { type: 'string', default: '64' },
      concurrency: { type: 'string', default: '4' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      'hot-path': { type: 'boolean', default: true },
      'no-hot-path': { type: 'boolean', default: false },
    },
  });
  const list = (v: unknown) => String(v).split(',').map(Number);
  const o: Options = {
    messages: Number(values.messages),
    workers: list(values.workers),
    batchSizes: list(values['batch-sizes']),
    callSize: Number(values['call-size']),
    concurrency: Number(values.concurrency),
    model: String(values.model),
  };
  const cold = coldTexts();
  const texts = cold ?? generatedTexts(5000);
  const source = cold
    ? `COLD test split (${texts.length} texts, mean ${(texts.reduce((s, t) => s + t.length, 0) / texts.length).toFixed(0)} chars)`
    : 'generated sentences (../shared absent)';
  const rows: string[] = [];
  for (const workers of o.workers) {
    for (const batchSize of o.batchSizes) {
      const r = await measure(texts, workers, batchSize, o);
      const row = `| ${r.workers} | ${r.batchSize} | ${r.msgsPerSec.toFixed(0)} | ${r.meanBatch.toFixed(1)} | ${r.unloadedP50.toFixed(1)} | ${r.unloadedP99.toFixed(1)} | ${r.loadedP50.toFixed(0)} | ${r.loadedP99.toFixed(0)} | ${r.timeouts} |`;
      rows.push(row);
      process.stdout.write(`${row}\n`);
    }
  }
  const report = [
    `## Classifier (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Model ${o.model}; texts: ${source}; ${o.messages} messages per run in calls of ${o.callSize}, ${o.concurrency} calls in flight; ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| workers | batch size | msgs/s | mean batch | unloaded p50 ms | unloaded p99 ms | loaded call p50 ms | loaded call p99 ms | timeouts |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  let hot = '';
  if (values['hot-path'] && !values['no-hot-path']) {
    const off = await hotPath(texts, o, false);
    const unmatched = await hotPath(texts, o, true);
    hot = [
      `Hot path (embedded pipeline, batches of ${o.callSize}, one at a time, ${o.messages} messages; classifier: 1 worker, batch 16, budget 50 ms):`,
      '',
      '| classifier | msgs/s | scored by the model | skipped (lexicon hit) | timeouts | classifier reasons |',
      '|---|---:|---:|---:|---:|---:|',
      `| off | ${off.msgsPerSec.toFixed(0)} | – | – | – | – |`,
      `| unmatched | ${unmatched.msgsPerSec.toFixed(0)} | ${unmatched.scored} | ${unmatched.notNeeded} | ${unmatched.timeouts} | ${unmatched.flagged} |`,
      '',
    ].join('\n');
  }
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'out', 'classifier.md'), `${report}\n${hot}`);
  process.stdout.write(`\n${report}\n${hot}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
