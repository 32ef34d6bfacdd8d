import type { ModstreamConfig } from '../config/types.js';
import { createRejectedRecordLog, type Logger } from '../log/logger.js';
import { OpsServer } from '../metrics/server.js';
import type { ModstreamMetrics } from '../metrics/metrics.js';
import { createKafkaStreamProcessor } from '../transport/kafka/index.js';
import type { KafkaSettingsInput } from '../transport/kafka/config.js';
import type { TransportExit } from '../transport/types.js';
import type { Engine } from './engine.js';

/** Maps the validated config section onto the transport's settings (same names, a few derived). */
export function kafkaSettingsFrom(config: ModstreamConfig): KafkaSettingsInput {
  const k = config.kafka;
  return {
    brokers: k.brokers,
    clientId: k.clientId,
    groupId: k.groupId,
    topics: k.topics,
    partitions: k.partitions,
    replicationFactor: k.replicationFactor,
    ssl: k.ssl,
    sasl: k.sasl,
    compression: k.compression,
    maxBatchRecords: k.maxBatchRecords,
    maxBytesPerPartition: k.maxBytesPerPartition,
    partitionsConsumedConcurrently: k.partitionsConsumedConcurrently,
    sessionTimeoutMs: k.sessionTimeoutMs,
    retries: k.retries,
    createTopics: k.createTopics,
    maxBytes: k.maxBytes,
    maxDlqValueBytes: k.maxDlqValueBytes,
    clientRetries: k.clientRetries,
    retryBackoffMs: k.retryBackoffMs,
    retryBackoffMaxMs: k.retryBackoffMaxMs,
  };
}

export interface KafkaRunner {
  close(): Promise<void>;
  /** Resolves when the processor has stopped: `failed` after a fatal error (the process should exit 1). */
  done: Promise<TransportExit>;
}

/** `modstream run` in Kafka mode: the consumer group processor plus the ops port (/metrics, /healthz, /readyz). */
export async function startKafkaMode(o: {
  config: ModstreamConfig;
  engine: Engine;
  logger: Logger;
  metrics: ModstreamMetrics | null;
}): Promise<KafkaRunner> {
  const m = o.metrics;
  // One warning per DLQ record at most, 10 a second (the DLQ topic keeps the record and the reason).
  const logRejected = createRejectedRecordLog(o.logger.child({ component: 'kafka' }), 10);
  const processor = createKafkaStreamProcessor({
    judge: o.engine.pipeline,
    kafka: kafkaSettingsFrom(o.config),
    logger: o.logger.child({ component: 'kafka' }),
    hooks: {
      onBatch: (n) => m?.kafka.onBatch(n),
      onCommit: (ms) => m?.kafka.onCommit(ms),
      onLag: (t, p, lag) => m?.kafka.onLag(t, p, lag),
      onDlq: (code) => {
        m?.pipeline.dlq(code);
        logRejected({ code, message: 'sent to the DLQ' });
      },
      onProduce: (ms) => m?.kafka.onProduce(ms / 1000),
      onJudgeError: (attempt) => m?.kafka.onJudgeError(attempt),
      onAssignment: (partitions) => m?.kafka.onAssignment(partitions),
    },
  });
  let ops: OpsServer | null = null;
  if (o.config.metrics.enabled) {
    ops = new OpsServer({
      host: o.config.metrics.host,
      port: o.config.metrics.port,
      metrics: () => (m ? m.expose() : Promise.resolve({ contentType: 'text/plain', body: '' })),
      readiness: () => {
        const checks: Record<string, { ok: boolean; detail?: string }> = { ...o.engine.readiness() };
        const st = processor.stats();
        checks.kafka = {
          ok: st.state === 'running' && st.rebalances > 0,
          detail: `${st.state}, partitions [${st.assigned.join(',')}]`,
        };
        return { ready: Object.values(checks).every((c) => c.ok), checks };
      },
    });
    const addr = await ops.listen();
    o.logger.info(
      { port: addr.port },
      `ops endpoints on http://${o.config.metrics.host}:${addr.port}/metrics`,
    );
  }
  try {
    await processor.start();
  } catch (e) {
    // Nothing may keep the process alive (and /healthz answering) after a failed start.
    await processor.stop().catch(() => {});
    await ops?.close();
    throw e;
  }
  return {
    done: processor.stopped,
    close: async () => {
      await processor.stop();
      await ops?.close();
    },
  };
}
