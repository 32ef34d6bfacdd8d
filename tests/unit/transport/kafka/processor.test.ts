import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ModstreamError } from '../../../../src/contracts/errors.js';
import { KafkaStreamProcessor } from '../../../../src/transport/kafka/index.js';
import { FakeJudge } from './fakes.js';

// A loopback port with nothing listening: bind one, note it, close it.
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('KafkaStreamProcessor lifecycle (no broker)', () => {
  it('validates its settings at construction', () => {
    assert.throws(
      () => new KafkaStreamProcessor({ judge: new FakeJudge(), kafka: { brokers: ['nope'] } }),
      /kafka\.brokers\[0\]/,
    );
  });

  it('start() rejects with KAFKA_ERROR when no broker answers, and stopped settles as failed', async () => {
    const port = await deadPort();
    const p = new KafkaStreamProcessor({
      judge: new FakeJudge(),
      kafka: { brokers: [`127.0.0.1:${port}`], clientRetries: 0, connectionTimeoutMs: 500 },
    });
    await assert.rejects(p.start(), (e: unknown) => e instanceof ModstreamError && e.code === 'KAFKA_ERROR');
    const exit = await p.stopped;
    assert.equal(exit.reason, 'failed');
    assert.equal(p.stats().state, 'failed');
    await p.stop(); // harmless afterwards
  });

  it('stop() before start() just ends it', async () => {
    const p = new KafkaStreamProcessor({ judge: new FakeJudge(), kafka: { brokers: ['127.0.0.1:1'] } });
    await p.stop();
    assert.deepEqual(await p.stopped, { reason: 'stopped' });
    await assert.rejects(p.start(), /cannot start a processor that is stopped/);
  });
});
