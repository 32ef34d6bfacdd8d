/** The Kafka transport: kafkajs behind the transport-neutral interfaces of ../types.ts. */
export { KafkaStreamProcessor, createKafkaStreamProcessor } from './processor.js';
export type { KafkaStreamProcessorOptions, KafkaStreamProcessorStats } from './processor.js';
export { resolveKafkaSettings, KAFKA_DEFAULTS } from './config.js';
export type {
  KafkaSettings,
  KafkaSettingsInput,
  KafkaTopics,
  KafkaCompression,
  SaslMechanism,
} from './config.js';
export type { KafkaMetricsHooks } from './hooks.js';
export { silentTransportLogger, kafkajsLogCreator, type TransportLogger } from './logger.js';
export { BatchProcessor, computeLag } from './batch-processor.js';
export { isGroupMembershipError, recordRefusal } from './broker-errors.js';
export type { BatchProcessorOptions, BatchProcessorStats, ProcessResult } from './batch-processor.js';
export { ResilientJudge, abortableSleep, type JudgeRetryPolicy, type Sleep } from './resilient-judge.js';
export {
  dlqRecord,
  verdictRecord,
  messageKey,
  toIncoming,
  HEADER_MESSAGE_ID,
  HEADER_CONTENT_TYPE,
  HEADER_ERROR_CODE,
  JSON_CONTENT_TYPE,
  type DlqValue,
} from './records.js';
export { produceMessages, messageRecord, type ProduceOptions, type ProduceResult } from './produce.js';
export { generateMessages, type MessageGeneratorOptions } from './generator.js';
export { createKafkaClient } from './client.js';
export { KafkajsRecordSink } from './kafkajs-sink.js';
export { ensureTopics, type TopicSpec } from './topics.js';
export { Semaphore } from './semaphore.js';
