import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OffsetCommitter } from '../../../../src/transport/kafka/committer.js';
import { silentTransportLogger } from '../../../../src/transport/kafka/index.js';

/** A commit function whose calls the test ends one by one; each call records what was "resolved" then. */
class GatedCommits {
  resolved = 0;
  readonly sent: number[] = [];
  readonly #pending: Array<{ ok: () => void; fail: (e: Error) => void }> = [];
  readonly commit = (): Promise<void> => {
    this.sent.push(this.resolved);
    return new Promise((ok, fail) => this.#pending.push({ ok, fail }));
  };
  get inFlight(): number {
    return this.#pending.length;
  }
  finish(error?: Error): void {
    const next = this.#pending.shift();
    assert.ok(next, 'a commit in flight');
    if (error) next.fail(error);
    else next.ok();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OffsetCommitter', () => {
  it('runs one commit at a time; requests made meanwhile share the single next one', async () => {
    const c = new GatedCommits();
    const durations: number[] = [];
    const committer = new OffsetCommitter({
      logger: silentTransportLogger,
      onCommit: (ms) => durations.push(ms),
    });
    committer.use(c.commit);
    c.resolved = 1;
    committer.request();
    c.resolved = 2;
    committer.request();
    c.resolved = 3;
    committer.request();
    assert.deepEqual(c.sent, [1], 'the first commit starts at once, with what was resolved then');
    c.finish();
    await tick();
    assert.deepEqual(c.sent, [1, 3], 'one more commit covers every later request');
    c.finish();
    await tick();
    assert.equal(c.inFlight, 0);
    assert.equal(committer.busy, false);
    assert.equal(durations.length, 2);
  });

  it('flush() waits for a commit that starts after the call', async () => {
    const c = new GatedCommits();
    const committer = new OffsetCommitter({ logger: silentTransportLogger });
    committer.use(c.commit);
    c.resolved = 1;
    committer.request();
    c.resolved = 2;
    let flushed = false;
    const flush = committer.flush().then(() => (flushed = true));
    c.finish();
    await tick();
    assert.equal(flushed, false, 'the commit in flight was computed before the flush');
    assert.deepEqual(c.sent, [1, 2]);
    c.finish();
    await flush;
    assert.equal(flushed, true);
  });

  it('flush() with nothing ever fetched resolves at once', async () => {
    const committer = new OffsetCommitter({ logger: silentTransportLogger });
    await committer.flush();
  });

  it('a failed commit is logged and retried after a backoff; flush() reports the failure', async () => {
    const c = new GatedCommits();
    const warnings: string[] = [];
    const logger = { ...silentTransportLogger, warn: (_: object, msg?: string) => warnings.push(msg ?? '') };
    const committer = new OffsetCommitter({ logger, retryBackoffMs: 5, retryBackoffMaxMs: 5 });
    committer.use(c.commit);
    c.resolved = 1;
    committer.request();
    c.finish(new Error('coordinator away'));
    await tick();
    assert.deepEqual(warnings, ['offset commit failed; will retry']);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(c.sent, [1, 1], 'retried on its own');
    c.finish();
    await tick();

    c.resolved = 2;
    const flush = committer.flush();
    c.finish(new Error('still away'));
    await assert.rejects(flush, /still away/);
    committer.close();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(c.inFlight, 0, 'no retry once closed');
    assert.deepEqual(c.sent, [1, 1, 2]);
  });

  it('a commit refused by a rebalance is logged at info, not as a failure', async () => {
    const c = new GatedCommits();
    const infos: string[] = [];
    const logger = { ...silentTransportLogger, info: (_: object, msg?: string) => infos.push(msg ?? '') };
    const committer = new OffsetCommitter({ logger, retryBackoffMs: 60_000 });
    committer.use(c.commit);
    committer.request();
    c.finish(Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS' }));
    await tick();
    assert.deepEqual(infos, ['offset commit refused by a rebalance']);
    committer.close();
  });

  it('ignores requests once closed', async () => {
    const c = new GatedCommits();
    const committer = new OffsetCommitter({ logger: silentTransportLogger });
    committer.use(c.commit);
    committer.close();
    committer.request();
    assert.equal(c.inFlight, 0);
  });
});
