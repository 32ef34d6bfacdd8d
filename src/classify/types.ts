import type { Category, Message } from '../contracts/types.js';
import type { ClassifierStage } from '../pipeline/stages.js';

/**
 * Where the model runs, per group:
 * - `all`: every message with text;
 * - `unmatched`: only messages without a lexicon reason (the lexicon already decided the others);
 * - `off`: never;
 * - `shadow`: every message, but its reasons carry `shadow: true` and the policy ignores them.
 */
export type ClassifierMode = 'all' | 'unmatched' | 'off' | 'shadow';

export const CLASSIFIER_MODES: readonly ClassifierMode[] = ['all', 'unmatched', 'off', 'shadow'];

/** How one model label becomes a reason. A label with no category is scored but never reported. */
export interface LabelRule {
  /** DESIGN.md category the label stands for; null = never reported (e.g. `neutral`). */
  category: Category | null;
  /** A reason appears when the label's probability is ≥ this. Default 0.5. */
  threshold?: number;
  /** Reason severity (1 mild … 3 severe). Default 2. */
  severity?: number;
}

/** Metrics hooks (src/metrics ClassifierMetricsHooks fits). Each is called on the event loop, cheaply. */
export interface ClassifierHooks {
  /** One message ran out of its time budget and was judged without the model. */
  onTimeout?(): void;
  /** A batch of `size` texts went to a worker. */
  onBatch?(size: number): void;
  /** Texts waiting for a worker (after every change). */
  onQueueDepth?(depth: number): void;
  /** A worker thread died and is being restarted. */
  onWorkerCrash?(error: unknown): void;
  /** A message judged without the model: queue full, or no worker could score it (crash, failure). */
  onSkipped?(reason: 'queue_full' | 'unavailable'): void;
}

export interface ClassifierOptions {
  /** Model directory in the transformers.js layout. Default: the shipped `models/modstream-offensive-v1`. */
  modelDir?: string;
  /** Name written to `reason.model`. Default: config.json `modstream.name`, else the directory name. */
  modelName?: string;
  /**
   * Which onnx/ file to load: `fp32` → model.onnx, `q8` → model_quantized.onnx, `fp16`, `int8`, `uint8`, `q4`.
   * Default `auto`: config.json's `transformers.js_config.dtype`, else model.onnx, else model_quantized.onnx.
   */
  dtype?: string;
  /** Worker threads (inference never runs on the event loop). Default 1. */
  workers?: number;
  /** onnxruntime intra-op threads per worker. Default 1 (workers × threads should not exceed the cores). */
  threadsPerWorker?: number;
  /** Most texts per inference call. Default 16. */
  batchSize?: number;
  /** How long a partial batch waits for more texts (ms). Default 2. */
  batchWindowMs?: number;
  /** Budget per message from classify() to its score (ms); past it the message is judged without the model. Default 50. */
  timeoutMs?: number;
  /** Most texts waiting for a worker; beyond it a message is judged without the model. Default 2048. */
  queueMax?: number;
  /** Mode per message (normally per group). Default: `defaultMode` for every message. */
  modeFor?: (message: Message) => ClassifierMode;
  /** Mode when `modeFor` is not given. Default `unmatched`. */
  defaultMode?: ClassifierMode;
  /** Label → rule; merged over the defaults (offensive/toxic/insult/hate → abuse, threat → violence, …). */
  labels?: Readonly<Record<string, LabelRule | null>>;
  /** Per-group threshold overrides (label → threshold); undefined = the label rules' thresholds. */
  thresholdsFor?: (message: Message) => Readonly<Record<string, number>> | undefined;
  hooks?: ClassifierHooks;
  /** transformers.js module specifier. Default `@huggingface/transformers`. */
  library?: string;
  /** Worker entry override (tests inject a fake worker to exercise timeouts and crashes). */
  workerUrl?: URL;
  /** Passed to a test worker as workerData.test. */
  workerTestOptions?: Record<string, unknown>;
  /** Most time a worker may take to load the model at start-up (ms). Default 60000. */
  startTimeoutMs?: number;
}

export interface ClassifierStats {
  /** Messages scored by the model. */
  scored: number;
  /** Messages the mode excluded (off, unmatched with a lexicon hit, empty text). */
  notNeeded: number;
  /** Messages judged without the model because their budget ran out. */
  timeouts: number;
  /** Messages judged without the model because the queue was full. */
  queueFull: number;
  /** Messages judged without the model because a worker crashed or failed on them. */
  unavailable: number;
  /** Classifier reasons added (shadow included). */
  reasons: number;
  batches: number;
  workerCrashes: number;
  queueDepth: number;
  workers: number;
  busyWorkers: number;
}

/** What the loaded model looks like (from config.json and the files found). */
export interface ModelInfo {
  dir: string;
  name: string;
  labels: readonly string[];
  /** `sigmoid` for multi-label models (config problem_type), else `softmax`. */
  activation: 'softmax' | 'sigmoid';
  dtype: string;
  onnxFile: string;
  /** Longest input in tokens: tokenizer_config model_max_length, else config max_position_embeddings, else 512. */
  maxLength: number;
}

export interface Classifier extends ClassifierStage {
  readonly model: ModelInfo;
  stats(): ClassifierStats;
  /** Stops the workers; pending messages are judged without the model. Idempotent. */
  close(): Promise<void>;
}
