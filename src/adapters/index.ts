/**
 * Chat adapters in, enforcement out (docs/adapters.md). The platform-neutral parts — the adapter core,
 * delivery, the enforcer with retries, idempotency and failure records, verdict sources, metrics — and the
 * OneBot v11 (QQ) reference pair under onebot/.
 */
export {
  ActionError,
  type MappedEvent,
  type PlatformEventMapper,
  type PlatformEnforcement,
  type PlannedAction,
} from './platform.js';
export { ChatAdapter, type ChatAdapterOptions, type IngestOutcome } from './adapter.js';
export { BatchingPublisher, type PublisherOptions } from './publisher.js';
export {
  KafkaSink,
  KafkaVerdictSink,
  type KafkaSinkOptions,
  EmbeddedMessageSink,
  HubVerdictSink,
  SinkError,
  type MessageSink,
  type VerdictSink,
} from './sinks.js';
export { Enforcer, EnforcementBusyError, type EnforcerOptions } from './enforcer.js';
export {
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type BeginResult,
  type IdempotencyStore,
  type IdempotencyTimes,
} from './idempotency.js';
export { JsonlFailureSink, KafkaFailureSink, type EnforcementFailure, type FailureSink } from './failures.js';
export {
  SseVerdictSource,
  KafkaVerdictSource,
  HubVerdictSource,
  VerdictReader,
  type VerdictSource,
} from './verdict-sources.js';
export { AdapterMetrics, EnforcerMetrics, type EnforceOutcome, type ReceiveTransport } from './metrics.js';
export { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
export * from './onebot/index.js';
