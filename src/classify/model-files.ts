import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../contracts/errors.js';
import type { ModelInfo } from './types.js';

/**
 * Checks a model directory on the main thread before any worker starts, so a missing or corrupt file is a
 * ConfigError naming that file at start-up, not a worker dying later. Reads only small JSON files and the
 * first bytes of the ONNX file; onnxruntime itself validates the graph when a worker loads it.
 */

/** transformers.js dtype → file name under onnx/ (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
const DTYPE_FILES: Readonly<Record<string, string>> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  bnb4: 'model_bnb4.onnx',
};

function invalid(file: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError('MODEL_INVALID', file, message, cause === undefined ? undefined : { cause });
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(
      file,
      code === 'ENOENT'
        ? 'is missing (required in a transformers.js model directory)'
        : `cannot be read (${code ?? String(e)})`,
      e,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid(file, `is not valid JSON (${(e as Error).message})`, e);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(file, 'must hold a JSON object');
  return value as Record<string, unknown>;
}

/** Labels in id order from config.json id2label; ids must be 0..n-1. */
function labelsOf(config: Record<string, unknown>, file: string): string[] {
  const id2label = config['id2label'];
  if (id2label === null || typeof id2label !== 'object' || Array.isArray(id2label)) {
    throw invalid(file, 'has no "id2label" object: a text-classification model must name its labels');
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  if (entries.length === 0) throw invalid(file, '"id2label" is empty');
  const labels: string[] = new Array(entries.length);
  for (const [id, label] of entries) {
    const index = Number(id);
    if (
      !Number.isInteger(index) ||
      index < 0 ||
      index >= entries.length ||
      typeof label !== 'string' ||
      label === ''
    ) {
      throw invalid(
        file,
        `"id2label" must map ids 0..${entries.length - 1} to label names (bad entry ${JSON.stringify(id)})`,
      );
    }
    labels[index] = label;
  }
  return labels;
}

function chooseDtype(requested: string, config: Record<string, unknown>, onnxDir: string): string {
  if (requested !== 'auto') {
    if (!(requested in DTYPE_FILES)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        'classifier.dtype',
        `must be auto or one of ${Object.keys(DTYPE_FILES).join(', ')}`,
      );
    }
    return requested;
  }
  const jsConfig = config['transformers.js_config'];
  const configured =
    jsConfig && typeof jsConfig === 'object' ? (jsConfig as Record<string, unknown>)['dtype'] : undefined;
  if (typeof configured === 'string' && configured in DTYPE_FILES) return configured;
  for (const dtype of ['fp32', 'q8']) {
    try {
      statSync(join(onnxDir, DTYPE_FILES[dtype]!));
      return dtype;
    } catch {
      // try the next one
    }
  }
  return 'fp32'; // reported as a missing onnx/model.onnx below
}

/** An ONNX file is a protobuf ModelProto; its first field is ir_version (tag 0x08) in every exporter we know. */
function checkOnnx(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw invalid(file, 'is missing (the ONNX graph; export the model with optimum or scripts/train)', e);
  }
  if (size < 16) throw invalid(file, `is ${size} bytes: not an ONNX model`);
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] !== 0x08)
    throw invalid(file, 'does not start like an ONNX protobuf (ModelProto): corrupt or not ONNX');
}

/** Tokenizers without a real model_max_length say 1e30; then the position table bounds the input. */
function maxLengthOf(tokenizerConfig: Record<string, unknown>, config: Record<string, unknown>): number {
  const declared = tokenizerConfig['model_max_length'];
  if (typeof declared === 'number' && Number.isInteger(declared) && declared > 0 && declared <= 100_000)
    return declared;
  const positions = config['max_position_embeddings'];
  if (typeof positions === 'number' && Number.isInteger(positions) && positions > 0) {
    // RoBERTa-style position ids start at padding_idx + 1.
    return config['model_type'] === 'roberta' || config['model_type'] === 'xlm-roberta'
      ? positions - 2
      : positions;
  }
  return 512;
}

export function resolveModel(modelDir: string, dtype: string, modelName?: string): ModelInfo {
  const dir = resolve(modelDir);
  try {
    if (!statSync(dir).isDirectory()) throw invalid(dir, 'is not a directory');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw invalid(dir, 'does not exist (classifier model directory)', e);
  }
  const configFile = join(dir, 'config.json');
  const config = readJson(configFile);
  const labels = labelsOf(config, configFile);
  const tokenizerFile = join(dir, 'tokenizer.json');
  const tokenizer = readJson(tokenizerFile);
  if (tokenizer['model'] === null || typeof tokenizer['model'] !== 'object') {
    throw invalid(tokenizerFile, 'has no "model" section: not a Hugging Face tokenizers file');
  }
  const tokenizerConfig = readJson(join(dir, 'tokenizer_config.json'));
  const onnxDir = join(dir, 'onnx');
  const chosen = chooseDtype(dtype, config, onnxDir);
  const onnxFile = join(onnxDir, DTYPE_FILES[chosen]!);
  checkOnnx(onnxFile);
  const own = config['modstream'];
  const ownName = own && typeof own === 'object' ? (own as Record<string, unknown>)['name'] : undefined;
  return {
    dir,
    name: modelName ?? (typeof ownName === 'string' ? ownName : basename(dir)),
    labels,
    activation: config['problem_type'] === 'multi_label_classification' ? 'sigmoid' : 'softmax',
    dtype: chosen,
    onnxFile,
    maxLength: maxLengthOf(tokenizerConfig, config),
  };
}
