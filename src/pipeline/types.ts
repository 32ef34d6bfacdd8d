import type { ErrorRecord, RecordSource, Verdict } from '../contracts/types.js';

/** A record as a transport received it: bytes or text, plus where it came from (for the DLQ). */
export interface IncomingRecord {
  raw: string | Buffer;
  source: RecordSource;
  /** Transport receive time (ms), for latency accounting. Defaults to now. */
  receivedAt?: number;
  /**
   * Set by a transport that stopped reading the record because it was too long (a line of stdin or of a
   * `check` input): its full length in UTF-8 bytes. `raw` then holds only its beginning, and the record is
   * rejected as OVERSIZE without being decoded.
   */
  oversizeBytes?: number;
}

/** What the pipeline makes of one record: a verdict, or an error record for the DLQ / error output. */
export type Outcome = { kind: 'verdict'; verdict: Verdict } | { kind: 'error'; error: ErrorRecord };

export interface JudgeOptions {
  /**
   * The caller may judge a record more than once (Kafka: batch retries, record-by-record isolation, a
   * batch judged again after its produce failed) and counts each record once itself, when its outcome was
   * delivered, through `countDelivered`. judge() then counts the attempt only
   * (`modstream_messages_judged_total`), not the records received nor their verdicts.
   */
  deferCounting?: boolean;
}

/**
 * The hot path as transports see it: a batch in, one outcome per record out, in the same order.
 * Never rejects for a bad record (that becomes an error outcome); rejects only when the whole batch could
 * not be judged (e.g. the state store failed and failMode is 'throw'), so the transport may retry it.
 *
 * Counting: by default judge() counts its records as received and their verdicts as emitted (one judge
 * call per record: the embedded runner, `check`). A transport that may judge a record several times passes
 * `deferCounting` and calls `countDelivered` once the outcomes are delivered; records that went to the DLQ
 * are counted by the transport where they leave (PipelineMetrics.dlq), in both cases.
 */
export interface BatchJudge {
  judge(records: readonly IncomingRecord[], options?: JudgeOptions): Promise<Outcome[]>;
  /**
   * `records` records judged with `deferCounting` were delivered (verdicts and DLQ records acknowledged),
   * `verdicts` among them as verdicts: counts them as received and the verdicts as emitted, once.
   */
  countDelivered?(records: number, verdicts: readonly Verdict[]): void;
}
