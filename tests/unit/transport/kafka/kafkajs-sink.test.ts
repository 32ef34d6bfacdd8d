import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer, ProducerBatch } from 'kafkajs';
import { KafkajsRecordSink } from '../../../../src/transport/kafka/index.js';
import type { OutgoingRecord } from '../../../../src/transport/types.js';

/** A producer whose sendBatch calls the test answers one by one. */
class GatedProducer {
  readonly requests: string[][] = [];
  readonly #pending: Array<{ ok: () => void; fail: (e: unknown) => void }> = [];
  /** Refuses at once any request holding a record with this value. */
  refuse: string | null = null;
  sendBatch(batch: ProducerBatch): Promise<unknown[]> {
    const values = (batch.topicMessages ?? []).flatMap((t) =>
      t.messages.map((m) => `${t.topic}:${String(m.value)}`),
    );
    this.requests.push(values);
    if (this.refuse !== null && values.some((v) => v.endsWith(`:${this.refuse}`))) {
      const cause = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
      return Promise.reject(Object.assign(new Error('refused'), { cause }));
    }
    return new Promise((ok, fail) => this.#pending.push({ ok: () => ok([]), fail }));
  }
  get inFlight(): number {
    return this.#pending.length;
  }
  answer(error?: unknown): void {
    const next = this.#pending.shift();
    assert.ok(next, 'a request in flight');
    if (error) next.fail(error);
    else next.ok();
  }
}

const rec = (value: string, topic = 'out'): OutgoingRecord => ({ topic, key: 'k', value });
const tick = () => new Promise((r) => setImmediate(r));

function sinkOver(p: GatedProducer): KafkajsRecordSink {
  return new KafkajsRecordSink(p as unknown as Producer, 'none', 1000);
}

describe('KafkajsRecordSink', () => {
  it('sends at once when idle; sends arriving meanwhile go together in the next request', async () => {
    const p = new GatedProducer();
    const sink = sinkOver(p);
    const done: string[] = [];
    const a = sink.send([rec('a1'), rec('a2')]).then(() => done.push('a'));
    const b = sink.send([rec('b1')]).then(() => done.push('b'));
    const c = sink.send([rec('c1'), rec('c2', 'dlq')]).then(() => done.push('c'));
    assert.deepEqual(p.requests, [['out:a1', 'out:a2']]);
    p.answer();
    await a;
    await tick();
    assert.deepEqual(done, ['a'], 'b and c wait for their own acknowledgement');
    assert.deepEqual(p.requests[1], ['out:b1', 'out:c1', 'dlq:c2'], 'in arrival order, grouped by topic');
    p.answer();
    await Promise.all([b, c]);
    assert.deepEqual(done, ['a', 'b', 'c']);
  });

  it('a failed merged request fails every send in it', async () => {
    const p = new GatedProducer();
    const sink = sinkOver(p);
    const first = sink.send([rec('a')]);
    const b = sink.send([rec('b')]);
    const c = sink.send([rec('c')]);
    p.answer();
    await first;
    await tick();
    p.answer(new Error('broker away'));
    await assert.rejects(b, /broker away/);
    await assert.rejects(c, /broker away/);
    assert.equal(p.requests.length, 2);
  });

  it('a record refusal in a merged request is retried send by send, failing only its own send', async () => {
    const p = new GatedProducer();
    const sink = sinkOver(p);
    const first = sink.send([rec('a')]);
    const b = sink.send([rec('b')]);
    const big = sink.send([rec('big')]);
    const c = sink.send([rec('c')]);
    p.refuse = 'big';
    p.answer();
    await first;
    await tick();
    assert.deepEqual(p.requests[1], ['out:b', 'out:big', 'out:c'], 'merged, then refused');
    assert.deepEqual(p.requests[2], ['out:b'], 'then each send alone');
    p.answer();
    await b;
    await assert.rejects(big, /refused/);
    await tick();
    assert.deepEqual(p.requests[4], ['out:c']);
    p.answer();
    await c;
    assert.equal(p.inFlight, 0);
  });

  it('an empty send resolves without a request', async () => {
    const p = new GatedProducer();
    await sinkOver(p).send([]);
    assert.equal(p.requests.length, 0);
  });
});
