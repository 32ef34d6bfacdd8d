import type { Message } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { AdapterMetrics } from './metrics.js';
import { SinkError, type MessageSink } from './sinks.js';

export interface PublisherOptions {
  sink: MessageSink;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Most messages per send. Default 500. */
  maxBatch?: number;
  /** How long the first message of a batch waits for company. Default 5 ms. */
  lingerMs?: number;
  /** Messages waiting at most; beyond, new ones are dropped (counted, logged). Default 20 000. */
  maxQueue?: number;
  /** Retries of a failed send before its messages are dropped (counted, logged). Default 5. */
  retries?: number;
  backoff?: BackoffOptions;
}

/**
 * Batches messages into a sink, one send at a time, in arrival order (so a chat group's messages keep
 * their order). A failed send is retried with exponential backoff; a batch that still fails, or that the
 * sink refuses outright, is dropped — counted in modstream_adapter_dropped_total and logged with its
 * message ids, never silently. Nothing here throws to the caller: receiving events never stops because
 * delivery has trouble.
 */
export class BatchingPublisher {
  readonly #sink: MessageSink;
  readonly #metrics: AdapterMetrics | null;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #lingerMs: number;
  readonly #maxQueue: number;
  readonly #retries: number;
  readonly #backoff: BackoffOptions;
  readonly #stop = new AbortController();
  #queue: Message[] = [];
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: PublisherOptions) {
    this.#sink = o.sink;
    this.#metrics = o.metrics ?? null;
    this.#logger = o.logger ?? silentLogger();
    this.#maxBatch = o.maxBatch ?? 500;
    this.#lingerMs = o.lingerMs ?? 5;
    this.#maxQueue = o.maxQueue ?? 20_000;
    this.#retries = o.retries ?? 5;
    this.#backoff = o.backoff ?? { minMs: 200, maxMs: 5000 };
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a message; false when the queue is full and it was dropped. */
  push(message: Message): boolean {
    if (this.#queue.length >= this.#maxQueue) {
      this.#metrics?.dropped(this.#sink.name, 1);
      this.#logger.error(
        { messageId: message.id, queued: this.#queue.length },
        `adapter queue full (${this.#maxQueue}); message dropped`,
      );
      return false;
    }
    this.#queue.push(message);
    if (this.#running === null && this.#timer === null) {
      if (this.#queue.length >= this.#maxBatch) this.#start();
      else this.#timer = setTimeout(() => this.#start(), this.#lingerMs);
    }
    return true;
  }

  /** Resolves when everything queued so far was sent or dropped. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#timer !== null || (this.#running === null && this.#queue.length > 0)) this.#start();
      if (this.#running === null) return;
      await this.#running;
    }
  }

  /** Sends what is queued (retries cut short), then closes the sink. */
  async close(): Promise<void> {
    await Promise.race([this.flush(), sleep(10_000)]);
    this.#stop.abort();
    await this.#running;
    if (this.#queue.length > 0) {
      this.#metrics?.dropped(this.#sink.name, this.#queue.length);
      this.#logger.error({ dropped: this.#queue.length }, 'adapter closing with undelivered messages');
      this.#queue = [];
    }
    await this.#sink.close();
  }

  #start(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running !== null) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      if (this.#queue.length > 0 && !this.#stop.signal.aborted) this.#start();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      await this.#deliver(batch);
    }
  }

  async #deliver(batch: Message[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#sink.send(batch);
        this.#metrics?.published(this.#sink.name, batch.length);
        return;
      } catch (e) {
        this.#metrics?.publishError(this.#sink.name);
        const retryable = !(e instanceof SinkError) || e.retryable;
        if (!retryable || attempt >= this.#retries || this.#stop.signal.aborted) {
          this.#metrics?.dropped(this.#sink.name, batch.length);
          this.#logger.error(
            { err: e, dropped: batch.map((m) => m.id), attempts: attempt + 1 },
            `could not deliver ${batch.length} messages to ${this.#sink.name}`,
          );
          return;
        }
        const delay = backoffDelay(attempt, this.#backoff);
        this.#logger.warn(
          { err: e, attempt: attempt + 1, retryInMs: delay },
          `delivery to ${this.#sink.name} failed; retrying`,
        );
        await sleep(delay, this.#stop.signal);
      }
    }
  }
}
