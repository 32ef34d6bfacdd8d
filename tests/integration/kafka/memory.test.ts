/**
 * Backpressure against a real broker: a backlog many times larger than the fetch limits is consumed with
 * the process's memory bounded by those limits (and the in-flight bound), never by the backlog. A consumer
 * that fetched ahead of its judge, or kept what it had produced, would grow with the topic instead.
 *
 * Memory is measured as what survives a full GC (heap used + array buffers, where kafkajs keeps record
 * bytes), sampled while the backlog drains, against the same measure before the processor started.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, describe, it } from 'node:test';
import { Partitioners } from 'kafkajs';
import type { KafkaStreamProcessor } from '../../../src/transport/kafka/index.js';
import { createTopics, endOffsets, quietKafka, requireKafka, waitFor } from '../../helpers/services.js';
import { EchoJudge, testMessage } from './echo-judge.js';
import { startProcessor, testNames, testSettings } from './fixtures.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bytes that survive a full collection: the JS heap and the Buffers (record values) outside it. */
function retained(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const MB = 1024 * 1024;
const kafka = await requireKafka();

describe('kafka transport: memory under a backlog', { skip: kafka.skip }, () => {
  const running: KafkaStreamProcessor[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it('drains a 60 MB backlog with memory bounded by the fetch limits, not the backlog', async (t) => {
    const brokers = kafka.brokers;
    const names = testNames('memory');
    const total = 24_000;
    const filler = '消息'.repeat(400); // 800 UTF-16 units, 2.4 KB of UTF-8 per record
    await createTopics(brokers, [names.topics.messages, names.topics.verdicts, names.topics.dlq], 3);

    // The backlog, produced before the processor starts (sends of 300 records: a request stays far below
    // the broker's message.max.bytes per partition).
    const producer = quietKafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let bytes = 0;
    for (let from = 0; from < total; from += 300) {
      const messages = [];
      for (let seq = from + 1; seq <= Math.min(from + 300, total); seq++) {
        const m = testMessage(`${names.prefix}-g${seq % 30}`, seq, `${filler} ${seq}`);
        const value = JSON.stringify(m);
        bytes += Buffer.byteLength(value);
        messages.push({ key: `${m.platform}:${m.groupId}`, value });
      }
      await producer.send({ topic: names.topics.messages, acks: -1, messages });
    }
    await producer.disconnect();
    assert.ok(bytes > 55 * MB, `backlog of ${(bytes / MB).toFixed(1)} MB`);

    const baseline = retained();
    // Fetch limits of 2 MB per fetch (512 KB per partition), units of 200 records, a judge that takes a
    // few ms per unit: the backlog waits on the broker while the processor works through it.
    const p = await startProcessor(
      new EchoJudge({ delayMs: 3 }),
      testSettings(brokers, names, {
        maxBytes: 2 * MB,
        maxBytesPerPartition: 512 * 1024,
        maxBatchRecords: 200,
      }),
    );
    running.push(p);
    let peak = baseline;
    let samples = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, retained());
        samples++;
        return p.stats().verdicts >= total;
      },
      `${total} verdicts`,
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    const produced = [...(await endOffsets(brokers, names.topics.verdicts)).values()].reduce(
      (a, b) => a + b,
      0n,
    );
    assert.equal(produced, BigInt(total), 'one verdict per message');

    const growth = peak - baseline;
    t.diagnostic(
      `backlog ${(bytes / MB).toFixed(1)} MB; retained growth at peak ${(growth / MB).toFixed(1)} MB over ` +
        `${samples} samples`,
    );
    // What one fetch holds (2 MB of record bytes), its decoded records and the units in flight stay in the
    // low tens of MB; 24 MB leaves room for the client's own buffers while staying far below the backlog.
    assert.ok(
      growth < 24 * MB,
      `memory grew by ${(growth / MB).toFixed(1)} MB while draining a ${(bytes / MB).toFixed(1)} MB backlog`,
    );
  });
});
