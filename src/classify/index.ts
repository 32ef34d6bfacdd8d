/**
 * The optional local classifier (issue 5): a transformers.js text-classification model run in worker threads,
 * offline, as a pipeline stage. Importing this module loads neither transformers.js nor onnxruntime; only the
 * workers started by createClassifier() do.
 */
export { createClassifier, DEFAULT_LIBRARY, DEFAULT_MODEL_DIR, DEFAULT_MODEL_NAME } from './classifier.js';
export { DEFAULT_LABEL_RULES, DEFAULT_SEVERITY, DEFAULT_THRESHOLD } from './labels.js';
export { resolveModel } from './model-files.js';
export { CLASSIFIER_MODES } from './types.js';
export type {
  Classifier,
  ClassifierHooks,
  ClassifierMode,
  ClassifierOptions,
  ClassifierStats,
  LabelRule,
  ModelInfo,
} from './types.js';
