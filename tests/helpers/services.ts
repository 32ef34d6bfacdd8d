/**
 * Shared helpers for integration tests against the real services (`npm run services:up`):
 * Kafka on 127.0.0.1:9092 and Redis on 127.0.0.1:6379 (override with MODSTREAM_TEST_KAFKA=host:port,… and
 * MODSTREAM_TEST_REDIS=redis://…).
 *
 * Usage, at the top of a test file:
 *   const kafka = await requireKafka();
 *   describe('…', { skip: kafka.skip }, () => { … kafka.brokers … });
 *
 * A missing service SKIPS locally with a clear message, but under CI=true it FAILS: requireKafka()
 * registers a failing test that says what is missing and how to start it, and skips the rest.
 */
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners, type IHeaders, type KafkaMessage } from 'kafkajs';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const TEST_KAFKA_BROKERS = (process.env.MODSTREAM_TEST_KAFKA ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
export const TEST_REDIS_URL = process.env.MODSTREAM_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export interface ServiceGate {
  available: boolean;
  /** For `describe(name, { skip })`: false when available, else the reason. */
  skip: string | false;
}
export interface KafkaGate extends ServiceGate {
  brokers: string[];
}
export interface RedisGate extends ServiceGate {
  url: string;
}

/**
 * A topic-, group- and key-safe unique prefix, so every test owns its topics, consumer groups and keys
 * and tests never see each other's data (nor a previous run's).
 */
export function randomPrefix(label = 't'): string {
  const safe = label.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 40);
  return `ms-${safe}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Is a Kafka broker answering? Skips locally, fails under CI (see the file comment). */
export async function requireKafka(): Promise<KafkaGate> {
  const brokers = TEST_KAFKA_BROKERS;
  const problem = await probeKafka(brokers);
  return gate('Kafka', brokers.join(','), problem, { brokers });
}

/** Is Redis answering PING? Skips locally, fails under CI (see the file comment). */
export async function requireRedis(): Promise<RedisGate> {
  const url = TEST_REDIS_URL;
  const problem = await probeRedis(url);
  return gate('Redis', url, problem, { url });
}

function gate<T extends object>(
  what: string,
  where: string,
  problem: string | null,
  extra: T,
): ServiceGate & T {
  if (problem === null) return { available: true, skip: false, ...extra };
  const hint = 'start it with `npm run services:up`';
  if (IN_CI) {
    const message = `${what} at ${where} is required under CI=true but is not available (${problem}); ${hint}`;
    test(`${what} is available (required under CI=true)`, () => {
      throw new Error(message);
    });
    return { available: false, skip: `${what} missing: see the failing test above`, ...extra };
  }
  return { available: false, skip: `${what} at ${where} not available (${problem}); ${hint}`, ...extra };
}

async function probeKafka(brokers: string[]): Promise<string | null> {
  const admin = quietKafka(brokers, 'modstream-test-probe', { connectionTimeout: 1500, retries: 0 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 ? null : 'no brokers in the cluster';
  } catch (e) {
    return (e as Error).message;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function probeRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? null : `PING answered ${pong}`;
  } catch (e) {
    return (e as Error).message;
  } finally {
    redis.disconnect();
  }
}

/** A kafkajs client that logs nothing (tests assert, they do not read logs). */
export function quietKafka(
  brokers: string[],
  clientId = 'modstream-test',
  opts: { connectionTimeout?: number; retries?: number } = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: opts.connectionTimeout ?? 3000,
    retry: { retries: opts.retries ?? 5, initialRetryTime: 100 },
    logLevel: logLevel.NOTHING,
  });
}

export async function createTopics(
  brokers: string[],
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes test topics (best effort: the broker is formatted fresh at every start anyway). */
export async function deleteTopics(brokers: string[], topics: readonly string[]): Promise<void> {
  const admin = quietKafka(brokers).admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: [...topics], timeout: 5000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export interface RawRecord {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  partition?: number;
}

/** Produces records in one acknowledged (acks=all) send, in order per partition. */
export async function produceRecords(
  brokers: string[],
  topic: string,
  records: readonly RawRecord[],
): Promise<void> {
  const producer = quietKafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ ...r })) });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** value as UTF-8 text ('' for null). */
  text: string;
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * Reads every record of `topic` up to its end offsets at the moment of the call (a snapshot), partition
 * by partition in offset order. Uses a throw-away consumer group; nothing is committed.
 */
export async function readTopic(brokers: string[], topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const kafka = quietKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  const starts = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      ends.set(o.partition, BigInt(o.high));
      starts.set(o.partition, BigInt(o.low));
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([p, end]) => end > (starts.get(p) ?? 0n)).map(([p]) => p));
  // By partition and offset: a reader whose throw-away group rebalances reads some records again.
  const seen = new Map<string, ReadRecord>();
  if (pending.size === 0) return [];

  const consumer = kafka.consumer({ groupId: randomPrefix('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `readTopic(${topic}): partitions ${[...pending].join(',')} not read to their end in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition) ?? 0n;
            if (BigInt(message.offset) < end)
              seen.set(`${partition}/${message.offset}`, toReadRecord(topic, partition, message));
            if (BigInt(message.offset) + 1n >= end) {
              pending.delete(partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...seen.values()].sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

function toReadRecord(topic: string, partition: number, m: KafkaMessage): ReadRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value,
    text: m.value ? m.value.toString('utf8') : '',
    headers: headersToStrings(m.headers),
    timestamp: Number(m.timestamp),
  };
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** Committed offsets of a group on a topic, per partition (-1 when nothing is committed). */
export async function committedOffsets(
  brokers: string[],
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** End offset (next offset to be written) of each partition. */
export async function endOffsets(brokers: string[], topic: string): Promise<Map<number, bigint>> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls `condition` until it holds; rejects with `what` after `timeoutMs`. A guard against hanging tests,
 * not a timing assertion: generous timeouts are fine.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
