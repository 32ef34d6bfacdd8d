#!/usr/bin/env node
// COLD test accuracy of one or more exported models, and how often each agrees with the first, through
// the JS stack modstream runs (transformers.js, local files only):
//   node scripts/train/eval_cold.mjs --data ../shared/data/cold/test.csv models/modstream-offensive-v1 [other-dir…]
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { data: { type: 'string', default: '../shared/data/cold/test.csv' } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error('usage: eval_cold.mjs [--data test.csv] MODEL_DIR [MODEL_DIR…]');
  process.exit(2);
}
const tf = await import('@huggingface/transformers');
tf.env.allowRemoteModels = false;
tf.env.allowLocalModels = true;

// COLD's CSV: index, split, topic, label, fine-grained-label, TEXT (the text is last and may hold commas).
const texts = [];
const labels = [];
for (const line of readFileSync(values.data, 'utf8').split('\n').slice(1)) {
  const m = /^[^,]*,[^,]*,[^,]*,(\d),[^,]*,(.*)$/.exec(line.trim());
  if (!m) continue;
  labels.push(Number(m[1]));
  texts.push(m[2].replace(/^"|"$/g, '').replace(/""/g, '"'));
}

let first = null;
for (const dir of positionals) {
  const modelDir = resolve(dir);
  tf.env.localModelPath = dirname(modelDir) + '/';
  const id = basename(modelDir);
  const tokenizer = await tf.AutoTokenizer.from_pretrained(id, { local_files_only: true });
  const model = await tf.AutoModelForSequenceClassification.from_pretrained(id, {
    local_files_only: true,
    dtype: 'fp32',
  });
  const preds = [];
  for (let s = 0; s < texts.length; s += 32) {
    const batch = texts.slice(s, s + 32);
    const { logits } = await model(tokenizer(batch, { padding: true, truncation: true }));
    for (let i = 0; i < batch.length; i++) preds.push(logits.data[i * 2 + 1] > logits.data[i * 2] ? 1 : 0);
  }
  const acc = preds.filter((p, i) => p === labels[i]).length / texts.length;
  const agree = first ? preds.filter((p, i) => p === first[i]).length / texts.length : 1;
  first ??= preds;
  console.log(
    `${dir}: COLD test accuracy ${acc.toFixed(4)} over ${texts.length} texts; agrees with the first ${(agree * 100).toFixed(2)} %`,
  );
}
