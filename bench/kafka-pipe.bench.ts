/**
 * Production path throughput (issue 4): modstream's full hot path on Kafka + Redis against the ceiling, a
 * no-op pipe with the same client and batching.
 *
 *   npm run bench -- kafka-pipe [--messages 100000] [--rounds 3] [--partitions 6]
 *   (Kafka: MODSTREAM_BENCH_KAFKA or 127.0.0.1:9092; Redis: MODSTREAM_BENCH_REDIS or redis://127.0.0.1:6379;
 *    every topic, group and key written is deleted afterwards)
 *
 * One topic of N generated messages (src/transport/kafka/generator.ts: everyday chat plus ~10 % rule
 * breakers, 200 groups, 2 000 users) is produced once; then each run consumes it from the start in a fresh
 * consumer group and produces one output per message to a fresh verdicts topic:
 *   - pipe: KafkaStreamProcessor (the same kafkajs consumer, batching, in-flight bound, one acknowledged
 *     send per unit and commits as `modstream run`) with a judge that turns each record into a small fixed
 *     verdict without parsing it;
 *   - full: the same processor with the real Engine pipeline as judge — decode, fold, lexicon, detectors,
 *     the Redis flood limiter and strike store (one round trip per batch each), the policy — with the
 *     metrics `modstream run` keeps, and the Kafka settings it derives from the default configuration.
 * A run is timed from its first fetched batch to the broker's acknowledgement of the last output
 * ("steady"), and from start() — connect, join the group — to the same point ("with start-up").
 * Pipe and full alternate, `rounds` times each; medians are reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { ModstreamMetrics } from '../src/metrics/metrics.js';
import type { BatchJudge } from '../src/pipeline/types.js';
import { Engine } from '../src/runtime/engine.js';
import { createRedisStores } from '../src/runtime/redis.js';
import {
  KafkaStreamProcessor,
  generateMessages,
  produceMessages,
  type KafkaMetricsHooks,
  type KafkaSettingsInput,
} from '../src/transport/kafka/index.js';
import {
  NoopJudge,
  benchKafkaSettings,
  createTopics,
  deleteKeys,
  deleteTopicsAndGroups,
  quietKafka,
  requireServices,
  serviceAddresses,
} from './kafka-kit.js';

interface Options {
  messages: number;
  rounds: number;
  partitions: number;
  /** partitionsConsumedConcurrently (and so maxInFlight); 0: the default of `modstream run`. */
  concurrency: number;
  brokers: string[];
  redisUrl: string;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    messages: 100_000,
    rounds: 3,
    partitions: 6,
    concurrency: 0,
    ...serviceAddresses(),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--messages') opts.messages = value;
    else if (argv[i] === '--rounds') opts.rounds = value;
    else if (argv[i] === '--partitions') opts.partitions = value;
    else if (argv[i] === '--concurrency') opts.concurrency = value;
  }
  for (const [k, v] of Object.entries(opts))
    if (typeof v === 'number' && k !== 'concurrency' && !(Number.isInteger(v) && v > 0))
      throw new Error(`--${k} must be a positive integer`);
  return opts;
}

export interface RunResult {
  kind: 'pipe' | 'full';
  outputs: number;
  steadyMs: number;
  withStartMs: number;
  /** CPU time (user + system) per message, µs: this process, Redis (INFO cpu), the broker (/proc). */
  cpuUsPerMessage: number;
  redisCpuUsPerMessage: number;
  brokerCpuUsPerMessage: number | null;
}

/** Total CPU seconds of Redis (all its threads), from INFO cpu. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

/**
 * CPU seconds of the broker process(es) on this machine (a JVM running kafka.Kafka), from /proc; null where
 * there is no /proc or no local broker. Read-only.
 */
function brokerCpuSeconds(): number | null {
  let total = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (!cmdline.includes('kafka.Kafka')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100/s)
      found = true;
    }
  } catch {
    return null;
  }
  return found ? total : null;
}

/** Consumes the whole topic once through `judge`; resolves when the last output is acknowledged. */
async function timeRun(
  kind: RunResult['kind'],
  judge: BatchJudge,
  settings: KafkaSettingsInput,
  messages: number,
  redis: Redis,
  hooks: KafkaMetricsHooks = {},
): Promise<RunResult> {
  let firstFetch = 0;
  let outputs = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let doneAt = 0;
  const timed: BatchJudge = {
    judge(records) {
      if (firstFetch === 0) firstFetch = performance.now();
      return judge.judge(records);
    },
  };
  const processor = new KafkaStreamProcessor({
    judge: timed,
    kafka: { ...settings, createTopics: false },
    hooks: {
      ...hooks,
      onProduce(ms, records) {
        hooks.onProduce?.(ms, records);
        outputs += records;
        if (outputs >= messages && doneAt === 0) {
          doneAt = performance.now();
          finish();
        }
      },
    },
  });
  const redis0 = await redisCpuSeconds(redis);
  const broker0 = brokerCpuSeconds();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await processor.start();
  await finished;
  const cpu = process.cpuUsage(cpu0);
  const broker1 = brokerCpuSeconds();
  const redis1 = await redisCpuSeconds(redis);
  await processor.stop();
  return {
    kind,
    outputs,
    steadyMs: doneAt - firstFetch,
    withStartMs: doneAt - started,
    cpuUsPerMessage: (cpu.user + cpu.system) / messages,
    redisCpuUsPerMessage: ((redis1 - redis0) * 1e6) / messages,
    brokerCpuUsPerMessage:
      broker0 !== null && broker1 !== null ? ((broker1 - broker0) * 1e6) / messages : null,
  };
}

async function fullJudge(
  redisUrl: string,
  keyPrefix: string,
): Promise<{ engine: Engine; metrics: ModstreamMetrics }> {
  const config = loadConfig({
    env: {},
    overrides: {
      redis: { url: redisUrl, keyPrefix },
      log: { level: 'silent' },
      lexicons: { watch: false },
      policy: { watch: false },
    },
  });
  const logger = silentLogger();
  const metrics = new ModstreamMetrics();
  const stores = await createRedisStores(config, logger, metrics);
  const engine = await Engine.create({ config, logger, metrics, stores });
  return { engine, metrics };
}

/** The hooks `modstream run` wires (src/runtime/kafka.ts), so the full path pays for its metrics too. */
function metricsHooks(m: ModstreamMetrics): KafkaMetricsHooks {
  return {
    onBatch: (n) => m.kafka.onBatch(n),
    onCommit: (ms) => m.kafka.onCommit(ms),
    onLag: (t, p, lag) => m.kafka.onLag(t, p, lag),
    onDlq: (code) => m.pipeline.dlq(code),
    onProduce: (ms) => m.kafka.onProduce(ms / 1000),
    onJudgeError: (attempt) => m.kafka.onJudgeError(attempt),
    onAssignment: (partitions) => m.kafka.onAssignment(partitions),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function cpuText(
  r: Pick<RunResult, 'cpuUsPerMessage' | 'redisCpuUsPerMessage' | 'brokerCpuUsPerMessage'>,
): string {
  const broker = r.brokerCpuUsPerMessage === null ? '?' : r.brokerCpuUsPerMessage.toFixed(0);
  return `${r.cpuUsPerMessage.toFixed(0)} / ${r.redisCpuUsPerMessage.toFixed(0)} / ${broker}`;
}

export async function runKafkaPipeBench(opts: Options): Promise<string> {
  await requireServices(opts.brokers, opts.redisUrl);
  const prefix = `ms-bench-pipe-${Date.now().toString(36)}`;
  const messagesTopic = `${prefix}.messages`;
  const topics = [messagesTopic];
  const groups: string[] = [];
  const loadAtStart = loadavg()[0];
  const results: RunResult[] = [];
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const produced = await produceMessages({
      brokers: opts.brokers,
      topic: messagesTopic,
      source: generateMessages({ count: opts.messages, groups: 200, users: 2000, seed: 1 }),
      batchSize: 2000,
      createTopic: { partitions: opts.partitions },
    });
    process.stderr.write(
      `produced ${fmt(produced.sent)} messages in ${(produced.elapsedMs / 1000).toFixed(1)} s\n`,
    );

    for (let round = 0; round < opts.rounds; round++) {
      for (const kind of ['pipe', 'full'] as const) {
        const name = `${prefix}.${kind}${round}`;
        await createTopics(quietKafka(opts.brokers), [`${name}.verdicts`, `${name}.dlq`], opts.partitions);
        topics.push(`${name}.verdicts`, `${name}.dlq`);
        groups.push(`${name}.group`);
        const settings = benchKafkaSettings({
          brokers: opts.brokers,
          name,
          clientId: name,
          messagesTopic,
          partitions: opts.partitions,
          concurrency: opts.concurrency,
        });
        let result: RunResult;
        if (kind === 'pipe') {
          result = await timeRun(kind, new NoopJudge(), settings, opts.messages, redis);
        } else {
          const { engine, metrics } = await fullJudge(opts.redisUrl, `${name}:`);
          try {
            result = await timeRun(
              kind,
              engine.pipeline,
              settings,
              opts.messages,
              redis,
              metricsHooks(metrics),
            );
          } finally {
            await engine.close();
            await deleteKeys(opts.redisUrl, `${name}:`);
          }
        }
        results.push(result);
        process.stderr.write(
          `round ${round + 1} ${kind}: ${fmt((opts.messages * 1000) / result.steadyMs)} msgs/s steady, ` +
            `${fmt((opts.messages * 1000) / result.withStartMs)} with start-up; CPU µs/msg: ${cpuText(result)}\n`,
        );
      }
    }
  } finally {
    redis.disconnect();
    await deleteTopicsAndGroups(quietKafka(opts.brokers), topics, groups);
  }

  const rate = (kind: RunResult['kind'], pick: (r: RunResult) => number) =>
    median(results.filter((r) => r.kind === kind).map((r) => (opts.messages * 1000) / pick(r)));
  const cpu = (kind: RunResult['kind']) => {
    const runs = results.filter((r) => r.kind === kind);
    const brokers = runs.map((r) => r.brokerCpuUsPerMessage).filter((x): x is number => x !== null);
    return cpuText({
      cpuUsPerMessage: median(runs.map((r) => r.cpuUsPerMessage)),
      redisCpuUsPerMessage: median(runs.map((r) => r.redisCpuUsPerMessage)),
      brokerCpuUsPerMessage: brokers.length > 0 ? median(brokers) : null,
    });
  };
  const pipeSteady = rate('pipe', (r) => r.steadyMs);
  const fullSteady = rate('full', (r) => r.steadyMs);
  const pipeStart = rate('pipe', (r) => r.withStartMs);
  const fullStart = rate('full', (r) => r.withStartMs);
  const rows = [
    `| path | msgs/s (steady) | msgs/s (with start-up) | CPU µs per message: processor / Redis / broker |`,
    `|---|---:|---:|---:|`,
    `| no-op pipe (KafkaStreamProcessor, fixed verdict) | ${fmt(pipeSteady)} | ${fmt(pipeStart)} | ${cpu('pipe')} |`,
    `| modstream full hot path, Redis state | ${fmt(fullSteady)} | ${fmt(fullStart)} | ${cpu('full')} |`,
    `| ratio full / pipe | **${((100 * fullSteady) / pipeSteady).toFixed(0)} %** | ${((100 * fullStart) / pipeStart).toFixed(0)} % | |`,
  ];
  return (
    `${fmt(opts.messages)} messages, ${opts.partitions} partitions, median of ${opts.rounds} rounds per path; ` +
    `${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end.\n\n` +
    rows.join('\n') +
    '\n'
  );
}

export async function run(argv: string[]): Promise<void> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const report = await runKafkaPipeBench(parseArgs(argv));
  process.stdout.write(`\n${report}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
