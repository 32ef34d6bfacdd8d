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

/**
 * The hot path as transports see it: a batch in, one outcome per record out, in the same order.
 * Never rejects for a bad record (that becomes an error outcome); rejects only when the whole batch could
 * not be judged (e.g. the state store failed and failMode is 'throw'), so the transport may retry it.
 */
export interface BatchJudge {
  judge(records: readonly IncomingRecord[]): Promise<Outcome[]>;
}
