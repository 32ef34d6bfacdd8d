import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import { createClassifier, DEFAULT_LIBRARY, DEFAULT_MODEL_DIR } from '../../../src/classify/index.js';
import { WorkerPool } from '../../../src/classify/pool.js';
import { item } from './helpers.js';

/**
 * The real worker (src/classify/worker.ts) with transformers.js and the shipped model. Skipped when the
 * optional dependency is not installed (npm ci --omit=optional).
 */
function transformersInstalled(): boolean {
  try {
    import.meta.resolve(DEFAULT_LIBRARY);
    return true;
  } catch {
    return false;
  }
}
const installed = transformersInstalled();
const skip = installed ? false : `${DEFAULT_LIBRARY} (optional dependency) is not installed`;

// In CI a missing optional dependency is an install problem (npm ci drops it silently when onnxruntime-node's
// install script fails offline), not a reason to skip: say so instead of going green without these tests.
it('CI installs the optional classifier dependency', { skip: !process.env['CI'] && 'not in CI' }, () => {
  assert.ok(
    installed,
    `${DEFAULT_LIBRARY} is missing: install with ONNXRUNTIME_NODE_INSTALL_CUDA=skip (or onnxruntime-node-install=skip in .npmrc) so that npm ci keeps it`,
  );
});
const REAL_WORKER = new URL('../../../src/classify/worker.ts', import.meta.url);

const scratch = mkdtempSync(join(tmpdir(), 'modstream-clf-real-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the shipped model with one file replaced. */
function modelCopy(name: string, file: string, content: string | Buffer | null): string {
  const dir = join(scratch, name);
  cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
  if (content === null) rmSync(join(dir, file));
  else writeFileSync(join(dir, file), content);
  return dir;
}

describe('classifier with transformers.js and the shipped model', { skip }, () => {
  it('ships a model in the transformers.js layout', () => {
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      assert.ok(existsSync(join(DEFAULT_MODEL_DIR, f)), `${f} is shipped`);
    }
    const config = JSON.parse(readFileSync(join(DEFAULT_MODEL_DIR, 'config.json'), 'utf8'));
    assert.deepEqual(config.id2label, { 0: 'neutral', 1: 'offensive' });
  });

  it('loads from the local directory (remote loading disabled) and scores in a worker', async () => {
    const clf = await createClassifier({ defaultMode: 'all', timeoutMs: 30_000, batchWindowMs: 0 });
    try {
      assert.equal(clf.model.name, 'modstream-offensive-v1');
      assert.deepEqual(clf.model.labels, ['neutral', 'offensive']);
      const batch = [
        item('你他妈就是个傻逼，滚'),
        item('黑人都是垃圾，滚出中国'),
        item('今天天气很好，我们去公园散步吧'),
        item('谢谢大家的帮助，会议材料已经发到群里了'),
        item('shut up you stupid bitch'),
        item('x'.repeat(5000)),
      ];
      await clf.classify(batch);
      const scores = batch.map((b) => b.reasons.find((r) => r.detector === 'classifier')?.score ?? 0);
      assert.ok(
        scores[0]! >= 0.5 && scores[1]! >= 0.5 && scores[4]! >= 0.5,
        `offensive texts flagged: ${scores.join(', ')}`,
      );
      assert.deepEqual(batch[2]!.reasons, [], 'benign text not flagged');
      assert.deepEqual(batch[3]!.reasons, [], 'benign text not flagged');
      const r = batch[0]!.reasons[0]!;
      assert.equal(r.category, 'abuse');
      assert.equal(r.rule, 'classifier:offensive');
      assert.equal(r.model, 'modstream-offensive-v1');
      assert.equal(clf.stats().scored, 6, 'a text longer than the model input is truncated, not failed');
    } finally {
      await clf.close();
    }
  });

  it('two workers give the same scores as one', async () => {
    const texts = [
      '你是不是有病',
      '河南人素质真差',
      '这个方案我觉得可以',
      'what a lovely day',
      '地图炮真没意思',
    ];
    const run = async (workers: number) => {
      const clf = await createClassifier({
        defaultMode: 'all',
        workers,
        batchSize: 2,
        timeoutMs: 30_000,
        labels: { offensive: { category: 'abuse', threshold: 0 } },
      });
      try {
        const batch = texts.map((t) => item(t));
        await clf.classify(batch);
        return batch.map((b) => b.reasons[0]!.score!);
      } finally {
        await clf.close();
      }
    };
    const one = await run(1);
    const two = await run(2);
    one.forEach((s, i) => assert.ok(Math.abs(s - two[i]!) < 1e-3, `text ${i}: ${s} vs ${two[i]}`));
  });

  it('closing while a worker is inside onnxruntime is safe (no native abort), even right after a timeout', async () => {
    for (const timeoutMs of [1, 15]) {
      const clf = await createClassifier({ defaultMode: 'all', timeoutMs, batchSize: 64 });
      const batch = Array.from({ length: 64 }, () => item('你是不是傻，'.repeat(20)));
      await clf.classify(batch);
      assert.equal(clf.stats().timeouts + clf.stats().scored, 64);
      await clf.close(); // the worker finishes its batch, releases the session and exits
      assert.equal(clf.stats().workers, 1);
    }
  });

  it('a corrupt ONNX graph fails start-up with the file named', async () => {
    const bytes = readFileSync(join(DEFAULT_MODEL_DIR, 'onnx', 'model.onnx'));
    const dir = modelCopy('truncated-onnx', 'onnx/model.onnx', bytes.subarray(0, 4096)); // a valid start, cut short
    await assert.rejects(createClassifier({ modelDir: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.code, 'MODEL_INVALID');
      assert.equal(e.path, join(dir, 'onnx', 'model.onnx'));
      assert.match(e.message, /cannot be loaded by onnxruntime/);
      return true;
    });
  });

  it('a tokenizer.json transformers.js cannot use fails start-up with the file named', async () => {
    const dir = modelCopy(
      'bad-tokenizer',
      'tokenizer.json',
      JSON.stringify({ version: '1.0', model: { type: 'NoSuchModel' } }),
    );
    await assert.rejects(createClassifier({ modelDir: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.code, 'MODEL_INVALID');
      assert.equal(e.path, join(dir, 'tokenizer.json'));
      return true;
    });
  });

  it('never fetches: a file missing locally is an error, not a download', async () => {
    // Bypass the main-thread checks and ask the worker for a file that is not there (the quantized graph).
    const pool = new WorkerPool({
      size: 1,
      workerUrl: REAL_WORKER,
      init: {
        modelDir: DEFAULT_MODEL_DIR,
        dtype: 'q8',
        onnxFile: join(DEFAULT_MODEL_DIR, 'onnx', 'model_quantized.onnx'),
        maxLength: 128,
        activation: 'softmax',
        threads: 1,
        library: DEFAULT_LIBRARY,
      },
      startTimeoutMs: 60_000,
      onIdle() {},
      onCrash() {},
    });
    await assert.rejects(pool.start(), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.path, join(DEFAULT_MODEL_DIR, 'onnx', 'model_quantized.onnx'));
      assert.match(e.message, /allowRemoteModels=false|local_files_only/);
      assert.doesNotMatch(e.message, /never fetches/, 'no fetch was even attempted');
      return true;
    });
  });

  it('drops in a third-party model by path: BERT layout with token_type_ids, multi-label sigmoid, its own labels', async () => {
    // tests/unit/classify/fixtures/tiny-bert (scripts/train/make_test_fixture.py): labels toxic, insult, threat.
    const dir = new URL('./fixtures/tiny-bert', import.meta.url).pathname;
    const clf = await createClassifier({
      modelDir: dir,
      defaultMode: 'all',
      timeoutMs: 30_000,
      batchWindowMs: 0,
    });
    try {
      assert.equal(clf.model.activation, 'sigmoid');
      assert.deepEqual(clf.model.labels, ['toxic', 'insult', 'threat']);
      const batch = [item('你 坏'), item('I will kill you'), item('bad, kill'), item('你 好 good')];
      await clf.classify(batch);
      const got = batch.map((b) => b.reasons.map((r) => `${r.label}:${r.category}`).sort());
      assert.deepEqual(got, [['toxic:abuse'], ['threat:violence'], ['threat:violence', 'toxic:abuse'], []]);
      assert.equal(batch[0]!.reasons[0]!.model, 'tiny-bert');
    } finally {
      await clf.close();
    }
  });

  it('a missing transformers.js is a clear configuration error', async () => {
    await assert.rejects(createClassifier({ library: '@modstream/no-such-transformers' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.match(e.message, /not installed/);
      return true;
    });
  });
});
