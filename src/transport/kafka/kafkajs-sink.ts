import { CompressionTypes, type Message as KafkaMessage, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingRecord, RecordSink } from '../types.js';
import type { KafkaCompression } from './config.js';

const COMPRESSION: Readonly<Record<KafkaCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

/**
 * RecordSink over a kafkajs producer: one sendBatch per call (all topics in one request per broker),
 * acks from all in-sync replicas. Records keep their order per topic, hence per partition.
 */
export class KafkajsRecordSink implements RecordSink {
  readonly #producer: Producer;
  readonly #compression: CompressionTypes;
  readonly #timeoutMs: number;

  constructor(producer: Producer, compression: KafkaCompression, timeoutMs: number) {
    this.#producer = producer;
    this.#compression = COMPRESSION[compression];
    this.#timeoutMs = timeoutMs;
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#producer.sendBatch({
      topicMessages: groupByTopic(records),
      acks: -1,
      timeout: this.#timeoutMs,
      compression: this.#compression,
    });
  }
}

function groupByTopic(records: readonly OutgoingRecord[]): TopicMessages[] {
  // Almost always one or two topics (verdicts, dlq): a linear scan beats a Map here.
  const out: TopicMessages[] = [];
  for (const r of records) {
    let group = out.find((g) => g.topic === r.topic);
    if (!group) {
      group = { topic: r.topic, messages: [] };
      out.push(group);
    }
    const m: KafkaMessage = { key: r.key, value: r.value };
    if (r.headers) m.headers = r.headers;
    group.messages.push(m);
  }
  return out;
}
