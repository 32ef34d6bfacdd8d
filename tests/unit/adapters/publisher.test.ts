import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { AdapterMetrics } from '../../../src/adapters/metrics.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import {
  EmbeddedMessageSink,
  KafkaSink,
  SinkError,
  jsonSize,
  type MessageSink,
} from '../../../src/adapters/sinks.js';
import type { Message } from '../../../src/contracts/types.js';

const m = (i: number): Message => ({
  id: `qq:1:${i}`,
  platform: 'qq',
  groupId: '1',
  userId: 'u',
  text: `t${i}`,
  ts: i,
});

class ScriptedSink implements MessageSink {
  readonly name = 'embedded';
  readonly batches: string[][] = [];
  errors: Error[] = [];
  closed = false;
  async send(messages: readonly Message[]): Promise<void> {
    const e = this.errors.shift();
    if (e) throw e;
    this.batches.push(messages.map((x) => x.id));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const fast = { minMs: 1, maxMs: 2 };

describe('BatchingPublisher', () => {
  it('batches, keeps order, and flushes', async () => {
    const sink = new ScriptedSink();
    const p = new BatchingPublisher({ sink, maxBatch: 3, lingerMs: 5, backoff: fast });
    for (let i = 1; i <= 7; i++) p.push(m(i));
    await p.flush();
    assert.deepEqual(sink.batches.flat(), [
      'qq:1:1',
      'qq:1:2',
      'qq:1:3',
      'qq:1:4',
      'qq:1:5',
      'qq:1:6',
      'qq:1:7',
    ]);
    assert.ok(sink.batches.every((b) => b.length <= 3));
    await p.close();
    assert.equal(sink.closed, true);
  });

  it('retries failed sends with backoff, keeping order', async () => {
    const sink = new ScriptedSink();
    const registry = new Registry();
    const p = new BatchingPublisher({
      sink,
      metrics: new AdapterMetrics(registry),
      retries: 3,
      backoff: fast,
    });
    sink.errors = [new SinkError('503', true), new Error('ECONNRESET')];
    p.push(m(1));
    p.push(m(2));
    await p.flush();
    p.push(m(3));
    await p.flush();
    assert.deepEqual(sink.batches.flat(), ['qq:1:1', 'qq:1:2', 'qq:1:3']);
    const text = await registry.metrics();
    assert.match(text, /modstream_adapter_publish_errors_total\{sink="embedded"\} 2/);
    assert.match(text, /modstream_adapter_published_total\{sink="embedded"\} 3/);
  });

  it('drops (counted) what the sink refuses or what still fails after the retries; never throws', async () => {
    const sink = new ScriptedSink();
    const registry = new Registry();
    const p = new BatchingPublisher({
      sink,
      metrics: new AdapterMetrics(registry),
      retries: 1,
      backoff: fast,
    });
    sink.errors = [new SinkError('400 bad', false)];
    p.push(m(1));
    await p.flush();
    sink.errors = [new Error('down'), new Error('down')];
    p.push(m(2));
    await p.flush();
    p.push(m(3));
    await p.flush();
    assert.deepEqual(sink.batches.flat(), ['qq:1:3']);
    assert.match(await registry.metrics(), /modstream_adapter_dropped_total\{sink="embedded"\} 2/);
  });

  it('a full queue drops new messages, counted', async () => {
    const sink = new ScriptedSink();
    const registry = new Registry();
    const p = new BatchingPublisher({
      sink,
      metrics: new AdapterMetrics(registry),
      maxQueue: 2,
      lingerMs: 1000,
    });
    assert.equal(p.push(m(1)), true);
    assert.equal(p.push(m(2)), true);
    assert.equal(p.push(m(3)), false);
    await p.close();
    assert.deepEqual(sink.batches.flat(), ['qq:1:1', 'qq:1:2']);
    assert.match(await registry.metrics(), /modstream_adapter_dropped_total\{sink="embedded"\} 1/);
  });
});

/** Accepts batches of at most `limit` bytes (as jsonSize counts them), else 413 like the runner. */
class LimitedSink implements MessageSink {
  readonly name = 'embedded';
  readonly batches: string[][] = [];
  refusals = 0;
  constructor(
    readonly limit: number,
    readonly maxBatchBytes?: number,
  ) {}
  async send(messages: readonly Message[]): Promise<void> {
    const bytes = messages.reduce((n, x) => n + jsonSize(x), 0);
    if (bytes > this.limit) {
      this.refusals++;
      throw new SinkError(`413 (${bytes} bytes)`, false, { splittable: true });
    }
    this.batches.push(messages.map((x) => x.id));
  }
  async close(): Promise<void> {}
}

const big = (i: number, bytes: number): Message => ({ ...m(i), text: 'x'.repeat(bytes) });

describe('BatchingPublisher: batch size in bytes', () => {
  it('caps batches by bytes (the sink’s maxBatchBytes), a larger message going alone, in order', async () => {
    const sink = new LimitedSink(Infinity, 1200);
    const p = new BatchingPublisher({ sink, backoff: fast });
    const messages = [100, 100, 700, 300, 1500, 50, 50].map((n, i) => big(i + 1, n));
    for (const x of messages) p.push(x);
    await p.flush();
    assert.deepEqual(sink.batches, [
      ['qq:1:1', 'qq:1:2', 'qq:1:3'],
      ['qq:1:4'],
      ['qq:1:5'],
      ['qq:1:6', 'qq:1:7'],
    ]);
    const size = new Map(messages.map((x) => [x.id, jsonSize(x)]));
    for (const b of sink.batches.filter((b) => b.length > 1)) {
      const bytes = b.reduce((n, id) => n + size.get(id)!, 0);
      assert.ok(bytes <= 1200, `${b} is ${bytes} bytes`);
    }
  });

  it('a batch refused as too large (413) is sent in halves; only a message too large by itself is dropped, counted', async () => {
    // The sink announces no cap (or a wrong one): the 413s are what tells.
    const sink = new LimitedSink(4000);
    const registry = new Registry();
    const p = new BatchingPublisher({ sink, metrics: new AdapterMetrics(registry), backoff: fast });
    for (let i = 1; i <= 10; i++) p.push(big(i, 100));
    p.push(big(98, 2500));
    p.push(big(99, 5000)); // too large on its own
    for (let i = 11; i <= 20; i++) p.push(big(i, 100));
    await p.flush();
    const delivered = sink.batches.flat();
    assert.deepEqual(delivered, [
      ...Array.from({ length: 10 }, (_, i) => `qq:1:${i + 1}`),
      'qq:1:98',
      ...Array.from({ length: 10 }, (_, i) => `qq:1:${i + 11}`),
    ]);
    assert.ok(sink.refusals > 1);
    const text = await registry.metrics();
    assert.match(text, /modstream_adapter_dropped_total\{sink="embedded"\} 1$/m);
    assert.match(text, /modstream_adapter_published_total\{sink="embedded"\} 21$/m);
  });

  it('the embedded sink: 413 is a splittable refusal; POSTs stay under maxBatchBytes', async () => {
    const bodies: number[] = [];
    const server: Server = createServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        bodies.push(n);
        res.writeHead(n > 2000 ? 413 : 200, { 'content-type': 'application/json' });
        res.end(n > 2000 ? '{"error":{"code":"OVERSIZE"}}' : '{"results":[]}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const refused = await new EmbeddedMessageSink({ url }).send([big(1, 3000)]).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(refused instanceof SinkError && refused.splittable && !refused.retryable);
      assert.equal(new EmbeddedMessageSink({ url }).maxBatchBytes, 4 * 1024 * 1024 - 1024);
      const sink = new EmbeddedMessageSink({ url, maxBatchBytes: 1999 });
      const registry = new Registry();
      const p = new BatchingPublisher({ sink, metrics: new AdapterMetrics(registry), backoff: fast });
      for (let i = 1; i <= 30; i++) p.push(big(i, 100));
      await p.flush();
      assert.ok(
        bodies.slice(1).every((n) => n <= 2000),
        `bodies ${bodies}`,
      );
      assert.match(await registry.metrics(), /modstream_adapter_published_total\{sink="embedded"\} 30$/m);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the Kafka sink: MESSAGE_TOO_LARGE is a splittable refusal; sends stay under maxBatchBytes', async () => {
    const sent: number[] = [];
    const brokerMax = 3000;
    const kafka = {
      producer: () => ({
        connect: async () => {},
        disconnect: async () => {},
        sendBatch: async (o: { topicMessages: { messages: { value: string }[] }[] }) => {
          const bytes = o.topicMessages.flatMap((t) => t.messages).reduce((n, x) => n + x.value.length, 0);
          if (bytes > brokerMax) {
            const e = new Error(
              'The request included a message larger than the max message size the server will accept',
            );
            throw Object.assign(new Error('retries exhausted'), {
              name: 'KafkaJSNonRetriableError',
              cause: Object.assign(e, { type: 'MESSAGE_TOO_LARGE', name: 'KafkaJSProtocolError' }),
            });
          }
          sent.push(bytes);
        },
      }),
    } as unknown as Kafka;
    const refused = await new KafkaSink({ kafka, topic: 't' }).send([big(1, 4000)]).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof SinkError && refused.splittable && !refused.retryable, String(refused));
    assert.equal(new KafkaSink({ kafka, topic: 't' }).maxBatchBytes, 1_000_000);

    // The sink's cap keeps batches under the broker's limit …
    const capped = new KafkaSink({ kafka, topic: 't', maxBatchBytes: 2500 });
    const registry = new Registry();
    const p = new BatchingPublisher({ sink: capped, metrics: new AdapterMetrics(registry), backoff: fast });
    for (let i = 1; i <= 30; i++) p.push(big(i, 100));
    // … and a record over the broker's limit is dropped alone, counted; the rest is delivered.
    p.push(big(99, 4000));
    p.push(big(31, 100));
    await p.flush();
    const text = await registry.metrics();
    assert.match(text, /modstream_adapter_published_total\{sink="kafka"\} 31$/m);
    assert.match(text, /modstream_adapter_dropped_total\{sink="kafka"\} 1$/m);
    assert.ok(
      sent.every((n) => n <= 2500),
      `sends ${sent}`,
    );
  });
});

describe('sinks encode each message once', () => {
  /** Runs `work` counting JSON.stringify calls made on the messages of `ids`. */
  async function countingStringify(ids: Set<string>, work: () => Promise<void>): Promise<number> {
    const original = JSON.stringify;
    let n = 0;
    JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
      if (value && typeof value === 'object' && ids.has((value as Message).id)) n++;
      return (original as (...a: unknown[]) => string)(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      await work();
    } finally {
      JSON.stringify = original;
    }
    return n;
  }

  it('the embedded sink posts the bytes of JSON.stringify(batch), built from what sizeOf encoded', async () => {
    const bodies: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"results":[]}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const messages = Array.from({ length: 12 }, (_, i) => ({
        ...big(i, 150),
        text: `${'多'.repeat(60)} ${i} \u{1F600}`,
      }));
      const p = new BatchingPublisher({
        sink: new EmbeddedMessageSink({ url, maxBatchBytes: 1200 }),
        backoff: fast,
      });
      const calls = await countingStringify(new Set(messages.map((x) => x.id)), async () => {
        for (const x of messages) p.push(x);
        await p.flush();
      });
      assert.equal(calls, messages.length, 'one JSON.stringify per message');
      assert.ok(bodies.length > 1, 'several batches');
      const received = bodies.flatMap((b) => JSON.parse(b) as Message[]);
      assert.deepEqual(received, messages);
      let at = 0;
      for (const b of bodies) {
        const n = (JSON.parse(b) as Message[]).length;
        assert.equal(b, JSON.stringify(messages.slice(at, at + n)), 'byte-identical');
        at += n;
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('the Kafka sink sends the records sizeOf built', async () => {
    const values: string[] = [];
    const kafka = {
      producer: () => ({
        connect: async () => {},
        disconnect: async () => {},
        sendBatch: async (o: { topicMessages: { messages: { value: string }[] }[] }) => {
          for (const t of o.topicMessages) for (const x of t.messages) values.push(x.value);
        },
      }),
    } as unknown as Kafka;
    const messages = Array.from({ length: 12 }, (_, i) => big(i, 150));
    const p = new BatchingPublisher({
      sink: new KafkaSink({ kafka, topic: 't', maxBatchBytes: 1200 }),
      backoff: fast,
    });
    const calls = await countingStringify(new Set(messages.map((x) => x.id)), async () => {
      for (const x of messages) p.push(x);
      await p.flush();
    });
    assert.equal(calls, messages.length, 'one JSON.stringify per message');
    assert.deepEqual(
      values,
      messages.map((x) => JSON.stringify(x)),
    );
  });
});

describe('BatchingPublisher: close', () => {
  it('is bounded by its timeout: no batch is sent after it, what is left is counted dropped and logged', async () => {
    // Each send takes 200 ms; eight batches are queued; close() allows 300 ms.
    let sends = 0;
    const slow: MessageSink = {
      name: 'embedded',
      async send() {
        sends++;
        await new Promise((r) => setTimeout(r, 200));
      },
      async close() {},
    };
    const registry = new Registry();
    const errors: string[] = [];
    const logger = {
      warn() {},
      error: (_o: unknown, msg: string) => errors.push(msg),
      info() {},
      debug() {},
    };
    const p = new BatchingPublisher({
      sink: slow,
      maxBatch: 1,
      lingerMs: 0,
      closeTimeoutMs: 300,
      metrics: new AdapterMetrics(registry),
      logger: logger as never,
    });
    for (let i = 1; i <= 8; i++) p.push(m(i));
    const t0 = Date.now();
    await p.close();
    const took = Date.now() - t0;
    assert.ok(took < 1500, `close took ${took} ms`);
    assert.ok(sends <= 3, `${sends} sends`);
    assert.match(await registry.metrics(), /modstream_adapter_dropped_total\{sink="embedded"\} [5-7]/);
    assert.ok(errors.some((e) => /undelivered/.test(e)));
  });

  it('leaves no timer behind (the process can exit at once)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const p = new BatchingPublisher({ sink: new ScriptedSink(), lingerMs: 1000 });
    p.push(m(1));
    const t0 = Date.now();
    await p.close();
    assert.ok(Date.now() - t0 < 1000, 'flushed at once');
    assert.equal(timers(), before);
  });
});
