import type { Verdict } from '../contracts/types.js';

export type StageName =
  'ingest' | 'decode' | 'match' | 'detectors' | 'flood' | 'classifier' | 'policy' | 'produce';

/**
 * Hooks the pipeline calls; src/metrics binds them to prom-client. The default does nothing, so the hot path
 * never checks for "metrics enabled?" — it calls a no-op.
 */
export interface PipelineMetrics {
  received(count: number): void;
  /** One stage's duration in seconds (per message for CPU stages — sampled —, per batch for async ones). */
  stage(stage: StageName, seconds: number): void;
  stageError(stage: StageName): void;
  verdict(verdict: Verdict): void;
  /** A record that could not be judged left through the DLQ / error output (counted by the transport). */
  dlq(code: string): void;
  storeError(kind: 'flood' | 'strikes'): void;
}

export const NOOP_METRICS: PipelineMetrics = {
  received() {},
  stage() {},
  stageError() {},
  verdict() {},
  dlq() {},
  storeError() {},
};
