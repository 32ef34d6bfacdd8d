/** Shared set-up for the Kafka transport tests: per-test topics and group, a processor, a recording logger. */
import assert from 'node:assert/strict';
import type { Verdict } from '../../../src/contracts/types.js';
import type { BatchJudge } from '../../../src/pipeline/types.js';
import type { KafkaSettingsInput, TransportLogger } from '../../../src/transport/kafka/index.js';
import { KafkaStreamProcessor } from '../../../src/transport/kafka/index.js';
import { randomPrefix, type ReadRecord } from '../../helpers/services.js';
import { seqOf } from './echo-judge.js';

export interface TestNames {
  prefix: string;
  groupId: string;
  topics: { messages: string; verdicts: string; dlq: string };
}

export function testNames(label: string): TestNames {
  const prefix = randomPrefix(label);
  return {
    prefix,
    groupId: `${prefix}.group`,
    topics: { messages: `${prefix}.messages`, verdicts: `${prefix}.verdicts`, dlq: `${prefix}.dlq` },
  };
}

/** Settings tuned for quick tests on a one-node broker: short waits, quick heartbeats, small retries. */
export function testSettings(
  brokers: string[],
  names: TestNames,
  overrides: Partial<KafkaSettingsInput> = {},
): KafkaSettingsInput {
  return {
    brokers,
    clientId: names.prefix,
    groupId: names.groupId,
    topics: names.topics,
    partitions: 3,
    maxWaitTimeMs: 50,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 10_000,
    retries: 2,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 100,
    ...overrides,
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** Keeps what the transport logs, so tests can check it logged (not how it worded it). */
export class RecordingLogger implements TransportLogger {
  readonly lines: LogLine[] = [];
  debug(obj: object, msg?: string) {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg?: string) {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string) {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string) {
    this.lines.push({ level: 'error', obj, msg });
  }
}

export async function startProcessor(
  judge: BatchJudge,
  settings: KafkaSettingsInput,
  logger: TransportLogger = new RecordingLogger(),
): Promise<KafkaStreamProcessor> {
  const processor = new KafkaStreamProcessor({ judge, kafka: settings, logger });
  await processor.start();
  return processor;
}

/** Every message has a verdict; redelivered copies are identical; first verdicts per group are in order. */
export function assertEveryMessageJudgedConsistently(verdicts: ReadRecord[], expected: number): void {
  const byId = new Map<string, string>();
  const firstSeqs = new Map<string, number[]>();
  for (const r of verdicts) {
    const v = JSON.parse(r.text) as Verdict;
    const seen = byId.get(v.messageId);
    if (seen !== undefined) {
      assert.equal(r.text, seen, `redelivered ${v.messageId} judged differently`);
      continue;
    }
    byId.set(v.messageId, r.text);
    const seqs = firstSeqs.get(r.key!) ?? [];
    seqs.push(seqOf(v.messageId));
    firstSeqs.set(r.key!, seqs);
  }
  assert.equal(byId.size, expected, 'one distinct verdict per message');
  for (const [key, seqs] of firstSeqs) {
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      `first verdicts of ${key} in order`,
    );
  }
}
