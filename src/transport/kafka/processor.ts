import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { ModstreamError } from '../../contracts/errors.js';
import type { BatchJudge } from '../../pipeline/types.js';
import type { BatchControl, SourceBatch, Transport, TransportExit } from '../types.js';
import { BatchProcessor, type BatchProcessorStats } from './batch-processor.js';
import { isGroupMembershipError } from './broker-errors.js';
import { createKafkaClient } from './client.js';
import { OffsetCommitter } from './committer.js';
import { resolveKafkaSettings, type KafkaSettings, type KafkaSettingsInput } from './config.js';
import type { KafkaMetricsHooks } from './hooks.js';
import { KafkajsRecordSink } from './kafkajs-sink.js';
import { silentTransportLogger, type TransportLogger } from './logger.js';
import { ensureTopics } from './topics.js';

export interface KafkaStreamProcessorOptions {
  judge: BatchJudge;
  /** Checked and completed with defaults here (ConfigError on a bad field). */
  kafka: KafkaSettingsInput;
  logger?: TransportLogger;
  hooks?: KafkaMetricsHooks;
  /** An existing kafkajs client to use instead of one built from the settings (tests, shared clients). */
  client?: Kafka;
}

export interface KafkaStreamProcessorStats extends BatchProcessorStats {
  state: ProcessorState;
  /** Partitions of the messages topic this instance owns since the latest rebalance. */
  assigned: number[];
  /** Completed group joins (the first one included). */
  rebalances: number;
}

type ProcessorState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * The Kafka transport: consumes message records from the messages topic in a consumer group, judges them
 * in batches through the BatchJudge and produces one verdict per message (or a DLQ record) — with offsets
 * committed only after the broker acknowledged those outputs (at-least-once; see docs/deployment.md).
 *
 * Partitions are consumed concurrently, each in order. start() resolves once the group is joined; stop()
 * finishes the in-flight batch, commits and leaves the group. Signals are the caller's business (the CLI
 * maps SIGTERM/SIGINT to stop()). `stopped` settles when it ends either way.
 */
export class KafkaStreamProcessor implements Transport {
  readonly #settings: KafkaSettings;
  readonly #logger: TransportLogger;
  readonly #hooks: KafkaMetricsHooks;
  readonly #kafka: Kafka;
  readonly #producer: Producer;
  readonly #consumer: Consumer;
  readonly #processor: BatchProcessor;
  readonly #committer: OffsetCommitter;
  readonly #stopped: Promise<TransportExit>;
  #settle!: (exit: TransportExit) => void;
  #state: ProcessorState = 'new';
  /** The start in progress or done (see #stop). */
  #starting: Promise<void> | null = null;
  #stopPromise: Promise<void> | null = null;
  #assigned: number[] = [];
  #rebalances = 0;
  /** eachBatch calls under way, and who waits for them to end (stop drains them before the last commit). */
  #batchesRunning = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: KafkaStreamProcessorOptions) {
    this.#settings = resolveKafkaSettings(options.kafka);
    this.#logger = options.logger ?? silentTransportLogger;
    this.#hooks = options.hooks ?? {};
    const s = this.#settings;
    this.#kafka = options.client ?? createKafkaClient(s, this.#logger);
    this.#producer = this.#kafka.producer({
      // Not idempotent: when the broker refuses one partition's records in a request (too large), kafkajs
      // rolls back the sequence numbers of every partition in it, although the others were written, so
      // the one-by-one resend (batch-processor.ts) met OUT_OF_ORDER_SEQUENCE_NUMBER for ever and the
      // partition stopped. One request in flight per broker keeps the order; a retried request may
      // write twice, which at-least-once already allows (consumers de-duplicate by message id).
      idempotent: false,
      maxInFlightRequests: 1,
      // Bounded: a dead broker must end in an error the consumer can retry, not in a send that never returns.
      retry: { retries: s.clientRetries },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.#consumer = this.#kafka.consumer({
      groupId: s.groupId,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      rebalanceTimeout: s.rebalanceTimeoutMs,
      maxBytesPerPartition: s.maxBytesPerPartition,
      maxBytes: s.maxBytes,
      maxWaitTimeInMs: s.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      retry: { retries: s.clientRetries, restartOnFailure: (e) => this.#restartOnFailure(e) },
    });
    this.#committer = new OffsetCommitter({
      logger: this.#logger,
      onCommit: (ms) => this.#hooks.onCommit?.(ms),
      retryBackoffMs: s.retryBackoffMs,
      retryBackoffMaxMs: s.retryBackoffMaxMs,
    });
    this.#processor = new BatchProcessor({
      judge: options.judge,
      sink: new KafkajsRecordSink(this.#producer, s.compression, s.requestTimeoutMs),
      topics: s.topics,
      maxBatchRecords: s.maxBatchRecords,
      maxBatchBytes: s.maxBatchBytes,
      maxInFlight: s.maxInFlight,
      maxDlqValueBytes: s.maxDlqValueBytes,
      retry: { retries: s.retries, backoffMs: s.retryBackoffMs, backoffMaxMs: s.retryBackoffMaxMs },
      logger: this.#logger,
      hooks: this.#hooks,
    });
    this.#stopped = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.#watchConsumer();
  }

  get settings(): Readonly<KafkaSettings> {
    return this.#settings;
  }

  get stopped(): Promise<TransportExit> {
    return this.#stopped;
  }

  stats(): KafkaStreamProcessorStats {
    return {
      ...this.#processor.stats(),
      state: this.#state,
      assigned: [...this.#assigned],
      rebalances: this.#rebalances,
    };
  }

  /** Ensures the topics, connects, joins the group and starts consuming. Rejects with KAFKA_ERROR. */
  start(): Promise<void> {
    if (this.#state !== 'new')
      return Promise.reject(
        new ModstreamError('KAFKA_ERROR', `cannot start a processor that is ${this.#state}`),
      );
    this.#state = 'starting';
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const s = this.#settings;
    try {
      if (s.createTopics) await this.#ensureTopics();
      await this.#producer.connect();
      await this.#consumer.connect();
      await this.#consumer.subscribe({ topics: [s.topics.messages], fromBeginning: s.fromBeginning });
      await this.#consumer.run({
        partitionsConsumedConcurrently: s.partitionsConsumedConcurrently,
        eachBatchAutoResolve: false,
        // We resolve an offset only after the broker acknowledged that unit's outputs, and the committer
        // commits resolved offsets only. kafkajs' own auto-commit would await a commit after every batch,
        // holding up the next fetch of every partition; ours runs beside the batches (see committer.ts).
        autoCommit: false,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
    } catch (e) {
      const error =
        e instanceof ModstreamError
          ? e
          : new ModstreamError('KAFKA_ERROR', `kafka start failed: ${(e as Error).message}`, { cause: e });
      this.#logger.error({ err: error.message }, 'kafka processor failed to start');
      await this.#disconnectQuietly();
      this.#finish('failed', error);
      throw error;
    }
    if (this.#state === 'starting') this.#state = 'running';
    this.#logger.info(
      {
        brokers: s.brokers,
        groupId: s.groupId,
        topics: s.topics,
        concurrency: s.partitionsConsumedConcurrently,
      },
      'kafka processor running',
    );
  }

  /** Finishes the in-flight batch, commits, leaves the group and disconnects. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    this.#stopPromise = this.#stop();
    return this.#stopPromise;
  }

  async #stop(): Promise<void> {
    if (this.#state === 'new') {
      this.#finish('stopped');
      return;
    }
    // Stopped while starting: let the start finish (or fail) first, or it would go on and join the group
    // after the stop had left it, holding partitions it never consumes.
    if (this.#state === 'starting') await this.#starting?.catch(() => {});
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#state = 'stopping';
    this.#logger.info({ groupId: this.#settings.groupId }, 'kafka processor stopping');
    // Ends judge retries at once; a unit being judged or produced still completes. From here isActive()
    // is false, so no batch starts another unit, and no fetched record is judged any more.
    this.#processor.abort();
    this.#pauseAll();
    await this.#batchesIdle();
    // Everything acknowledged is resolved by now: commit it while this member still owns its partitions.
    this.#committer.close();
    try {
      await this.#committer.flush();
    } catch (e) {
      this.#logger.warn(
        { err: (e as Error).message },
        'last offset commit failed; the uncommitted verdicts will be redelivered',
      );
    }
    try {
      await this.#consumer.disconnect();
    } catch (e) {
      this.#logger.warn({ err: (e as Error).message }, 'error while leaving the consumer group');
    }
    try {
      await this.#producer.disconnect();
    } catch (e) {
      this.#logger.warn({ err: (e as Error).message }, 'error while disconnecting the producer');
    }
    this.#finish('stopped');
    this.#logger.info({ ...this.#processor.stats() }, 'kafka processor stopped');
  }

  async #ensureTopics(): Promise<void> {
    const s = this.#settings;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const spec = (topic: string) => ({
        topic,
        partitions: s.partitions,
        replicationFactor: s.replicationFactor,
      });
      await ensureTopics(
        admin,
        [spec(s.topics.messages), spec(s.topics.verdicts), spec(s.topics.dlq)],
        this.#logger,
      );
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async #eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0 || !this.#accepting()) return;
    this.#batchesRunning++;
    try {
      await this.#processBatch(p);
    } finally {
      if (--this.#batchesRunning === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  async #processBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const commitResolved = async () => {
      const offsets = p.uncommittedOffsets();
      if (offsets.topics.length > 0) await p.commitOffsetsIfNecessary(offsets);
    };
    this.#committer.use(commitResolved);
    const source: SourceBatch = {
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      records: batch.messages,
    };
    const control: BatchControl = {
      resolveOffset: p.resolveOffset,
      commit: () => {
        this.#committer.request();
        return Promise.resolve();
      },
      heartbeat: p.heartbeat,
      isActive: () => this.#accepting() && p.isRunning() && !p.isStale(),
    };
    try {
      const result = await this.#processor.process(source, control);
      if (result.stoppedEarly) {
        this.#logger.debug(
          {
            partition: batch.partition,
            processed: result.processed,
            left: batch.messages.length - result.processed,
            why: result.stoppedEarly,
          },
          'left the rest of a batch for redelivery',
        );
      }
    } catch (e) {
      // Nothing past the last acknowledged unit was resolved. Rethrowing lets kafkajs handle it: a
      // rebalance rejoins; anything else is retried from the last resolved offset with backoff and, after
      // clientRetries, restarts the consumer (restartOnFailure). Nothing is skipped. What was resolved is
      // committed first, as kafkajs' own auto-commit would: on a rebalance this member still owns the
      // partition now, while a later commit would be refused and the acknowledged units redelivered.
      await this.#committer.flush().catch(() => {});
      if (!isGroupMembershipError(e)) {
        this.#logger.error(
          { err: (e as Error).message, partition: batch.partition, firstOffset: batch.firstOffset() },
          'batch not delivered; it will be retried',
        );
      }
      throw e;
    }
  }

  #accepting(): boolean {
    return this.#state === 'running' || this.#state === 'starting';
  }

  #batchesIdle(): Promise<void> {
    if (this.#batchesRunning === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // Fetching on while stop() drains would only fetch records to drop (eachBatch refuses them now).
  #pauseAll(): void {
    try {
      this.#consumer.pause([{ topic: this.#settings.topics.messages }]);
    } catch {
      // Not running yet (no consumer group): nothing is fetched anyway.
    }
  }

  #watchConsumer(): void {
    const { GROUP_JOIN, CRASH, REBALANCING } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment[this.#settings.topics.messages] ?? [];
      this.#assigned = [...assignment].sort((a, b) => a - b);
      this.#rebalances++;
      this.#hooks.onAssignment?.(this.#assigned);
      this.#logger.info(
        {
          groupId: event.payload.groupId,
          memberId: event.payload.memberId,
          isLeader: event.payload.isLeader,
          partitions: this.#assigned,
        },
        'joined the consumer group',
      );
    });
    this.#consumer.on(REBALANCING, (event) => {
      // kafkajs noticed between batches and rejoins now: ask for a commit of what is resolved. Best effort:
      // kafkajs does not wait for it, so it races the join; if it loses, the coordinator refuses it and
      // those units are redelivered (at-least-once holds; a failed batch awaits its own flush).
      this.#committer.request();
      this.#logger.info({ groupId: event.payload.groupId }, 'consumer group rebalancing');
    });
    this.#consumer.on(CRASH, (event) => {
      const { error, restart } = event.payload;
      if (restart) {
        this.#logger.warn({ err: error.message }, 'kafka consumer crashed; restarting');
        return;
      }
      if (this.#state === 'stopping' || this.#state === 'stopped') return;
      this.#logger.error({ err: error.message }, 'kafka consumer crashed for good');
      const wrapped = new ModstreamError('KAFKA_ERROR', `kafka consumer crashed: ${error.message}`, {
        cause: error,
      });
      void this.#disconnectQuietly().then(() => this.#finish('failed', wrapped));
    });
  }

  // Restart after retriable failures (broker away, produce failed) unless we are stopping.
  async #restartOnFailure(error: Error): Promise<boolean> {
    const restart = this.#state === 'running' || this.#state === 'starting';
    this.#logger.warn({ err: error.message, restart }, 'kafka consumer failed');
    return restart;
  }

  async #disconnectQuietly(): Promise<void> {
    this.#processor.abort();
    this.#committer.close();
    await this.#consumer.disconnect().catch(() => {});
    await this.#producer.disconnect().catch(() => {});
  }

  #finish(state: 'stopped' | 'failed', error?: Error): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#state = state;
    this.#assigned = [];
    this.#settle(state === 'failed' && error ? { reason: 'failed', error } : { reason: 'stopped' });
  }
}

/** Factory form, for wiring code that prefers functions. */
export function createKafkaStreamProcessor(options: KafkaStreamProcessorOptions): KafkaStreamProcessor {
  return new KafkaStreamProcessor(options);
}
