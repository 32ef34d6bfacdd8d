#!/usr/bin/env node
// Checks an exported model the way modstream will run it: transformers.js, local files only, nothing fetched.
//   node scripts/train/verify_export.mjs --model models/modstream-offensive-v1 --work /tmp/modstream-train
// 1. the tokenizer.json loaded by transformers.js gives the same ids as the Python mirror the model was
//    trained with, on every evaluation text (token_ids.json);
// 2. the ONNX graph run by onnxruntime-node gives the same logits as PyTorch (parity.json), padded in a batch;
// 3. accuracy on COLD test measured in Node equals the training script's figure.
// Options: --lib <module specifier or path> to try another transformers.js build (default: the project's).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/modstream-offensive-v1' },
    work: { type: 'string', default: '/tmp/modstream-train' },
    lib: { type: 'string', default: '@huggingface/transformers' },
    dtype: { type: 'string', default: 'fp32' },
  },
});
const modelDir = resolve(values.model);
const lib =
  values.lib.startsWith('.') || values.lib.startsWith('/')
    ? pathToFileURL(resolve(values.lib)).href
    : values.lib;
const tf = await import(lib);
tf.env.allowRemoteModels = false;
tf.env.allowLocalModels = true;
tf.env.localModelPath = dirname(modelDir) + '/';
const id = basename(modelDir);
const isV2 = typeof tf.env.version === 'string' && tf.env.version.startsWith('2.');
const tokenizer = await tf.AutoTokenizer.from_pretrained(id, { local_files_only: true });
const model = await tf.AutoModelForSequenceClassification.from_pretrained(
  id,
  isV2
    ? { local_files_only: true, quantized: values.dtype !== 'fp32' }
    : { local_files_only: true, dtype: values.dtype },
);
console.log(`transformers.js ${tf.env.version}, model ${modelDir}`);

let failures = 0;
// 1. tokenizer parity on every evaluation text
const all = JSON.parse(readFileSync(resolve(values.work, 'token_ids.json'), 'utf8'));
for (const [split, { texts, ids }] of Object.entries(all)) {
  let mismatched = 0;
  let example = null;
  for (let i = 0; i < texts.length; i++) {
    const got = Array.from(tokenizer(texts[i], { truncation: true }).input_ids.data, Number);
    const want = ids[i];
    const same = got.length === want.length && got.every((v, j) => v === want[j]);
    if (!same) {
      mismatched++;
      example ??= { text: texts[i], got: got.slice(0, 20), want: want.slice(0, 20) };
    }
  }
  console.log(`tokenizer ${split}: ${texts.length - mismatched}/${texts.length} identical`);
  if (example) console.log('  first difference:', JSON.stringify(example));
  if (mismatched > texts.length * 0.001) failures++;
}

// 2. logits parity, batched with padding (as the worker runs it)
const parity = JSON.parse(readFileSync(resolve(values.work, 'parity.json'), 'utf8'));
let maxDiff = 0;
let worst = '';
for (let s = 0; s < parity.texts.length; s += 16) {
  const texts = parity.texts.slice(s, s + 16);
  const inputs = tokenizer(texts, { padding: true, truncation: true });
  const { logits } = await model(inputs);
  const data = logits.data;
  for (let i = 0; i < texts.length; i++) {
    for (let j = 0; j < 2; j++) {
      const diff = Math.abs(data[i * 2 + j] - parity.logits[s + i][j]);
      if (diff > maxDiff) [maxDiff, worst] = [diff, texts[i]];
    }
  }
}
console.log(
  `logits: max |onnxruntime − PyTorch| = ${maxDiff.toExponential(2)} over ${parity.texts.length} texts (worst: ${JSON.stringify(worst.slice(0, 40))})`,
);
if (!(maxDiff < 1e-3)) failures++;

// 3. COLD test accuracy through the whole JS stack
const cold = all.cold_test;
const metrics = JSON.parse(readFileSync(resolve(modelDir, 'metrics.json'), 'utf8'));
const labels = cold.labels;
let correct = 0;
const t0 = performance.now();
for (let s = 0; s < cold.texts.length; s += 32) {
  const texts = cold.texts.slice(s, s + 32);
  const { logits } = await model(tokenizer(texts, { padding: true, truncation: true }));
  for (let i = 0; i < texts.length; i++) {
    const pred = logits.data[i * 2 + 1] > logits.data[i * 2] ? 1 : 0;
    if (pred === labels[s + i]) correct++;
  }
}
const secs = (performance.now() - t0) / 1000;
const acc = correct / cold.texts.length;
const expected = metrics.shipped_blend.cold_test.accuracy;
console.log(
  `COLD test accuracy in Node: ${acc.toFixed(4)} (training script: ${expected}); ${(cold.texts.length / secs).toFixed(0)} texts/s single-threaded caller, batch 32`,
);
if (Math.abs(acc - expected) > 0.002) failures++;
console.log(failures === 0 ? 'OK' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
