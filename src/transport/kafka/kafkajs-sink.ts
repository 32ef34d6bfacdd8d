import { CompressionTypes, type Message as KafkaMessage, type Producer, type TopicMessages } from 'kafkajs';
import type { OutgoingRecord, RecordSink } from '../types.js';
import { recordRefusal } from './broker-errors.js';
import type { KafkaCompression } from './config.js';

const COMPRESSION: Readonly<Record<KafkaCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

/** Most record bytes merged into one request from sends that waited together (a lone send may be larger). */
const MERGE_MAX_BYTES = 512 * 1024;

interface Waiting {
  records: readonly OutgoingRecord[];
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * RecordSink over a kafkajs producer: acks from all in-sync replicas; records keep their order per topic,
 * hence per partition.
 *
 * The producers here have one request in flight per broker (`maxInFlightRequests: 1`, for order), so
 * sends from partitions judged at the same time would queue for it one round trip each. Instead, sends that arrive while a request is in flight wait together and go as ONE request when
 * it returns: each caller still resolves only once its own records are acknowledged. Order is unaffected,
 * as a caller (one source partition) sends its next unit only after the previous one was acknowledged. If
 * a merged request is refused for a record in it (too large, invalid), every send in it is retried on its
 * own, so only the send holding that record sees the refusal.
 */
export class KafkajsRecordSink implements RecordSink {
  readonly #producer: Producer;
  readonly #compression: CompressionTypes;
  readonly #timeoutMs: number;
  #waiting: Waiting[] = [];
  #sending = false;

  constructor(producer: Producer, compression: KafkaCompression, timeoutMs: number) {
    this.#producer = producer;
    this.#compression = COMPRESSION[compression];
    this.#timeoutMs = timeoutMs;
  }

  send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ records, bytes: byteSize(records), resolve, reject });
      if (!this.#sending) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#waiting.length > 0) {
        const group = this.#takeGroup();
        if (group.length === 1) {
          await this.#settle(group[0]);
          continue;
        }
        try {
          await this.#sendBatch(group.flatMap((w) => w.records));
          for (const w of group) w.resolve();
        } catch (e) {
          if (recordRefusal(e) === null) {
            for (const w of group) w.reject(e);
          } else {
            for (const w of group) await this.#settle(w);
          }
        }
      }
    } finally {
      this.#sending = false;
    }
  }

  /** The oldest waiting sends, up to MERGE_MAX_BYTES together (at least one). */
  #takeGroup(): Waiting[] {
    let n = 1;
    let bytes = this.#waiting[0].bytes;
    while (n < this.#waiting.length && bytes + this.#waiting[n].bytes <= MERGE_MAX_BYTES) {
      bytes += this.#waiting[n].bytes;
      n++;
    }
    return this.#waiting.splice(0, n);
  }

  async #settle(w: Waiting): Promise<void> {
    try {
      await this.#sendBatch(w.records);
      w.resolve();
    } catch (e) {
      w.reject(e);
    }
  }

  async #sendBatch(records: readonly OutgoingRecord[]): Promise<void> {
    await this.#producer.sendBatch({
      topicMessages: groupByTopic(records),
      acks: -1,
      timeout: this.#timeoutMs,
      compression: this.#compression,
    });
  }
}

/**
 * The size a send counts against MERGE_MAX_BYTES: string lengths in UTF-16 units, Buffer lengths in bytes.
 * The cap is soft, so the estimate needs no UTF-8 scan of every verdict on the way out.
 */
function byteSize(records: readonly OutgoingRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.value.length + (r.key?.length ?? 0);
  return bytes;
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
