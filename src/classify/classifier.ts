import { join } from 'node:path';
import { ConfigError } from '../contracts/errors.js';
import type { Message, Reason } from '../contracts/types.js';
import { BUILTIN_MODELS_DIR } from '../runtime/paths.js';
import { MicroBatcher, SCORED } from './batcher.js';
import { appendReasons, compileLabels, hasLexiconReason, type CompiledLabel } from './labels.js';
import { resolveModel } from './model-files.js';
import { WorkerPool } from './pool.js';
import type { WorkerInit } from './protocol.js';
import {
  CLASSIFIER_MODES,
  type Classifier,
  type ClassifierHooks,
  type ClassifierMode,
  type ClassifierOptions,
  type ClassifierStats,
  type ModelInfo,
} from './types.js';

export const DEFAULT_MODEL_NAME = 'modstream-offensive-v1';
export const DEFAULT_MODEL_DIR = join(BUILTIN_MODELS_DIR, DEFAULT_MODEL_NAME);
export const DEFAULT_LIBRARY = '@huggingface/transformers';

const DEFAULTS = {
  workers: 1,
  threadsPerWorker: 1,
  batchSize: 16,
  batchWindowMs: 2,
  timeoutMs: 50,
  queueMax: 2048,
  startTimeoutMs: 60_000,
};

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new ConfigError('CONFIG_INVALID', `classifier.${name}`, `must be an integer in 1..${max}`);
  return v;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0))
    throw new ConfigError('CONFIG_INVALID', `classifier.${name}`, 'must be a number ≥ 0');
  return v;
}

function defaultWorkerUrl(): URL {
  // From sources (tsx) the sibling is worker.ts; from dist/ it is worker.js.
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/** Texts longer than this many UTF-16 units per token of budget are cut before leaving the event loop. */
const CHARS_PER_TOKEN_CAP = 8;

/**
 * Starts the classifier: validates the model directory, starts the worker pool (each worker loads
 * transformers.js with a dynamic import and the model from local files only), and returns the pipeline stage.
 * Rejects with ConfigError (MODEL_INVALID naming the file, or CONFIG_INVALID) when it cannot start.
 */
export async function createClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  const defaultMode = options.defaultMode ?? 'unmatched';
  if (!CLASSIFIER_MODES.includes(defaultMode)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      'classifier.defaultMode',
      `must be one of ${CLASSIFIER_MODES.join(', ')}`,
    );
  }
  const settings = {
    workers: positiveInt('workers', options.workers, DEFAULTS.workers, 64),
    threadsPerWorker: positiveInt(
      'threadsPerWorker',
      options.threadsPerWorker,
      DEFAULTS.threadsPerWorker,
      64,
    ),
    batchSize: positiveInt('batchSize', options.batchSize, DEFAULTS.batchSize, 1024),
    batchWindowMs: nonNegative('batchWindowMs', options.batchWindowMs, DEFAULTS.batchWindowMs),
    timeoutMs: nonNegative('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs),
    queueMax: positiveInt('queueMax', options.queueMax, DEFAULTS.queueMax),
    startTimeoutMs: positiveInt('startTimeoutMs', options.startTimeoutMs, DEFAULTS.startTimeoutMs),
  };
  const model = resolveModel(
    options.modelDir ?? DEFAULT_MODEL_DIR,
    options.dtype ?? 'auto',
    options.modelName,
  );
  const labels = compileLabels(model.labels, model.name, options.labels);
  const classifier = new PooledClassifier(model, labels, settings, options, defaultMode);
  await classifier.start();
  return classifier;
}

interface Settings {
  workers: number;
  threadsPerWorker: number;
  batchSize: number;
  batchWindowMs: number;
  timeoutMs: number;
  queueMax: number;
  startTimeoutMs: number;
}

const noop = () => {};

class PooledClassifier implements Classifier {
  readonly model: ModelInfo;
  readonly #labels: readonly CompiledLabel[];
  readonly #timeoutMs: number;
  readonly #maxChars: number;
  readonly #modeFor: (message: Message) => ClassifierMode;
  readonly #thresholdsFor: ((message: Message) => Readonly<Record<string, number>> | undefined) | null;
  readonly #pool: WorkerPool;
  readonly #batcher: MicroBatcher;
  readonly #hooks: Required<ClassifierHooks>;
  #closed = false;
  #stats = {
    scored: 0,
    notNeeded: 0,
    timeouts: 0,
    queueFull: 0,
    unavailable: 0,
    reasons: 0,
    workerCrashes: 0,
  };

  constructor(
    model: ModelInfo,
    labels: readonly CompiledLabel[],
    s: Settings,
    o: ClassifierOptions,
    defaultMode: ClassifierMode,
  ) {
    this.model = model;
    this.#labels = labels;
    this.#timeoutMs = s.timeoutMs;
    this.#maxChars = model.maxLength * CHARS_PER_TOKEN_CAP;
    this.#modeFor = o.modeFor ?? (() => defaultMode);
    this.#thresholdsFor = o.thresholdsFor ?? null;
    const h = o.hooks ?? {};
    const stats = this.#stats;
    // Count here, then forward: stats() and the metrics hooks always agree.
    this.#hooks = {
      onTimeout: () => {
        stats.timeouts++;
        (h.onTimeout ?? noop)();
      },
      onBatch: h.onBatch?.bind(h) ?? noop,
      onQueueDepth: h.onQueueDepth?.bind(h) ?? noop,
      onWorkerCrash: (e) => {
        stats.workerCrashes++;
        (h.onWorkerCrash ?? noop)(e);
      },
      onSkipped: (reason) => {
        if (reason === 'queue_full') stats.queueFull++;
        else stats.unavailable++;
        (h.onSkipped ?? noop)(reason);
      },
    };
    const init: WorkerInit = {
      modelDir: model.dir,
      dtype: model.dtype,
      onnxFile: model.onnxFile,
      maxLength: model.maxLength,
      activation: model.activation,
      threads: s.threadsPerWorker,
      library: o.library ?? DEFAULT_LIBRARY,
      ...(o.workerTestOptions ? { test: o.workerTestOptions } : {}),
    };
    this.#pool = new WorkerPool({
      size: s.workers,
      workerUrl: o.workerUrl ?? defaultWorkerUrl(),
      init,
      startTimeoutMs: s.startTimeoutMs,
      onIdle: () => this.#batcher.pump(true),
      onCrash: (e) => this.#hooks.onWorkerCrash(e),
    });
    this.#batcher = new MicroBatcher({
      batchSize: s.batchSize,
      batchWindowMs: s.batchWindowMs,
      queueMax: s.queueMax,
      width: model.labels.length,
      canRun: () => this.#pool.hasIdle(),
      run: (texts) => this.#pool.run(texts),
      hooks: this.#hooks,
    });
  }

  start(): Promise<void> {
    return this.#pool.start();
  }

  async classify(batch: readonly { message: Message; reasons: Reason[] }[]): Promise<void> {
    if (batch.length === 0) return;
    // Which messages need the model, and whether their reasons are shadow-only.
    const picked: { reasons: Reason[]; shadow: boolean; message: Message }[] = [];
    const texts: string[] = [];
    for (const item of batch) {
      let mode: ClassifierMode;
      try {
        mode = this.#modeFor(item.message);
      } catch {
        mode = 'off'; // a broken resolver must not take the pipeline down
      }
      const text = item.message.text;
      if (mode === 'off' || !text || (mode === 'unmatched' && hasLexiconReason(item.reasons))) {
        this.#stats.notNeeded++;
        continue;
      }
      picked.push({ reasons: item.reasons, shadow: mode === 'shadow', message: item.message });
      texts.push(text.length > this.#maxChars ? text.slice(0, this.#maxChars) : text);
    }
    if (picked.length === 0) return;
    if (this.#closed) {
      for (let i = 0; i < picked.length; i++) this.#hooks.onSkipped('unavailable');
      return;
    }
    let jobs;
    try {
      jobs = await this.#batcher.score(texts, this.#timeoutMs);
    } catch {
      for (let i = 0; i < picked.length; i++) this.#hooks.onSkipped('unavailable');
      return;
    }
    for (let i = 0; i < picked.length; i++) {
      const job = jobs[i]!;
      if (job.state !== SCORED) continue; // judged without the model; counted where it was given up
      this.#stats.scored++;
      const p = picked[i]!;
      let thresholds: Readonly<Record<string, number>> | undefined;
      try {
        thresholds = this.#thresholdsFor?.(p.message);
      } catch {
        thresholds = undefined;
      }
      this.#stats.reasons += appendReasons(
        this.#labels,
        job.scores!,
        this.model.name,
        p.shadow,
        thresholds,
        p.reasons,
      );
    }
  }

  stats(): ClassifierStats {
    return {
      ...this.#stats,
      batches: this.#batcher.batches,
      queueDepth: this.#batcher.depth,
      workers: this.#pool.size,
      busyWorkers: this.#pool.busy,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#batcher.drain();
    await this.#pool.close();
  }
}
