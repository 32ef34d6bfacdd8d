import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModstreamError } from '../../../../src/contracts/errors.js';
import {
  BatchProcessor,
  computeLag,
  recordRefusal,
  silentTransportLogger,
  type BatchProcessorOptions,
  type KafkaMetricsHooks,
} from '../../../../src/transport/kafka/index.js';
import type { DlqValue } from '../../../../src/transport/kafka/index.js';
import type { Verdict } from '../../../../src/contracts/types.js';
import type { IncomingRecord, JudgeOptions, Outcome } from '../../../../src/pipeline/types.js';
import { batchOf, FakeControl, FakeJudge, FakeSink, noSleep } from './fakes.js';

const topics = { messages: 'in', verdicts: 'out', dlq: 'dlq' };

function processor(
  judge: FakeJudge,
  sink: FakeSink,
  opts: Partial<BatchProcessorOptions> = {},
): BatchProcessor {
  return new BatchProcessor({
    judge,
    sink,
    topics,
    maxBatchRecords: 2,
    maxBatchBytes: 1 << 20,
    maxInFlight: 4,
    maxDlqValueBytes: 1 << 20,
    retry: { retries: 1, backoffMs: 1, backoffMaxMs: 1 },
    logger: silentTransportLogger,
    sleep: noSleep,
    ...opts,
  });
}

describe('BatchProcessor', () => {
  it('per unit: judge, one send, then resolve, commit, heartbeat — in that order', async () => {
    const judge = new FakeJudge();
    const sink = new FakeSink();
    const control = new FakeControl();
    const result = await processor(judge, sink).process(batchOf(['a', 'b', 'c', 'd', 'e']), control);
    assert.deepEqual(result, { processed: 5, stoppedEarly: null });
    assert.deepEqual(judge.calls, [['a', 'b'], ['c', 'd'], ['e']], 'split into units of maxBatchRecords');
    assert.equal(sink.sends.length, 3, 'one send per unit');
    assert.deepEqual(control.log, [
      'resolve 1',
      'commit',
      'heartbeat',
      'resolve 3',
      'commit',
      'heartbeat',
      'resolve 4',
      'commit',
      'heartbeat',
    ]);
    assert.deepEqual(
      sink.records.map((r) => r.topic),
      ['out', 'out', 'out', 'out', 'out'],
    );
  });

  it('splits by bytes too, a single large record going alone', async () => {
    const judge = new FakeJudge();
    const big = 'x'.repeat(3000);
    await processor(judge, new FakeSink(), { maxBatchRecords: 100, maxBatchBytes: 4000 }).process(
      batchOf(['a', big, 'b', big, big]),
      new FakeControl(),
    );
    assert.deepEqual(
      judge.calls.map((c) => c.length),
      [3, 1, 1],
      'a+big+b fit in 4000 bytes; each later big goes alone',
    );
  });

  it('verdicts and DLQ records of a unit go in the same send, in record order', async () => {
    const sink = new FakeSink();
    const hooks: string[] = [];
    const p = processor(new FakeJudge(), sink, {
      maxBatchRecords: 10,
      hooks: { onDlq: (c) => hooks.push(c) },
    });
    await p.process(batchOf(['a', 'bad', 'c']), new FakeControl());
    assert.equal(sink.sends.length, 1);
    assert.deepEqual(
      sink.sends[0].map((r) => r.topic),
      ['out', 'dlq', 'out'],
    );
    const dlq = JSON.parse(String(sink.sends[0][1].value)) as DlqValue;
    assert.equal(dlq.error.code, 'BAD_JSON');
    assert.deepEqual(dlq.source, { topic: 'in', partition: 0, offset: '1' });
    assert.deepEqual(hooks, ['BAD_JSON']);
    assert.deepEqual(p.stats(), { records: 3, verdicts: 2, dlq: 1, batches: 1, judgeErrors: 0 });
  });

  it('a failed send resolves nothing of its unit and surfaces as KAFKA_ERROR', async () => {
    let sends = 0;
    const sink = new FakeSink(() => (++sends === 2 ? new Error('broker away') : null));
    const control = new FakeControl();
    await assert.rejects(
      processor(new FakeJudge(), sink).process(batchOf(['a', 'b', 'c', 'd']), control),
      (e: unknown) => {
        assert.ok(e instanceof ModstreamError);
        assert.equal(e.code, 'KAFKA_ERROR');
        return true;
      },
    );
    assert.deepEqual(control.log, ['resolve 1', 'commit', 'heartbeat'], 'only the first unit was resolved');
  });

  it('stops between units when the partition is revoked or the consumer stops', async () => {
    const control = new FakeControl();
    const judge = new FakeJudge();
    const p = processor(judge, new FakeSink());
    const origin = control.heartbeat.bind(control);
    control.heartbeat = async () => {
      await origin();
      control.active = false;
    };
    const result = await p.process(batchOf(['a', 'b', 'c', 'd']), control);
    assert.deepEqual(result, { processed: 2, stoppedEarly: 'inactive' });
    assert.equal(judge.calls.length, 1);
  });

  it('an abort during judge retries leaves the unit unresolved', async () => {
    const control = new FakeControl();
    const p = processor(new FakeJudge(() => true), new FakeSink(), {
      retry: { retries: 3, backoffMs: 1, backoffMaxMs: 1 },
      sleep: async () => {
        p.abort();
        return false;
      },
    });
    const result = await p.process(batchOf(['a', 'b']), control);
    assert.deepEqual(result, { processed: 0, stoppedEarly: 'aborted' });
    assert.deepEqual(control.log, []);
  });

  it('a record the broker refuses is replaced by a DLQ record; the rest still go out', async () => {
    const refused = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    const wrapped = Object.assign(new Error('non retriable'), { cause: refused });
    const sink = new FakeSink((records) =>
      records.some((r) => JSON.parse(String(r.value)).messageId === 'big') ? wrapped : null,
    );
    const control = new FakeControl();
    const p = processor(new FakeJudge(), sink, { maxBatchRecords: 10 });
    await p.process(batchOf(['a', 'big', 'c']), control);
    const topicsSent = sink.records.map((r) => r.topic);
    assert.deepEqual(topicsSent, ['out', 'dlq', 'out']);
    const dlq = JSON.parse(String(sink.records[1].value)) as DlqValue;
    assert.equal(dlq.error.code, 'PROCESSING_FAILED');
    assert.match(dlq.error.message, /verdict of \d+ bytes refused by the broker: MESSAGE_TOO_LARGE/);
    assert.deepEqual(control.log, ['resolve 2', 'commit', 'heartbeat']);
    assert.deepEqual(p.stats(), { records: 3, verdicts: 2, dlq: 1, batches: 1, judgeErrors: 0 });
  });

  it('bounds the units in flight across partitions', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const judge = new FakeJudge(
      () => false,
      () => gate,
    );
    const p = processor(judge, new FakeSink(), { maxInFlight: 1 });
    const runs = [0, 1, 2].map((partition) =>
      p.process(batchOf(['a', 'b', 'c'], partition), new FakeControl()),
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(judge.calls.length, 1, 'the other partitions wait for the slot');
    open();
    await Promise.all(runs);
    assert.equal(judge.maxActive, 1);
    assert.equal(judge.calls.length, 6);
  });

  it('reports batch, produce and lag through the hooks (commits are reported by the transport)', async () => {
    const seen: string[] = [];
    const hooks: KafkaMetricsHooks = {
      onBatch: (n) => seen.push(`batch ${n}`),
      onCommit: (ms) => seen.push(`commit ${ms}`),
      onProduce: (ms, n) => seen.push(`produce ${n} ${ms >= 0}`),
      onLag: (t, part, lag) => seen.push(`lag ${t}/${part} ${lag}`),
    };
    await processor(new FakeJudge(), new FakeSink(), { hooks }).process(
      batchOf(['a', 'b', 'c'], 4, '10'),
      new FakeControl(),
    );
    assert.deepEqual(seen, [
      'produce 2 true',
      'batch 2',
      'lag in/4 8',
      'produce 1 true',
      'batch 1',
      'lag in/4 7',
    ]);
  });
});

describe('BatchProcessor: counting each record once, when delivered', () => {
  /** The fake judge, counting as the pipeline does: attempts always, records only through countDelivered. */
  class CountingJudge extends FakeJudge {
    readonly options: (JudgeOptions | undefined)[] = [];
    readonly delivered: string[] = [];
    override judge(records: readonly IncomingRecord[], options?: JudgeOptions): Promise<Outcome[]> {
      this.options.push(options);
      return super.judge(records);
    }
    countDelivered(records: number, verdicts: readonly Verdict[]): void {
      this.delivered.push(`${records}: ${verdicts.map((v) => v.messageId).join(',')}`);
    }
  }

  it('judge retries, a failed produce redelivered, and a refused verdict count once', async () => {
    const judge = new CountingJudge((_texts, call) => call === 1); // the first attempt throws
    let sends = 0;
    const refused = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    const sink = new FakeSink((records) => {
      sends++;
      if (sends === 1) return Object.assign(new Error('broker down'), { type: 'NETWORK' });
      return records.some((r) => JSON.parse(String(r.value)).messageId === 'big') ? refused : null;
    });
    const p = processor(judge, sink, { maxBatchRecords: 10 });
    const batch = batchOf(['a', 'bad', 'big']);
    await assert.rejects(p.process(batch, new FakeControl()), /broker down/);
    assert.deepEqual(judge.delivered, [], 'nothing counted while nothing was acknowledged');
    await p.process(batch, new FakeControl()); // redelivered by the consumer
    assert.equal(judge.calls.length, 3, 'judged three times: a retry, then again after the failed send');
    assert.ok(judge.options.every((o) => o?.deferCounting === true));
    assert.deepEqual(judge.delivered, ['3: a'], 'three records once; "big" went to the DLQ, not a verdict');
  });

  it('keeps the lag current while a unit cannot be delivered', async () => {
    const lags: number[] = [];
    let sends = 0;
    const sink = new FakeSink(() => (++sends >= 2 ? new Error('broker down') : null));
    const p = processor(new FakeJudge(), sink, { hooks: { onLag: (_t, _p, lag) => lags.push(lag) } });
    await assert.rejects(p.process(batchOf(['a', 'b', 'c', 'd', 'e'], 0, '20'), new FakeControl()));
    // After the first unit (offsets 0-1): 18 behind. The second (2-3) failed: still 18 behind, reported.
    assert.deepEqual(lags, [18, 18]);
  });
});

describe('computeLag / recordRefusal', () => {
  it('lag is what the broker holds past the last processed offset', () => {
    assert.equal(computeLag('10', '9'), 0);
    assert.equal(computeLag('10', '4'), 5);
    assert.equal(computeLag('9007199254740999', '9007199254740990'), 8);
    assert.equal(computeLag('-1', '3'), null);
    assert.equal(computeLag('x', '3'), null);
  });

  it('finds a refusal type through wrapped causes only', () => {
    assert.equal(recordRefusal({ type: 'MESSAGE_TOO_LARGE' }), 'MESSAGE_TOO_LARGE');
    assert.equal(recordRefusal({ cause: { cause: { type: 'INVALID_RECORD' } } }), 'INVALID_RECORD');
    assert.equal(recordRefusal({ errors: [{ type: 'RECORD_LIST_TOO_LARGE' }] }), 'RECORD_LIST_TOO_LARGE');
    assert.equal(recordRefusal({ type: 'NOT_LEADER_FOR_PARTITION' }), null);
    assert.equal(recordRefusal(new Error('x')), null);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    assert.equal(recordRefusal(loop), null);
  });
});
