/**
 * Shared set-up for the end-to-end tests of the real processor on Kafka + Redis: per-file names (topics,
 * consumer group, Redis key prefix), test traffic whose expected verdicts are known, a collector that reads
 * the verdicts and DLQ topics while the processor writes them, and the checks every test repeats.
 *
 * The expected verdicts come from a reference run: the same messages through the same Engine with
 * in-memory state, one batch, in order. The processor on Kafka + Redis must reach the same decision for
 * every message (action, flags, strikes, reasons), however it was batched, rebalanced, killed or
 * restarted. For that the traffic is chosen so each decision depends on its own chat group's history only:
 * every user belongs to one group (so the cross-group spam check never couples partitions), and each
 * group's messages are in one partition, in order.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import type { Consumer, IHeaders } from 'kafkajs';
import { loadConfig } from '../../../src/config/load.js';
import { VerdictValidator } from '../../../src/contracts/decode.js';
import type { Message, Verdict } from '../../../src/contracts/types.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Engine } from '../../../src/runtime/engine.js';
import { generateMessages, messageRecord, type DlqValue } from '../../../src/transport/kafka/index.js';
import {
  createTopics,
  deleteTopics,
  produceRecords,
  quietKafka,
  randomPrefix,
  waitFor,
  type RawRecord,
} from '../../helpers/services.js';
import { ProcessorProcess, type ProcessorSpec } from './processor-process.js';

export interface E2eNames {
  prefix: string;
  groupId: string;
  topics: { messages: string; verdicts: string; dlq: string };
  redisKeyPrefix: string;
}

export function e2eNames(label: string): E2eNames {
  const prefix = randomPrefix(`e2e-${label}`);
  return {
    prefix,
    groupId: `${prefix}.group`,
    topics: { messages: `${prefix}.messages`, verdicts: `${prefix}.verdicts`, dlq: `${prefix}.dlq` },
    redisKeyPrefix: `${prefix}:`,
  };
}

export function processorSpec(
  names: E2eNames,
  brokers: readonly string[],
  redisUrl: string,
  extra: Partial<ProcessorSpec> = {},
): ProcessorSpec {
  return {
    brokers,
    groupId: names.groupId,
    topics: names.topics,
    partitions: 4,
    redisUrl,
    redisKeyPrefix: names.redisKeyPrefix,
    ...extra,
    // A loaded CI machine can stall a Redis reply past the 200 ms default; a fail-open episode would
    // change decisions (state from memory) and make the comparison with the reference meaningless.
    // The outage tests set their own timeout.
    env: { MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: '2000', ...extra.env },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Traffic

export interface TrafficOptions {
  /** Distinguishes the chat groups of one test from every other test's. */
  prefix: string;
  count: number;
  groups?: number;
  usersPerGroup?: number;
  violationRate?: number;
  seed?: number;
  /** Event time of the first message (default: so that the last one is now); then `spacingMs` apart. */
  startTs?: number;
  spacingMs?: number;
  /**
   * Keep the generator's `@全体成员` messages (default true). Tests that redeliver leave them out: an @all
   * warning takes no strike and shows the sender's count by peeking, and a peek in a redelivered batch
   * may still count a flood strike (keyed by cooldown bucket) that the first delivery recorded after it —
   * a known limit of the policy engine (see peekedCount in src/policy/engine.ts); it changes only the `strikes` shown.
   */
  mentions?: boolean;
}

/**
 * Generated chat traffic (src/transport/kafka/generator.ts: everyday messages plus a share of
 * violations), made decidable per group: user ids are scoped to their group, and event times are spaced
 * evenly, so rate, duplicate and ladder decisions depend on the group's own order only.
 */
export function traffic(o: TrafficOptions): Message[] {
  const spacing = o.spacingMs ?? 20;
  // Event times end now: a time in the future is clamped by the policy (a minute of clock skew at most)
  // relative to the moment of judging, which would make decisions depend on when they were made.
  const startTs = o.startTs ?? Date.now() - spacing * o.count;
  const out: Message[] = [];
  let i = 0;
  for (const m of generateMessages({
    seed: o.seed ?? 7,
    count: o.count,
    groups: o.groups ?? 8,
    users: o.usersPerGroup ?? 6,
    violationRate: o.violationRate ?? 0.3,
    groupPrefix: `${o.prefix.replace(/[^a-z0-9]/gi, '')}-`,
  })) {
    if (o.mentions === false && m.mentions) continue;
    out.push({ ...m, userId: `${m.groupId}.${m.userId}`, ts: startTs + spacing * i++ });
  }
  return out;
}

/** Message records as a chat adapter produces them (key `platform:groupId`, header `message-id`). */
export function messageRecords(messages: readonly Message[]): RawRecord[] {
  return messages.map((m) => {
    const r = messageRecord('unused', m);
    return { key: r.key as string, value: r.value as string, headers: r.headers };
  });
}

/** Produces messages in slices (one acknowledged send each), keeping each group's order. */
export async function produceMessages(
  brokers: string[],
  topic: string,
  messages: readonly Message[],
  slice = 2000,
): Promise<void> {
  const records = messageRecords(messages);
  for (let i = 0; i < records.length; i += slice) {
    await produceRecords(brokers, topic, records.slice(i, i + slice));
  }
}

/**
 * Produces `messages` over about `durationMs`, a slice every ~100 ms, so the processor works on a live
 * stream (and can be killed, rebalanced or deprived of Redis while it does). Resolves when all are sent.
 */
export async function produceSteadily(
  brokers: string[],
  topic: string,
  messages: readonly Message[],
  durationMs: number,
): Promise<void> {
  const kafka = quietKafka(brokers, 'modstream-e2e-producer');
  const producer = kafka.producer();
  await producer.connect();
  try {
    const records = messageRecords(messages);
    const slices = Math.max(1, Math.round(durationMs / 100));
    const per = Math.ceil(records.length / slices);
    const started = Date.now();
    for (let s = 0; s * per < records.length; s++) {
      const wait = started + s * 100 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await producer.send({ topic, acks: -1, messages: records.slice(s * per, (s + 1) * per) });
    }
  } finally {
    await producer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Expected decisions

/** What must be the same for a message however often and wherever it was judged. */
export interface Decision {
  action: Verdict['action'];
  deleteMessage: boolean;
  muteSeconds: number;
  notifyAdmins: boolean;
  strikes: number;
  dryRun: boolean;
  policy: string;
  reasons: Verdict['reasons'];
}

export function decisionOf(v: Verdict): Decision {
  return {
    action: v.action,
    deleteMessage: v.deleteMessage,
    muteSeconds: v.muteSeconds,
    notifyAdmins: v.notifyAdmins,
    strikes: v.strikes,
    dryRun: v.dryRun,
    policy: v.policy,
    reasons: v.reasons,
  };
}

/**
 * The reference: the same Engine `modstream run` builds (built-in lexicons, default policy), with
 * in-memory state, judging all messages in one batch in order.
 */
export async function referenceDecisions(messages: readonly Message[]): Promise<Map<string, Decision>> {
  const config = loadConfig({
    env: {},
    overrides: { metrics: { enabled: false }, log: { level: 'silent' } },
  });
  const engine = await Engine.create({ config, logger: silentLogger() });
  try {
    const outcomes = await engine.pipeline.judge(
      messages.map((m, i) => ({
        raw: JSON.stringify(m),
        source: { topic: 'reference', partition: 0, offset: String(i) },
      })),
    );
    const out = new Map<string, Decision>();
    outcomes.forEach((o, i) => {
      assert.equal(o.kind, 'verdict', `reference: message ${messages[i].id} was not judged`);
      if (o.kind === 'verdict') out.set(o.verdict.messageId, decisionOf(o.verdict));
    });
    return out;
  } finally {
    await engine.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading the outputs while they are written

export interface CollectedRecord {
  partition: number;
  offset: bigint;
  key: string | null;
  text: string;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * Reads a topic from the beginning, live, in a consumer group of its own (nothing it does affects the
 * processor's group). Records are kept by partition and offset, so a re-read after a rebalance of the
 * collector's own group is not counted twice.
 */
export class TopicCollector {
  readonly topic: string;
  readonly #consumer: Consumer;
  readonly #byPosition = new Map<string, CollectedRecord>();

  private constructor(topic: string, consumer: Consumer) {
    this.topic = topic;
    this.#consumer = consumer;
  }

  static async start(brokers: string[], topic: string): Promise<TopicCollector> {
    const consumer = quietKafka(brokers, 'modstream-e2e-collector').consumer({
      groupId: randomPrefix('e2e-collector'),
      maxWaitTimeInMs: 50,
    });
    const collector = new TopicCollector(topic, consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const id = `${batch.partition}/${m.offset}`;
          if (collector.#byPosition.has(id)) continue;
          collector.#byPosition.set(id, {
            partition: batch.partition,
            offset: BigInt(m.offset),
            key: m.key ? m.key.toString('utf8') : null,
            text: m.value ? m.value.toString('utf8') : '',
            value: m.value,
            headers: headerStrings(m.headers),
            timestamp: Number(m.timestamp),
          });
        }
      },
    });
    await waitFor(
      async () => (await consumer.describeGroup()).state === 'Stable',
      `collector of ${topic} to join its group`,
    );
    return collector;
  }

  get size(): number {
    return this.#byPosition.size;
  }

  /** Records in partition order, each partition in offset order. */
  records(): CollectedRecord[] {
    return [...this.#byPosition.values()].sort(
      (a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0),
    );
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect().catch(() => {});
  }
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

export interface ParsedVerdict {
  record: CollectedRecord;
  verdict: Verdict;
}

export function parseVerdicts(records: readonly CollectedRecord[]): ParsedVerdict[] {
  return records.map((record) => ({ record, verdict: JSON.parse(record.text) as Verdict }));
}

/** Distinct message ids among the verdicts collected so far. */
export function verdictIds(collector: TopicCollector): Set<string> {
  return new Set(collector.records().map((r) => r.headers['message-id']));
}

/** Waits until every message has at least one verdict; returns the parsed verdicts. */
export async function waitForVerdicts(
  collector: TopicCollector,
  messages: readonly Message[],
  timeoutMs = 60_000,
  what = 'verdicts',
): Promise<ParsedVerdict[]> {
  const wanted = new Set(messages.map((m) => m.id));
  await waitFor(
    () => {
      const seen = verdictIds(collector);
      let missing = 0;
      for (const id of wanted) if (!seen.has(id)) missing++;
      if (missing > 0) throw new Error(`${missing} of ${wanted.size} messages have no verdict yet`);
      return true;
    },
    `${what} for all ${wanted.size} messages`,
    { timeoutMs, intervalMs: 200 },
  );
  return parseVerdicts(collector.records());
}

// ---------------------------------------------------------------------------------------------------------
// Checks

const validator = new VerdictValidator();

/**
 * Every verdict record is a valid verdict v1, keyed `platform:groupId`, with the `message-id` and
 * `content-type` headers.
 */
export function assertVerdictRecordsWellFormed(verdicts: readonly ParsedVerdict[]): void {
  for (const { record, verdict } of verdicts) {
    const problem = validator.check(verdict);
    assert.equal(problem, null, `verdict at ${record.partition}/${record.offset} is invalid: ${problem}`);
    assert.equal(record.key, `${verdict.platform}:${verdict.groupId}`, 'verdict key is platform:groupId');
    assert.equal(record.headers['message-id'], verdict.messageId, 'message-id header');
    assert.equal(record.headers['content-type'], 'application/json', 'content-type header');
  }
}

export interface ConsistencyReport {
  distinct: number;
  /** Verdict records beyond the first for a message (redeliveries). */
  duplicates: number;
}

/**
 * Exactly one DISTINCT decision per message: every message has a verdict, a redelivered message's verdicts
 * are identical in action, flags, strikes and reasons, and none is for a message that was not sent.
 * With `expected`, each decision is also the reference's.
 */
export function assertOneDecisionPerMessage(
  verdicts: readonly ParsedVerdict[],
  messages: readonly Message[],
  expected?: ReadonlyMap<string, Decision>,
): ConsistencyReport {
  const sent = new Set(messages.map((m) => m.id));
  const first = new Map<string, Decision>();
  let duplicates = 0;
  for (const { verdict } of verdicts) {
    assert.ok(sent.has(verdict.messageId), `verdict for a message that was not sent: ${verdict.messageId}`);
    const decision = decisionOf(verdict);
    const seen = first.get(verdict.messageId);
    if (seen) {
      duplicates++;
      assert.deepEqual(decision, seen, `${verdict.messageId} was judged twice with different outcomes`);
      continue;
    }
    first.set(verdict.messageId, decision);
  }
  assert.equal(first.size, sent.size, 'every message has a verdict');
  if (expected) {
    let differ = 0;
    const examples: string[] = [];
    for (const [id, decision] of first) {
      const want = expected.get(id);
      try {
        assert.deepEqual(decision, want);
      } catch {
        differ++;
        if (examples.length < 3)
          examples.push(`${id}: got ${JSON.stringify(decision)}, expected ${JSON.stringify(want)}`);
      }
    }
    assert.equal(
      differ,
      0,
      `${differ} decisions differ from the reference run, e.g.\n${examples.join('\n')}`,
    );
  }
  return { distinct: first.size, duplicates };
}

/**
 * Order per chat group, end to end: in the verdicts topic (one partition per key), the first verdict of
 * each message of a group comes in the order the group's messages were sent.
 */
export function assertOrderPerGroup(verdicts: readonly ParsedVerdict[], messages: readonly Message[]): void {
  const position = new Map(messages.map((m, i) => [m.id, i]));
  const lastByGroup = new Map<string, number>();
  const seen = new Set<string>();
  const partitionOfKey = new Map<string, number>();
  for (const { record, verdict } of verdicts) {
    const key = record.key!;
    const p = partitionOfKey.get(key);
    if (p === undefined) partitionOfKey.set(key, record.partition);
    else assert.equal(record.partition, p, `verdicts of ${key} are all in one partition`);
    if (seen.has(verdict.messageId)) continue;
    seen.add(verdict.messageId);
    const pos = position.get(verdict.messageId)!;
    const last = lastByGroup.get(key) ?? -1;
    assert.ok(pos > last, `${key}: ${verdict.messageId} judged after a later message of its group`);
    lastByGroup.set(key, pos);
  }
}

/** Sum of a topic's per-partition offsets (committed or end), the unset ones (-1) counting as 0. */
export function totalOffset(offsets: ReadonlyMap<number, bigint>): bigint {
  let sum = 0n;
  for (const o of offsets.values()) if (o > 0n) sum += o;
  return sum;
}

/** DLQ records parsed. */
export function parseDlq(
  records: readonly CollectedRecord[],
): { record: CollectedRecord; value: DlqValue }[] {
  return records.map((record) => ({ record, value: JSON.parse(record.text) as DlqValue }));
}

// ---------------------------------------------------------------------------------------------------------
// A test file's live run: processor instances on a stream, judged against the reference

export interface LiveRunOptions {
  names: E2eNames;
  brokers: string[];
  redisUrl: string;
  messages: readonly Message[];
  /** More of the processor's settings (see processorSpec). */
  spec?: Partial<ProcessorSpec>;
}

export interface LiveRun {
  readonly spec: ProcessorSpec;
  /** The verdicts topic, read from the start (set once the suite's `before` has run). */
  readonly collector: TopicCollector;
  /** The reference decisions of the messages (set once the suite's `before` has run). */
  readonly expected: Map<string, Decision>;
  /** Spawns an instance, killed in the suite's `after` if it is still running then. */
  spawn(name: string): Promise<ProcessorProcess>;
  /**
   * Spawns the instance `first`, waits until it is ready, then starts producing the messages over
   * `durationMs`; `producing` settles when all are sent.
   */
  startStream(durationMs: number): Promise<{ first: ProcessorProcess; producing: Promise<void> }>;
  /** Waits until `count` verdict records are in (the stream is under way). */
  underWay(count: number, what: string): Promise<void>;
  /**
   * The checks after a live run: well-formed verdict records, order per group (unless `orderPerGroup` is
   * false) and one distinct decision per message, the reference's.
   */
  assertVerdicts(verdicts: readonly ParsedVerdict[], o?: { orderPerGroup?: boolean }): ConsistencyReport;
}

/**
 * Call inside `describe`: its `before` creates the topics (4 partitions), starts the verdicts collector and
 * computes the reference decisions; its `after` kills what still runs and deletes the topics and the Redis
 * keys, so each test file cleans up even when a test fails half-way.
 */
export function liveRun(o: LiveRunOptions): LiveRun {
  const spec = processorSpec(o.names, o.brokers, o.redisUrl, o.spec);
  const running: ProcessorProcess[] = [];
  let collector: TopicCollector | undefined;
  let expected: Map<string, Decision> | undefined;

  before(async () => {
    await createTopics(o.brokers, Object.values(o.names.topics), 4);
    collector = await TopicCollector.start(o.brokers, o.names.topics.verdicts);
    expected = await referenceDecisions(o.messages);
  });

  after(async () => {
    await Promise.all(running.map((p) => p.dispose()));
    await collector?.stop();
    await deleteTopics(o.brokers, Object.values(o.names.topics));
    await deleteRedisKeys(o.redisUrl, o.names.redisKeyPrefix);
  });

  const run: LiveRun = {
    spec,
    get collector() {
      assert.ok(collector, 'the collector starts in the suite before()');
      return collector;
    },
    get expected() {
      assert.ok(expected, 'the reference is computed in the suite before()');
      return expected;
    },
    async spawn(name) {
      const p = await ProcessorProcess.spawn(name, spec);
      running.push(p);
      return p;
    },
    async startStream(durationMs) {
      const first = await run.spawn('first');
      await first.ready();
      const producing = produceSteadily(o.brokers, o.names.topics.messages, o.messages, durationMs);
      return { first, producing };
    },
    async underWay(count, what) {
      await waitFor(() => run.collector.size >= count, what, { timeoutMs: 60_000 });
    },
    assertVerdicts(verdicts, { orderPerGroup = true } = {}) {
      assertVerdictRecordsWellFormed(verdicts);
      if (orderPerGroup) assertOrderPerGroup(verdicts, o.messages);
      return assertOneDecisionPerMessage(verdicts, o.messages, run.expected);
    },
  };
  return run;
}

// ---------------------------------------------------------------------------------------------------------
// Redis

/** Keys under a prefix (SCAN, never KEYS). */
export async function redisKeys(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  await redis.connect();
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under the prefix (best effort: cleaning up must never fail a test). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  try {
    const keys = await redisKeys(url, prefix);
    if (keys.length === 0) return;
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    await redis.connect();
    try {
      for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
    } finally {
      redis.disconnect();
    }
  } catch {
    // best effort
  }
}
