/**
 * A stand-in for the real pipeline in transport tests: deterministic (a redelivered message gets the same
 * verdict), cheap, and able to misbehave on demand. Records:
 *   - not UTF-8 → BAD_ENCODING; not JSON → BAD_JSON; missing id/platform/groupId/userId/text → BAD_MESSAGE
 *   - text containing "boom" → the whole judge() call throws (a poison record for the judge)
 *   - text containing "huge" → a verdict of ~1.5 MB (more than the broker accepts)
 *   - text containing "bad" → action "warn", else "allow"
 */
import type { Message, Verdict } from '../../../src/contracts/types.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../../src/pipeline/types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface EchoJudgeOptions {
  /** Milliseconds each judge() call takes (simulates work, so batches overlap with rebalances and kills). */
  delayMs?: number;
  /** Awaited at the start of every judge() call: lets a test hold a batch in flight. */
  gate?: () => Promise<void>;
  /** Throw on every call (a judge that is down). */
  alwaysThrow?: boolean;
}

export class EchoJudge implements BatchJudge {
  calls = 0;
  records = 0;
  throws = 0;
  readonly #options: EchoJudgeOptions;

  constructor(options: EchoJudgeOptions = {}) {
    this.#options = options;
  }

  async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    this.calls++;
    this.records += records.length;
    if (this.#options.gate) await this.#options.gate();
    if (this.#options.delayMs) await new Promise((r) => setTimeout(r, this.#options.delayMs));
    if (this.#options.alwaysThrow) {
      this.throws++;
      throw new Error('judge is down');
    }
    const outcomes = records.map((r) => judgeOne(r));
    if (outcomes.some((o) => o === 'boom')) {
      this.throws++;
      throw new Error('boom: the judge cannot handle this record');
    }
    return outcomes as Outcome[];
  }
}

function judgeOne(record: IncomingRecord): Outcome | 'boom' {
  let text: string;
  try {
    text = typeof record.raw === 'string' ? record.raw : strictUtf8.decode(record.raw);
  } catch {
    return error(record, 'BAD_ENCODING', 'record is not valid UTF-8');
  }
  let m: Partial<Message>;
  try {
    m = JSON.parse(text) as Partial<Message>;
  } catch (e) {
    return error(record, 'BAD_JSON', `record is not valid JSON: ${(e as Error).message}`);
  }
  if (
    !m ||
    typeof m !== 'object' ||
    !m.id ||
    !m.platform ||
    !m.groupId ||
    !m.userId ||
    typeof m.text !== 'string'
  ) {
    return error(record, 'BAD_MESSAGE', 'record does not match message v1');
  }
  if (m.text.includes('boom')) return 'boom';
  const verdict: Verdict = {
    v: 1,
    messageId: m.id,
    platform: m.platform,
    groupId: m.groupId,
    userId: m.userId,
    action: m.text.includes('bad') ? 'warn' : 'allow',
    deleteMessage: m.text.includes('bad'),
    muteSeconds: 0,
    notifyAdmins: false,
    reasons: [],
    strikes: 0,
    dryRun: false,
    policy: 'echo@1',
    lexiconVersion: 'sha256:test',
    ts: m.ts ?? 0,
    latencyMs: 0,
  };
  if (m.text.includes('huge')) {
    verdict.reasons = Array.from({ length: 1500 }, (_, i) => ({
      detector: 'lexicon' as const,
      category: 'ads' as const,
      rule: `ads:${i}`,
      match: 'x'.repeat(1000),
      severity: 1,
    }));
  }
  return { kind: 'verdict', verdict };
}

function error(record: IncomingRecord, code: string, message: string): Outcome {
  return {
    kind: 'error',
    error: {
      error: { code, message },
      raw: typeof record.raw === 'string' ? record.raw : record.raw.toString('utf8'),
      source: record.source,
    },
  };
}

/** A message v1 for tests: id `platform:groupId:seq`. */
export function testMessage(groupId: string, seq: number, text = `hello ${seq}`, platform = 'qq'): Message {
  return {
    v: 1,
    id: `${platform}:${groupId}:${seq}`,
    platform,
    groupId,
    userId: `u${seq % 7}`,
    text,
    ts: 1_764_000_000_000 + seq,
  };
}

/** Message seq from an id made by testMessage. */
export function seqOf(messageId: string): number {
  return Number(messageId.slice(messageId.lastIndexOf(':') + 1));
}
