import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Partitioners, type Kafka } from 'kafkajs';
import { ConfigError, ModstreamError } from '../../contracts/errors.js';
import type { Message } from '../../contracts/types.js';
import type { OutgoingRecord } from '../types.js';
import { createKafkaClient } from './client.js';
import { KAFKA_DEFAULTS, type KafkaCompression, type KafkaSettings } from './config.js';
import { KafkajsRecordSink } from './kafkajs-sink.js';
import { silentTransportLogger, type TransportLogger } from './logger.js';
import { HEADER_CONTENT_TYPE, HEADER_MESSAGE_ID, JSON_CONTENT_TYPE, messageKey } from './records.js';
import { abortableSleep } from './resilient-judge.js';
import { ensureTopics } from './topics.js';

export interface ProduceOptions {
  brokers: readonly string[];
  topic: string;
  /** Messages to send, or the path of a JSONL file whose lines are sent as they are (bad lines too). */
  source: AsyncIterable<Message> | Iterable<Message> | string;
  /** Messages per second; 0 or absent: as fast as the broker acknowledges. */
  ratePerSec?: number;
  /** Stop after this many records. */
  limit?: number;
  /** Most records per send (default 500). At a set rate, sends are smaller so the pace stays even. */
  batchSize?: number;
  clientId?: string;
  ssl?: KafkaSettings['ssl'];
  sasl?: KafkaSettings['sasl'];
  compression?: KafkaCompression;
  /** Create the topic when missing with this many partitions (default 6); false leaves topics alone. */
  createTopic?: { partitions: number; replicationFactor?: number } | false;
  logger?: TransportLogger;
  /** Stops producing (what was sent stays sent; the result counts it). */
  signal?: AbortSignal;
  /** Called after each acknowledged send with the running total. */
  onProgress?(sent: number): void;
  /** An existing kafkajs client (tests). */
  client?: Kafka;
}

export interface ProduceResult {
  sent: number;
  elapsedMs: number;
  /** Achieved rate. */
  ratePerSec: number;
}

// At a set rate, one send every ~20 ms keeps the stream smooth without a round trip per message.
const PACE_SLICE_MS = 20;

/**
 * `modstream produce`: sends messages to a topic, keyed `platform:groupId` (so each chat group keeps its
 * order), at a set rate or as fast as acknowledged (acks from all replicas). A JSONL file is sent line by
 * line as raw bytes, invalid lines included, which makes it a way to demo the DLQ too.
 */
export async function produceMessages(options: ProduceOptions): Promise<ProduceResult> {
  const rate = options.ratePerSec ?? 0;
  if (!(Number.isFinite(rate) && rate >= 0)) throw new ConfigError('USAGE', 'rate', 'must be a number >= 0');
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError('USAGE', 'batchSize', 'must be an integer >= 1');
  const limit = options.limit ?? Infinity;
  const logger = options.logger ?? silentTransportLogger;
  const kafka =
    options.client ??
    createKafkaClient(
      {
        brokers: [...options.brokers],
        clientId: options.clientId ?? 'modstream-produce',
        ssl: options.ssl ?? false,
        sasl: options.sasl ?? null,
        clientRetries: KAFKA_DEFAULTS.clientRetries,
        connectionTimeoutMs: KAFKA_DEFAULTS.connectionTimeoutMs,
        requestTimeoutMs: KAFKA_DEFAULTS.requestTimeoutMs,
      },
      logger,
    );

  const createTopic = options.createTopic ?? { partitions: KAFKA_DEFAULTS.partitions };
  if (createTopic) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(
        admin,
        [
          {
            topic: options.topic,
            partitions: createTopic.partitions,
            replicationFactor: createTopic.replicationFactor ?? 1,
          },
        ],
        logger,
      );
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const sink = new KafkajsRecordSink(
    producer,
    options.compression ?? 'none',
    KAFKA_DEFAULTS.requestTimeoutMs,
  );
  const slice =
    rate > 0 ? Math.max(1, Math.min(batchSize, Math.round((rate * PACE_SLICE_MS) / 1000))) : batchSize;
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  let sent = 0;
  let pending: OutgoingRecord[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    try {
      await sink.send(pending);
    } catch (e) {
      throw new ModstreamError(
        'KAFKA_ERROR',
        `produce to ${options.topic} failed after ${sent} records: ${(e as Error).message}`,
        { cause: e },
      );
    }
    sent += pending.length;
    pending = [];
    options.onProgress?.(sent);
  };

  const iterator = records(options.source, options.topic)[Symbol.asyncIterator]();
  try {
    let exhausted = false;
    while (!exhausted && !signal.aborted && sent < limit) {
      if (rate > 0) {
        // Pace before taking the next slice, so generated messages are stamped when they are sent:
        // the n-th record is due at start + n / rate.
        const wait = started + (sent * 1000) / rate - performance.now();
        if (wait > 1 && !(await abortableSleep(wait, signal))) break;
      }
      while (pending.length < slice && sent + pending.length < limit) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        pending.push(next.value);
      }
      await flush();
    }
  } finally {
    await iterator.return?.(undefined);
    await producer.disconnect().catch(() => {});
  }
  const elapsedMs = performance.now() - started;
  const result = { sent, elapsedMs, ratePerSec: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0 };
  logger.info({ topic: options.topic, ...result }, 'produced messages');
  return result;
}

async function* records(source: ProduceOptions['source'], topic: string): AsyncGenerator<OutgoingRecord> {
  if (typeof source === 'string') {
    yield* fileRecords(source, topic);
    return;
  }
  for await (const m of source as AsyncIterable<Message>) yield messageRecord(topic, m);
}

/** A message as a producer (a chat adapter) would send it. */
export function messageRecord(topic: string, m: Message): OutgoingRecord {
  return {
    topic,
    key: messageKey(m),
    value: JSON.stringify(m),
    headers: { [HEADER_MESSAGE_ID]: m.id, [HEADER_CONTENT_TYPE]: JSON_CONTENT_TYPE },
  };
}

async function* fileRecords(path: string, topic: string): AsyncGenerator<OutgoingRecord> {
  const input = createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (e) =>
      reject(new ConfigError('USAGE', 'source', `cannot read ${path}: ${e.message}`)),
    );
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield { topic, key: keyOfLine(line), value: line };
  }
}

/** `platform:groupId` when the line is a message; null (any partition) when it cannot be read. */
function keyOfLine(line: string): string | null {
  try {
    const v = JSON.parse(line) as Partial<Message> | null;
    if (v && typeof v.platform === 'string' && typeof v.groupId === 'string') return messageKey(v as Message);
  } catch {
    // An invalid line is sent as it is: the processor sends it to the DLQ.
  }
  return null;
}
