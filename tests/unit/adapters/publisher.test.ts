import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { AdapterMetrics } from '../../../src/adapters/metrics.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import { SinkError, type MessageSink } from '../../../src/adapters/sinks.js';
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
