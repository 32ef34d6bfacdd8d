/**
 * Verdict latency on the production path (issue 4): a real `modstream run` process in Kafka mode with Redis
 * state, fed a steady stream; latency is each verdict record's Kafka timestamp minus its message record's
 * Kafka timestamp (both CreateTime, stamped by the producing client on this machine's clock).
 *
 *   npm run bench -- kafka-latency [--rate 5000] [--seconds 30] [--warmup 3] [--partitions 6]
 *     [--concurrency N] [--path full|pipe] [--timeline] [--cpu-prof-dir DIR] [--skip-build]
 *   (Kafka: MODSTREAM_BENCH_KAFKA or 127.0.0.1:9092; Redis: MODSTREAM_BENCH_REDIS or redis://127.0.0.1:6379;
 *    the topics, group and keys it writes are deleted afterwards)
 *
 * The processor is the built CLI, `node dist/cli/main.js run` (rebuilt first with `npm run build` unless
 * --skip-build), as deployments run it.
 *
 * The stream is `modstream produce`'s: generated chat traffic (200 groups, 2 000 users, ~10 % rule
 * breakers) keyed platform:groupId, paced in 20 ms slices. The processor runs with the built-in lexicons,
 * default policy, metrics on, Redis fail-open, and the Kafka settings of the default configuration. The
 * first `warmup` seconds of messages (JIT, group join) are reported apart.
 *
 * `--path pipe` measures the transport's own floor instead: the no-op pipe of kafka-pipe.bench.ts (the
 * same KafkaStreamProcessor and settings, a fixed verdict per record, nothing parsed, no Redis), run in
 * this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KafkaStreamProcessor, generateMessages, produceMessages } from '../src/transport/kafka/index.js';
import { BUILT_CLI, buildDist } from './dist.js';
import * as kit from './kafka-kit.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  rate: number;
  seconds: number;
  warmup: number;
  partitions: number;
  /** MODSTREAM_KAFKA_PARTITIONS_CONCURRENTLY for the processor; 0: its default. */
  concurrency: number;
  /** full: `modstream run`; pipe: the no-op pipe in this process (the transport's floor). */
  path: 'full' | 'pipe';
  /** Also print p50 / p99 / max for each second of the run (to stderr). */
  timeline: boolean;
  /** Where `modstream run` writes a V8 CPU profile (--cpu-prof-dir); none when null. */
  cpuProfDir: string | null;
  /** Run dist/ as it is, without `npm run build` first. */
  skipBuild: boolean;
  brokers: string[];
  redisUrl: string;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    rate: 5000,
    seconds: 30,
    warmup: 3,
    partitions: 6,
    concurrency: 0,
    path: 'full',
    timeline: false,
    cpuProfDir: null,
    skipBuild: false,
    ...kit.serviceAddresses(),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--rate') opts.rate = value;
    else if (argv[i] === '--seconds') opts.seconds = value;
    else if (argv[i] === '--warmup') opts.warmup = value;
    else if (argv[i] === '--partitions') opts.partitions = value;
    else if (argv[i] === '--concurrency') opts.concurrency = value;
    else if (argv[i] === '--timeline') opts.timeline = true;
    else if (argv[i] === '--skip-build') opts.skipBuild = true;
    else if (argv[i] === '--cpu-prof-dir') opts.cpuProfDir = resolve(argv[i + 1]);
    else if (argv[i] === '--path') {
      const path = argv[i + 1];
      if (path !== 'full' && path !== 'pipe') throw new Error('--path must be full or pipe');
      opts.path = path;
    }
  }
  for (const k of ['rate', 'seconds', 'partitions'] as const)
    if (!(Number.isInteger(opts[k]) && opts[k] > 0)) throw new Error(`--${k} must be a positive integer`);
  if (!(opts.warmup >= 0 && opts.warmup < opts.seconds)) throw new Error('--warmup must be in [0, seconds)');
  return opts;
}

const kafkaClient = (brokers: string[]) => kit.quietKafka(brokers, 'modstream-bench-latency');

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `modstream run` in Kafka mode, configured through the environment as it is deployed. */
async function startProcessor(opts: Options, prefix: string, metricsPort: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MODSTREAM_')) env[k] = v;
  Object.assign(env, {
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    KAFKA_BROKERS: opts.brokers.join(','),
    REDIS_URL: opts.redisUrl,
    MODSTREAM_KAFKA_GROUP_ID: `${prefix}.group`,
    MODSTREAM_KAFKA_TOPIC_MESSAGES: `${prefix}.messages`,
    MODSTREAM_KAFKA_TOPIC_VERDICTS: `${prefix}.verdicts`,
    MODSTREAM_KAFKA_TOPIC_DLQ: `${prefix}.dlq`,
    MODSTREAM_KAFKA_PARTITIONS: String(opts.partitions),
    MODSTREAM_REDIS_KEY_PREFIX: `${prefix}:`,
    MODSTREAM_METRICS_HOST: '127.0.0.1',
    MODSTREAM_LEXICON_WATCH: 'false',
    MODSTREAM_POLICY_WATCH: 'false',
  });
  if (opts.concurrency > 0) env.MODSTREAM_KAFKA_PARTITIONS_CONCURRENTLY = String(opts.concurrency);
  const child = spawn(
    process.execPath,
    [
      ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
      BUILT_CLI,
      'run',
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`modstream run exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('modstream run was not ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The no-op pipe, in this process, with the Kafka settings `modstream run` derives from the defaults. */
async function startPipe(
  opts: Options,
  prefix: string,
): Promise<{ processor: KafkaStreamProcessor; describe(): string }> {
  const settings = kit.benchKafkaSettings({
    brokers: opts.brokers,
    name: prefix,
    messagesTopic: `${prefix}.messages`,
    partitions: opts.partitions,
    concurrency: opts.concurrency,
  });
  let batches = 0;
  let records = 0;
  let produceMs = 0;
  let commits = 0;
  let commitMs = 0;
  const processor = new KafkaStreamProcessor({
    judge: new kit.NoopJudge(),
    kafka: { ...settings, createTopics: false },
    hooks: {
      onBatch: (n) => {
        batches++;
        records += n;
      },
      onProduce: (ms) => (produceMs += ms),
      onCommit: (ms) => {
        commits++;
        commitMs += ms;
      },
    },
  });
  await processor.start();
  return {
    processor,
    describe: () =>
      `${batches} batches of ${(records / batches).toFixed(0)} messages on average; per batch, produce ` +
      `${(produceMs / batches).toFixed(1)} ms; ${commits} offset commits (beside the batches) of ` +
      `${(commitMs / commits).toFixed(1)} ms on average.`,
  };
}

/** CPU seconds (user + system) of a process, from /proc; null where unavailable. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function endOffsetsSum(brokers: string[], topic: string): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

type KeyOf = (
  partition: number,
  m: { offset: string; headers?: Record<string, unknown> },
) => string | undefined;
const byMessageId: KeyOf = (_, m) => (m.headers?.['message-id'] as Buffer | undefined)?.toString();
// The no-op pipe names its verdicts after the source record (see NoopJudge).
const bySourcePosition: KeyOf = (partition, m) => `bench:${partition}:${m.offset}`;

/** Reads a whole topic once: first timestamp per key (by default the `message-id` header). */
async function timestampsById(
  brokers: string[],
  topic: string,
  expected: number,
  keyOf: KeyOf = byMessageId,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const kafka = kafkaClient(brokers);
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxBytesPerPartition: 4 * 1024 * 1024 });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolveRead, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read only ${seen} of ${expected} records of ${topic}`)),
        120_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              seen++;
              const id = keyOf(batch.partition, m);
              if (id !== undefined && !out.has(id)) out.set(id, Number(m.timestamp));
            }
            if (seen >= expected) {
              clearTimeout(timer);
              resolveRead();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([`${topic}.reader`]).catch(() => {});
  await admin.disconnect();
  return out;
}

/** Mean per batch of the serial steps of one unit, from the processor's own histograms. */
function describeBatches(metrics: string): string {
  const value = (name: string, label = '') => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}${label} `));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
  };
  const batches = value('modstream_kafka_batch_size_count');
  const stage = (s: string) =>
    (1000 * value('modstream_stage_duration_seconds_sum', `{stage="${s}"}`)) / batches;
  const commits = value('modstream_kafka_commit_duration_seconds_count');
  const commit = (1000 * value('modstream_kafka_commit_duration_seconds_sum')) / commits;
  const size = value('modstream_kafka_batch_size_sum') / batches;
  return (
    `${Math.round(batches)} batches of ${size.toFixed(0)} messages on average (the processor's /metrics); per batch, flood (Redis) ` +
    `${stage('flood').toFixed(1)} ms, policy + strikes (Redis) ${stage('policy').toFixed(1)} ms, produce ` +
    `${stage('produce').toFixed(1)} ms; ${Math.round(commits)} offset commits (beside the batches) of ` +
    `${commit.toFixed(1)} ms on average.`
  );
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function cleanUp(opts: Options, prefix: string): Promise<void> {
  await kit.deleteTopicsAndGroups(
    kafkaClient(opts.brokers),
    [`${prefix}.messages`, `${prefix}.verdicts`, `${prefix}.dlq`],
    [`${prefix}.group`],
  );
  await kit.deleteKeys(opts.redisUrl, `${prefix}:`);
}

export async function runKafkaLatencyBench(opts: Options): Promise<string> {
  await kit.requireServices(opts.brokers, opts.redisUrl);
  const prefix = `ms-bench-latency-${Date.now().toString(36)}`;
  const total = opts.rate * opts.seconds;
  const loadAtStart = loadavg()[0];
  await kit.createTopics(
    kafkaClient(opts.brokers),
    ['messages', 'verdicts', 'dlq'].map((t) => `${prefix}.${t}`),
    opts.partitions,
  );

  let child: ChildProcess | null = null;
  let pipe: { processor: KafkaStreamProcessor; describe(): string } | null = null;
  try {
    const metricsPort = await freePort();
    if (opts.path === 'full') {
      if (!opts.skipBuild) buildDist();
      child = await startProcessor(opts, prefix, metricsPort);
    } else pipe = await startPipe(opts, prefix);
    const cpu0 = child ? cpuSeconds(child.pid) : null;
    const produced = await produceMessages({
      brokers: opts.brokers,
      topic: `${prefix}.messages`,
      source: generateMessages({ groups: 200, users: 2000, seed: 1, groupPrefix: 'lat' }),
      ratePerSec: opts.rate,
      limit: total,
      createTopic: false,
    });
    process.stderr.write(
      `produced ${produced.sent} messages at ${Math.round(produced.ratePerSec)} msgs/s over ${(produced.elapsedMs / 1000).toFixed(1)} s\n`,
    );
    const deadline = Date.now() + 60_000;
    while ((await endOffsetsSum(opts.brokers, `${prefix}.verdicts`)) < produced.sent) {
      if (Date.now() > deadline) throw new Error('not every message got its verdict within 60 s of the end');
      await new Promise((r) => setTimeout(r, 250));
    }
    const cpu1 = child ? cpuSeconds(child.pid) : null;
    const perBatch = pipe
      ? pipe.describe()
      : describeBatches(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    const processorCpu =
      cpu0 !== null && cpu1 !== null
        ? `\`modstream run\` used ${((100 * (cpu1 - cpu0)) / (produced.elapsedMs / 1000)).toFixed(0)} % of one core`
        : 'the no-op pipe ran in the producing process';

    const sent = await timestampsById(
      opts.brokers,
      `${prefix}.messages`,
      produced.sent,
      pipe ? bySourcePosition : byMessageId,
    );
    const judged = await timestampsById(opts.brokers, `${prefix}.verdicts`, produced.sent);
    let firstTs = Infinity;
    for (const ts of sent.values()) if (ts < firstTs) firstTs = ts;
    const warm: number[] = [];
    const cold: number[] = [];
    const perSecond: number[][] = [];
    for (const [id, ts] of sent) {
      const verdictTs = judged.get(id);
      if (verdictTs === undefined) throw new Error(`no verdict for ${id}`);
      (ts - firstTs < opts.warmup * 1000 ? cold : warm).push(verdictTs - ts);
      (perSecond[Math.floor((ts - firstTs) / 1000)] ??= []).push(verdictTs - ts);
    }
    warm.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);
    if (opts.timeline) {
      // Where the tail comes from: a steady spread, or a few bad seconds (start-up, a neighbour's burst).
      const lines = perSecond.map((xs, s) => {
        xs.sort((a, b) => a - b);
        return `  s${s}: n ${xs.length}, p50 ${percentile(xs, 50)}, p99 ${percentile(xs, 99)}, max ${xs[xs.length - 1]}`;
      });
      process.stderr.write(`latency per second of produce time (ms):\n${lines.join('\n')}\n`);
    }
    const row = (label: string, xs: number[]) =>
      `| ${label} | ${xs.length.toLocaleString('en-US')} | ${percentile(xs, 50)} | ${percentile(xs, 90)} | ${percentile(xs, 99)} | ${percentile(xs, 99.9)} | ${xs[xs.length - 1]} |`;
    return (
      `${opts.rate.toLocaleString('en-US')} msgs/s offered for ${opts.seconds} s (achieved ${Math.round(produced.ratePerSec).toLocaleString('en-US')}/s), ` +
      `${opts.partitions} partitions, path ${opts.path}; ${processorCpu}; ${cpus().length} cores, ` +
      `load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end.\n\n` +
      `| messages | count | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n` +
      `${row(`after the first ${opts.warmup} s`, warm)}\n${row(`first ${opts.warmup} s (warm-up)`, cold)}\n\n` +
      `Where a batch's time went (whole run): ${perBatch}\n`
    );
  } finally {
    await pipe?.processor.stop();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await cleanUp(opts, prefix);
  }
}

export async function run(argv: string[]): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const report = await runKafkaLatencyBench(parseArgs(argv));
  process.stdout.write(`\n${report}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
