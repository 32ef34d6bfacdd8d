import type { Verdict } from '../contracts/types.js';

export type StageName =
  'ingest' | 'decode' | 'match' | 'detectors' | 'flood' | 'classifier' | 'policy' | 'produce';

/**
 * Hooks the pipeline calls; src/metrics binds them to prom-client. The default does nothing, so the hot path
 * never checks for "metrics enabled?" — it calls a no-op.
 */
export interface PipelineMetrics {
  /** Records received, each once (Kafka mode: once its outcome was delivered; see BatchJudge). */
  received(count: number): void;
  /**
   * Records that went through the pipeline, every attempt counted: a record judged again (Kafka retries,
   * re-judging after a failed produce) counts again.
   */
  judged(count: number): void;
  /** One stage's duration in seconds (per message for CPU stages — sampled —, per batch for async ones). */
  stage(stage: StageName, seconds: number): void;
  stageError(stage: StageName): void;
  /** A verdict emitted (Kafka mode: acknowledged by the broker), each once. */
  verdict(verdict: Verdict): void;
  /** A record that could not be judged left through the DLQ / error output (counted by the transport). */
  dlq(code: string): void;
  storeError(kind: 'flood' | 'strikes'): void;
  /** Reasons left out of a verdict to keep it within its size bound (reasons-cap.ts). */
  reasonsDropped(count: number): void;
}

export const NOOP_METRICS: PipelineMetrics = {
  received() {},
  judged() {},
  stage() {},
  stageError() {},
  verdict() {},
  dlq() {},
  storeError() {},
  reasonsDropped() {},
};
