/**
 * modstream's public API: one barrel. Stages can be used on their own (fold, lexicon, detectors, policy,
 * stores) or assembled by the Engine exactly as `modstream run` does.
 */
export * from './contracts/index.js';
export * from './config/index.js';
export * from './fold/index.js';
export {
  loadLexicons,
  compileLexicon,
  defaultLexiconDir,
  readLexiconSources,
  parseLexiconFile,
  lexiconVersion,
  buildAutomaton,
  createMatchHits,
  type CompiledLexicon,
  type CompiledAutomaton,
  type MatchHits,
  type LexiconSources,
  type LexiconWarning,
  type TermSource,
  type LoadOptions as LexiconLoadOptions,
  type LoadResult as LexiconLoadResult,
} from './lexicon/index.js';
export * from './detect/index.js';
export * from './flood/index.js';
export * from './strikes/index.js';
export {
  PolicyEngine,
  CompiledPolicy,
  PolicyCompiler,
  compilePolicy,
  defaultPolicy,
  parsePolicy,
  loadPolicyFile,
  PolicyError,
  DEFAULT_POLICY_DOCUMENT,
  type PolicyDocument,
  type PolicyDecision,
  type PolicyInput,
} from './policy/index.js';
export { createRedisState, type RedisState, type RedisStateOptions } from './redis/index.js';
export { Pipeline, type PipelineOptions } from './pipeline/pipeline.js';
export { errorRecord, hrNow } from './pipeline/records.js';
export type { BatchJudge, IncomingRecord, Outcome } from './pipeline/types.js';
export type { PipelineMetrics, StageName } from './pipeline/metrics.js';
export type {
  ClassifierStage,
  DetectorStage,
  FoldStage,
  LexiconStage,
  PolicyStage,
} from './pipeline/stages.js';
export { Engine, memoryStores, type EngineOptions, type StateStores } from './runtime/engine.js';
export { ModstreamMetrics, OpsServer, type MetricsOptions } from './metrics/index.js';
export { createLogger, silentLogger, type Logger } from './log/index.js';
export { EmbeddedHttpServer, splitBody } from './transport/embedded/http-server.js';
export { VerdictHub } from './transport/embedded/verdict-hub.js';
export {
  createKafkaStreamProcessor,
  KafkaStreamProcessor,
  produceMessages,
  generateMessages,
  type KafkaStreamProcessorOptions,
} from './transport/kafka/index.js';
/** The classifier loads transformers.js lazily: import it from here only when you use it. */
export type { Classifier, ClassifierOptions, ClassifierMode } from './classify/index.js';
export { createClassifier } from './classify/index.js';
export * from './adapters/index.js';
export * from './members/index.js';
