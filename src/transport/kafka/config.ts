import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../../contracts/errors.js';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type KafkaCompression = 'none' | 'gzip';

export interface KafkaTopics {
  /** Consumed: message v1 records, key = `platform:groupId`. */
  messages: string;
  /** Produced: verdict v1 records, same key, header `message-id`. */
  verdicts: string;
  /** Produced: records that could not be judged, with the reason and the original bytes. */
  dlq: string;
}

/** Every Kafka setting of the processor, resolved (see resolveKafkaSettings for defaults and meaning). */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: KafkaTopics;
  /** Partitions for topics created at start (existing topics are left as they are). */
  partitions: number;
  replicationFactor: number;
  /** Create the three topics at start when missing (turn off where the client may not create topics). */
  createTopics: boolean;
  /** TLS: true for the system CAs, or Node TLS options (ca, cert, key, servername, ...). */
  ssl: boolean | ConnectionOptions;
  sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
  compression: KafkaCompression;
  /** Most records judged and produced as one unit; larger fetched batches are split. */
  maxBatchRecords: number;
  /** Most record bytes judged and produced as one unit (a single larger record still goes alone). */
  maxBatchBytes: number;
  /** Fetch limits. */
  maxBytesPerPartition: number;
  maxBytes: number;
  maxWaitTimeMs: number;
  /**
   * Partitions judged at the same time (order is kept within each partition). kafkajs fetches again only
   * when every partition of the last fetch is done, so partitions beyond this wait a turn and add that wait
   * to their messages' latency: keep it at least the partitions one instance owns (idle slots cost nothing).
   */
  partitionsConsumedConcurrently: number;
  /** Most batches between judge and broker acknowledgement at once, across all partitions. */
  maxInFlight: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** Retries of a batch whose judge threw, before each record is judged alone and failures go to the DLQ. */
  retries: number;
  /** Backoff before judge retry n (0-based): min(retryBackoffMs * 2^n, retryBackoffMaxMs). */
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** kafkajs retries for connecting, producing and committing (broker-side trouble). */
  clientRetries: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** A new group (no committed offsets) starts at the earliest record, so nothing already produced is skipped. */
  fromBeginning: boolean;
  /** DLQ values larger than this keep a truncated `raw` (the source offset still points at the original). */
  maxDlqValueBytes: number;
}

/** What callers pass: brokers, everything else optional. `ModstreamConfig['kafka']` fits as it is. */
export type KafkaSettingsInput = Partial<Omit<KafkaSettings, 'topics' | 'brokers'>> & {
  brokers: readonly string[];
  topics?: Partial<KafkaTopics>;
};

export const KAFKA_DEFAULTS: Readonly<Omit<KafkaSettings, 'brokers'>> = Object.freeze({
  clientId: 'modstream',
  groupId: 'modstream',
  topics: Object.freeze({
    messages: 'modstream.messages',
    verdicts: 'modstream.verdicts',
    dlq: 'modstream.dlq',
  }),
  partitions: 6,
  replicationFactor: 1,
  createTopics: true,
  ssl: false,
  sasl: null,
  compression: 'none',
  maxBatchRecords: 1000,
  maxBatchBytes: 4 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
  maxBytes: 10 * 1024 * 1024,
  maxWaitTimeMs: 100,
  partitionsConsumedConcurrently: 16,
  maxInFlight: 16,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  retries: 3,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 2_000,
  clientRetries: 8,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  fromBeginning: true,
  maxDlqValueBytes: 900 * 1024,
});

const BROKER = /^[^\s:/]+:\d{1,5}$/;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];
const COMPRESSIONS: readonly KafkaCompression[] = ['none', 'gzip'];

/**
 * Fills defaults and checks every field once, at construction, so nothing on the hot path re-validates.
 * Throws ConfigError (CONFIG_INVALID) naming the field, e.g. `kafka.brokers[0] must be host:port`.
 */
export function resolveKafkaSettings(input: KafkaSettingsInput): KafkaSettings {
  const d = KAFKA_DEFAULTS;
  const s: KafkaSettings = {
    brokers: [...(input.brokers ?? [])],
    clientId: input.clientId ?? d.clientId,
    groupId: input.groupId ?? d.groupId,
    topics: {
      messages: input.topics?.messages ?? d.topics.messages,
      verdicts: input.topics?.verdicts ?? d.topics.verdicts,
      dlq: input.topics?.dlq ?? d.topics.dlq,
    },
    partitions: input.partitions ?? d.partitions,
    replicationFactor: input.replicationFactor ?? d.replicationFactor,
    createTopics: input.createTopics ?? d.createTopics,
    ssl: input.ssl ?? d.ssl,
    sasl: input.sasl ?? d.sasl,
    compression: input.compression ?? d.compression,
    maxBatchRecords: input.maxBatchRecords ?? d.maxBatchRecords,
    maxBatchBytes: input.maxBatchBytes ?? d.maxBatchBytes,
    maxBytesPerPartition: input.maxBytesPerPartition ?? d.maxBytesPerPartition,
    maxBytes: input.maxBytes ?? d.maxBytes,
    maxWaitTimeMs: input.maxWaitTimeMs ?? d.maxWaitTimeMs,
    partitionsConsumedConcurrently: input.partitionsConsumedConcurrently ?? d.partitionsConsumedConcurrently,
    maxInFlight: input.maxInFlight ?? input.partitionsConsumedConcurrently ?? d.maxInFlight,
    sessionTimeoutMs: input.sessionTimeoutMs ?? d.sessionTimeoutMs,
    heartbeatIntervalMs: input.heartbeatIntervalMs ?? Math.min(d.heartbeatIntervalMs, sessionThird(input)),
    rebalanceTimeoutMs: input.rebalanceTimeoutMs ?? d.rebalanceTimeoutMs,
    retries: input.retries ?? d.retries,
    retryBackoffMs: input.retryBackoffMs ?? d.retryBackoffMs,
    retryBackoffMaxMs: input.retryBackoffMaxMs ?? d.retryBackoffMaxMs,
    clientRetries: input.clientRetries ?? d.clientRetries,
    connectionTimeoutMs: input.connectionTimeoutMs ?? d.connectionTimeoutMs,
    requestTimeoutMs: input.requestTimeoutMs ?? d.requestTimeoutMs,
    fromBeginning: input.fromBeginning ?? d.fromBeginning,
    maxDlqValueBytes: input.maxDlqValueBytes ?? d.maxDlqValueBytes,
  };
  validate(s);
  return s;
}

// Kafka expects heartbeats well within the session timeout; a third is the usual ratio.
function sessionThird(input: KafkaSettingsInput): number {
  return Math.max(100, Math.floor((input.sessionTimeoutMs ?? KAFKA_DEFAULTS.sessionTimeoutMs) / 3));
}

function validate(s: KafkaSettings): void {
  if (s.brokers.length === 0) fail('brokers', 'must list at least one broker (host:port)');
  s.brokers.forEach((b, i) => {
    if (typeof b !== 'string' || !BROKER.test(b))
      fail(`brokers[${i}]`, `must be host:port, got ${JSON.stringify(b)}`);
  });
  nonEmpty('clientId', s.clientId);
  nonEmpty('groupId', s.groupId);
  for (const name of ['messages', 'verdicts', 'dlq'] as const) {
    const t = s.topics[name];
    if (typeof t !== 'string' || !TOPIC.test(t) || t === '.' || t === '..') {
      fail(`topics.${name}`, 'must be a Kafka topic name (letters, digits, . _ -; at most 249)');
    }
  }
  const { messages, verdicts, dlq } = s.topics;
  if (messages === verdicts || messages === dlq || verdicts === dlq) {
    fail('topics', 'messages, verdicts and dlq must be three different topics');
  }
  if (typeof s.ssl !== 'boolean' && (typeof s.ssl !== 'object' || s.ssl === null)) {
    fail('ssl', 'must be true, false or TLS options');
  }
  if (s.sasl !== null) {
    if (typeof s.sasl !== 'object') fail('sasl', 'must be null or {mechanism, username, password}');
    if (!SASL_MECHANISMS.includes(s.sasl.mechanism))
      fail('sasl.mechanism', `must be one of ${SASL_MECHANISMS.join(', ')}`);
    if (typeof s.sasl.username !== 'string' || typeof s.sasl.password !== 'string') {
      fail('sasl', 'username and password must be strings');
    }
  }
  if (!COMPRESSIONS.includes(s.compression)) fail('compression', `must be one of ${COMPRESSIONS.join(', ')}`);
  bool('createTopics', s.createTopics);
  bool('fromBeginning', s.fromBeginning);
  int('partitions', s.partitions, 1);
  int('replicationFactor', s.replicationFactor, 1);
  int('maxBatchRecords', s.maxBatchRecords, 1);
  int('maxBatchBytes', s.maxBatchBytes, 1024);
  int('maxBytesPerPartition', s.maxBytesPerPartition, 1024);
  int('maxBytes', s.maxBytes, 1024);
  int('maxWaitTimeMs', s.maxWaitTimeMs, 0);
  int('partitionsConsumedConcurrently', s.partitionsConsumedConcurrently, 1);
  int('maxInFlight', s.maxInFlight, 1);
  int('sessionTimeoutMs', s.sessionTimeoutMs, 1000);
  int('heartbeatIntervalMs', s.heartbeatIntervalMs, 100);
  if (s.heartbeatIntervalMs >= s.sessionTimeoutMs)
    fail('heartbeatIntervalMs', 'must be below sessionTimeoutMs');
  int('rebalanceTimeoutMs', s.rebalanceTimeoutMs, 1000);
  int('retries', s.retries, 0, 20);
  int('retryBackoffMs', s.retryBackoffMs, 0);
  int('retryBackoffMaxMs', s.retryBackoffMaxMs, s.retryBackoffMs);
  int('clientRetries', s.clientRetries, 0, 100);
  int('connectionTimeoutMs', s.connectionTimeoutMs, 100);
  int('requestTimeoutMs', s.requestTimeoutMs, 100);
  int('maxDlqValueBytes', s.maxDlqValueBytes, 4096);
}

function fail(path: string, message: string): never {
  throw new ConfigError('CONFIG_INVALID', `kafka.${path}`, message);
}

function nonEmpty(path: string, v: unknown): void {
  if (typeof v !== 'string' || v.length === 0) fail(path, 'must be a non-empty string');
}

function bool(path: string, v: unknown): void {
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
}

function int(path: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(
      path,
      max === Number.MAX_SAFE_INTEGER
        ? `must be an integer >= ${min}`
        : `must be an integer in [${min}, ${max}]`,
    );
  }
}
