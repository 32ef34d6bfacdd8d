import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentTransportLogger, ResilientJudge } from '../../../../src/transport/kafka/index.js';
import type { IncomingRecord } from '../../../../src/pipeline/types.js';
import { FakeJudge } from './fakes.js';

const records = (texts: string[]): IncomingRecord[] =>
  texts.map((t, i) => ({ raw: Buffer.from(t), source: { topic: 't', partition: 0, offset: String(i) } }));
const policy = { retries: 2, backoffMs: 100, backoffMaxMs: 150 };

function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    return !signal.aborted;
  };
  return { delays, sleep };
}

describe('ResilientJudge', () => {
  it('passes outcomes through when the judge succeeds', async () => {
    const judge = new FakeJudge();
    const out = await new ResilientJudge(judge, policy, silentTransportLogger).judge(
      records(['a', 'b']),
      new AbortController().signal,
    );
    assert.deepEqual(
      out?.map((o) => o.kind),
      ['verdict', 'verdict'],
    );
    assert.equal(judge.calls.length, 1);
  });

  it('retries a failing batch with capped exponential backoff, heartbeating between attempts', async () => {
    const judge = new FakeJudge((_t, call) => call <= 2);
    const { delays, sleep } = recordingSleep();
    let beats = 0;
    const out = await new ResilientJudge(judge, policy, silentTransportLogger, {}, sleep).judge(
      records(['a', 'b']),
      new AbortController().signal,
      async () => {
        beats++;
      },
    );
    assert.equal(out?.length, 2);
    assert.equal(judge.calls.length, 3);
    assert.deepEqual(delays, [100, 150]);
    assert.equal(beats, 2);
  });

  it('after the retries, judges record by record: only the poison record fails, as PROCESSING_FAILED', async () => {
    const judge = new FakeJudge((texts) => texts.includes('poison'));
    const errors: number[] = [];
    const rj = new ResilientJudge(
      judge,
      policy,
      silentTransportLogger,
      { onJudgeError: (a) => errors.push(a) },
      recordingSleep().sleep,
    );
    const out = await rj.judge(records(['a', 'poison', 'c']), new AbortController().signal);
    assert.ok(out);
    assert.deepEqual(
      out.map((o) => o.kind),
      ['verdict', 'error', 'verdict'],
    );
    const failed = out[1];
    assert.equal(failed.kind, 'error');
    if (failed.kind === 'error') {
      assert.equal(failed.error.error.code, 'PROCESSING_FAILED');
      assert.match(failed.error.error.message, /judge failed 4 times: judge failed on poison/);
      assert.deepEqual(failed.error.source, { topic: 't', partition: 0, offset: '1' });
      assert.equal(failed.error.raw, 'poison');
    }
    assert.equal(judge.calls.length, 3 + 3, '1 + 2 retries on the batch, then one call per record');
    assert.deepEqual(errors, [0, 1, 2, 3]);
  });

  it('a single failing record goes straight to PROCESSING_FAILED after its retries', async () => {
    const judge = new FakeJudge(() => true);
    const out = await new ResilientJudge(
      judge,
      policy,
      silentTransportLogger,
      {},
      recordingSleep().sleep,
    ).judge(records(['x']), new AbortController().signal);
    assert.equal(out?.[0].kind, 'error');
    assert.equal(judge.calls.length, 3);
  });

  it('treats a wrong number of outcomes as a failure', async () => {
    const judge = {
      calls: 0,
      async judge() {
        this.calls++;
        return [];
      },
    };
    const out = await new ResilientJudge(judge, { ...policy, retries: 0 }, silentTransportLogger).judge(
      records(['x']),
      new AbortController().signal,
    );
    assert.equal(out?.[0].kind, 'error');
    if (out?.[0].kind === 'error') assert.match(out[0].error.error.message, /0 outcomes for 1 records/);
  });

  it('returns null when stopped during the retries, without more attempts', async () => {
    const judge = new FakeJudge(() => true);
    const abort = new AbortController();
    const sleep = async () => {
      abort.abort();
      return false;
    };
    const out = await new ResilientJudge(judge, policy, silentTransportLogger, {}, sleep).judge(
      records(['a', 'b']),
      abort.signal,
    );
    assert.equal(out, null);
    assert.equal(judge.calls.length, 1);
  });

  it('the real sleep ends early on abort', async () => {
    const { abortableSleep } = await import('../../../../src/transport/kafka/index.js');
    const abort = new AbortController();
    const pending = abortableSleep(60_000, abort.signal);
    abort.abort();
    assert.equal(await pending, false);
    assert.equal(await abortableSleep(1, new AbortController().signal), true);
  });
});
