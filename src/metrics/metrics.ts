import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Verdict } from '../contracts/types.js';
import type { PipelineMetrics, StageName } from '../pipeline/metrics.js';
import { CellCounter, FastHistogram, type CounterCell } from './fast.js';
import type { HttpMetricsHooks } from './http.js';
import {
  DECODE_ERROR_CODES,
  dlqCodeLabel,
  LABEL_VALUES,
  PlatformLabels,
  RECORD_ERROR_CODES,
  STAGES,
  topCategory,
} from './labels.js';
import { registerProcessMetrics } from './process.js';

export { LABEL_VALUES, topCategory };

/** Microseconds to seconds: folding+matching takes µs, a Redis round trip ms, a classifier batch tens of ms. */
export const STAGE_BUCKETS = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1,
  0.25, 0.5, 1, 2.5,
];
/** HTTP requests: a health check takes tens of µs, a 4 MiB batch seconds. */
export const HTTP_BUCKETS = [
  1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const METRIC_NAME = /^modstream_[a-z][a-z0-9_]*$/;
const HTTP_STATUSES: ReadonlySet<number> = new Set([200, 400, 404, 405, 413, 500, 503]);

export interface MetricsOptions {
  /** Injected registry; a new one by default (never prom-client's global). */
  registry?: Registry;
  /** Process metrics (CPU, memory, GC, handles) and event-loop lag. Default true. */
  processMetrics?: boolean;
  /** Platform names beyond the known ones that get their own label value before the rest become "other". */
  extraPlatforms?: number;
}

export interface KafkaMetricsHooks {
  onBatch(size: number): void;
  onCommit(ms: number): void;
  onLag(topic: string, partition: number, lag: number): void;
  onDlq(code: string): void;
  onProduce(seconds: number): void;
  /** Judging a batch threw (a store failing with failMode "throw", a bug); the batch is retried. */
  onJudgeError(attempt: number): void;
  /** A rebalance gave this instance these partitions of the messages topic: other partitions' lag series go. */
  onAssignment(partitions: readonly number[]): void;
}

export interface RedisMetricsHooks {
  onCommand(seconds: number): void;
  onError(store: 'flood' | 'strikes'): void;
  onFailOpen(store: 'flood' | 'strikes'): void;
  /** 1 while answering from memory because Redis is down (fail-open), 0 otherwise. */
  setFailOpen(store: 'flood' | 'strikes', active: boolean): void;
}

export interface ClassifierMetricsHooks {
  onBatch(size: number): void;
  onQueueDepth(depth: number): void;
  onTimeout(): void;
  onWorkerCrash(): void;
  onSkipped(reason: 'queue_full' | 'unavailable'): void;
}

type StageCells = Record<StageName, CounterCell>;

/**
 * Every modstream metric, on one injected registry (never prom-client's global one). Names are checked at
 * construction. What the pipeline calls per message touches plain numbers only (see fast.ts); prom-client
 * sees them at scrape time. Label values come from the bounded tables in labels.ts: never a user, group or
 * message id, nor matched text.
 */
export class ModstreamMetrics {
  readonly registry: Registry;
  readonly pipeline: PipelineMetrics;
  readonly kafka: KafkaMetricsHooks;
  readonly redis: RedisMetricsHooks;
  readonly classifier: ClassifierMetricsHooks;
  readonly http: HttpMetricsHooks;

  readonly #verdicts: CellCounter;
  readonly #dlq: CellCounter;
  readonly #dlqCells = new Map<string, CounterCell>();
  readonly #platforms: PlatformLabels;
  /** platform label → action → category → cell. */
  readonly #verdictCells = new Map<string, Map<string, Map<string, CounterCell>>>();
  readonly #lexiconInfo: Gauge<'version'>;
  readonly #lexiconTerms: Gauge;
  readonly #policyInfo: Gauge<'policy'>;
  readonly #reloads: Counter<'kind' | 'result'>;
  readonly #reloadFailing: Gauge<'kind'>;
  readonly #lag: Gauge<'topic' | 'partition'>;
  /** Lag series currently shown: topic → partitions. */
  readonly #lagSeries = new Map<string, Set<number>>();
  readonly #stageDuration: FastHistogram<StageName>;
  #lastLexicon: string | null = null;
  #lastPolicy: string | null = null;

  constructor(options: MetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    const name = (n: string) => {
      if (!METRIC_NAME.test(n)) throw new Error(`invalid metric name ${n}`);
      return n;
    };
    this.#platforms = new PlatformLabels(options.extraPlatforms ?? 16);

    // --- pipeline: counted per message, so fed from cells -----------------------------------------------
    const messages = new CellCounter({
      name: name('modstream_messages_total'),
      help: 'Records received (valid or not), each once; Kafka mode: once its verdict or DLQ record was acknowledged by the broker.',
      registry,
    }).cell();
    const judged = new CellCounter({
      name: name('modstream_messages_judged_total'),
      help: 'Records run through the pipeline, every attempt counted (Kafka: retries, record-by-record isolation, re-judging after a failed produce).',
      registry,
    }).cell();
    const processed = new CellCounter({
      name: name('modstream_messages_processed_total'),
      help: 'Records that left, each once, by outcome: a verdict, or the DLQ / error output (Kafka mode: acknowledged by the broker).',
      labelNames: ['outcome'],
      registry,
    });
    const outVerdict = processed.cell({ outcome: 'verdict' });
    const outDlq = processed.cell({ outcome: 'dlq' });
    this.#verdicts = new CellCounter({
      name: name('modstream_verdicts_total'),
      help: 'Verdicts emitted, each once (Kafka mode: acknowledged by the broker), by action, top category ("none" when clean) and platform.',
      labelNames: ['action', 'category', 'platform'],
      registry,
    });
    this.#stageDuration = new FastHistogram<StageName>({
      name: name('modstream_stage_duration_seconds'),
      help: 'Time per stage: per message (1 in 16 sampled) for decode/match/detectors; per batch for ingest (wait before the pipeline), flood, classifier, policy, produce.',
      label: 'stage',
      values: STAGES,
      buckets: STAGE_BUCKETS,
      registry,
    });
    const stageErrorCounter = new CellCounter({
      name: name('modstream_stage_errors_total'),
      help: 'Errors per stage: records rejected at decode, a stage that threw, a failed state store, a refused HTTP request (ingest).',
      labelNames: ['stage'],
      registry,
    });
    const stageErrors = Object.fromEntries(
      STAGES.map((s) => [s, stageErrorCounter.cell({ stage: s })]),
    ) as StageCells;
    this.#dlq = new CellCounter({
      name: name('modstream_dlq_total'),
      help: 'Records that could not be judged (DLQ in Kafka mode, error output embedded), by error code.',
      labelNames: ['code'],
      registry,
    });
    for (const code of RECORD_ERROR_CODES) this.#dlqCells.set(code, this.#dlq.cell({ code }));
    const storeFailures = new Counter({
      name: name('modstream_store_failures_total'),
      help: 'Batches judged without their state store because it failed (failMode closed: findings become review).',
      labelNames: ['store'],
      registers,
    });

    // --- lexicon and policy ------------------------------------------------------------------------------
    this.#lexiconInfo = new Gauge({
      name: name('modstream_lexicon_info'),
      help: 'The lexicon version in use (value 1, one series).',
      labelNames: ['version'],
      registers,
    });
    this.#lexiconTerms = new Gauge({
      name: name('modstream_lexicon_terms'),
      help: 'Terms in the lexicon in use.',
      registers,
    });
    this.#policyInfo = new Gauge({
      name: name('modstream_policy_info'),
      help: 'The policy in use, name@version (value 1, one series).',
      labelNames: ['policy'],
      registers,
    });
    this.#reloads = new Counter({
      name: name('modstream_reloads_total'),
      help: 'Hot reloads of lexicons and policy, by kind and result.',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.#reloadFailing = new Gauge({
      name: name('modstream_reload_failing'),
      help: '1 while the latest reload of this kind failed (the previous version keeps running), else 0.',
      labelNames: ['kind'],
      registers,
    });

    // --- Kafka -------------------------------------------------------------------------------------------
    this.#lag = new Gauge({
      name: name('modstream_kafka_consumer_lag'),
      help: 'Records behind the high watermark after the latest processed batch, per partition.',
      labelNames: ['topic', 'partition'],
      registers,
    });
    const batchSize = new Histogram({
      name: name('modstream_kafka_batch_size'),
      help: 'Records per judged batch.',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    const commit = new Histogram({
      name: name('modstream_kafka_commit_duration_seconds'),
      help: 'Offset commit latency.',
      buckets: STAGE_BUCKETS,
      registers,
    });
    const judgeErrors = new Counter({
      name: name('modstream_kafka_judge_errors_total'),
      help: 'Batches whose judging threw and was retried (then judged record by record).',
      registers,
    });
    const assigned = new Gauge({
      name: name('modstream_kafka_assigned_partitions'),
      help: 'Partitions of the messages topic this instance owns.',
      registers,
    });

    // --- Redis ---------------------------------------------------------------------------------------------
    const redisCmd = new Histogram({
      name: name('modstream_redis_command_duration_seconds'),
      help: 'Redis round trip per batch (a pipeline of scripts).',
      buckets: STAGE_BUCKETS,
      registers,
    });
    const redisErrors = new Counter({
      name: name('modstream_redis_errors_total'),
      help: 'Failed Redis calls (errors, timeouts, probes while down), by store.',
      labelNames: ['store'],
      registers,
    });
    const failOpen = new Counter({
      name: name('modstream_redis_failopen_total'),
      help: 'Batches answered from in-memory state because Redis was unavailable (failMode open).',
      labelNames: ['store'],
      registers,
    });
    const failOpenActive = new Gauge({
      name: name('modstream_redis_failopen_active'),
      help: '1 while a store answers from memory because Redis is down, else 0.',
      labelNames: ['store'],
      registers,
    });

    // --- classifier ----------------------------------------------------------------------------------------
    const clfQueue = new Gauge({
      name: name('modstream_classifier_queue_depth'),
      help: 'Messages waiting for the classifier.',
      registers,
    });
    const clfBatch = new Histogram({
      name: name('modstream_classifier_batch_size'),
      help: 'Messages per classifier inference batch.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    });
    const clfTimeouts = new Counter({
      name: name('modstream_classifier_timeout_total'),
      help: 'Messages judged without the model because it ran out of its time budget.',
      registers,
    });
    const clfCrashes = new Counter({
      name: name('modstream_classifier_worker_crashes_total'),
      help: 'Classifier worker threads that died (and were restarted).',
      registers,
    });
    const clfSkipped = new Counter({
      name: name('modstream_classifier_skipped_total'),
      help: 'Messages not classified, by reason (queue_full, unavailable).',
      labelNames: ['reason'],
      registers,
    });

    const reasonsDropped = new Counter({
      name: name('modstream_reasons_dropped_total'),
      help: 'Reasons left out of verdicts to keep each within 256 KiB of reasons (repeats of one rule first, then the least severe).',
      registers,
    });

    // --- HTTP (embedded API and ops port) --------------------------------------------------------------------
    const httpRequests = new Counter({
      name: name('modstream_http_requests_total'),
      help: 'HTTP requests answered, by route and status code ("aborted" when the client left first).',
      labelNames: ['route', 'code'],
      registers,
    });
    const httpDuration = new Histogram({
      name: name('modstream_http_request_duration_seconds'),
      help: 'HTTP request duration, arrival to last byte (the verdict stream is not timed).',
      labelNames: ['route'],
      buckets: HTTP_BUCKETS,
      registers,
    });

    // Series that alerts take rate()/increase() of exist from the start at 0, so the first event counts.
    for (const store of LABEL_VALUES.store) {
      storeFailures.labels(store).inc(0);
      redisErrors.labels(store).inc(0);
      failOpen.labels(store).inc(0);
      failOpenActive.labels(store).set(0);
    }
    for (const kind of LABEL_VALUES.reload) {
      this.#reloads.labels(kind, 'success').inc(0);
      this.#reloads.labels(kind, 'failure').inc(0);
      this.#reloadFailing.labels(kind).set(0);
    }
    clfSkipped.labels('queue_full').inc(0);
    clfSkipped.labels('unavailable').inc(0);

    const stageDuration = this.#stageDuration;
    this.pipeline = {
      received: (n) => {
        messages.n += n;
      },
      judged: (n) => {
        judged.n += n;
      },
      stage: (stage, seconds) => stageDuration.observe(stage, seconds),
      stageError: (stage) => {
        const cell = stageErrors[stage];
        if (cell) cell.n++;
      },
      verdict: (v) => {
        outVerdict.n++;
        this.#verdictCell(v).n++;
      },
      dlq: (code) => {
        outDlq.n++;
        this.#dlqCell(code).n++;
        if (DECODE_ERROR_CODES.has(code)) stageErrors.decode.n++;
      },
      storeError: (store) => storeFailures.labels(store).inc(),
      reasonsDropped: (n) => reasonsDropped.inc(n),
    };
    this.kafka = {
      onBatch: (size) => batchSize.observe(size),
      onCommit: (ms) => commit.observe(ms / 1000),
      onLag: (topic, partition, lag) => this.#setLag(topic, partition, lag),
      // Counted through pipeline.dlq by the runtime, which also logs it: nothing more to do here.
      onDlq: () => {},
      onProduce: (seconds) => stageDuration.observe('produce', seconds),
      onJudgeError: () => judgeErrors.inc(),
      onAssignment: (partitions) => {
        assigned.set(partitions.length);
        this.#keepLag(partitions);
      },
    };
    this.redis = {
      onCommand: (s) => redisCmd.observe(s),
      onError: (store) => redisErrors.labels(store).inc(),
      onFailOpen: (store) => failOpen.labels(store).inc(),
      setFailOpen: (store, active) => failOpenActive.labels(store).set(active ? 1 : 0),
    };
    this.classifier = {
      onBatch: (size) => clfBatch.observe(size),
      onQueueDepth: (d) => clfQueue.set(d),
      onTimeout: () => clfTimeouts.inc(),
      onWorkerCrash: () => clfCrashes.inc(),
      onSkipped: (reason) => clfSkipped.labels(reason).inc(),
    };
    this.http = {
      onResponse: (route, status, seconds) => {
        const code =
          status === 0
            ? 'aborted'
            : HTTP_STATUSES.has(status)
              ? String(status)
              : `${Math.floor(status / 100)}xx`;
        httpRequests.labels(route, code).inc();
        if (route !== '/v1/verdicts') httpDuration.labels(route).observe(seconds);
        // A request the embedded API refused as a whole (bad body, too large, or no record judgeable): ingest.
        if (route === '/v1/messages' && status >= 400 && status < 500) stageErrors.ingest.n++;
      },
    };

    if (options.processMetrics !== false) registerProcessMetrics(registry);
  }

  #verdictCell(v: Verdict): CounterCell {
    const platform = this.#platforms.label(v.platform);
    let byAction = this.#verdictCells.get(platform);
    if (byAction === undefined) this.#verdictCells.set(platform, (byAction = new Map()));
    let byCategory = byAction.get(v.action);
    if (byCategory === undefined) byAction.set(v.action, (byCategory = new Map()));
    const category = topCategory(v);
    let cell = byCategory.get(category);
    if (cell === undefined) {
      cell = this.#verdicts.cell({ action: v.action, category, platform });
      byCategory.set(category, cell);
    }
    return cell;
  }

  #dlqCell(code: string): CounterCell {
    let cell = this.#dlqCells.get(code);
    if (cell !== undefined) return cell;
    // Only catalogue codes (and "other") are ever keys, so the map stays small whatever the caller passes.
    const label = dlqCodeLabel(code);
    cell = this.#dlqCells.get(label);
    if (cell === undefined) this.#dlqCells.set(label, (cell = this.#dlq.cell({ code: label })));
    return cell;
  }

  #setLag(topic: string, partition: number, lag: number): void {
    let parts = this.#lagSeries.get(topic);
    if (parts === undefined) this.#lagSeries.set(topic, (parts = new Set()));
    parts.add(partition);
    this.#lag.labels(topic, String(partition)).set(lag);
  }

  /** After a rebalance: lag of partitions now owned by another instance is theirs to report. */
  #keepLag(partitions: readonly number[]): void {
    const keep = new Set(partitions);
    for (const [topic, parts] of this.#lagSeries) {
      for (const p of parts) {
        if (keep.has(p)) continue;
        this.#lag.remove(topic, String(p));
        parts.delete(p);
      }
    }
  }

  /** The version gauges show exactly one series each: the one in use. */
  setLexicon(version: string, terms: number): void {
    if (this.#lastLexicon !== null && this.#lastLexicon !== version)
      this.#lexiconInfo.remove(this.#lastLexicon);
    this.#lexiconInfo.labels(version).set(1);
    this.#lexiconTerms.set(terms);
    this.#lastLexicon = version;
  }

  setPolicy(id: string): void {
    if (this.#lastPolicy !== null && this.#lastPolicy !== id) this.#policyInfo.remove(this.#lastPolicy);
    this.#policyInfo.labels(id).set(1);
    this.#lastPolicy = id;
  }

  reload(kind: 'lexicon' | 'policy', ok: boolean): void {
    this.#reloads.labels(kind, ok ? 'success' : 'failure').inc();
    this.#reloadFailing.labels(kind).set(ok ? 0 : 1);
  }

  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Kept for callers that stop the process metrics; the registry itself needs no closing. */
  close(): void {}
}
