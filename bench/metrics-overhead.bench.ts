/**
 * Metrics overhead on the hot path (issue 6, "Performance": at most 5%). Two Engines built from the same
 * configuration judge the same batches of the generated corpus — one with ModstreamMetrics bound (every
 * pipeline hook live, process metrics on, scraped between rounds as Prometheus would), one without metrics
 * (the pipeline's no-op hooks). Runs alternate in one process (A B, B A, …) so machine noise and JIT warm-up
 * hit both alike; each round times a whole pass over the corpus in wall and CPU time.
 *
 *   npm run bench -- metrics-overhead [--messages N] [--rounds R] [--batch B] [--seed S] [--lexicon-size N]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { ModstreamMetrics } from '../src/metrics/metrics.js';
import { hrNow } from '../src/pipeline/records.js';
import type { IncomingRecord } from '../src/pipeline/types.js';
import { Engine } from '../src/runtime/engine.js';
import { BENCH_OUT, PROJECT_ROOT, prepareBenchInputs } from './corpus.js';

interface Pass {
  wallMs: number;
  cpuMs: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '10' },
      batch: { type: 'string', default: '512' },
      seed: { type: 'string', default: '1' },
      'lexicon-size': { type: 'string', default: '20000' },
    },
    strict: true,
  });
  const count = Number(values.messages);
  const rounds = Math.max(2, Number(values.rounds));
  const batchSize = Math.max(1, Number(values.batch));
  const inputs = prepareBenchInputs(count, Number(values.seed), Number(values['lexicon-size']));
  const lines = readFileSync(inputs.corpusJsonl, 'utf8').split('\n').filter(Boolean);
  const batches: string[][] = [];
  for (let i = 0; i < lines.length; i += batchSize) batches.push(lines.slice(i, i + batchSize));

  const config = loadConfig({
    env: {},
    overrides: { lexicons: { dirs: [inputs.lexiconDir], watch: false } },
  });
  const logger = silentLogger();
  const metrics = new ModstreamMetrics({ registry: new Registry() });
  const withMetrics = await Engine.create({ config, logger, metrics });
  const without = await Engine.create({ config, logger, metrics: null });

  const pass = async (engine: Engine): Promise<Pass> => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const batch of batches) {
      const receivedAt = hrNow();
      const records: IncomingRecord[] = batch.map((raw, i) => ({
        raw,
        source: { transport: 'bench', index: i },
        receivedAt,
      }));
      await engine.pipeline.judge(records);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  process.stderr.write(
    `metrics overhead: ${lines.length} messages, ${batches.length} batches of ≤ ${batchSize}, ${rounds} rounds each way\n`,
  );
  // Warm-up: both engines once, untimed.
  await pass(withMetrics);
  await pass(without);
  const on: Pass[] = [];
  const off: Pass[] = [];
  let scrapeMs = 0;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const which of order) {
      if (which === 'on') on.push(await pass(withMetrics));
      else off.push(await pass(without));
    }
    // A scrape per round, as Prometheus would do every few seconds (not counted in the pass times).
    const t0 = performance.now();
    await metrics.expose();
    scrapeMs = Math.max(scrapeMs, performance.now() - t0);
    process.stderr.write(
      `  round ${r + 1}/${rounds}: with ${rate(lines.length, on.at(-1)!.wallMs)} msgs/s, without ${rate(lines.length, off.at(-1)!.wallMs)} msgs/s\n`,
    );
  }

  // Noise-free cross-check: replay the hook calls one pass makes (per verdict, per DLQ record, the sampled
  // per-message stage timings and the per-batch ones) straight into a second ModstreamMetrics, many times.
  const outcomes = (
    await Promise.all(
      batches.map((b) =>
        without.pipeline.judge(b.map((raw, i) => ({ raw, source: { transport: 'bench', index: i } }))),
      ),
    )
  ).flat();
  const replay = new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
  const hooks = replay.pipeline;
  const replayPass = () => {
    hooks.received(batchSize);
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.kind === 'verdict') hooks.verdict(o.verdict);
      else hooks.dlq(o.error.error.code);
      if ((i & 15) === 0) {
        hooks.stage('decode', 2e-6);
        hooks.stage('match', 1e-5);
        hooks.stage('detectors', 3e-6);
      }
      if (i % batchSize === 0) for (const st of ['ingest', 'flood', 'policy'] as const) hooks.stage(st, 1e-4);
    }
  };
  for (let k = 0; k < 5; k++) replayPass();
  const replayRuns = 40;
  // CPU time, like the pipeline figure it is compared with: on a shared machine wall time mostly measures
  // the neighbours.
  const cr = process.cpuUsage();
  for (let k = 0; k < replayRuns; k++) replayPass();
  const replayCpu = process.cpuUsage(cr);
  const hookNs = ((replayCpu.user + replayCpu.system) * 1e3) / (replayRuns * outcomes.length);
  const pipelineNs = (cpuOffFor(off) * 1e6) / lines.length;

  // Sanity: the metrics really counted every judged message (warm-up included).
  const body = (await metrics.expose()).body;
  const counted = Number(/^modstream_messages_total (\d+)/m.exec(body)?.[1] ?? NaN);
  if (counted !== lines.length * (rounds + 1))
    throw new Error(`metrics counted ${counted} messages, expected ${lines.length * (rounds + 1)}`);

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const wallOn = median(on.map((p) => p.wallMs));
  const wallOff = median(off.map((p) => p.wallMs));
  const cpuOn = median(on.map((p) => p.cpuMs));
  const cpuOff = median(off.map((p) => p.cpuMs));
  // Per-round paired ratios cancel slow drifts in machine load better than the ratio of medians.
  const pairedWall = median(on.map((p, i) => p.wallMs / off[i]!.wallMs - 1)) * 100;
  const pairedCpu = median(on.map((p, i) => p.cpuMs / off[i]!.cpuMs - 1)) * 100;
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

  const report = [
    `### Metrics overhead, run of ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Command: \`${`npm run bench -- metrics-overhead ${argv.join(' ')}`.trim()}\`.`,
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, load average ` +
      `${loadavg()[0]!.toFixed(1)} at the end. Corpus: ${lines.length} messages (\`${inputs.corpusJsonl.replace(PROJECT_ROOT + '/', '')}\`), ` +
      `batches of ${batchSize}, lexicon \`${inputs.lexiconDir.replace(PROJECT_ROOT + '/', '')}\`, in-memory flood and strike stores. ` +
      `${rounds} interleaved rounds each way after one warm-up pass each; medians.`,
    '',
    '| pipeline | msgs/s (wall) | msgs/CPU-s |',
    '|---|--:|--:|',
    `| without metrics (no-op hooks) | ${rate(lines.length, wallOff)} | ${rate(lines.length, cpuOff)} |`,
    `| with ModstreamMetrics (all hooks, process metrics, scraped each round) | ${rate(lines.length, wallOn)} | ${rate(lines.length, cpuOn)} |`,
    '',
    `- Overhead, median of per-round pairs: **${pct(pairedWall)} wall, ${pct(pairedCpu)} CPU** ` +
      `(ratio of medians: ${pct((wallOn / wallOff - 1) * 100)} wall, ${pct((cpuOn / cpuOff - 1) * 100)} CPU). Target ≤ 5%.`,
    `- Hook calls replayed alone (CPU time): **${hookNs.toFixed(0)} ns per message** against ${(pipelineNs / 1000).toFixed(1)} µs ` +
      `of CPU per message for the whole pipeline without metrics, i.e. **${((hookNs / pipelineNs) * 100).toFixed(1)}%** ` +
      `(the corpus averages ${(outcomes.reduce((a, o) => a + (o.kind === 'verdict' ? o.verdict.reasons.length : 0), 0) / outcomes.length).toFixed(1)} reasons per message; ` +
      `the category label reads them all). The paired figures above also include the pipeline's call sites seeing two hook objects in one process.`,
    `- Slowest scrape (\`registry.metrics()\`, ${body.split('\n').length} lines): ${scrapeMs.toFixed(1)} ms.`,
    '',
  ].join('\n');
  process.stdout.write(report + '\n');
  writeFileSync(join(BENCH_OUT, 'metrics-overhead.md'), report + '\n');

  await withMetrics.close();
  await without.close();
}

function cpuOffFor(passes: readonly Pass[]): number {
  const s = passes.map((p) => p.cpuMs).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rate(messages: number, ms: number): string {
  return Math.round((messages / ms) * 1000).toLocaleString('en-US');
}
