import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MicroBatcher,
  QUEUE_FULL,
  SCORED,
  TIMED_OUT,
  UNAVAILABLE,
  type BatcherHooks,
} from '../../../src/classify/batcher.js';

/** An in-process stand-in for the pool: `workers` slots; each batch waits until the test releases it. */
function fakePool(workers: number) {
  const pending: { texts: string[]; resolve(s: Float32Array): void; reject(e: Error): void }[] = [];
  let busy = 0;
  let batcher: MicroBatcher | null = null;
  const free = () => {
    busy--;
    batcher?.pump(true);
  };
  return {
    pending,
    attach(b: MicroBatcher) {
      batcher = b;
    },
    canRun: () => busy < workers,
    run(texts: string[]) {
      busy++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.push({
          texts,
          resolve: (s) => {
            resolve(s);
            queueMicrotask(free);
          },
          reject: (e) => {
            reject(e);
            queueMicrotask(free);
          },
        });
      });
    },
    /** Answers the oldest batch: offensive probability 0.9 for texts containing "bad". */
    answer() {
      const b = pending.shift()!;
      const scores = new Float32Array(b.texts.length * 2);
      b.texts.forEach((t, i) => {
        scores[i * 2 + 1] = t.includes('bad') ? 0.9 : 0.1;
        scores[i * 2] = 1 - scores[i * 2 + 1]!;
      });
      b.resolve(scores);
    },
  };
}

function counters() {
  const c = { batches: [] as number[], depths: [] as number[], timeouts: 0, skipped: [] as string[] };
  const hooks: BatcherHooks = {
    onBatch: (n) => c.batches.push(n),
    onQueueDepth: (d) => c.depths.push(d),
    onTimeout: () => c.timeouts++,
    onSkipped: (r) => c.skipped.push(r),
  };
  return { c, hooks };
}

const tick = () => new Promise((r) => setImmediate(r));
/** Waits until the fake pool holds a batch (a function, so TypeScript does not narrow the length). */
async function untilPending(pool: { pending: unknown[] }, n = 1): Promise<void> {
  while (pool.pending.length < n) await tick();
}

describe('classifier micro-batching', () => {
  it('sends full batches at once and the remainder after the window', async () => {
    const pool = fakePool(4);
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 4,
      batchWindowMs: 5,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    pool.attach(b);
    const done = b.score(['a', 'b', 'c', 'bad d', 'e', 'f'], 10_000);
    assert.deepEqual(c.batches, [4], 'a full batch leaves immediately');
    await untilPending(pool, 2);
    assert.deepEqual(c.batches, [4, 2], 'the partial batch leaves when the window closes');
    pool.answer();
    pool.answer();
    const jobs = await done;
    assert.deepEqual(
      jobs.map((j) => j.state),
      Array(6).fill(SCORED),
    );
    assert.ok(Math.abs(jobs[3]!.scores![1]! - 0.9) < 1e-6);
    assert.equal(c.timeouts, 0);
  });

  it('groups texts of concurrent requests into one batch', async () => {
    const pool = fakePool(1);
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 8,
      batchWindowMs: 20,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    pool.attach(b);
    const r1 = b.score(['a', 'b'], 10_000);
    const r2 = b.score(['c'], 10_000);
    const r3 = b.score(['d', 'e'], 10_000);
    await untilPending(pool);
    assert.deepEqual(pool.pending[0]!.texts, ['a', 'b', 'c', 'd', 'e']);
    pool.answer();
    await Promise.all([r1, r2, r3]);
    assert.deepEqual(c.batches, [5]);
  });

  it('a busy pool keeps texts queued; a freed worker takes them without waiting for a full batch', async () => {
    const pool = fakePool(1);
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 2,
      batchWindowMs: 0,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    pool.attach(b);
    const r = b.score(['a', 'b', 'c', 'd', 'e'], 10_000);
    assert.equal(pool.pending.length, 1);
    assert.equal(b.depth, 3);
    pool.answer();
    await untilPending(pool);
    pool.answer();
    await untilPending(pool);
    pool.answer();
    const jobs = await r;
    assert.deepEqual(c.batches, [2, 2, 1]);
    assert.ok(jobs.every((j) => j.state === SCORED));
    assert.equal(c.depths.at(-1), 0);
  });

  it('the queue is bounded: overflow is judged without the model and counted', async () => {
    const pool = fakePool(0); // nothing ever runs
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 10,
      batchWindowMs: 0,
      queueMax: 3,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    const jobs = await b.score(['a', 'b', 'c', 'd', 'e'], 20);
    assert.deepEqual(
      jobs.map((j) => j.state),
      [TIMED_OUT, TIMED_OUT, TIMED_OUT, QUEUE_FULL, QUEUE_FULL],
    );
    assert.deepEqual(c.skipped, ['queue_full', 'queue_full']);
    assert.equal(c.timeouts, 3);
    assert.equal(b.depth, 0, 'given-up texts leave the queue');
  });

  it('at the deadline queued and in-flight texts are given up; a late answer is ignored', async () => {
    const pool = fakePool(1);
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 2,
      batchWindowMs: 0,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    pool.attach(b);
    const jobs = await b.score(['a', 'b', 'c'], 20);
    assert.deepEqual(
      jobs.map((j) => j.state),
      [TIMED_OUT, TIMED_OUT, TIMED_OUT],
    );
    assert.equal(c.timeouts, 3);
    pool.answer(); // the late answer for a, b
    await tick();
    assert.ok(jobs.every((j) => j.state === TIMED_OUT && j.scores === null));
    assert.equal(pool.pending.length, 0, 'c, given up while queued, never reaches a worker');
    // The batcher keeps working afterwards.
    const next = b.score(['bad x'], 10_000);
    await untilPending(pool);
    pool.answer();
    assert.equal((await next)[0]!.state, SCORED);
  });

  it('a failed batch leaves its texts unscored (unavailable), the next batch is fine', async () => {
    const pool = fakePool(1);
    const { c, hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 4,
      batchWindowMs: 0,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    pool.attach(b);
    const r = b.score(['a', 'b'], 10_000);
    pool.pending.shift()!.reject(new Error('worker died'));
    const jobs = await r;
    assert.deepEqual(
      jobs.map((j) => j.state),
      [UNAVAILABLE, UNAVAILABLE],
    );
    assert.deepEqual(c.skipped, ['unavailable', 'unavailable']);
  });

  it('drain() gives up everything queued', async () => {
    const pool = fakePool(0);
    const { hooks } = counters();
    const b = new MicroBatcher({
      batchSize: 4,
      batchWindowMs: 0,
      queueMax: 100,
      width: 2,
      canRun: pool.canRun,
      run: pool.run,
      hooks,
    });
    const r = b.score(['a', 'b'], 10_000);
    b.drain();
    assert.deepEqual(
      (await r).map((j) => j.state),
      [UNAVAILABLE, UNAVAILABLE],
    );
  });
});
