/**
 * Classifier worker thread: loads transformers.js and the model from a local directory, then answers score
 * requests. All tokenization and inference happen here, never on the main event loop.
 *
 * Offline by construction: remote loading is disabled, the model directory is the only source of files, and
 * no cache is written.
 */
import { basename, dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;

function post(message: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
}

function probabilities(
  logits: Float32Array,
  rows: number,
  cols: number,
  activation: WorkerInit['activation'],
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (activation === 'sigmoid') {
      for (let c = 0; c < cols; c++) out[base + c] = 1 / (1 + Math.exp(-logits[base + c]!));
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += out[base + c] = Math.exp(logits[base + c]! - max);
    for (let c = 0; c < cols; c++) out[base + c]! /= sum;
  }
  return out;
}

/** Padded cost may exceed the real tokens by this factor before a batch is split. */
const PADDING_SLACK = 1.3;

/**
 * Splits a batch into runs of similar length: a batch is padded to its longest text, and chat texts vary
 * from a few characters to the model's limit, so one padded run of 32 can cost twice the work of the same
 * texts grouped by length (measured: 505 vs 1060 texts/s on the shipped model). Texts are ordered by length
 * (UTF-16 units, a close proxy for tokens in Chinese) and a new group starts when padding would waste more
 * than PADDING_SLACK. Returns indices into `texts`.
 */
function lengthGroups(texts: readonly string[]): number[][] {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const groups: number[][] = [];
  let group: number[] = [];
  let sum = 0;
  for (const i of order) {
    const len = texts[i]!.length + 2; // [CLS] and [SEP]
    if (group.length > 0 && len * (group.length + 1) > PADDING_SLACK * (sum + len)) {
      groups.push(group);
      group = [];
      sum = 0;
    }
    group.push(i);
    sum += len;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

async function load() {
  let tf: any;
  try {
    tf = await import(init.library);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ERR_MODULE_NOT_FOUND'
        ? 'is not installed: the classifier needs the optional dependency (npm install @huggingface/transformers)'
        : `cannot be loaded: ${(e as Error).message}`;
    post({ type: 'init-error', file: init.library, message, code: 'CONFIG_INVALID' });
    return null;
  }
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = dirname(init.modelDir) + '/';
  tf.env.useFSCache = false;
  tf.env.useBrowserCache = false;
  tf.env.useWasmCache = false;
  // Belt and braces: should anything in transformers.js still try the network, it fails loudly.
  tf.env.fetch = () =>
    Promise.reject(new Error('modstream: the classifier never fetches (network access disabled)'));
  const id = basename(init.modelDir);
  let tokenizer: any;
  try {
    tokenizer = await tf.AutoTokenizer.from_pretrained(id, { local_files_only: true });
  } catch (e) {
    post({
      type: 'init-error',
      file: `${init.modelDir}/tokenizer.json`,
      message: `cannot be loaded by transformers.js: ${(e as Error).message}`,
    });
    return null;
  }
  let model: any;
  try {
    model = await tf.AutoModelForSequenceClassification.from_pretrained(id, {
      local_files_only: true,
      dtype: init.dtype,
      device: 'cpu',
      session_options: { intraOpNumThreads: init.threads, interOpNumThreads: 1 },
    });
  } catch (e) {
    post({
      type: 'init-error',
      file: init.onnxFile,
      message: `cannot be loaded by onnxruntime: ${(e as Error).message}`,
    });
    return null;
  }
  return { tokenizer, model };
}

const loaded = await load();
if (loaded) {
  const { tokenizer, model } = loaded;
  let inFlight = 0;
  let closing = false;
  const shutdown = async () => {
    try {
      await model.dispose?.();
    } catch {
      // exiting anyway
    }
    port.close(); // nothing left to keep the thread alive: it exits
  };
  // One request at a time: the pool never sends a second before the first is answered.
  port.on('message', (request: ToWorker) => {
    if (request.type === 'close') {
      closing = true;
      if (inFlight === 0) void shutdown();
      return;
    }
    inFlight++;
    void (async () => {
      try {
        const texts = request.texts;
        let scores: Float32Array | null = null;
        for (const group of lengthGroups(texts)) {
          const inputs = tokenizer(
            group.map((i) => texts[i]!),
            { padding: true, truncation: true, max_length: init.maxLength },
          );
          const { logits } = await model(inputs);
          const [rows, cols] = logits.dims as [number, number];
          const probs = probabilities(logits.data as Float32Array, rows, cols, init.activation);
          scores ??= new Float32Array(texts.length * cols);
          for (let r = 0; r < rows; r++)
            scores.set(probs.subarray(r * cols, (r + 1) * cols), group[r]! * cols);
        }
        scores ??= new Float32Array(0);
        post({ type: 'scores', id: request.id, scores }, [scores.buffer as ArrayBuffer]);
      } catch (e) {
        post({ type: 'error', id: request.id, message: (e as Error).message });
      } finally {
        inFlight--;
        if (closing && inFlight === 0) void shutdown();
      }
    })();
  });
  post({ type: 'ready' });
}
