import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import {
  createClassifier,
  type ClassifierMode,
  type ClassifierOptions,
} from '../../../src/classify/index.js';
import { FAKE_WORKER, LEXICON_REASON, fakeModelDir, item } from './helpers.js';

/** createClassifier with the protocol-compatible fake worker (no transformers.js): pool, cascade, faults. */
const model = fakeModelDir();
after(() => model.cleanup());

function start(options: ClassifierOptions = {}) {
  return createClassifier({
    modelDir: model.dir,
    workerUrl: FAKE_WORKER,
    timeoutMs: 10_000,
    batchWindowMs: 0,
    ...options,
  });
}

describe('classifier stage (fake worker)', () => {
  it('appends a classifier reason only for texts past the threshold', async () => {
    const clf = await start({ defaultMode: 'all' });
    try {
      const batch = [item('this is bad'), item('this is fine'), item('meh')];
      await clf.classify(batch);
      assert.deepEqual(batch[0]!.reasons, [
        {
          detector: 'classifier',
          category: 'abuse',
          rule: 'classifier:offensive',
          severity: 2,
          label: 'offensive',
          score: 0.9,
          model: 'fake-model',
        },
      ]);
      assert.deepEqual(batch[1]!.reasons, []);
      assert.equal(batch[2]!.reasons.length, 1, '0.6 passes the default 0.5');
      const s = clf.stats();
      assert.equal(s.scored, 3);
      assert.equal(s.reasons, 2);
      assert.equal(s.workers, 1);
    } finally {
      await clf.close();
    }
  });

  it('thresholds per label and per group', async () => {
    const clf = await start({
      defaultMode: 'all',
      labels: { offensive: { category: 'abuse', threshold: 0.7, severity: 3 } },
      thresholdsFor: (m) => (m.groupId === 'strict' ? { offensive: 0.5 } : undefined),
    });
    try {
      const batch = [item('meh', 'lenient'), item('meh', 'strict'), item('bad', 'lenient')];
      await clf.classify(batch);
      assert.deepEqual(
        batch.map((b) => b.reasons.length),
        [0, 1, 1],
      );
      assert.equal(batch[2]!.reasons[0]!.severity, 3);
    } finally {
      await clf.close();
    }
  });

  it('cascade modes per group: all, unmatched, off, shadow', async () => {
    const modes: Record<string, ClassifierMode> = { a: 'all', u: 'unmatched', o: 'off', s: 'shadow' };
    const clf = await start({ modeFor: (m) => modes[m.groupId] ?? 'off' });
    try {
      const batch = [
        item('bad', 'a', [{ ...LEXICON_REASON }]),
        item('bad', 'u', [{ ...LEXICON_REASON }]),
        item('bad', 'u'),
        item('bad', 'o'),
        item('bad', 's'),
        item('', 'a'),
      ];
      await clf.classify(batch);
      const classifier = batch.map((b) => b.reasons.filter((r) => r.detector === 'classifier'));
      assert.equal(classifier[0]!.length, 1, 'all: scored despite the lexicon hit');
      assert.equal(classifier[1]!.length, 0, 'unmatched: a lexicon hit skips the model');
      assert.equal(classifier[2]!.length, 1, 'unmatched: no lexicon hit, scored');
      assert.equal(classifier[3]!.length, 0, 'off');
      assert.equal(classifier[4]![0]!.shadow, true, 'shadow: recorded with shadow: true');
      assert.equal(classifier[0]![0]!.shadow, undefined);
      assert.equal(classifier[5]!.length, 0, 'no text, nothing to score');
      const s = clf.stats();
      assert.equal(s.scored, 3);
      assert.equal(s.notNeeded, 3);
    } finally {
      await clf.close();
    }
  });

  it('default mode is unmatched', async () => {
    const clf = await start();
    try {
      const batch = [item('bad', 'g', [{ ...LEXICON_REASON }]), item('bad')];
      await clf.classify(batch);
      assert.deepEqual(
        batch.map((b) => b.reasons.length),
        [1, 1],
      );
      assert.equal(batch[1]!.reasons[0]!.detector, 'classifier');
    } finally {
      await clf.close();
    }
  });

  it('a message past its time budget is judged without the model and counted', async () => {
    let timeouts = 0;
    const clf = await start({
      defaultMode: 'all',
      timeoutMs: 50,
      batchSize: 1,
      workers: 2,
      hooks: { onTimeout: () => timeouts++ },
      workerTestOptions: { slowMs: 5_000 },
    });
    try {
      const batch = [item('bad SLOW'), item('bad quick')];
      await clf.classify(batch); // resolves at the budget, not when the slow worker answers
      assert.deepEqual(batch[0]!.reasons, []);
      assert.equal(batch[1]!.reasons.length, 1);
      assert.equal(timeouts, 1);
      assert.equal(clf.stats().timeouts, 1);
    } finally {
      await clf.close();
    }
  });

  it('a crashed worker is restarted; the messages it held are judged without the model', async () => {
    const crashes: unknown[] = [];
    const skipped: string[] = [];
    const clf = await start({
      defaultMode: 'all',
      batchSize: 8,
      hooks: { onWorkerCrash: (e) => crashes.push(e), onSkipped: (r) => skipped.push(r) },
    });
    try {
      const batch = [item('bad CRASH'), item('bad too')];
      await clf.classify(batch); // never rejects
      assert.deepEqual(
        batch.map((b) => b.reasons.length),
        [0, 0],
        'both were in the batch the dead worker held',
      );
      assert.equal(crashes.length, 1);
      assert.match(String((crashes[0] as Error).message), /fake worker crashed/);
      assert.deepEqual(skipped, ['unavailable', 'unavailable']);
      // The replacement worker serves the next batch.
      const next = [item('bad again')];
      await clf.classify(next);
      assert.equal(next[0]!.reasons.length, 1);
      const s = clf.stats();
      assert.equal(s.workerCrashes, 1);
      assert.equal(s.unavailable, 2);
    } finally {
      await clf.close();
    }
  });

  it('a worker error for one batch is judged without the model', async () => {
    const clf = await start({ defaultMode: 'all', batchSize: 1 });
    try {
      const batch = [item('bad FAIL'), item('bad')];
      await clf.classify(batch);
      assert.deepEqual(
        batch.map((b) => b.reasons.length),
        [0, 1],
      );
      assert.equal(clf.stats().unavailable, 1);
      assert.equal(clf.stats().workerCrashes, 0);
    } finally {
      await clf.close();
    }
  });

  it('queue overflow is judged without the model and counted', async () => {
    const skipped: string[] = [];
    const clf = await start({
      defaultMode: 'all',
      queueMax: 2,
      batchSize: 1,
      timeoutMs: 30,
      hooks: { onSkipped: (r) => skipped.push(r) },
      workerTestOptions: { slowMs: 5_000 },
    });
    try {
      // Two texts fit in the queue, three overflow; the first then occupies the only (slow) worker.
      const batch = [item('SLOW'), item('bad 1'), item('bad 2'), item('bad 3'), item('bad 4')];
      await clf.classify(batch);
      assert.deepEqual(skipped, ['queue_full', 'queue_full', 'queue_full']);
      assert.ok(batch.every((b) => b.reasons.length === 0));
      assert.equal(clf.stats().queueFull, 3);
      assert.equal(clf.stats().timeouts, 2);
    } finally {
      await clf.close();
    }
  });

  it('after close() messages are judged without the model', async () => {
    const clf = await start({ defaultMode: 'all' });
    await clf.close();
    await clf.close(); // idempotent
    const batch = [item('bad')];
    await clf.classify(batch);
    assert.deepEqual(batch[0]!.reasons, []);
    assert.equal(clf.stats().unavailable, 1);
  });

  it('a resolver that throws does not take the stage down', async () => {
    const clf = await start({
      modeFor: () => {
        throw new Error('broken policy');
      },
    });
    try {
      const batch = [item('bad')];
      await clf.classify(batch);
      assert.deepEqual(batch[0]!.reasons, []);
    } finally {
      await clf.close();
    }
  });
});

describe('classifier start-up failures', () => {
  let other: ReturnType<typeof fakeModelDir>;
  before(() => {
    other = fakeModelDir(['LABEL_0', 'LABEL_1']);
  });
  after(() => other.cleanup());

  it('a worker that cannot load the model rejects start-up with the file named', async () => {
    await assert.rejects(
      start({ workerTestOptions: { initError: 'cannot be loaded by onnxruntime: protobuf parsing failed' } }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, 'MODEL_INVALID');
        assert.equal(e.path, `${model.dir}/onnx/model.onnx`);
        assert.match(e.message, /protobuf parsing failed/);
        return true;
      },
    );
  });

  it('a worker that dies while loading rejects start-up with the file named', async () => {
    await assert.rejects(start({ workers: 2, workerTestOptions: { exitOnLoad: true } }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'MODEL_INVALID');
      assert.match(e.message, /onnx\/model\.onnx could not be loaded: the classifier worker died/);
      return true;
    });
  });

  it('options are validated', async () => {
    await assert.rejects(
      start({ workers: 0 }),
      (e: unknown) => e instanceof ConfigError && e.path === 'classifier.workers',
    );
    await assert.rejects(
      start({ batchSize: 1.5 }),
      (e: unknown) => e instanceof ConfigError && e.path === 'classifier.batchSize',
    );
    await assert.rejects(
      start({ timeoutMs: -1 }),
      (e: unknown) => e instanceof ConfigError && e.path === 'classifier.timeoutMs',
    );
    await assert.rejects(
      start({ defaultMode: 'sometimes' as never }),
      (e: unknown) => e instanceof ConfigError && e.path === 'classifier.defaultMode',
    );
  });

  it('a model whose labels map to no category needs a labels option', async () => {
    await assert.rejects(
      createClassifier({ modelDir: other.dir, workerUrl: FAKE_WORKER }),
      (e: unknown) => e instanceof ConfigError && e.path === 'classifier.labels',
    );
    const clf = await createClassifier({
      modelDir: other.dir,
      workerUrl: FAKE_WORKER,
      defaultMode: 'all',
      batchWindowMs: 0,
      labels: { LABEL_1: { category: 'abuse' } },
    });
    try {
      const batch = [item('bad')];
      await clf.classify(batch);
      assert.equal(batch[0]!.reasons[0]!.rule, 'classifier:LABEL_1');
    } finally {
      await clf.close();
    }
  });
});
