/**
 * Messages between the classifier pool (main thread) and its worker threads. Kept structural and tiny so a
 * test worker (tests/unit/classify/fixtures) can speak it too.
 */

/** workerData given to every worker. */
export interface WorkerInit {
  /** Absolute model directory (config.json, tokenizer.json, onnx/…). */
  modelDir: string;
  /** transformers.js dtype: which onnx/model*.onnx file to load. */
  dtype: string;
  /** That file, for error messages. */
  onnxFile: string;
  /** Longest input in tokens (truncation). */
  maxLength: number;
  /** Turns logits into probabilities. */
  activation: 'softmax' | 'sigmoid';
  /** onnxruntime intra-op threads in this worker. */
  threads: number;
  /** Module specifier of transformers.js (the default, or an override for tests/other builds). */
  library: string;
  /** Free-form options a test worker may read (the real worker ignores them). */
  test?: Record<string, unknown>;
}

/** Main → worker: score these texts. */
export interface ScoreRequest {
  type: 'score';
  id: number;
  texts: string[];
}

/**
 * Main → worker: finish the batch in hand, release the model and exit. Terminating a worker while
 * onnxruntime runs a session aborts the whole process (a native exception), so the pool never does that
 * to a working worker.
 */
export interface CloseRequest {
  type: 'close';
}

export type ToWorker = ScoreRequest | CloseRequest;

/** Worker → main: loaded and ready; or start-up failed on `file`. */
export type WorkerReady =
  | { type: 'ready' }
  | { type: 'init-error'; file: string; message: string; code?: 'MODEL_INVALID' | 'CONFIG_INVALID' };

/** Worker → main: one probability per (text, label), row-major; or a failure of this request alone. */
export type ScoreResponse =
  { type: 'scores'; id: number; scores: Float32Array } | { type: 'error'; id: number; message: string };

export type FromWorker = WorkerReady | ScoreResponse;
