import { performance } from 'node:perf_hooks';
import type { MessageDecoder } from '../contracts/decode.js';
import { isModstreamError, ModstreamError, StoreError } from '../contracts/errors.js';
import type { Message, Reason, Verdict } from '../contracts/types.js';
import type { FloodLimiter, FloodRequest } from '../flood/types.js';
import { floodReasons } from '../flood/reasons.js';
import { NOOP_METRICS, type PipelineMetrics } from './metrics.js';
import { createFoldBuffer } from '../fold/buffer.js';
import type { FoldBuffer } from '../fold/types.js';
import type {
  ClassifierStage,
  DetectorStage,
  FoldedHasher,
  FoldStage,
  LexiconStage,
  PolicyDecision,
  PolicyStage,
} from './stages.js';
import { errorRecord, hrNow } from './records.js';
import { capReasons } from './reasons-cap.js';
import type { BatchJudge, IncomingRecord, JudgeOptions, Outcome } from './types.js';

export interface PipelineOptions {
  decoder: MessageDecoder;
  lexicon: LexiconStage;
  detectors: DetectorStage;
  policy: PolicyStage;
  /** The folder the lexicon was compiled with: text is folded once and shared by matching and flood. */
  folder: FoldStage;
  /** Hash of the folded text for duplicate / cross-group flood detection. */
  hashFolded: FoldedHasher;
  /** Null turns flood control off. */
  flood?: FloodLimiter | null;
  classifier?: ClassifierStage | null;
  metrics?: PipelineMetrics;
  /** Per-message timings of the CPU stages are sampled 1 in `sampleEvery` (a power of two) to keep overhead low. */
  sampleEvery?: number;
  /** Called when a store (flood/strikes) fails and the batch is judged without it; for logging. */
  onStoreError?: (stage: 'flood' | 'strikes', error: unknown) => void;
}

interface Judged {
  index: number;
  message: Message;
  reasons: Reason[];
  receivedAt: number;
  /** Flood key of the folded text ('' for an empty text). */
  textHash: string;
}

/**
 * The hot path: records in → verdicts (or error records) out, in order. Decoding, folding, matching and
 * detectors run synchronously per message; flood control, the classifier and the policy (strike store) run
 * once per batch, so a Redis-backed deployment pays one round trip per stage per batch, not per message.
 *
 * The lexicon and policy can be swapped at any time (hot reload): a batch reads both references once at
 * its start, so every message of a batch is judged against one consistent version.
 */
export class Pipeline implements BatchJudge {
  #lexicon: LexiconStage;
  #policy: PolicyStage;
  readonly #decoder: MessageDecoder;
  readonly #detectors: DetectorStage;
  readonly #folder: FoldStage;
  readonly #hashFolded: FoldedHasher;
  readonly #buf: FoldBuffer = createFoldBuffer(256);
  readonly #flood: FloodLimiter | null;
  readonly #classifier: ClassifierStage | null;
  readonly #metrics: PipelineMetrics;
  readonly #sampleMask: number;
  readonly #onStoreError: (stage: 'flood' | 'strikes', error: unknown) => void;
  #sampleCounter = 0;

  constructor(options: PipelineOptions) {
    this.#decoder = options.decoder;
    this.#lexicon = options.lexicon;
    this.#detectors = options.detectors;
    this.#policy = options.policy;
    this.#folder = options.folder;
    this.#hashFolded = options.hashFolded;
    this.#flood = options.flood ?? null;
    this.#classifier = options.classifier ?? null;
    this.#metrics = options.metrics ?? NOOP_METRICS;
    const every = options.sampleEvery ?? 16;
    this.#sampleMask = every <= 1 ? 0 : 2 ** Math.ceil(Math.log2(every)) - 1;
    this.#onStoreError = options.onStoreError ?? (() => {});
  }

  get lexicon(): LexiconStage {
    return this.#lexicon;
  }
  get policy(): PolicyStage {
    return this.#policy;
  }
  /** Atomic swap: the next batch uses the new lexicon. */
  setLexicon(lexicon: LexiconStage): void {
    this.#lexicon = lexicon;
  }
  setPolicy(policy: PolicyStage): void {
    this.#policy = policy;
  }

  /**
   * Counts records judged with `deferCounting` once their outcomes were delivered (see BatchJudge): as
   * received, and their verdicts as emitted.
   */
  countDelivered(records: number, verdicts: readonly Verdict[]): void {
    const metrics = this.#metrics;
    metrics.received(records);
    for (const v of verdicts) metrics.verdict(v);
  }

  async judge(records: readonly IncomingRecord[], options?: JudgeOptions): Promise<Outcome[]> {
    const lexicon = this.#lexicon;
    const policy = this.#policy;
    const metrics = this.#metrics;
    // Every attempt is counted as judged; the records themselves once, here or by the transport.
    const counting = options?.deferCounting !== true;
    metrics.judged(records.length);
    if (counting) metrics.received(records.length);
    const outcomes: Outcome[] = new Array(records.length);
    const judged: Judged[] = [];
    const batchStart = hrNow();
    const hashing = this.#flood !== null;
    // Ingest: how long the batch waited between the transport receiving it and the pipeline starting on it.
    const arrived = records.length > 0 ? records[0]!.receivedAt : undefined;
    if (arrived !== undefined)
      metrics.stage('ingest', batchStart > arrived ? (batchStart - arrived) / 1000 : 0);

    // 1. Decode + content stages, synchronous per message.
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      const sampled = (this.#sampleCounter++ & this.#sampleMask) === 0;
      let t0 = sampled ? performance.now() : 0;
      const decoded =
        rec.oversizeBytes === undefined
          ? this.#decoder.decode(rec.raw)
          : this.#decoder.oversize(rec.oversizeBytes);
      if (sampled) {
        const t1 = performance.now();
        metrics.stage('decode', (t1 - t0) / 1000);
        t0 = t1;
      }
      if (!decoded.ok) {
        // Counted where it leaves (DLQ producer, error output), so a record is never counted twice.
        outcomes[i] = {
          kind: 'error',
          error: errorRecord(decoded.error.code, decoded.error.message, rec.raw, rec.source),
        };
        continue;
      }
      const message = decoded.message;
      const reasons: Reason[] = [];
      let textHash = '';
      try {
        if (message.text.length > 0) {
          const buf = this.#folder.fold(message.text, this.#buf);
          lexicon.matchFolded(message.text, buf, reasons);
          if (hashing) textHash = this.#hashFolded(buf.codes, buf.length);
        }
        if (sampled) {
          const t1 = performance.now();
          metrics.stage('match', (t1 - t0) / 1000);
          t0 = t1;
        }
        this.#detectors.detect(message, reasons);
        const dropped = capReasons(reasons);
        if (dropped > 0) metrics.reasonsDropped(dropped);
        if (sampled) metrics.stage('detectors', (performance.now() - t0) / 1000);
      } catch (e) {
        // A stage bug must not take the stream down: the record goes to the DLQ with the cause.
        metrics.stageError('match');
        outcomes[i] = {
          kind: 'error',
          error: errorRecord('PROCESSING_FAILED', describe(e), rec.raw, rec.source),
        };
        continue;
      }
      judged.push({ index: i, message, reasons, receivedAt: rec.receivedAt ?? batchStart, textHash });
    }
    if (judged.length === 0) return outcomes;

    // 2. Flood control: one call for the batch, requests in order.
    // Set when the flood store failed (failMode 'closed'): the batch is then judged without any state.
    let floodFailure: unknown = null;
    if (this.#flood) {
      const requests: FloodRequest[] = [];
      const owners: Judged[] = [];
      for (const j of judged) {
        const limits = policy.floodLimits(j.message);
        if (!limits) continue;
        const m = j.message;
        requests.push({
          platform: m.platform,
          groupId: m.groupId,
          userId: m.userId,
          messageId: m.id,
          textHash: j.textHash,
          ts: m.ts,
          limits,
        });
        owners.push(j);
      }
      if (requests.length > 0) {
        const t0 = performance.now();
        try {
          const results = await this.#flood.check(requests);
          for (let k = 0; k < owners.length; k++) {
            const r = results[k];
            if (r && r.hits.length > 0) floodReasons(r, owners[k]!.reasons);
          }
        } catch (e) {
          // failMode 'closed' (a failing store rejects): judged without flood state, verdicts become review.
          floodFailure = e;
          metrics.stageError('flood');
          metrics.storeError('flood');
          this.#onStoreError('flood', e);
        }
        metrics.stage('flood', (performance.now() - t0) / 1000);
      }
    }

    // 3. Optional classifier, batched; it never throws (timeouts are judged without the model).
    if (this.#classifier) {
      const t0 = performance.now();
      try {
        await this.#classifier.classify(judged);
      } catch {
        // The classifier stage is advisory: a failure judges the batch without it (counted).
        metrics.stageError('classifier');
      }
      metrics.stage('classifier', (performance.now() - t0) / 1000);
    }

    // 4. Policy + strikes: one store call for the batch.
    const t0 = performance.now();
    let decisions: PolicyDecision[] | null;
    if (floodFailure !== null) {
      // Judged without state: no strike may be recorded (the flood findings are unknown, and fail-closed
      // promises none), so the policy is not asked to decide; its degraded decision stands in, as when the
      // strike store fails: review, with delete/notify where the category asks and exemptions respected.
      decisions = await degradedDecisions(policy, judged, floodFailure);
    } else {
      try {
        decisions = await policy.decide(judged);
        // The policy answered `review` for messages whose strikes it could not record (fail-closed Redis).
        const failed = decisions.find((d) => d.storeError);
        if (failed) {
          metrics.storeError('strikes');
          this.#onStoreError('strikes', failed.storeError);
        }
      } catch (e) {
        if (!(isModstreamError(e) && (e.code === 'STORE_UNAVAILABLE' || e.code === 'STORE_ERROR'))) throw e;
        // The policy rejected the batch (onStoreError 'throw'): its degraded decision, recording nothing more.
        metrics.stageError('policy');
        metrics.storeError('strikes');
        this.#onStoreError('strikes', e);
        decisions = await degradedDecisions(policy, judged, e);
      }
    }
    metrics.stage('policy', (performance.now() - t0) / 1000);

    const lexiconVersion = lexicon.version;
    const now = hrNow();
    for (let k = 0; k < judged.length; k++) {
      const j = judged[k]!;
      const m = j.message;
      const d = decisions?.[k];
      let verdict: Verdict;
      if (d) {
        verdict = {
          v: 1,
          messageId: m.id,
          platform: m.platform,
          groupId: m.groupId,
          userId: m.userId,
          action: d.action,
          deleteMessage: d.deleteMessage,
          muteSeconds: d.muteSeconds,
          notifyAdmins: d.notifyAdmins,
          reasons: d.reasons,
          strikes: d.strikes,
          dryRun: d.dryRun,
          policy: d.policy,
          lexiconVersion,
          ts: Math.round(now),
          latencyMs: round3(now - j.receivedAt),
        };
      } else {
        // Fail-closed with a policy stage that has no degraded decision: no ladder step can be taken, and
        // nothing is known of deletion or exemptions; a person decides what was found.
        const hasReasons = j.reasons.some((r) => !r.shadow);
        verdict = {
          v: 1,
          messageId: m.id,
          platform: m.platform,
          groupId: m.groupId,
          userId: m.userId,
          action: hasReasons ? 'review' : 'allow',
          deleteMessage: false,
          muteSeconds: 0,
          notifyAdmins: false,
          reasons: j.reasons,
          strikes: 0,
          dryRun: false,
          policy: policy.id,
          lexiconVersion,
          ts: Math.round(now),
          latencyMs: round3(now - j.receivedAt),
        };
      }
      if (counting) metrics.verdict(verdict);
      outcomes[j.index] = { kind: 'verdict', verdict };
    }
    return outcomes;
  }
}

/**
 * The policy's decisions for a batch judged without its state store, recording nothing: the stage's
 * `decideDegraded` (the policy engine's is its answer to a failing strike store: review; delete and notify
 * as the categories ask; exempt senders allowed); null for a stage without one.
 */
async function degradedDecisions(
  policy: PolicyStage,
  batch: readonly { message: Message; reasons: Reason[] }[],
  cause: unknown,
): Promise<PolicyDecision[] | null> {
  const error =
    cause instanceof StoreError
      ? cause
      : new StoreError(`state store failed: ${describe(cause)}`, { cause, unavailable: true });
  return policy.decideDegraded ? policy.decideDegraded(batch, error) : null;
}

function round3(x: number): number {
  return x > 0 ? Math.round(x * 1000) / 1000 : 0;
}

function describe(e: unknown): string {
  if (e instanceof ModstreamError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
