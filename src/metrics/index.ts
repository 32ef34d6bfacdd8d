export {
  ModstreamMetrics,
  STAGE_BUCKETS,
  LABEL_VALUES,
  topCategory,
  type MetricsOptions,
  type KafkaMetricsHooks,
  type RedisMetricsHooks,
  type ClassifierMetricsHooks,
} from './metrics.js';
export { OpsServer, type OpsServerOptions } from './server.js';
