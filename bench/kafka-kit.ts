/**
 * What the Kafka benches (kafka-pipe, kafka-latency) share: the service probe, topic set-up and clean-up,
 * the Kafka settings `modstream run` derives from the default configuration, and the no-op pipe's judge.
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config/load.js';
import type { Verdict } from '../src/contracts/types.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../src/pipeline/types.js';
import { kafkaSettingsFrom } from '../src/runtime/kafka.js';
import type { KafkaSettingsInput } from '../src/transport/kafka/index.js';

/** Where the benches find Kafka and Redis: MODSTREAM_BENCH_KAFKA / MODSTREAM_BENCH_REDIS, else the dev services. */
export function serviceAddresses(): { brokers: string[]; redisUrl: string } {
  return {
    brokers: (process.env.MODSTREAM_BENCH_KAFKA ?? '127.0.0.1:9092').split(','),
    redisUrl: process.env.MODSTREAM_BENCH_REDIS ?? 'redis://127.0.0.1:6379',
  };
}

/** A kafkajs client that logs nothing (the benches report on their own). */
export function quietKafka(brokers: string[], clientId = 'modstream-bench'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

export async function createTopics(kafka: Kafka, topics: string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
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

/** Best effort: a bench's clean-up must not hide the result or the error it ends with. */
export async function deleteTopicsAndGroups(kafka: Kafka, topics: string[], groups: string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
    await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => {});
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Deletes every key that starts with `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Fails early, and clearly, when the broker or Redis is not there. */
export async function requireServices(brokers: string[], redisUrl: string): Promise<void> {
  const hint = 'start them with `npm run services:up`';
  const admin = new Kafka({
    clientId: 'modstream-bench-probe',
    brokers,
    connectionTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    throw new Error(`Kafka at ${brokers.join(',')} is not reachable (${(e as Error).message}); ${hint}`, {
      cause: e,
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`Redis at ${redisUrl} is not reachable (${(e as Error).message}); ${hint}`, { cause: e });
  } finally {
    redis.disconnect();
  }
}

export interface BenchKafkaSettings {
  brokers: string[];
  /** Names the group (`<name>.group`) and the output topics (`<name>.verdicts`, `<name>.dlq`). */
  name: string;
  messagesTopic: string;
  partitions: number;
  /** partitionsConsumedConcurrently; 0: the default of `modstream run`. */
  concurrency: number;
  /** Default: the configuration's. */
  clientId?: string;
}

/** The settings `modstream run` derives from the default configuration, on a bench's topics and group. */
export function benchKafkaSettings(o: BenchKafkaSettings): KafkaSettingsInput {
  const config = loadConfig({
    env: {},
    overrides: {
      kafka: {
        brokers: o.brokers,
        groupId: `${o.name}.group`,
        ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
        partitions: o.partitions,
        topics: { messages: o.messagesTopic, verdicts: `${o.name}.verdicts`, dlq: `${o.name}.dlq` },
        ...(o.concurrency > 0 ? { partitionsConsumedConcurrently: o.concurrency } : {}),
      },
    },
  });
  return kafkaSettingsFrom(config);
}

/** The ceiling's judge: a small fixed verdict per record, keyed by its source partition; nothing parsed. */
export class NoopJudge implements BatchJudge {
  async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    const out = new Array<Outcome>(records.length);
    for (let i = 0; i < records.length; i++) {
      const s = records[i].source;
      const verdict: Verdict = {
        v: 1,
        messageId: `bench:${s.partition}:${s.offset}`,
        platform: 'bench',
        groupId: String(s.partition),
        userId: '0',
        action: 'allow',
        deleteMessage: false,
        muteSeconds: 0,
        notifyAdmins: false,
        reasons: [],
        strikes: 0,
        dryRun: false,
        policy: 'pipe',
        lexiconVersion: 'none',
        ts: 0,
        latencyMs: 0,
      };
      out[i] = { kind: 'verdict', verdict };
    }
    return out;
  }
}
