import type { Consumer, Kafka } from 'kafkajs';
import { VerdictValidator } from '../contracts/decode.js';
import type { Verdict } from '../contracts/types.js';
import { rateLimited, silentLogger, type Logger } from '../log/logger.js';
import type { VerdictHub } from '../transport/embedded/verdict-hub.js';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { EnforcerMetrics } from './metrics.js';

/** How often a verdict being enforced heartbeats the consumer group (kafkajs' default interval). */
const HEARTBEAT_EVERY_MS = 3000;

/**
 * Where an enforcer's verdicts come from. A source calls `deliver` for every verdict, in order; a
 * rejection from `deliver` means "not handled" (the Kafka source does not commit and consumes it again).
 */
export interface VerdictSource {
  readonly name: string;
  start(deliver: (v: Verdict) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Reads verdicts: JSON, checked against verdict v1; anything else is counted and logged, never fatal. */
export class VerdictReader {
  readonly #validator = new VerdictValidator();
  readonly #logger: Logger;
  readonly #metrics: EnforcerMetrics | null;
  readonly #gate = rateLimited(10);

  constructor(logger?: Logger, metrics?: EnforcerMetrics | null) {
    this.#logger = logger ?? silentLogger();
    this.#metrics = metrics ?? null;
  }

  read(raw: string | Buffer | null, where: Record<string, unknown>): Verdict | null {
    let value: unknown;
    try {
      value = JSON.parse(raw === null ? '' : raw.toString());
    } catch (e) {
      return this.#bad(where, `not JSON: ${(e as Error).message}`);
    }
    const problem = this.#validator.check(value);
    return problem === null ? (value as Verdict) : this.#bad(where, problem);
  }

  #bad(where: Record<string, unknown>, problem: string): null {
    this.#metrics?.verdict('malformed');
    const gate = this.#gate();
    if (gate.ok)
      this.#logger.warn(
        { ...where, problem, suppressed: gate.suppressed || undefined },
        'ignoring a record that is not a verdict v1',
      );
    return null;
  }
}

/**
 * The embedded runner's verdict stream (`GET <url>/v1/verdicts`, Server-Sent Events), or an adapter's
 * member-verdict stream. Reconnects with backoff for as long as it runs. Verdicts are handed over one at
 * a time, in order; while one is enforced the next ones wait in a bounded queue (`maxQueue`, default
 * 10 000); overflow is counted and logged with the verdict ids.
 */
export class SseVerdictSource implements VerdictSource {
  readonly name: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  /** The id of the last verdict received, sent as Last-Event-ID on reconnecting. */
  #lastEventId: string | null = null;
  readonly #reader: VerdictReader;
  readonly #logger: Logger;
  readonly #metrics: EnforcerMetrics | null;
  readonly #backoff: BackoffOptions;
  readonly #maxQueue: number;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #queue: Verdict[] = [];
  #draining: Promise<void> | null = null;
  #connects = 0;
  #connectWaiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(o: {
    url: string;
    accessToken?: string | null;
    logger?: Logger;
    metrics?: EnforcerMetrics | null;
    backoff?: BackoffOptions;
    maxQueue?: number;
  }) {
    const base = o.url.replace(/\/+$/, '');
    this.#url = base.endsWith('/v1/verdicts') ? base : base + '/v1/verdicts';
    this.name = `sse:${this.#url}`;
    this.#headers = { accept: 'text/event-stream' };
    if (o.accessToken) this.#headers.authorization = `Bearer ${o.accessToken}`;
    this.#logger = o.logger ?? silentLogger();
    this.#metrics = o.metrics ?? null;
    this.#reader = new VerdictReader(this.#logger, this.#metrics);
    this.#backoff = o.backoff ?? { minMs: 500, maxMs: 15_000 };
    this.#maxQueue = o.maxQueue ?? 10_000;
  }

  /** Resolves once the stream is connected `n` times in all. */
  connected(n = 1): Promise<void> {
    if (this.#connects >= n) return Promise.resolve();
    return new Promise((resolve) => this.#connectWaiters.push({ n, resolve }));
  }

  async start(deliver: (v: Verdict) => Promise<void>): Promise<void> {
    this.#loop ??= this.#run(deliver);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#draining;
  }

  async #run(deliver: (v: Verdict) => Promise<void>): Promise<void> {
    for (let attempt = 0; !this.#stop.signal.aborted;) {
      try {
        // Reconnecting, it names the last verdict it got: the server sends what came since (sse-clients.ts).
        const headers =
          this.#lastEventId === null
            ? this.#headers
            : { ...this.#headers, 'last-event-id': this.#lastEventId };
        const res = await fetch(this.#url, { headers, signal: this.#stop.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        attempt = 0;
        this.#connects++;
        this.#metrics?.source('sse', true);
        this.#logger.info({ url: this.#url }, 'verdict stream connected');
        const ready = this.#connectWaiters.filter((w) => w.n <= this.#connects);
        this.#connectWaiters = this.#connectWaiters.filter((w) => w.n > this.#connects);
        for (const w of ready) w.resolve();
        await this.#consume(res.body, deliver);
        this.#logger.warn({ url: this.#url }, 'verdict stream ended');
      } catch (e) {
        if (this.#stop.signal.aborted) break;
        this.#logger.warn({ url: this.#url, err: (e as Error).message }, 'verdict stream unavailable');
      }
      this.#metrics?.source('sse', false);
      if (this.#stop.signal.aborted) break;
      await sleep(backoffDelay(attempt++, this.#backoff), this.#stop.signal);
    }
  }

  async #consume(body: ReadableStream<Uint8Array>, deliver: (v: Verdict) => Promise<void>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = frameEnd(buffer)) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^(\r?\n){1,2}/, '');
          const { id, data } = parseFrame(frame);
          if (data === null) continue;
          if (id !== null) this.#lastEventId = id;
          const v = this.#reader.read(data, { source: 'sse' });
          if (v) this.#enqueue(v, deliver);
        }
      }
    } catch (e) {
      if (!this.#stop.signal.aborted) throw e;
    } finally {
      reader.releaseLock();
    }
  }

  #enqueue(v: Verdict, deliver: (v: Verdict) => Promise<void>): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.#logger.error(
        { messageId: v.messageId },
        `enforcer queue full (${this.#maxQueue}); verdict not enforced`,
      );
      this.#metrics?.verdict('failed');
      return;
    }
    this.#queue.push(v);
    this.#metrics?.queueDepth(this.#queue.length);
    this.#draining ??= (async () => {
      while (this.#queue.length > 0) {
        const next = this.#queue.shift()!;
        this.#metrics?.queueDepth(this.#queue.length);
        try {
          await deliver(next);
        } catch (e) {
          // The stream cannot redeliver: the enforcer already logged what it could not record.
          this.#logger.error(
            { messageId: next.messageId, err: e },
            'verdict from the stream could not be enforced',
          );
        }
      }
    })().finally(() => {
      this.#draining = null;
    });
  }
}

/** Index just past the end of the first complete SSE frame (a blank line), or -1. */
function frameEnd(buffer: string): number {
  const a = buffer.indexOf('\n\n');
  const b = buffer.indexOf('\r\n\r\n');
  if (a < 0) return b;
  if (b < 0) return a;
  return Math.min(a, b);
}

/** The data of a `verdict` (or unnamed) event; null for comments, pings and other events. */
/** One SSE frame's id (null when it has none) and verdict data (null when it carries none). */
function parseFrame(frame: string): { id: string | null; data: string | null } {
  let event = 'message';
  let id: string | null = null;
  const data: string[] = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  const isVerdict = data.length > 0 && (event === 'verdict' || event === 'message');
  return { id, data: isVerdict ? data.join('\n') : null };
}

/**
 * The verdicts topic, in the enforcer's own consumer group (default `modstream-enforcer-onebot`), so it
 * reads every verdict independently of other consumers. A message's offset is committed only after
 * `deliver` resolved; a rejection makes kafkajs consume it again (at-least-once; the enforcer's
 * idempotency makes the repeat harmless). A new group starts at the latest offset unless `fromBeginning`
 * (an enforcer should not replay last week's kicks).
 */
export class KafkaVerdictSource implements VerdictSource {
  readonly name = 'kafka';
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #fromBeginning: boolean;
  readonly #reader: VerdictReader;
  readonly #logger: Logger;
  readonly #metrics: EnforcerMetrics | null;
  #joined: Promise<void>;
  #resolveJoined!: () => void;

  constructor(o: {
    kafka: Kafka;
    topic: string;
    groupId: string;
    fromBeginning?: boolean;
    logger?: Logger;
    metrics?: EnforcerMetrics | null;
    sessionTimeoutMs?: number;
  }) {
    this.#consumer = o.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
    });
    this.#topic = o.topic;
    this.#fromBeginning = o.fromBeginning ?? false;
    this.#logger = o.logger ?? silentLogger();
    this.#metrics = o.metrics ?? null;
    this.#reader = new VerdictReader(this.#logger, this.#metrics);
    this.#joined = new Promise((resolve) => (this.#resolveJoined = resolve));
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
      this.#metrics?.source('kafka', true);
      this.#resolveJoined();
    });
    this.#consumer.on(this.#consumer.events.CRASH, (e) => {
      this.#metrics?.source('kafka', false);
      this.#logger.error({ err: e.payload.error, restart: e.payload.restart }, 'verdict consumer crashed');
    });
  }

  /** Resolves once the consumer group is joined. */
  joined(): Promise<void> {
    return this.#joined;
  }

  async start(deliver: (v: Verdict) => Promise<void>): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: this.#fromBeginning });
    await this.#consumer.run({
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const v = this.#reader.read(message.value, { topic, partition, offset: message.offset });
        if (!v) return;
        // kafkajs heartbeats only between messages, and one verdict against an unreachable bot API takes
        // longer than the session (every call retried with backoff): without these the group would
        // rebalance on every verdict of a bot outage.
        const beat = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_EVERY_MS);
        try {
          await deliver(v);
        } finally {
          clearInterval(beat);
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect().catch(() => {});
    this.#metrics?.source('kafka', false);
  }
}

/** An in-process hub (library use: an embedded runner in the same process). */
export class HubVerdictSource implements VerdictSource {
  readonly name = 'hub';
  readonly #hub: VerdictHub;
  #unsubscribe: (() => void) | null = null;
  #tail: Promise<void> = Promise.resolve();
  readonly #logger: Logger;

  constructor(hub: VerdictHub, logger?: Logger) {
    this.#hub = hub;
    this.#logger = logger ?? silentLogger();
  }

  async start(deliver: (v: Verdict) => Promise<void>): Promise<void> {
    this.#unsubscribe = this.#hub.subscribe((v) => {
      this.#tail = this.#tail
        .then(() => deliver(v))
        .catch((e: unknown) =>
          this.#logger.error({ messageId: v.messageId, err: e }, 'verdict could not be enforced'),
        );
    });
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#tail;
  }
}
