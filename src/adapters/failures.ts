import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Verdict } from '../contracts/types.js';
import {
  HEADER_CONTENT_TYPE,
  HEADER_MESSAGE_ID,
  JSON_CONTENT_TYPE,
  messageKey,
} from '../transport/kafka/records.js';
import type { PlannedAction } from './platform.js';

/**
 * An action an enforcer gave up on (after its retries), for a person or a replay tool to follow up. One
 * JSON object per failed action (docs/adapters.md, "Failures").
 */
export interface EnforcementFailure {
  v: 1;
  kind: 'enforcement-failure';
  messageId: string;
  platform: string;
  groupId: string;
  userId: string;
  /** The platform call that failed, e.g. set_group_ban, and why it was made. */
  action: string;
  purpose: PlannedAction['purpose'] | 'enforce';
  params: Record<string, unknown>;
  error: { kind: string; message: string; status?: number; retcode?: number };
  attempts: number;
  /** When it was given up on (ms). */
  ts: number;
  verdict: Verdict;
}

export interface FailureSink {
  readonly name: string;
  /** Resolves once the failures are durably recorded; rejects otherwise (the caller must not drop them). */
  record(failures: readonly EnforcementFailure[]): Promise<void>;
  close(): Promise<void>;
}

/** Appends JSON Lines to a file (created with its directory, tried again after a failure), one write at a time. */
export class JsonlFailureSink implements FailureSink {
  readonly name = 'file';
  readonly path: string;
  #tail: Promise<void> = Promise.resolve();
  #dirReady: Promise<unknown> | null = null;

  constructor(path: string) {
    this.path = path;
  }

  record(failures: readonly EnforcementFailure[]): Promise<void> {
    if (failures.length === 0) return Promise.resolve();
    const text = failures.map((f) => JSON.stringify(f)).join('\n') + '\n';
    const run = this.#tail.then(async () => {
      // A failed mkdir is not kept: once its cause is fixed (a volume mounted, a stray file removed), the
      // next record tries again.
      this.#dirReady ??= mkdir(dirname(this.path), { recursive: true }).catch((e: unknown) => {
        this.#dirReady = null;
        throw e;
      });
      await this.#dirReady;
      await appendFile(this.path, text, 'utf8');
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.#tail;
  }
}

/** Produces failures to a Kafka topic, keyed like verdicts (`platform:groupId`), acknowledged by all replicas. */
export class KafkaFailureSink implements FailureSink {
  readonly name = 'kafka';
  readonly #producer: Producer;
  readonly #topic: string;
  #connected: Promise<void> | null = null;

  constructor(o: { kafka: Kafka; topic: string }) {
    this.#producer = o.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
      retry: { retries: 5 },
    });
    this.#topic = o.topic;
  }

  async record(failures: readonly EnforcementFailure[]): Promise<void> {
    if (failures.length === 0) return;
    this.#connected ??= this.#producer.connect().catch((e: unknown) => {
      this.#connected = null;
      throw e;
    });
    await this.#connected;
    await this.#producer.send({
      topic: this.#topic,
      acks: -1,
      messages: failures.map((f) => ({
        key: messageKey(f),
        value: JSON.stringify(f),
        headers: { [HEADER_MESSAGE_ID]: f.messageId, [HEADER_CONTENT_TYPE]: JSON_CONTENT_TYPE },
      })),
    });
  }

  async close(): Promise<void> {
    if (this.#connected) await this.#producer.disconnect().catch(() => {});
  }
}
