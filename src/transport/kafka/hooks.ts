/**
 * Callbacks through which the Kafka transport reports what it does; the metrics module wires them to
 * prom-client. All are optional and called at most a few times per batch (never per record), so they cost
 * nothing on the hot path. They must not throw.
 */
export interface KafkaMetricsHooks {
  /** A batch of `size` records was judged and its outcomes acknowledged by the broker. */
  onBatch?(size: number): void;
  /** Offsets were committed, taking `ms` (commits run beside the batches, several units at a time). */
  onCommit?(ms: number): void;
  /** Records left behind on a partition after the latest processed batch. */
  onLag?(topic: string, partition: number, lag: number): void;
  /** One record went to the DLQ with this error code. */
  onDlq?(code: string): void;
  /** Verdicts and DLQ records of one batch were acknowledged by the broker, taking `ms`. */
  onProduce?(ms: number, records: number): void;
  /** The judge threw on a batch (attempt is 0-based); the batch is retried or judged record by record. */
  onJudgeError?(attempt: number): void;
  /** A rebalance gave this instance these partitions of the messages topic. */
  onAssignment?(partitions: readonly number[]): void;
}
