import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message, Verdict } from '../../../src/contracts/types.js';
import type { Outcome } from '../../../src/pipeline/types.js';
import type { PolicyDecision, PolicyStage } from '../../../src/pipeline/stages.js';
import { RecordingMetrics, SpyStrikes, SwitchableFlood, T0, buildPipeline, message, record } from './kit.js';

function verdicts(outcomes: Outcome[]): Verdict[] {
  return outcomes.map((o) => {
    assert.equal(o.kind, 'verdict');
    return (o as { verdict: Verdict }).verdict;
  });
}

const brief = (v: Verdict) => ({
  action: v.action,
  deleteMessage: v.deleteMessage,
  notifyAdmins: v.notifyAdmins,
  muteSeconds: v.muteSeconds,
  strikes: v.strikes,
});

describe('Pipeline: a flood store failing closed', () => {
  it('records no strike and answers with the policy degraded decision (delete, notify, exemptions kept)', async () => {
    const flood = new SwitchableFlood();
    const strikes = new SpyStrikes();
    const metrics = new RecordingMetrics();
    const { pipeline } = buildPipeline({ flood, strikes, metrics });
    flood.down = true;
    const batch = [
      message({ text: 'buy spam here' }), // ads: warn + delete on the ladder
      message({ text: 'selling drugs' }), // illegal (severe): delete + notify admins
      message({ text: 'spam', userId: 'boss' }), // exempt in qq:1
      message({ text: 'hello there' }), // clean
    ];
    const out = verdicts(await pipeline.judge(batch.map(record)));
    assert.deepEqual(out.map(brief), [
      { action: 'review', deleteMessage: true, notifyAdmins: false, muteSeconds: 0, strikes: 0 },
      { action: 'review', deleteMessage: true, notifyAdmins: true, muteSeconds: 0, strikes: 0 },
      { action: 'allow', deleteMessage: false, notifyAdmins: false, muteSeconds: 0, strikes: 0 },
      { action: 'allow', deleteMessage: false, notifyAdmins: false, muteSeconds: 0, strikes: 0 },
    ]);
    assert.deepEqual(
      out[0].reasons.map((r) => r.rule),
      ['ads:spam'],
      'reasons still listed',
    );
    assert.deepEqual(strikes.calls, [], 'the strike store was not called at all');
    assert.deepEqual(metrics.storeErrors, ['flood'], 'one flood store failure, no strike store failure');
    assert.deepEqual(metrics.stageErrors, ['flood']);
    const peek = await strikes.inner.peek([{ group: 'qq:1', userId: '42', ts: T0 + 1_000_000 }]);
    assert.deepEqual(peek, [0], 'no strike recorded');

    // Flood back: the sender's next violation is their first strike.
    flood.down = false;
    const [next] = verdicts(await pipeline.judge([record(message({ text: 'more spam' }))]));
    assert.deepEqual(brief(next), {
      action: 'warn',
      deleteMessage: true,
      notifyAdmins: false,
      muteSeconds: 0,
      strikes: 1,
    });
  });

  it('keeps dry-run on a degraded verdict', async () => {
    const flood = new SwitchableFlood();
    const { pipeline, strikes } = buildPipeline({ flood });
    flood.down = true;
    const [v] = verdicts(await pipeline.judge([record(message({ groupId: '2', text: 'spam' }))]));
    assert.equal(v.action, 'review');
    assert.equal(v.dryRun, true);
    assert.equal(v.strikes, 0);
    assert.deepEqual((strikes as SpyStrikes).calls, []);
  });

  it('uses a policy stage of its own degraded decision when it offers one, and never calls decide', async () => {
    const flood = new SwitchableFlood();
    const { policy } = buildPipeline();
    const seen: string[] = [];
    const stage: PolicyStage = {
      id: 'custom@1',
      floodLimits: (m: Message) => policy.floodLimits(m),
      decide: () => {
        seen.push('decide');
        return Promise.reject(new Error('decide must not be called'));
      },
      decideDegraded: (batch, error) => {
        seen.push(`degraded ${batch.length} ${error.code}`);
        return Promise.resolve(
          batch.map((b): PolicyDecision => ({
            action: 'review',
            deleteMessage: true,
            muteSeconds: 0,
            notifyAdmins: true,
            strikes: 0,
            dryRun: false,
            policy: 'custom@1',
            reasons: b.reasons,
          })),
        );
      },
    };
    const { pipeline } = buildPipeline({ flood });
    pipeline.setPolicy(stage);
    flood.down = true;
    const [v] = verdicts(await pipeline.judge([record(message({ text: 'spam' }))]));
    assert.deepEqual(seen, ['degraded 1 STORE_UNAVAILABLE']);
    assert.equal(v.notifyAdmins, true);
  });

  it('a policy stage with neither answers review without deletion, still without deciding', async () => {
    const flood = new SwitchableFlood();
    const { policy, pipeline } = buildPipeline({ flood });
    let decided = 0;
    pipeline.setPolicy({
      id: policy.id,
      floodLimits: (m) => policy.floodLimits(m),
      decide: (b) => {
        decided++;
        return policy.decide(b);
      },
    });
    flood.down = true;
    const [found, clean] = verdicts(
      await pipeline.judge([record(message({ text: 'spam' })), record(message({ text: 'hi' }))]),
    );
    assert.equal(decided, 0);
    assert.deepEqual(brief(found), {
      action: 'review',
      deleteMessage: false,
      notifyAdmins: false,
      muteSeconds: 0,
      strikes: 0,
    });
    assert.equal(clean.action, 'allow');
  });

  it('a strike store failure that rejects the batch (onStoreError throw) gets the same degraded decision', async () => {
    const strikes = new SpyStrikes();
    const metrics = new RecordingMetrics();
    const { pipeline } = buildPipeline({ strikes, metrics, onStoreError: 'throw' });
    strikes.down = true;
    const [severe, exempt] = verdicts(
      await pipeline.judge([
        record(message({ text: 'drugs' })),
        record(message({ text: 'spam', userId: 'boss' })),
      ]),
    );
    assert.deepEqual(brief(severe), {
      action: 'review',
      deleteMessage: true,
      notifyAdmins: true,
      muteSeconds: 0,
      strikes: 0,
    });
    assert.equal(exempt.action, 'allow');
    assert.deepEqual(metrics.storeErrors, ['strikes']);
  });
});

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
