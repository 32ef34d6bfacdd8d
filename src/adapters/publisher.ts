import type { Message } from '../contracts/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { AdapterMetrics } from './metrics.js';
import { jsonSize, SinkError, type MessageSink } from './sinks.js';

/** After close()'s timeout, how long the send in flight may still take before the sink closes. */
const IN_FLIGHT_GRACE_MS = 2000;

export interface PublisherOptions {
  sink: MessageSink;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Most messages per send. Default 500. */
  maxBatch?: number;
  /**
   * Most bytes per send (as the sink counts them, `sink.sizeOf`); a single larger message is sent alone.
   * Default: the sink's `maxBatchBytes` (Kafka 1 000 000, embedded runner 4 MiB less 1 KiB), else no cap.
   */
  maxBatchBytes?: number;
  /** How long close() waits for what is queued before dropping it (counted). Default 10 s. */
  closeTimeoutMs?: number;
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
 * their order). Batches are capped by count and by bytes. A failed send is retried with exponential
 * backoff; a batch refused for its size (HTTP 413, Kafka MESSAGE_TOO_LARGE) is split in halves that are
 * sent in turn, down to a single message, which alone is dropped; a batch that still fails, or that the
 * sink refuses outright, is dropped — counted in modstream_adapter_dropped_total and logged with its
 * message ids, never silently. Nothing here throws to the caller: receiving events never stops because
 * delivery has trouble.
 */
export class BatchingPublisher {
  readonly #sink: MessageSink;
  readonly #metrics: AdapterMetrics | null;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxBytes: number;
  readonly #sizeOf: (m: Message) => number;
  readonly #lingerMs: number;
  readonly #closeTimeoutMs: number;
  readonly #maxQueue: number;
  readonly #retries: number;
  readonly #backoff: BackoffOptions;
  readonly #stop = new AbortController();
  /** Sizes measured already: a message that did not fit one batch starts the next without a new count. */
  readonly #sizes = new WeakMap<Message, number>();
  #queue: Message[] = [];
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: PublisherOptions) {
    this.#sink = o.sink;
    this.#metrics = o.metrics ?? null;
    this.#logger = o.logger ?? silentLogger();
    this.#maxBatch = o.maxBatch ?? 500;
    this.#maxBytes = o.maxBatchBytes ?? o.sink.maxBatchBytes ?? Infinity;
    this.#sizeOf = o.sink.sizeOf ? (m) => o.sink.sizeOf!(m) : jsonSize;
    this.#lingerMs = o.lingerMs ?? 5;
    this.#closeTimeoutMs = o.closeTimeoutMs ?? 10_000;
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
    // The timeout's timer is cleared as soon as the flush is done: it must not keep the process alive.
    const flushed = new AbortController();
    await Promise.race([
      this.flush().finally(() => flushed.abort()),
      sleep(this.#closeTimeoutMs, flushed.signal),
    ]);
    flushed.abort();
    this.#stop.abort();
    // The drain takes no batch after the stop; the send in flight gets a moment more, no longer (each can
    // take the sink's whole timeout, 10–30 s, and the process is killed 30 s after the signal).
    const settled = new AbortController();
    await Promise.race([
      this.#running?.finally(() => settled.abort()),
      sleep(IN_FLIGHT_GRACE_MS, settled.signal),
    ]);
    settled.abort();
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
    while (this.#queue.length > 0 && !this.#stop.signal.aborted) await this.#deliver(this.#take());
  }

  /** The oldest queued messages, at most maxBatch of them and maxBatchBytes together (at least one). */
  #take(): Message[] {
    if (this.#maxBytes === Infinity) return this.#queue.splice(0, this.#maxBatch);
    const limit = Math.min(this.#maxBatch, this.#queue.length);
    let n = 0;
    let bytes = 0;
    while (n < limit) {
      const size = this.#size(this.#queue[n]);
      if (n > 0 && bytes + size > this.#maxBytes) break;
      bytes += size;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  #size(m: Message): number {
    let size = this.#sizes.get(m);
    if (size === undefined) {
      size = this.#sizeOf(m);
      this.#sizes.set(m, size);
    }
    return size;
  }

  async #deliver(batch: Message[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#sink.send(batch);
        this.#metrics?.published(this.#sink.name, batch.length);
        return;
      } catch (e) {
        this.#metrics?.publishError(this.#sink.name);
        if (e instanceof SinkError && e.splittable && !this.#stop.signal.aborted) {
          if (batch.length > 1) {
            // Too large as a whole: halves, in order (so a chat group's order is kept).
            const half = Math.ceil(batch.length / 2);
            this.#logger.warn(
              { err: e, messages: batch.length },
              `${this.#sink.name} refused a batch of ${batch.length} messages as too large; sending it in halves`,
            );
            await this.#deliver(batch.slice(0, half));
            await this.#deliver(batch.slice(half));
            return;
          }
          this.#metrics?.dropped(this.#sink.name, 1);
          this.#logger.error(
            { err: e, dropped: [batch[0].id], reason: 'too_large', bytes: this.#size(batch[0]) },
            `${this.#sink.name} refused message ${batch[0].id} on its own (too large); dropped`,
          );
          return;
        }
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
