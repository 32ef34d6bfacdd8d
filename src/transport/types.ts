/**
 * Transport-neutral contracts. The hot path (a BatchJudge) knows nothing of brokers; a transport feeds it
 * batches and delivers its outcomes. The partitioned-log types below describe what any Kafka-like client
 * offers (ordered partitions, offsets, acknowledged writes), so the batch logic in kafka/ is written against
 * them and a different client (or a test double) can be swapped in behind the same interfaces.
 */

/** A long-running transport: takes records from somewhere, judges them, delivers the outcomes. */
export interface Transport {
  /** Connects and begins consuming; resolves once it is running. */
  start(): Promise<void>;
  /** Graceful: finishes the in-flight batch, commits, disconnects. Safe to call more than once. */
  stop(): Promise<void>;
  /** Settles (never rejects) once the transport has stopped, by stop() or by a fatal error. */
  readonly stopped: Promise<TransportExit>;
}

export type TransportExit = { reason: 'stopped' } | { reason: 'failed'; error: Error };

/** Header values as brokers carry them (UTF-8 text here). */
export type RecordHeaders = Record<string, string>;

/** One record to publish. */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: RecordHeaders;
}

/**
 * Publishes records durably: resolves only when the broker acknowledged every record (all in-sync
 * replicas); rejects otherwise, in which case none of them may be assumed written.
 */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<void>;
}

/** A record fetched from a partition of a log. */
export interface SourceRecord {
  /** Offset as a decimal string (64-bit offsets do not fit a JS number). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Broker or producer timestamp, ms since the epoch, as a decimal string. */
  timestamp?: string;
}

/** Consecutive records of one partition, in offset order. */
export interface SourceBatch {
  topic: string;
  partition: number;
  /** Offset of the next record the broker will write: lag = highWatermark - (last processed + 1). */
  highWatermark: string;
  records: readonly SourceRecord[];
}

/** What a consumer client lets the batch logic do while it processes one batch. */
export interface BatchControl {
  /** Marks everything up to and including `offset` as processed, hence committable. */
  resolveOffset(offset: string): void;
  /**
   * Asks for the resolved offsets to be committed. The transport may commit them soon rather than at once
   * (the Kafka transport coalesces commits off the batches' path); what is resolved is never skipped.
   */
  commit(): Promise<void>;
  /** Keeps the group membership alive; may reject when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or this partition was revoked: stop between chunks. */
  isActive(): boolean;
}
