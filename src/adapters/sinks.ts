import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Message, Verdict } from '../contracts/types.js';
import { KafkajsRecordSink } from '../transport/kafka/kafkajs-sink.js';
import { messageRecord } from '../transport/kafka/produce.js';
import { verdictRecord } from '../transport/kafka/records.js';
import type { VerdictHub } from '../transport/embedded/verdict-hub.js';

/**
 * Where an adapter delivers what it produced. Message sinks take message v1 batches (Kafka topic, or the
 * embedded runner's HTTP API); verdict sinks take the member verdicts (Kafka verdicts topic, or an
 * in-process hub that an SSE stream serves). `send` resolves once delivered and rejects otherwise; a
 * SinkError with `retryable: false` means the batch itself was refused and retrying cannot help.
 */
export interface MessageSink {
  readonly name: string;
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
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SinkError';
    this.retryable = retryable;
  }
}

/** A kafkajs producer connected on first use; shared by the two Kafka sinks. */
class KafkaProducer {
  readonly producer: Producer;
  readonly records: KafkajsRecordSink;
  #connected: Promise<void> | null = null;

  constructor(o: { kafka: Kafka; compression?: 'none' | 'gzip'; timeoutMs?: number }) {
    this.producer = o.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
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
}

/**
 * Messages to Kafka: keyed `platform:groupId` (one chat group, one partition, one order), header
 * `message-id`, acknowledged by all in-sync replicas (idempotent producer).
 */
export class KafkaSink implements MessageSink {
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

  async send(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#p.connect();
    await this.#p.records.send(messages.map((m) => messageRecord(this.#topic, m)));
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
 * judged none of them (each one is in its error output), which is final.
 */
export class EmbeddedMessageSink implements MessageSink {
  readonly name = 'embedded';
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(o: { url: string; timeoutMs?: number; headers?: Record<string, string> }) {
    this.#endpoint = o.url.replace(/\/+$/, '') + '/v1/messages';
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#headers = { 'content-type': 'application/json', ...o.headers };
  }

  async send(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    let res: Response;
    try {
      res = await fetch(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        body: JSON.stringify(messages),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw new SinkError(`POST ${this.#endpoint} failed: ${(e as Error).message}`, true, { cause: e });
    }
    const body = await res.text().catch(() => '');
    if (res.ok) return;
    // 400/413: the runner refused this batch as it is; anything else (5xx, 503 while starting) may pass later.
    const retryable = res.status !== 400 && res.status !== 413;
    throw new SinkError(`POST ${this.#endpoint} answered ${res.status}: ${body.slice(0, 300)}`, retryable);
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
