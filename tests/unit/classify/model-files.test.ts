import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import { resolveModel } from '../../../src/classify/index.js';
import { fakeModelDir } from './helpers.js';

/** A fresh valid directory per case, broken in one way. */
function broken(mutate: (dir: string) => void): string {
  const m = fakeModelDir();
  cleanups.push(m.cleanup);
  mutate(m.dir);
  return m.dir;
}
const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((c) => c()));

function assertNamesFile(fn: () => unknown, file: string, text: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.equal(e.code, 'MODEL_INVALID');
    assert.equal(e.path, file);
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    assert.match(e.message, text);
    return true;
  });
}

describe('classifier model files (checked at start-up, before any worker)', () => {
  it('accepts a transformers.js layout and reads labels, activation, dtype and max length', () => {
    const dir = broken(() => {});
    const info = resolveModel(dir, 'auto');
    assert.deepEqual(info.labels, ['neutral', 'offensive']);
    assert.equal(info.activation, 'softmax');
    assert.equal(info.dtype, 'fp32');
    assert.equal(info.onnxFile, join(dir, 'onnx', 'model.onnx'));
    assert.equal(info.maxLength, 128);
    assert.equal(info.name, 'fake-model');
  });

  it('uses sigmoid for multi-label models and falls back to the quantized file', () => {
    const m = fakeModelDir(['toxic', 'insult', 'threat'], { problem_type: 'multi_label_classification' });
    cleanups.push(m.cleanup);
    const onnx = join(m.dir, 'onnx', 'model.onnx');
    writeFileSync(
      join(m.dir, 'onnx', 'model_quantized.onnx'),
      Buffer.from([0x08, 0x07, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    );
    rmSync(onnx);
    const info = resolveModel(m.dir, 'auto', 'custom-name');
    assert.equal(info.activation, 'sigmoid');
    assert.equal(info.dtype, 'q8');
    assert.equal(info.name, 'custom-name');
    assert.deepEqual(info.labels, ['toxic', 'insult', 'threat']);
  });

  it('a missing directory is named', () => {
    assertNamesFile(
      () => resolveModel('/nonexistent/modstream-model', 'auto'),
      '/nonexistent/modstream-model',
      /does not exist/,
    );
  });

  it('a missing config.json is named', () => {
    const dir = broken((d) => rmSync(join(d, 'config.json')));
    assertNamesFile(() => resolveModel(dir, 'auto'), join(dir, 'config.json'), /missing/);
  });

  it('a corrupt config.json is named', () => {
    const dir = broken((d) => writeFileSync(join(d, 'config.json'), '{"id2label": {"0": "neutral",'));
    assertNamesFile(() => resolveModel(dir, 'auto'), join(dir, 'config.json'), /not valid JSON/);
  });

  it('a config.json without labels is named', () => {
    const dir = broken((d) => writeFileSync(join(d, 'config.json'), '{"model_type": "bert"}'));
    assertNamesFile(() => resolveModel(dir, 'auto'), join(dir, 'config.json'), /id2label/);
  });

  it('a missing or corrupt tokenizer.json is named', () => {
    const missing = broken((d) => rmSync(join(d, 'tokenizer.json')));
    assertNamesFile(() => resolveModel(missing, 'auto'), join(missing, 'tokenizer.json'), /missing/);
    const corrupt = broken((d) => writeFileSync(join(d, 'tokenizer.json'), '\u0000\u0001garbage'));
    assertNamesFile(() => resolveModel(corrupt, 'auto'), join(corrupt, 'tokenizer.json'), /not valid JSON/);
    const notTokenizer = broken((d) => writeFileSync(join(d, 'tokenizer.json'), '{"version": "1.0"}'));
    assertNamesFile(
      () => resolveModel(notTokenizer, 'auto'),
      join(notTokenizer, 'tokenizer.json'),
      /no "model" section/,
    );
  });

  it('a missing tokenizer_config.json is named', () => {
    const dir = broken((d) => rmSync(join(d, 'tokenizer_config.json')));
    assertNamesFile(() => resolveModel(dir, 'auto'), join(dir, 'tokenizer_config.json'), /missing/);
  });

  it('a missing, empty or corrupt ONNX file is named', () => {
    const missing = broken((d) => rmSync(join(d, 'onnx', 'model.onnx')));
    assertNamesFile(() => resolveModel(missing, 'fp32'), join(missing, 'onnx', 'model.onnx'), /missing/);
    const empty = broken((d) => writeFileSync(join(d, 'onnx', 'model.onnx'), ''));
    assertNamesFile(
      () => resolveModel(empty, 'auto'),
      join(empty, 'onnx', 'model.onnx'),
      /not an ONNX model/,
    );
    const garbage = broken((d) =>
      writeFileSync(join(d, 'onnx', 'model.onnx'), 'this is not a protobuf at all'),
    );
    assertNamesFile(
      () => resolveModel(garbage, 'auto'),
      join(garbage, 'onnx', 'model.onnx'),
      /corrupt or not ONNX/,
    );
  });

  it('an unknown dtype is a configuration error', () => {
    const dir = broken(() => {});
    assert.throws(
      () => resolveModel(dir, 'fp64'),
      (e: unknown) =>
        e instanceof ConfigError && e.code === 'CONFIG_INVALID' && e.path === 'classifier.dtype',
    );
  });
});
