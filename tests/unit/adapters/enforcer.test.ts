import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { actionKeys, EnforcementBusyError, Enforcer } from '../../../src/adapters/enforcer.js';
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
  /** Attempts to record, and how many of the next ones fail (Infinity: all). */
  attempts = 0;
  broken = 0;
  async record(f: readonly EnforcementFailure[]): Promise<void> {
    this.attempts++;
    if (this.broken > 0) {
      this.broken--;
      throw new Error('disk full');
    }
    this.recorded.push(...f);
  }
  async close(): Promise<void> {}
}

function setup(
  o: {
    idempotency?: IdempotencyStore;
    dryRun?: boolean;
    sleep?: (ms: number) => Promise<unknown>;
    busyWaitMs?: number;
    platform?: FakePlatform;
  } = {},
) {
  const platform = o.platform ?? new FakePlatform();
  const failures = new MemoryFailures();
  const registry = new Registry();
  const enforcer = new Enforcer({
    enforcement: platform,
    idempotency: o.idempotency ?? new MemoryIdempotencyStore(),
    failures,
    metrics: new EnforcerMetrics(registry),
    retries: 2,
    sleep: o.sleep ?? (async () => {}),
    busyWaitMs: o.busyWaitMs,
    dryRun: o.dryRun,
    clock: () => 5,
  });
  return { platform, failures, enforcer, registry };
}

/** A platform that plans every kind of call the OneBot enforcement makes for a mute with notices. */
class NoticePlatform extends FakePlatform {
  override plan(v: Verdict): PlannedAction[] {
    return [
      { action: 'delete_msg', purpose: 'delete', params: { message_id: 1 } },
      { action: 'set_group_ban', purpose: 'mute', params: { group_id: 1, user_id: v.userId, duration: 600 } },
      { action: 'send_group_msg', purpose: 'notify', params: { group_id: 555 } },
      { action: 'send_private_msg', purpose: 'notify', params: { user_id: 1 } },
      { action: 'send_private_msg', purpose: 'notify', params: { user_id: 2 } },
    ];
  }
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

  it('writing the failure record is retried (bounded) before anything is handed back', async () => {
    const { platform, enforcer, failures, registry } = setup();
    failures.broken = 2;
    platform.failures.set('set_group_kick', [
      new ActionError('http', '403', { retryable: false, status: 403 }),
    ]);
    assert.equal(await enforcer.enforce(kick), 'partial');
    assert.equal(failures.attempts, 3);
    assert.equal(failures.recorded.length, 1);
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
    assert.match(await registry.metrics(), /modstream_enforcer_failure_record_errors_total 0/);
    assert.equal(await enforcer.enforce(kick), 'duplicate');
  });

  it('when the failure cannot be recorded, the error is thrown (the source redelivers) and the redelivery makes only the calls not made yet', async () => {
    const platform = new NoticePlatform();
    const { enforcer, failures, registry } = setup({ platform });
    failures.broken = Infinity;
    const refused = () =>
      new ActionError('failed', 'delete_msg: retcode 1400', { retryable: false, retcode: 1400 });
    platform.failures.set('delete_msg', [refused(), refused(), refused()]);
    const v = verdict({ action: 'mute', muteSeconds: 600, deleteMessage: true, notifyAdmins: true });
    // Three deliveries (kafkajs consumes the uncommitted verdict again): the calls that worked are made once.
    for (let delivery = 1; delivery <= 3; delivery++) await assert.rejects(enforcer.enforce(v), /disk full/);
    assert.deepEqual(platform.calls, [
      'delete_msg',
      'set_group_ban',
      'send_group_msg',
      'send_private_msg',
      'send_private_msg',
      'delete_msg',
      'delete_msg',
    ]);
    assert.equal(failures.attempts, 12, '1 + 3 retries per delivery');
    assert.match(await registry.metrics(), /modstream_enforcer_failure_record_errors_total 3/);
    // The sink works again: the failed call is tried once more and its failure recorded; then it is done.
    failures.broken = 0;
    platform.failures.set('delete_msg', [refused()]);
    assert.equal(await enforcer.enforce(v), 'partial');
    assert.deepEqual(
      failures.recorded.map((f) => f.action),
      ['delete_msg'],
    );
    assert.equal(await enforcer.enforce(v), 'duplicate');
    assert.equal(platform.calls.length, 8);
  });

  it('a verdict another delivery claimed and abandoned (a crash) is enforced once the claim runs out', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ busyTtlMs: 15_000, clock: () => now });
    // Instance A claimed the verdict, then died: its claim is never renewed.
    assert.equal((await store.begin(kick.messageId)).state, 'new');
    now = 4000;
    const waits: number[] = [];
    const { platform, enforcer } = setup({
      idempotency: store,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    assert.equal(await enforcer.enforce(kick), 'acted');
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
    assert.ok(now >= 15_000 && now < 20_000, `waited until the claim ran out (${now})`);
    assert.ok(waits.length > 1 && waits.every((ms) => ms > 0 && ms <= 2400), `polled with backoff: ${waits}`);
    assert.equal(await enforcer.enforce(kick), 'duplicate');
  });

  it('a verdict another delivery is still enforcing waits for it, then is a duplicate', async () => {
    const store = new MemoryIdempotencyStore();
    const a = await store.begin(kick.messageId);
    assert.equal(a.state, 'new');
    let polls = 0;
    const { platform, enforcer } = setup({
      idempotency: store,
      sleep: async () => {
        if (++polls === 3) await store.complete(kick.messageId); // A finishes meanwhile
      },
    });
    assert.equal(await enforcer.enforce(kick), 'duplicate');
    assert.equal(polls, 3);
    assert.deepEqual(platform.calls, []);
  });

  it('a claim still held (renewed) after busyWaitMs: EnforcementBusyError, nothing done, nothing marked', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ busyTtlMs: 3000, clock: () => now });
    const a = await store.begin(kick.messageId);
    assert.ok(a.state === 'new');
    const { platform, enforcer, registry } = setup({
      idempotency: store,
      busyWaitMs: 5000,
      sleep: async (ms) => {
        now += ms;
        assert.equal(await store.renew(kick.messageId, a.claim), true); // A is alive and renewing
      },
    });
    await assert.rejects(
      enforcer.enforce(kick),
      (e: unknown) => e instanceof EnforcementBusyError && e.code === 'ENFORCEMENT_BUSY',
    );
    assert.equal(now, 5000, 'waited busyWaitMs, no longer');
    assert.deepEqual(platform.calls, []);
    assert.doesNotMatch(await registry.metrics(), /outcome="duplicate"\} 1/);
    assert.match(await registry.metrics(), /modstream_enforcer_verdicts_total\{outcome="busy"\} 1/);
    // A gives up (releases): the redelivery acts.
    await store.release(kick.messageId, a.claim);
    assert.equal(await enforcer.enforce(kick), 'acted');
  });

  it('renews its claim while it works, so a slow enforcement is not taken over', async () => {
    const store = new MemoryIdempotencyStore({ busyTtlMs: 150 });
    const platform = new FakePlatform();
    const slow = new (class extends FakePlatform {
      override async execute(a: PlannedAction): Promise<unknown> {
        await new Promise((r) => setTimeout(r, 200));
        return platform.execute(a);
      }
    })();
    const { enforcer } = setup({ idempotency: store, platform: slow });
    const running = enforcer.enforce(kick);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(
      (await store.begin(kick.messageId)).state,
      'busy',
      'still claimed after over two claim lifetimes',
    );
    assert.equal(await running, 'acted');
    assert.equal((await store.begin(kick.messageId)).state, 'done');
    assert.deepEqual(platform.calls, ['delete_msg', 'set_group_kick']);
  });

  it('an idempotency store outage does not stop enforcement', async () => {
    const broken: IdempotencyStore = {
      busyTtlMs: 15_000,
      begin: async () => Promise.reject(new Error('redis down')),
      renew: async () => Promise.reject(new Error('redis down')),
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

describe('JsonlFailureSink', () => {
  it('a directory that could not be made is tried again on the next record', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x'); // a file where the directory should be (or a volume not mounted yet)
    const sink = new JsonlFailureSink(join(blocker, 'failures.jsonl'));
    const f = { messageId: 'qq:1:1' } as EnforcementFailure;
    await assert.rejects(sink.record([f]), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    rmSync(blocker); // the cause is fixed
    await sink.record([f]);
    await sink.close();
    assert.ok(existsSync(join(blocker, 'failures.jsonl')));
  });
});

describe('actionKeys', () => {
  it('names each call by action and parameters; repeats get a number', () => {
    const a = (action: string, params: Record<string, unknown>): PlannedAction => ({
      action,
      purpose: 'notify',
      params,
    });
    assert.deepEqual(
      actionKeys([
        a('send_private_msg', { user_id: 1 }),
        a('send_private_msg', { user_id: 2 }),
        a('send_private_msg', { user_id: 1 }),
      ]),
      [
        'send_private_msg {"user_id":1}',
        'send_private_msg {"user_id":2}',
        'send_private_msg {"user_id":1} #2',
      ],
    );
  });
});

describe('MemoryIdempotencyStore', () => {
  it('claims, renews, completes, releases and expires', async () => {
    let now = 0;
    const s = new MemoryIdempotencyStore({ busyTtlMs: 10, doneTtlMs: 100, clock: () => now, maxEntries: 2 });
    const first = await s.begin('a');
    assert.ok(first.state === 'new');
    assert.deepEqual(first.acted, []);
    assert.deepEqual(await s.begin('a'), { state: 'busy' });
    now = 8;
    assert.equal(await s.renew('a', first.claim), true);
    now = 12;
    assert.deepEqual(await s.begin('a'), { state: 'busy' }, 'renewed');
    now = 18;
    const second = await s.begin('a');
    assert.ok(second.state === 'new', 'an abandoned claim expires');
    assert.equal(await s.renew('a', first.claim), false, 'a claim that was taken over is lost');
    await s.release('a', first.claim, ['x']);
    assert.deepEqual(await s.begin('a'), { state: 'busy' }, 'only the holder releases');
    await s.complete('a');
    now = 117;
    assert.deepEqual(await s.begin('a'), { state: 'done' });
    now = 118;
    assert.equal((await s.begin('a')).state, 'new');
  });

  it('a released claim remembers the calls made, for the next claim; completing forgets them', async () => {
    const s = new MemoryIdempotencyStore();
    const a = await s.begin('m');
    assert.ok(a.state === 'new');
    await s.release('m', a.claim, ['delete_msg {}']);
    const b = await s.begin('m');
    assert.ok(b.state === 'new');
    assert.deepEqual(b.acted, ['delete_msg {}']);
    await s.complete('m');
    assert.deepEqual(await s.begin('m'), { state: 'done' });
  });

  it('is bounded: the oldest is forgotten', async () => {
    const s = new MemoryIdempotencyStore({ maxEntries: 2 });
    await s.complete('a');
    await s.begin('b');
    await s.begin('c');
    assert.equal((await s.begin('a')).state, 'new');
  });
});
