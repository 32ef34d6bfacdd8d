import { performance } from 'node:perf_hooks';
import { ModstreamError } from '../../contracts/errors.js';
import type { Verdict } from '../../contracts/types.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../pipeline/types.js';
import type { BatchControl, OutgoingRecord, RecordSink, SourceBatch, SourceRecord } from '../types.js';
import type { KafkaTopics } from './config.js';
import type { KafkaMetricsHooks } from './hooks.js';
import { recordRefusal } from './broker-errors.js';
import type { TransportLogger } from './logger.js';
import { dlqRecord, toIncoming, verdictRecord } from './records.js';
import { ResilientJudge, type JudgeRetryPolicy, type Sleep } from './resilient-judge.js';
import { Semaphore } from './semaphore.js';

export interface BatchProcessorOptions {
  judge: BatchJudge;
  sink: RecordSink;
  topics: KafkaTopics;
  /** Most records / bytes judged and produced as one unit. */
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** Most units between judge and acknowledgement at once, across partitions. */
  maxInFlight: number;
  maxDlqValueBytes: number;
  retry: JudgeRetryPolicy;
  logger: TransportLogger;
  hooks?: KafkaMetricsHooks;
  /** Injected for tests. */
  sleep?: Sleep;
  now?: () => number;
}

/** Running totals, for health checks and tests. */
export interface BatchProcessorStats {
  records: number;
  verdicts: number;
  dlq: number;
  batches: number;
  judgeErrors: number;
}

/** How a call to process() ended. */
export interface ProcessResult {
  /** Records whose outcomes were acknowledged and whose offsets were resolved. */
  processed: number;
  /** Why the rest was left for redelivery, if any was. */
  stoppedEarly: null | 'inactive' | 'aborted';
}

// A DLQ replacement for a record the broker refused must itself be small enough to be accepted.
const REPLACEMENT_DLQ_BYTES = 64 * 1024;

/**
 * The at-least-once core, independent of any Kafka client: for each fetched batch of one partition, in
 * units of at most maxBatchRecords / maxBatchBytes,
 *   judge (with bounded retries) → ONE send of all verdicts and DLQ records → broker acknowledgement →
 *   resolve the last offset → commit (or ask for one) → heartbeat → report lag.
 * Offsets move only after the outcomes are acknowledged, so a crash anywhere redelivers, never loses.
 * Units of one partition run one after another (order per key); partitions run concurrently up to
 * maxInFlight. Between units it checks control.isActive(), so a revoked partition or a stopping consumer
 * leaves the rest unresolved for whoever owns it next.
 */
export class BatchProcessor {
  readonly #sink: RecordSink;
  readonly #topics: KafkaTopics;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #maxDlqValueBytes: number;
  readonly #inFlight: Semaphore;
  readonly #judge: ResilientJudge;
  /** The judge itself: it counts each record once, when its outcome was acknowledged (countDelivered). */
  readonly #counter: BatchJudge;
  readonly #logger: TransportLogger;
  readonly #hooks: KafkaMetricsHooks;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  readonly #stats: BatchProcessorStats = { records: 0, verdicts: 0, dlq: 0, batches: 0, judgeErrors: 0 };

  constructor(options: BatchProcessorOptions) {
    this.#sink = options.sink;
    this.#topics = options.topics;
    this.#maxRecords = options.maxBatchRecords;
    this.#maxBytes = options.maxBatchBytes;
    this.#maxDlqValueBytes = options.maxDlqValueBytes;
    this.#inFlight = new Semaphore(options.maxInFlight);
    this.#logger = options.logger;
    this.#hooks = options.hooks ?? {};
    this.#now = options.now ?? Date.now;
    this.#counter = options.judge;
    const onJudgeError = (attempt: number) => {
      this.#stats.judgeErrors++;
      this.#hooks.onJudgeError?.(attempt);
    };
    this.#judge = new ResilientJudge(
      options.judge,
      options.retry,
      options.logger,
      { onJudgeError },
      options.sleep,
    );
  }

  /** Stop requested: judge retries and backoffs end at once; their units stay unresolved. */
  abort(): void {
    this.#abort.abort();
  }

  stats(): BatchProcessorStats {
    return { ...this.#stats };
  }

  async process(batch: SourceBatch, control: BatchControl): Promise<ProcessResult> {
    const records = batch.records;
    let start = 0;
    while (start < records.length) {
      if (!control.isActive()) return { processed: start, stoppedEarly: 'inactive' };
      const end = this.#unitEnd(records, start);
      const unit = records.slice(start, end);
      await this.#inFlight.acquire();
      let delivered: boolean;
      try {
        delivered = await this.#judgeAndDeliver(batch, unit, control);
      } catch (e) {
        // Nothing of this unit was delivered (produce failed, rebalance): the lag still counts from the last
        // unit that was, so it keeps growing while the partition is stuck (ModstreamConsumerStalled).
        this.#reportLag(batch, previousOffset(unit[0].offset));
        throw e;
      } finally {
        this.#inFlight.release();
      }
      if (!delivered) return { processed: start, stoppedEarly: 'aborted' };

      const last = unit[unit.length - 1].offset;
      control.resolveOffset(last);
      // The transport decides how long this waits; KafkaStreamProcessor's commits run beside the batches.
      await control.commit();
      this.#hooks.onBatch?.(unit.length);
      this.#reportLag(batch, last);
      await control.heartbeat();
      start = end;
    }
    return { processed: records.length, stoppedEarly: null };
  }

  /** End (exclusive) of the unit starting at `start`: bounded by count and bytes, at least one record. */
  #unitEnd(records: readonly SourceRecord[], start: number): number {
    const limit = Math.min(records.length, start + this.#maxRecords);
    let bytes = recordBytes(records[start]);
    let end = start + 1;
    while (end < limit) {
      bytes += recordBytes(records[end]);
      if (bytes > this.#maxBytes) break;
      end++;
    }
    return end;
  }

  async #judgeAndDeliver(
    batch: SourceBatch,
    unit: readonly SourceRecord[],
    control: BatchControl,
  ): Promise<boolean> {
    const receivedAt = this.#now();
    const incoming: IncomingRecord[] = unit.map((r) => toIncoming(batch, r, receivedAt));
    // A unit may be judged several times (retries; again after a failed produce): the judge counts each
    // attempt, and the records and verdicts only here, once the broker acknowledged them.
    const outcomes = await this.#judge.judge(
      incoming,
      this.#abort.signal,
      () => control.heartbeat(),
      DEFER_COUNTING,
    );
    if (outcomes === null) return false;

    const out: OutgoingRecord[] = new Array(outcomes.length);
    let dlq = 0;
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i];
      if (o.kind === 'verdict') out[i] = verdictRecord(this.#topics.verdicts, o.verdict);
      else {
        out[i] = dlqRecord(this.#topics.dlq, o.error.error, unit[i], batch, this.#maxDlqValueBytes);
        dlq++;
      }
    }
    const t0 = performance.now();
    const refused = await this.#send(out, outcomes, unit, batch);
    this.#hooks.onProduce?.(performance.now() - t0, out.length);

    const refusedVerdicts = refused === null ? 0 : refused.size;
    dlq += refusedVerdicts;
    this.#stats.records += unit.length;
    this.#stats.verdicts += unit.length - dlq;
    this.#stats.dlq += dlq;
    this.#stats.batches++;
    // Counted once per record, now that the broker holds every outcome: received, verdicts (those the
    // broker took as verdicts), DLQ records (a refused verdict is a DLQ record, not a verdict).
    if (this.#counter.countDelivered) {
      const verdicts: Verdict[] = [];
      for (let i = 0; i < outcomes.length; i++) {
        const o = outcomes[i];
        if (o.kind === 'verdict' && !refused?.has(i)) verdicts.push(o.verdict);
      }
      this.#counter.countDelivered(unit.length, verdicts);
    }
    if (this.#hooks.onDlq && dlq > 0) {
      for (const o of outcomes) if (o.kind === 'error') this.#hooks.onDlq(o.error.error.code);
      for (let i = 0; i < refusedVerdicts; i++) this.#hooks.onDlq('PROCESSING_FAILED');
    }
    return true;
  }

  /**
   * One send for the whole unit. If the broker refuses a record itself (too large, invalid) — which no retry
   * can cure and which would otherwise block the partition for ever — the unit is re-sent record by record
   * and each refused record is replaced by a small DLQ record saying why. Any other failure (broker down,
   * timeouts, authorisation) propagates: nothing is resolved and the consumer retries the batch later.
   * Returns the indices of the verdicts replaced by DLQ records (null when none was).
   */
  async #send(
    out: OutgoingRecord[],
    outcomes: readonly Outcome[],
    unit: readonly SourceRecord[],
    batch: SourceBatch,
  ): Promise<Set<number> | null> {
    try {
      await this.#sink.send(out);
      return null;
    } catch (e) {
      const refusal = recordRefusal(e);
      if (refusal === null) throw wrapSendError(e);
      this.#logger.warn(
        { refusal, records: out.length, partition: batch.partition },
        'broker refused a record; sending one by one',
      );
    }
    const refusedVerdicts = new Set<number>();
    for (let i = 0; i < out.length; i++) {
      try {
        await this.#sink.send([out[i]]);
        continue;
      } catch (e) {
        const refusal = recordRefusal(e);
        if (refusal === null) throw wrapSendError(e);
        const what = outcomes[i].kind === 'verdict' ? 'verdict' : 'DLQ record';
        const size = Buffer.byteLength(out[i].value);
        const replacement = dlqRecord(
          this.#topics.dlq,
          {
            code: 'PROCESSING_FAILED',
            message: `${what} of ${size} bytes refused by the broker: ${refusal}`,
          },
          unit[i],
          batch,
          REPLACEMENT_DLQ_BYTES,
        );
        this.#logger.error(
          { refusal, size, source: { partition: batch.partition, offset: unit[i].offset } },
          `${what} refused; sent to the DLQ`,
        );
        try {
          await this.#sink.send([replacement]);
        } catch (e2) {
          throw wrapSendError(e2);
        }
        if (outcomes[i].kind === 'verdict') refusedVerdicts.add(i);
      }
    }
    return refusedVerdicts;
  }

  #reportLag(batch: SourceBatch, lastOffset: string): void {
    if (!this.#hooks.onLag) return;
    const lag = computeLag(batch.highWatermark, lastOffset);
    if (lag !== null) this.#hooks.onLag(batch.topic, batch.partition, lag);
  }
}

const DEFER_COUNTING = Object.freeze({ deferCounting: true });

/** The offset before `offset` (as Kafka offsets travel: decimal strings), or `offset` if it is not one. */
function previousOffset(offset: string): string {
  try {
    return String(BigInt(offset) - 1n);
  } catch {
    return offset;
  }
}

/** Records after `lastOffset` that the broker already holds; null when the high watermark is unknown. */
export function computeLag(highWatermark: string, lastOffset: string): number | null {
  let hw: bigint;
  let last: bigint;
  try {
    hw = BigInt(highWatermark);
    last = BigInt(lastOffset);
  } catch {
    return null;
  }
  if (hw < 0n) return null;
  const lag = hw - last - 1n;
  return lag > 0n ? Number(lag) : 0;
}

function recordBytes(r: SourceRecord): number {
  return (r.value?.length ?? 0) + (r.key?.length ?? 0);
}

function wrapSendError(e: unknown): ModstreamError {
  if (e instanceof ModstreamError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ModstreamError('KAFKA_ERROR', `producing verdicts failed: ${message}`, { cause: e });
}
