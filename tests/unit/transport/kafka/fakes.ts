/** Test doubles for the Kafka batch logic: a judge, a sink and a consumer's batch control, all in memory. */
import type { Verdict } from '../../../../src/contracts/types.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../../../src/pipeline/types.js';
import type {
  BatchControl,
  OutgoingRecord,
  RecordSink,
  SourceBatch,
  SourceRecord,
} from '../../../../src/transport/types.js';

export function verdictFor(id: string): Verdict {
  return {
    v: 1,
    messageId: id,
    platform: 'qq',
    groupId: 'g',
    userId: 'u',
    action: 'allow',
    deleteMessage: false,
    muteSeconds: 0,
    notifyAdmins: false,
    reasons: [],
    strikes: 0,
    dryRun: false,
    policy: 'p@1',
    lexiconVersion: 'sha256:x',
    ts: 0,
    latencyMs: 0,
  };
}

/** Verdict per record (id = the record's text), 'bad' → BAD_JSON outcome; `fail` decides when to throw. */
export class FakeJudge implements BatchJudge {
  readonly calls: string[][] = [];
  active = 0;
  maxActive = 0;
  constructor(
    readonly fail: (texts: string[], call: number) => boolean = () => false,
    readonly gate?: () => Promise<void>,
  ) {}
  async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    const texts = records.map((r) => r.raw.toString());
    this.calls.push(texts);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.gate) await this.gate();
      else await Promise.resolve();
      if (this.fail(texts, this.calls.length)) throw new Error(`judge failed on ${texts.join(',')}`);
      return texts.map((t, i) =>
        t === 'bad'
          ? {
              kind: 'error',
              error: { error: { code: 'BAD_JSON', message: 'bad' }, raw: t, source: records[i].source },
            }
          : { kind: 'verdict', verdict: verdictFor(t) },
      );
    } finally {
      this.active--;
    }
  }
}

export class FakeSink implements RecordSink {
  readonly sends: OutgoingRecord[][] = [];
  constructor(readonly fail: (records: readonly OutgoingRecord[]) => unknown = () => null) {}
  async send(records: readonly OutgoingRecord[]): Promise<void> {
    const error = this.fail(records);
    if (error) throw error;
    this.sends.push([...records]);
  }
  get records(): OutgoingRecord[] {
    return this.sends.flat();
  }
}

export class FakeControl implements BatchControl {
  readonly log: string[] = [];
  active = true;
  resolveOffset(offset: string): void {
    this.log.push(`resolve ${offset}`);
  }
  async commit(): Promise<void> {
    this.log.push('commit');
  }
  async heartbeat(): Promise<void> {
    this.log.push('heartbeat');
  }
  isActive(): boolean {
    return this.active;
  }
}

export function batchOf(texts: string[], partition = 0, highWatermark?: string): SourceBatch {
  const records: SourceRecord[] = texts.map((t, i) => ({
    offset: String(i),
    key: Buffer.from('k'),
    value: Buffer.from(t),
  }));
  return { topic: 'in', partition, highWatermark: highWatermark ?? String(texts.length), records };
}

export const noSleep = async (_ms: number, signal: AbortSignal) => !signal.aborted;
