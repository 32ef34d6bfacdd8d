export {
  ModstreamMetrics,
  STAGE_BUCKETS,
  HTTP_BUCKETS,
  type MetricsOptions,
  type KafkaMetricsHooks,
  type RedisMetricsHooks,
  type ClassifierMetricsHooks,
} from './metrics.js';
export {
  LABEL_VALUES,
  KNOWN_PLATFORMS,
  RECORD_ERROR_CODES,
  STAGES,
  PlatformLabels,
  dlqCodeLabel,
  topCategory,
} from './labels.js';
export { CellCounter, CounterCell, FastHistogram } from './fast.js';
export { instrumentHttpServer, routeLabel, HTTP_ROUTES, type HttpMetricsHooks } from './http.js';
export { registerProcessMetrics } from './process.js';
export { OpsServer, type OpsServerOptions } from './server.js';
