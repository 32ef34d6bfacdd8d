import type { ModstreamConfig } from '../config/types.js';
import type { Category, Message } from '../contracts/types.js';
import type { Logger } from '../log/logger.js';
import type { ModstreamMetrics } from '../metrics/metrics.js';
import type { ClassifierStage } from '../pipeline/stages.js';

/**
 * Builds the optional classifier stage from the config. Loaded with a dynamic import by the CLI only when
 * the classifier is enabled, so users who do not enable it never load transformers.js or start workers.
 * Per-group mode and thresholds are resolved once here into maps read per message.
 */
export async function createClassifierFromConfig(
  config: ModstreamConfig,
  logger: Logger,
  metrics: ModstreamMetrics | null,
): Promise<ClassifierStage & { close(): Promise<void> }> {
  const { createClassifier } = await import('../classify/index.js');
  const c = config.classifier;
  const groups = new Map(Object.entries(c.groups));
  const labels: Record<string, { category: Category | null; threshold?: number; severity?: number } | null> =
    {};
  for (const [label, rule] of Object.entries(c.labels)) {
    labels[label] =
      rule === null
        ? null
        : {
            category: (rule.category ?? null) as Category | null,
            threshold: rule.threshold,
            severity: rule.severity,
          };
  }
  const key = (m: Message) => `${m.platform}:${m.groupId}`;
  const m = metrics?.classifier;
  const classifier = await createClassifier({
    modelDir: c.dir ?? undefined,
    workers: c.workers,
    batchSize: c.batchSize,
    batchWindowMs: c.batchWindowMs,
    timeoutMs: c.timeoutMs,
    queueMax: c.queueMax,
    defaultMode: c.mode,
    modeFor: groups.size > 0 ? (msg) => groups.get(key(msg))?.mode ?? c.mode : undefined,
    thresholdsFor: groups.size > 0 ? (msg) => groups.get(key(msg))?.thresholds : undefined,
    labels,
    hooks: m
      ? {
          onTimeout: () => m.onTimeout(),
          onBatch: (n) => m.onBatch(n),
          onQueueDepth: (d) => m.onQueueDepth(d),
          onWorkerCrash: () => m.onWorkerCrash(),
          onSkipped: (r) => m.onSkipped(r),
        }
      : undefined,
  });
  logger.info({ workers: c.workers, mode: c.mode, dir: c.dir ?? 'shipped model' }, 'classifier ready');
  return classifier;
}
