import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Enforcer } from '../../../src/adapters/enforcer.js';
import {
  JsonlFailureSink,
  type EnforcementFailure,
  type FailureSink,
} from '../../../src/adapters/failures.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from '../../../src/adapters/idempotency.js';
import { EnforcerMetrics } from '../../../src/adapters/metrics.js';
import { ActionError, type PlannedAction, type PlatformEnforcement } from '../../../src/adapters/platform.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { verdict } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'modstream-enforcer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A platform whose calls succeed or fail as scripted, recording every attempt. */
class FakePlatform implements PlatformEnforcement {
  readonly platform = 'qq';
  readonly calls: string[] = [];
  failures = new Map<string, ActionError[]>();
  plan(v: Verdict): PlannedAction[] {
    const out: PlannedAction[] = [];
    if (v.deleteMessage) out.push({ action: 'delete_msg', purpose: 'delete', params: { id: v.messageId } });
    if (v.action === 'kick') out.push({ action: 'set_group_kick', purpose: 'kick', params: {} });
    return out;
  }
  async execute(a: PlannedAction): Promise<unknown> {
    this.calls.push(a.action);
    const queue = this.failures.get(a.action);
    const e = queue?.shift();
    if (e) throw e;
    return null;
  }
}

class MemoryFailures implements FailureSink {
  readonly name = 'memory';
  readonly recorded: EnforcementFailure[] = [];
  broken = false;
  async record(f: readonly EnforcementFailure[]): Promise<void> {
    if (this.broken) throw new Error('disk full');
    this.recorded.push(...f);
  }
  async close(): Promise<void> {}
}

function setup(o: { idempotency?: IdempotencyStore; dryRun?: boolean } = {}) {
  const platform = new FakePlatform();
  const failures = new MemoryFailures();
  const registry = new Registry();
  const enforcer = new Enforcer({
    enforcement: platform,
    idempotency: o.idempotency ?? new MemoryIdempotencyStore(),
    failures,
    metrics: new EnforcerMetrics(registry),
    retries: 2,
    sleep: async () => {},
    dryRun: o.dryRun,
    clock: () => 5,
  });
  return { platform, failures, enforcer, registry };
}

const kick = verdict({ action: 'kick', deleteMessage: true });

describe('Enforcer', () => {
  it('acts once per messageId, in plan order', async () => {
    const { platform, enforcer } = setup();
    assert.equal(await enforcer.enforce(kick), 'acted');
    assert.equal(await enforcer.enforce(kick), 'duplicate');
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
  });

  it('ignores other platforms, logs dry-run verdicts, skips verdicts with nothing to do', async () => {
    const { platform, enforcer } = setup();
    assert.equal(await enforcer.enforce({ ...kick, platform: 'wechat' }), 'ignored_platform');
    assert.equal(await enforcer.enforce({ ...kick, dryRun: true }), 'dry_run');
    assert.equal(await enforcer.enforce(verdict()), 'no_action');
    assert.deepEqual(platform.calls, []);
  });

  it('--dry-run calls nothing but remembers the verdict', async () => {
    const { platform, enforcer } = setup({ dryRun: true });
    assert.equal(await enforcer.enforce(kick), 'dry_run');
    assert.equal(await enforcer.enforce(kick), 'duplicate');
    assert.deepEqual(platform.calls, []);
  });

  it('retries retryable failures with backoff, then succeeds', async () => {
    const { platform, enforcer, registry } = setup();
    platform.failures.set('set_group_kick', [
      new ActionError('http', 'HTTP 502', { retryable: true, status: 502 }),
      new ActionError('timeout', 'slow', { retryable: true }),
    ]);
    assert.equal(await enforcer.enforce(kick), 'acted');
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick', 'set_group_kick', 'set_group_kick']);
    const text = await registry.metrics();
    assert.match(text, /modstream_enforcer_retries_total\{action="set_group_kick"\} 2/);
    assert.match(text, /modstream_enforcer_actions_total\{action="set_group_kick",result="ok"\} 1/);
  });

  it('records what still fails after the retries (and the rest still runs): partial', async () => {
    const { platform, enforcer, failures } = setup();
    const err = () =>
      new ActionError('failed', 'delete_msg: retcode 200: timeout', { retryable: true, retcode: 200 });
    platform.failures.set('delete_msg', [err(), err(), err()]);
    assert.equal(await enforcer.enforce(kick), 'partial');
    assert.deepEqual(platform.calls, ['delete_msg', 'delete_msg', 'delete_msg', 'set_group_kick']);
    assert.equal(failures.recorded.length, 1);
    const f = failures.recorded[0];
    assert.deepEqual(
      { ...f, verdict: undefined },
      {
        v: 1,
        kind: 'enforcement-failure',
        messageId: 'qq:901234:55871',
        platform: 'qq',
        groupId: '901234',
        userId: '10001',
        action: 'delete_msg',
        purpose: 'delete',
        params: { id: 'qq:901234:55871' },
        error: { kind: 'failed', message: 'delete_msg: retcode 200: timeout', retcode: 200 },
        attempts: 3,
        ts: 5,
        verdict: undefined,
      },
    );
    assert.equal(f.verdict.messageId, kick.messageId);
    assert.equal(await enforcer.enforce(kick), 'duplicate', 'recorded failures are final');
  });

  it('does not retry what cannot succeed; all calls failed: failed', async () => {
    const { platform, enforcer, failures } = setup();
    platform.failures.set('delete_msg', [new ActionError('http', '403', { retryable: false, status: 403 })]);
    platform.failures.set('set_group_kick', [
      new ActionError('failed', 'bad params', { retryable: false, retcode: 100 }),
    ]);
    assert.equal(await enforcer.enforce(kick), 'failed');
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
    assert.deepEqual(
      failures.recorded.map((f) => f.error.status ?? f.error.retcode),
      [403, 100],
    );
  });

  it('when the failure cannot be recorded, the claim is released and the error thrown (the source redelivers)', async () => {
    const { platform, enforcer, failures, registry } = setup();
    failures.broken = true;
    platform.failures.set('set_group_kick', [
      new ActionError('http', '403', { retryable: false, status: 403 }),
    ]);
    await assert.rejects(enforcer.enforce(kick), /disk full/);
    assert.match(await registry.metrics(), /modstream_enforcer_failure_record_errors_total 1/);
    failures.broken = false;
    assert.equal(await enforcer.enforce(kick), 'acted', 'the redelivery acts');
  });

  it('an idempotency store outage does not stop enforcement', async () => {
    const broken: IdempotencyStore = {
      begin: async () => Promise.reject(new Error('redis down')),
      complete: async () => Promise.reject(new Error('redis down')),
      release: async () => {},
      close: async () => {},
    };
    const { platform, enforcer } = setup({ idempotency: broken });
    assert.equal(await enforcer.enforce(kick), 'acted');
    assert.equal(platform.calls.length, 2);
  });

  it('failures go to a JSON Lines file', async () => {
    const { platform } = setup();
    const file = join(dir, 'sub', 'failures.jsonl');
    const sink = new JsonlFailureSink(file);
    const enforcer = new Enforcer({
      enforcement: platform,
      idempotency: new MemoryIdempotencyStore(),
      failures: sink,
      retries: 0,
      sleep: async () => {},
    });
    platform.failures.set('set_group_kick', [
      new ActionError('network', 'ECONNREFUSED', { retryable: true }),
    ]);
    await enforcer.enforce(kick);
    platform.failures.set('set_group_kick', [
      new ActionError('network', 'ECONNREFUSED', { retryable: true }),
    ]);
    await enforcer.enforce({ ...kick, messageId: 'qq:901234:2' });
    await sink.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EnforcementFailure);
    assert.deepEqual(
      lines.map((l) => `${l.messageId} ${l.action} ${l.error.kind}`),
      ['qq:901234:55871 set_group_kick network', 'qq:901234:2 set_group_kick network'],
    );
  });
});

describe('MemoryIdempotencyStore', () => {
  it('claims, completes, releases and expires', async () => {
    let now = 0;
    const s = new MemoryIdempotencyStore({ busyTtlMs: 10, doneTtlMs: 100, clock: () => now, maxEntries: 2 });
    assert.equal(await s.begin('a'), 'new');
    assert.equal(await s.begin('a'), 'duplicate');
    now = 10;
    assert.equal(await s.begin('a'), 'new', 'an abandoned claim expires');
    await s.complete('a');
    now = 109;
    assert.equal(await s.begin('a'), 'duplicate');
    now = 110;
    assert.equal(await s.begin('a'), 'new');
    await s.release('a');
    assert.equal(await s.begin('a'), 'new');
    await s.begin('b');
    await s.begin('c');
    assert.equal(await s.begin('a'), 'new', 'bounded: the oldest is forgotten');
  });
});
