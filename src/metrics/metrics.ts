import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ACTIONS, CATEGORIES, type Verdict } from '../contracts/types.js';
import type { PipelineMetrics, StageName } from '../pipeline/metrics.js';

/** Microseconds to seconds: folding+matching takes µs, a Redis round trip ms, a classifier batch tens of ms. */
export const STAGE_BUCKETS = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5,
];
const STAGES: readonly StageName[] = ['ingest', 'decode', 'match', 'detectors', 'flood', 'classifier', 'policy', 'produce'];
const METRIC_NAME = /^modstream_[a-z][a-z0-9_]*$/;
/** Platforms are client-supplied: the first N seen get their own label value, the rest share "other". */
const MAX_PLATFORMS = 32;

export interface MetricsOptions {
  /** Injected registry; a new one by default (never prom-client's global). */
  registry?: Registry;
  /** Process metrics (CPU, memory, GC, handles) and event-loop lag. Default true. */
  processMetrics?: boolean;
}

export interface KafkaMetricsHooks {
  onBatch(size: number): void;
  onCommit(ms: number): void;
  onLag(topic: string, partition: number, lag: number): void;
  onDlq(code: string): void;
  onProduce(seconds: number): void;
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

/**
 * Every modstream metric, on one injected registry. Names are checked at construction; label children for
 * the bounded label sets (stage, action, category) are bound once, so hot-path calls are a property read
 * and an add. Label values never include user, group or message ids, nor matched text.
 */
export class ModstreamMetrics {
  readonly registry: Registry;
  readonly pipeline: PipelineMetrics;
  readonly kafka: KafkaMetricsHooks;
  readonly redis: RedisMetricsHooks;
  readonly classifier: ClassifierMetricsHooks;

  readonly #messages: Counter;
  readonly #processed: Counter;
  readonly #verdicts: Counter<'action' | 'category' | 'platform'>;
  readonly #stageDuration: Histogram<'stage'>;
  readonly #stageErrors: Counter<'stage'>;
  readonly #dlq: Counter<'code'>;
  readonly #lexiconInfo: Gauge<'version'>;
  readonly #lexiconTerms: Gauge;
  readonly #policyInfo: Gauge<'policy'>;
  readonly #reloads: Counter<'kind' | 'result'>;
  readonly #lag: Gauge<'topic' | 'partition'>;
  readonly #eld: IntervalHistogram | null;
  readonly #platforms = new Map<string, string>();
  readonly #verdictChildren = new Map<string, Map<string, Map<string, { inc(n?: number): void }>>>();
  #lastLexicon: string | null = null;
  #lastPolicy: string | null = null;

  constructor(options: MetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const reg = [registry];
    const name = (n: string) => {
      if (!METRIC_NAME.test(n)) throw new Error(`invalid metric name ${n}`);
      return n;
    };

    this.#messages = new Counter({ name: name('modstream_messages_total'), help: 'Records received by the pipeline (valid or not).', registers: reg });
    this.#processed = new Counter({ name: name('modstream_messages_processed_total'), help: 'Records that left the pipeline, by outcome (verdict or dlq).', labelNames: ['outcome'], registers: reg });
    this.#verdicts = new Counter({ name: name('modstream_verdicts_total'), help: 'Verdicts emitted, by action, top category ("none" when clean) and platform.', labelNames: ['action', 'category', 'platform'], registers: reg });
    this.#stageDuration = new Histogram({ name: name('modstream_stage_duration_seconds'), help: 'Time spent per stage: per message (sampled) for decode/match/detectors, per batch for flood/classifier/policy/produce.', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers: reg });
    this.#stageErrors = new Counter({ name: name('modstream_stage_errors_total'), help: 'Errors per stage (a record sent to the DLQ, a store failure, a classifier failure).', labelNames: ['stage'], registers: reg });
    this.#dlq = new Counter({ name: name('modstream_dlq_total'), help: 'Records that could not be judged, by error code.', labelNames: ['code'], registers: reg });
    this.#lexiconInfo = new Gauge({ name: name('modstream_lexicon_info'), help: 'The lexicon version in use (value 1).', labelNames: ['version'], registers: reg });
    this.#lexiconTerms = new Gauge({ name: name('modstream_lexicon_terms'), help: 'Terms in the lexicon in use.', registers: reg });
    this.#policyInfo = new Gauge({ name: name('modstream_policy_info'), help: 'The policy in use, name@version (value 1).', labelNames: ['policy'], registers: reg });
    this.#reloads = new Counter({ name: name('modstream_reloads_total'), help: 'Hot reloads of lexicons and policy, by result.', labelNames: ['kind', 'result'], registers: reg });
    this.#lag = new Gauge({ name: name('modstream_kafka_consumer_lag'), help: 'Messages behind the high watermark, per partition.', labelNames: ['topic', 'partition'], registers: reg });
    const batchSize = new Histogram({ name: name('modstream_kafka_batch_size'), help: 'Records per consumed batch.', buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers: reg });
    const commit = new Histogram({ name: name('modstream_kafka_commit_duration_seconds'), help: 'Offset commit latency.', buckets: STAGE_BUCKETS, registers: reg });
    const redisCmd = new Histogram({ name: name('modstream_redis_command_duration_seconds'), help: 'Redis round trip per batch (pipeline of scripts).', buckets: STAGE_BUCKETS, registers: reg });
    const redisErrors = new Counter({ name: name('modstream_redis_errors_total'), help: 'Redis errors and timeouts, by store.', labelNames: ['store'], registers: reg });
    const failOpen = new Counter({ name: name('modstream_redis_failopen_total'), help: 'Batches answered from in-memory state because Redis was unavailable (failMode open).', labelNames: ['store'], registers: reg });
    const failOpenActive = new Gauge({ name: name('modstream_redis_failopen_active'), help: '1 while a store answers from memory because Redis is down.', labelNames: ['store'], registers: reg });
    const clfQueue = new Gauge({ name: name('modstream_classifier_queue_depth'), help: 'Messages waiting for the classifier.', registers: reg });
    const clfBatch = new Histogram({ name: name('modstream_classifier_batch_size'), help: 'Messages per classifier inference batch.', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: reg });
    const clfTimeouts = new Counter({ name: name('modstream_classifier_timeout_total'), help: 'Messages judged without the model because it ran out of its time budget.', registers: reg });
    const clfCrashes = new Counter({ name: name('modstream_classifier_worker_crashes_total'), help: 'Classifier worker threads that died (restarted).', registers: reg });
    const clfSkipped = new Counter({ name: name('modstream_classifier_skipped_total'), help: 'Messages not classified, by reason.', labelNames: ['reason'], registers: reg });

    // Bind label children once for the bounded sets.
    const stageChildren = new Map(STAGES.map((s) => [s, this.#stageDuration.labels(s)] as const));
    const stageErrChildren = new Map(STAGES.map((s) => [s, this.#stageErrors.labels(s)] as const));
    const outVerdict = this.#processed.labels('verdict');
    const outDlq = this.#processed.labels('dlq');
    for (const s of STAGES) this.#stageErrors.labels(s).inc(0);
    this.#dlq.labels('BAD_JSON').inc(0);
    failOpen.labels('flood').inc(0);
    failOpen.labels('strikes').inc(0);
    failOpenActive.labels('flood').set(0);
    failOpenActive.labels('strikes').set(0);

    const messages = this.#messages;
    const dlq = this.#dlq;
    this.pipeline = {
      received: (n) => messages.inc(n),
      stage: (stage, seconds) => stageChildren.get(stage)!.observe(seconds),
      stageError: (stage) => stageErrChildren.get(stage)!.inc(),
      verdict: (v) => {
        outVerdict.inc();
        this.#verdictChild(v).inc();
      },
      dlq: (code) => {
        outDlq.inc();
        dlq.labels(code).inc();
      },
      storeError: (kind) => redisErrors.labels(kind).inc(),
    };
    this.kafka = {
      onBatch: (size) => batchSize.observe(size),
      onCommit: (ms) => commit.observe(ms / 1000),
      onLag: (topic, partition, lag) => this.#lag.labels(topic, String(partition)).set(lag),
      onDlq: () => {},
      onProduce: (seconds) => stageChildren.get('produce')!.observe(seconds),
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

    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: registry, prefix: 'modstream_', eventLoopMonitoringPrecision: 10 });
      const eld = (this.#eld = monitorEventLoopDelay({ resolution: 10 }));
      eld.enable();
      new Gauge({
        name: name('modstream_event_loop_lag_p99_seconds'),
        help: 'p99 event-loop delay since the previous scrape.',
        registers: reg,
        collect() {
          this.set(eld.percentile(99) / 1e9);
          eld.reset();
        },
      });
    } else {
      this.#eld = null;
    }
  }

  #verdictChild(v: Verdict): { inc(n?: number): void } {
    const category = topCategory(v);
    let platform = this.#platforms.get(v.platform);
    if (platform === undefined) {
      platform = this.#platforms.size < MAX_PLATFORMS ? v.platform : 'other';
      this.#platforms.set(v.platform, platform);
    }
    let byAction = this.#verdictChildren.get(platform);
    if (!byAction) this.#verdictChildren.set(platform, (byAction = new Map()));
    let byCategory = byAction.get(v.action);
    if (!byCategory) byAction.set(v.action, (byCategory = new Map()));
    let child = byCategory.get(category);
    if (!child) byCategory.set(category, (child = this.#verdicts.labels(v.action, category, platform)));
    return child;
  }

  /** The version gauges show exactly one series each: the one in use. */
  setLexicon(version: string, terms: number): void {
    if (this.#lastLexicon !== null && this.#lastLexicon !== version) this.#lexiconInfo.remove(this.#lastLexicon);
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
  }

  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.#eld?.disable();
  }
}

/** The category a verdict is counted under: the most severe non-shadow reason, or "none". */
export function topCategory(v: Verdict): string {
  let best: string = 'none';
  let sev = -1;
  for (const r of v.reasons) {
    if (r.shadow) continue;
    if (r.severity > sev) {
      sev = r.severity;
      best = r.category;
    }
  }
  return best;
}

/** Every label value the bounded labels can take, for dashboards and tests. */
export const LABEL_VALUES = { action: ACTIONS, category: [...CATEGORIES, 'none'], stage: STAGES } as const;
