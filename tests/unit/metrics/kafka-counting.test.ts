/**
 * What the metrics say when Kafka mode judges a record more than once (judge retries, a batch judged again
 * after its produce failed, a verdict the broker refused): every record is counted once as received, once
 * as a verdict or a DLQ record, and only when the broker acknowledged it; the attempts have their own
 * counter. (The real pipeline and metrics, the batch processor on fakes of the broker.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ModstreamMetrics } from '../../../src/metrics/metrics.js';
import { BatchProcessor, silentTransportLogger } from '../../../src/transport/kafka/index.js';
import { buildPipeline, message } from '../pipeline/kit.js';
import { FakeControl, FakeSink, noSleep } from '../transport/kafka/fakes.js';
import { parseExposition, value, type Exposition } from './exposition.js';

function total(e: Exposition, name: string): number {
  return e.samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

describe('metrics in Kafka mode', () => {
  it('count each record once, after the broker acknowledged it; attempts apart', async () => {
    const metrics = new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
    const { pipeline, policy } = buildPipeline({ metrics: metrics.pipeline });
    let policyFailures = 2;
    pipeline.setPolicy({
      id: policy.id,
      floodLimits: (m) => policy.floodLimits(m),
      decide: (b) => (policyFailures-- > 0 ? Promise.reject(new Error('transient bug')) : policy.decide(b)),
    });
    let sends = 0;
    const refused = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    const sink = new FakeSink((records) => {
      sends++;
      if (sends === 1) return Object.assign(new Error('broker down'), { type: 'NETWORK' });
      return records.some((r) => String(r.value).includes('"messageId":"qq:1:huge"')) ? refused : null;
    });
    const bp = new BatchProcessor({
      judge: pipeline,
      sink,
      topics: { messages: 'm', verdicts: 'v', dlq: 'd' },
      maxBatchRecords: 1000,
      maxBatchBytes: 1 << 22,
      maxInFlight: 4,
      maxDlqValueBytes: 1 << 20,
      retry: { retries: 3, backoffMs: 1, backoffMaxMs: 1 },
      logger: silentTransportLogger,
      sleep: noSleep,
      // As the runtime wires it (src/runtime/kafka.ts).
      hooks: { onDlq: (code) => metrics.pipeline.dlq(code) },
    });
    const values = [
      ...Array.from({ length: 8 }, (_, i) => JSON.stringify(message({ userId: `u${i}`, text: 'hello' }))),
      '{"not json',
      JSON.stringify(message({ id: 'qq:1:huge', text: 'spam' })),
    ];
    const batch = {
      topic: 'm',
      partition: 0,
      highWatermark: '10',
      records: values.map((v, i) => ({ offset: String(i), key: Buffer.from('qq:1'), value: Buffer.from(v) })),
    };
    await assert.rejects(bp.process(batch, new FakeControl()), /broker down/);
    let e = parseExposition((await metrics.expose()).body);
    assert.equal(value(e, 'modstream_messages_total'), 0, 'nothing acknowledged, nothing counted');
    assert.equal(total(e, 'modstream_verdicts_total'), 0);
    assert.equal(value(e, 'modstream_messages_judged_total'), 10 * 3, 'two failed attempts and one more');

    await bp.process(batch, new FakeControl()); // kafkajs redelivers the batch
    e = parseExposition((await metrics.expose()).body);
    assert.equal(value(e, 'modstream_messages_total'), 10);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'verdict' }), 8);
    assert.equal(value(e, 'modstream_messages_processed_total', { outcome: 'dlq' }), 2);
    assert.equal(total(e, 'modstream_verdicts_total'), 8);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'BAD_JSON' }), 1);
    assert.equal(value(e, 'modstream_dlq_total', { code: 'PROCESSING_FAILED' }), 1);
    assert.equal(value(e, 'modstream_messages_judged_total'), 10 * 4);
  });
});
