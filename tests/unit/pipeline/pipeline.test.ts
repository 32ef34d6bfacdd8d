import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../../src/contracts/types.js';
import type { Outcome } from '../../../src/pipeline/types.js';
import { RecordingMetrics, buildPipeline, message, record } from './kit.js';

function verdicts(outcomes: Outcome[]): Verdict[] {
  return outcomes.map((o) => {
    assert.equal(o.kind, 'verdict');
    return (o as { verdict: Verdict }).verdict;
  });
}

describe('Pipeline: counting', () => {
  it('counts records and verdicts once per judge call by default (embedded mode, check)', async () => {
    const metrics = new RecordingMetrics();
    const { pipeline } = buildPipeline({ metrics });
    const m = message({ text: 'hello' });
    await pipeline.judge([record(m), { raw: '{"bad', source: {} }]);
    assert.equal(metrics.received_, 2);
    assert.equal(metrics.judged_, 2);
    assert.deepEqual(metrics.verdicts, [`${m.id}:allow`]);
  });

  it('with deferCounting counts the attempt only; countDelivered counts records and verdicts', async () => {
    const metrics = new RecordingMetrics();
    const { pipeline } = buildPipeline({ metrics });
    const m = message({ text: 'spam' });
    const recs = [record(m), record(message())];
    await pipeline.judge(recs, { deferCounting: true });
    const out = await pipeline.judge(recs, { deferCounting: true }); // a retry
    assert.equal(metrics.judged_, 4);
    assert.equal(metrics.received_, 0);
    assert.deepEqual(metrics.verdicts, []);
    pipeline.countDelivered(2, verdicts(out).slice(0, 1));
    assert.equal(metrics.received_, 2);
    assert.deepEqual(metrics.verdicts, [`${m.id}:warn`]);
  });
});
