import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Message, Verdict } from '../contracts/types.js';
import { recordRefusal } from '../transport/kafka/broker-errors.js';
import { KafkajsRecordSink } from '../transport/kafka/kafkajs-sink.js';
import { messageRecord } from '../transport/kafka/produce.js';
import { verdictRecord } from '../transport/kafka/records.js';
import type { OutgoingRecord } from '../transport/types.js';
import type { VerdictHub } from '../transport/embedded/verdict-hub.js';

/**
 * Where an adapter delivers what it produced. Message sinks take message v1 batches (Kafka topic, or the
 * embedded runner's HTTP API); verdict sinks take the member verdicts (Kafka verdicts topic, or an
 * in-process hub that an SSE stream serves). `send` resolves once delivered and rejects otherwise; a
 * SinkError with `retryable: false` means the batch itself was refused and retrying cannot help, and with
 * `splittable: true` that it was refused for (some of) the messages in it — too large — so smaller batches
 * may pass.
 */
export interface MessageSink {
  readonly name: string;
  /**
   * Most bytes one send should carry, as counted by `sizeOf`: the publisher keeps its batches under it (a
   * single larger message goes alone). Absent: no byte cap.
   */
  readonly maxBatchBytes?: number;
  /** What one message adds to a send, in bytes. Default: its JSON in UTF-8, plus one. */
  sizeOf?(message: Message): number;
  send(messages: readonly Message[]): Promise<void>;
  close(): Promise<void>;
}

export interface VerdictSink {
  readonly name: string;
  send(verdicts: readonly Verdict[]): Promise<void>;
  close(): Promise<void>;
}

export class SinkError extends Error {
  readonly retryable: boolean;
  /** Refused for the size (or content) of what was in it: halves may pass; a single message never will. */
  readonly splittable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown; splittable?: boolean }) {
    super(message, options);
    this.name = 'SinkError';
    this.retryable = retryable;
    this.splittable = options?.splittable ?? false;
  }
}

/** The bytes of a message's JSON (UTF-8), plus one for the separator: what it adds to a JSON array body. */
export function jsonSize(m: Message): number {
  return Buffer.byteLength(JSON.stringify(m), 'utf8') + 1;
}

/**
 * The default byte cap of a Kafka send: under the broker's default `message.max.bytes` (1 MB, 1 048 588
 * bytes), which a partition's record batch must fit (a batch is keyed by chat group, so it may all go to one
 * partition), with room for the batch and record headers.
 */
const KAFKA_MAX_BATCH_BYTES = 1_000_000;

/**
 * The default byte cap of a POST to the embedded runner: its `http.maxBodyBytes` default (4 MiB), less room
 * for the array's brackets.
 */
const EMBEDDED_MAX_BATCH_BYTES = 4 * 1024 * 1024 - 1024;

/** A kafkajs producer connected on first use; shared by the two Kafka sinks. */
class KafkaProducer {
  readonly producer: Producer;
  readonly records: KafkajsRecordSink;
  #connected: Promise<void> | null = null;

  constructor(o: { kafka: Kafka; compression?: 'none' | 'gzip'; timeoutMs?: number }) {
    this.producer = o.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      // Not idempotent, one request in flight: see the processor's producer (src/transport/kafka/processor.ts).
      idempotent: false,
      maxInFlightRequests: 1,
      retry: { retries: 5 },
    });
    this.records = new KafkajsRecordSink(this.producer, o.compression ?? 'none', o.timeoutMs ?? 30_000);
  }

  connect(): Promise<void> {
    this.#connected ??= this.producer.connect().catch((e: unknown) => {
      this.#connected = null;
      throw e;
    });
    return this.#connected;
  }

  async close(): Promise<void> {
    if (this.#connected) await this.producer.disconnect().catch(() => {});
    this.#connected = null;
  }
}

export interface KafkaSinkOptions {
  kafka: Kafka;
  topic: string;
  compression?: 'none' | 'gzip';
  timeoutMs?: number;
  /**
   * Most record bytes (value, key, headers) per send; keep it under the topic's `max.message.bytes` (the
   * broker's `message.max.bytes`). Default KAFKA_MAX_BATCH_BYTES (1 000 000).
   */
  maxBatchBytes?: number;
}

// Per-record framing in a Kafka record batch (lengths, offsets delta, timestamp delta, header counts …).
const KAFKA_RECORD_OVERHEAD = 64;

/**
 * Messages to Kafka: keyed `platform:groupId` (one chat group, one partition, one order), header
 * `message-id`, acknowledged by all in-sync replicas (one request in flight: order kept, a retry may
 * write a message twice, which the processor's at-least-once handling already expects).
 */
export class KafkaSink implements MessageSink {
  readonly name = 'kafka';
  readonly maxBatchBytes: number;
  readonly #p: KafkaProducer;
  readonly #topic: string;
  /** Each message's record as sizeOf built it, so send (and a retry) does not encode it again. */
  readonly #records = new WeakMap<Message, OutgoingRecord>();

  constructor(o: KafkaSinkOptions) {
    this.#p = new KafkaProducer(o);
    this.#topic = o.topic;
    this.maxBatchBytes = o.maxBatchBytes ?? KAFKA_MAX_BATCH_BYTES;
  }

  connect(): Promise<void> {
    return this.#p.connect();
  }

  #record(m: Message): OutgoingRecord {
    let r = this.#records.get(m);
    if (r === undefined) {
      r = messageRecord(this.#topic, m);
      this.#records.set(m, r);
    }
    return r;
  }

  sizeOf(m: Message): number {
    const r = this.#record(m);
    let bytes = Buffer.byteLength(r.value, 'utf8') + KAFKA_RECORD_OVERHEAD;
    if (r.key !== null && r.key !== undefined) bytes += Buffer.byteLength(r.key, 'utf8');
    for (const [k, h] of Object.entries(r.headers ?? {})) bytes += k.length + String(h).length;
    return bytes;
  }

  async send(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#p.connect();
    try {
      await this.#p.records.send(messages.map((m) => this.#record(m)));
    } catch (e) {
      // MESSAGE_TOO_LARGE & co.: the broker refuses the records themselves; retrying the same batch cannot
      // help, smaller ones may (and a record refused on its own is dropped, counted).
      const refusal = recordRefusal(e);
      if (refusal === null) throw e;
      throw new SinkError(`${this.#topic}: the broker refused the batch: ${refusal}`, false, {
        cause: e,
        splittable: true,
      });
    }
  }

  close(): Promise<void> {
    return this.#p.close();
  }
}

/** Verdicts to Kafka (member verdicts on the verdicts topic): keyed and headed like the processor's. */
export class KafkaVerdictSink implements VerdictSink {
  readonly name = 'kafka';
  readonly #p: KafkaProducer;
  readonly #topic: string;

  constructor(o: KafkaSinkOptions) {
    this.#p = new KafkaProducer(o);
    this.#topic = o.topic;
  }

  connect(): Promise<void> {
    return this.#p.connect();
  }

  async send(verdicts: readonly Verdict[]): Promise<void> {
    if (verdicts.length === 0) return;
    await this.#p.connect();
    await this.#p.records.send(verdicts.map((v) => verdictRecord(this.#topic, v)));
  }

  close(): Promise<void> {
    return this.#p.close();
  }
}

/**
 * Feeds the embedded runner (`modstream run`): POST <url>/v1/messages with a JSON array. The runner answers
 * with the verdicts (which reach enforcers through its verdict stream, not through us); a 400 means it
 * judged none of them (each one is in its error output), which is final; a 413 means the body was over its
 * `http.maxBodyBytes`, so smaller batches may pass (`maxBatchBytes` keeps them under the default 4 MiB).
 */
export class EmbeddedMessageSink implements MessageSink {
  readonly name = 'embedded';
  readonly maxBatchBytes: number;
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  /** Each message's JSON as sizeOf made it: the body is joined from these, not encoded again. */
  readonly #json = new WeakMap<Message, string>();

  constructor(o: {
    url: string;
    timeoutMs?: number;
    headers?: Record<string, string>;
    /** Most body bytes per POST; keep it under the runner's http.maxBodyBytes. Default 4 MiB less 1 KiB. */
    maxBatchBytes?: number;
  }) {
    this.#endpoint = o.url.replace(/\/+$/, '') + '/v1/messages';
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#headers = { 'content-type': 'application/json', ...o.headers };
    this.maxBatchBytes = o.maxBatchBytes ?? EMBEDDED_MAX_BATCH_BYTES;
  }

  #encode(m: Message): string {
    let json = this.#json.get(m);
    if (json === undefined) {
      json = JSON.stringify(m);
      this.#json.set(m, json);
    }
    return json;
  }

  sizeOf(m: Message): number {
    return Buffer.byteLength(this.#encode(m), 'utf8') + 1;
  }

  async send(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    let res: Response;
    try {
      res = await fetch(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        // The same bytes as JSON.stringify(messages), from the encodings sizeOf made.
        body: '[' + messages.map((m) => this.#encode(m)).join(',') + ']',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new SinkError(`POST ${this.#endpoint} failed: ${(e as Error).message}`, true, { cause: e });
    }
    const body = await res.text().catch(() => '');
    if (res.ok) return;
    const message = `POST ${this.#endpoint} answered ${res.status}: ${body.slice(0, 300)}`;
    // 413: over the runner's body limit as a whole — halves may pass. 400: the runner judged none of it.
    // Anything else (5xx, 503 while starting) may pass later.
    if (res.status === 413) throw new SinkError(message, false, { splittable: true });
    throw new SinkError(message, res.status !== 400);
  }

  async close(): Promise<void> {}
}

/** Member verdicts to an in-process hub (the adapter's own SSE stream, or an embedded runner's hub). */
export class HubVerdictSink implements VerdictSink {
  readonly name = 'hub';
  readonly #hub: VerdictHub;
  constructor(hub: VerdictHub) {
    this.#hub = hub;
  }
  async send(verdicts: readonly Verdict[]): Promise<void> {
    for (const v of verdicts) this.#hub.publish(v);
  }
  async close(): Promise<void> {}
}
