/**
 * A Pipeline built from small fakes (unit tests of the hot path's wiring, not of its stages): a lexicon
 * that finds a few fixed words, no detectors, a folder that copies the text, the real policy engine on an
 * in-memory strike store that records every call, and a flood limiter that can be told to fail.
 */
import { MessageDecoder } from '../../../src/contracts/decode.js';
import { StoreError } from '../../../src/contracts/errors.js';
import type { Category, Message, Reason } from '../../../src/contracts/types.js';
import { MemoryFloodLimiter, floodHashUnits } from '../../../src/flood/index.js';
import type { FloodLimiter, FloodRequest, FloodResult } from '../../../src/flood/types.js';
import { growFoldBuffer } from '../../../src/fold/buffer.js';
import type { FoldBuffer } from '../../../src/fold/types.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { PipelineMetrics } from '../../../src/pipeline/metrics.js';
import type { FoldStage, LexiconStage } from '../../../src/pipeline/stages.js';
import { PolicyCompiler, PolicyEngine } from '../../../src/policy/index.js';
import { MemoryStrikeStore } from '../../../src/strikes/index.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../../../src/strikes/types.js';

export const T0 = 1_764_000_000_000;

/** Words the fake lexicon finds, with their category and severity. */
const WORDS: Record<string, [Category, number]> = {
  spam: ['ads', 2],
  drugs: ['illegal', 3],
  leak: ['privacy', 2],
};

export const fakeLexicon: LexiconStage = {
  version: 'sha256:test',
  termCount: Object.keys(WORDS).length,
  matchFolded(text: string, _buf: FoldBuffer, out: Reason[]) {
    for (const [word, [category, severity]] of Object.entries(WORDS)) {
      const at = text.indexOf(word);
      if (at < 0) continue;
      out.push({
        detector: 'lexicon',
        category,
        rule: `${category}:${word}`,
        match: word,
        span: [at, at + word.length],
        severity,
      });
    }
  },
};

export const copyFolder: FoldStage = {
  fold(text, buf) {
    growFoldBuffer(buf, text.length);
    for (let i = 0; i < text.length; i++) buf.codes[i] = text.charCodeAt(i);
    buf.length = text.length;
    return buf;
  },
};

/** A strike store that logs every call, and fails (StoreError) while `down`. */
export class SpyStrikes implements StrikeStore {
  readonly inner = new MemoryStrikeStore({ clock: () => T0 });
  readonly calls: string[] = [];
  down = false;
  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    this.calls.push(`record ${batch.length}`);
    if (this.down) return Promise.reject(new StoreError('strike record: timeout'));
    return this.inner.record(batch);
  }
  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]> {
    this.calls.push(`peek ${batch.length}`);
    if (this.down) return Promise.reject(new StoreError('strike peek: timeout'));
    return this.inner.peek(batch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The in-memory limiter, or a StoreError while `down` (what fail-closed Redis does). */
export class SwitchableFlood implements FloodLimiter {
  readonly inner = new MemoryFloodLimiter({ clock: () => T0 });
  down = false;
  calls = 0;
  check(batch: readonly FloodRequest[]): Promise<FloodResult[]> {
    this.calls++;
    if (this.down)
      return Promise.reject(new StoreError('flood check: redis connecting', { unavailable: true }));
    return this.inner.check(batch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Counts what the pipeline reports. */
export class RecordingMetrics implements PipelineMetrics {
  received_ = 0;
  judged_ = 0;
  verdicts: string[] = [];
  storeErrors: string[] = [];
  reasonsDropped_ = 0;
  stageErrors: string[] = [];
  received(n: number): void {
    this.received_ += n;
  }
  judged(n: number): void {
    this.judged_ += n;
  }
  stage(): void {}
  stageError(stage: string): void {
    this.stageErrors.push(stage);
  }
  verdict(v: { messageId: string; action: string }): void {
    this.verdicts.push(`${v.messageId}:${v.action}`);
  }
  dlq(): void {}
  storeError(kind: string): void {
    this.storeErrors.push(kind);
  }
  reasonsDropped(n: number): void {
    this.reasonsDropped_ += n;
  }
}

export const TEST_POLICY = new PolicyCompiler().compile({
  name: 'test',
  version: 1,
  groups: { 'qq:1': { exemptions: { userIds: ['boss'] } }, 'qq:2': { dryRun: true } },
});

export function buildPipeline(
  o: {
    flood?: FloodLimiter;
    strikes?: StrikeStore;
    metrics?: PipelineMetrics;
    onStoreError?: 'review' | 'throw';
  } = {},
) {
  const strikes = o.strikes ?? new SpyStrikes();
  const policy = new PolicyEngine({
    policy: TEST_POLICY,
    strikes,
    clock: () => T0,
    onStoreError: o.onStoreError ?? 'review',
  });
  const pipeline = new Pipeline({
    decoder: new MessageDecoder(),
    lexicon: fakeLexicon,
    detectors: { detect() {} },
    policy,
    folder: copyFolder,
    hashFolded: floodHashUnits,
    flood: o.flood ?? null,
    metrics: o.metrics,
    sampleEvery: 1,
  });
  return { pipeline, policy, strikes };
}

let seq = 0;
export function message(over: Partial<Message> = {}): Message {
  const n = ++seq;
  return {
    id: `qq:1:${n}`,
    platform: 'qq',
    groupId: '1',
    userId: '42',
    text: 'hello',
    ts: T0 + n,
    ...over,
  } as Message;
}

export const record = (m: Message) => ({ raw: JSON.stringify(m), source: {} });
