/**
 * The Kafka transport against a real broker: order per chat group end to end, the DLQ for poison records
 * and for judge failures, and verdicts the broker refuses. Each test has its own topics and group.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Verdict } from '../../../src/contracts/types.js';
import type { DlqValue, KafkaStreamProcessor } from '../../../src/transport/kafka/index.js';
import {
  committedOffsets,
  endOffsets,
  produceRecords,
  readTopic,
  requireKafka,
  waitFor,
} from '../../helpers/services.js';
import { EchoJudge, seqOf, testMessage } from './echo-judge.js';
import { RecordingLogger, startProcessor, testNames, testSettings } from './fixtures.js';

const kafka = await requireKafka();

describe('kafka transport: processing', { skip: kafka.skip }, () => {
  const brokers = kafka.brokers;
  const running: KafkaStreamProcessor[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it('keeps the order of each chat group end to end, one verdict per message, keyed and headed', async () => {
    const names = testNames('order');
    const groups = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
    const perGroup = 40;
    // Interleaved across groups, as chat traffic is.
    const messages = [];
    for (let seq = 1; seq <= perGroup; seq++)
      for (const g of groups) messages.push(testMessage(`${names.prefix}-${g}`, seq));

    // Small units (7 records) so every fetched batch is split and order must hold across the splits.
    const p = await startProcessor(new EchoJudge(), testSettings(brokers, names, { maxBatchRecords: 7 }));
    running.push(p);
    await produceRecords(
      brokers,
      names.topics.messages,
      messages.map((m) => ({ key: `${m.platform}:${m.groupId}`, value: JSON.stringify(m) })),
    );

    const verdicts = await waitFor(async () => {
      const v = await readTopic(brokers, names.topics.verdicts);
      return v.length >= messages.length ? v : null;
    }, `${messages.length} verdicts`);
    assert.equal(verdicts.length, messages.length, 'exactly one verdict per message in a clean run');

    const byKey = new Map<string, number[]>();
    for (const r of verdicts) {
      const v = JSON.parse(r.text) as Verdict;
      assert.equal(r.key, `${v.platform}:${v.groupId}`, 'verdict key is platform:groupId');
      assert.equal(r.headers['message-id'], v.messageId, 'message-id header carries the message id');
      assert.equal(r.headers['content-type'], 'application/json');
      const seqs = byKey.get(r.key!) ?? [];
      seqs.push(seqOf(v.messageId));
      byKey.set(r.key!, seqs);
    }
    assert.equal(byKey.size, groups.length);
    for (const [key, seqs] of byKey) {
      assert.deepEqual(
        seqs,
        Array.from({ length: perGroup }, (_, i) => i + 1),
        `verdicts of ${key} in message order`,
      );
    }

    // Everything judged is committed.
    const ends = await endOffsets(brokers, names.topics.messages);
    let committed = new Map<number, bigint>();
    await waitFor(async () => {
      committed = await committedOffsets(brokers, names.groupId, names.topics.messages);
      // An empty partition has nothing to commit (-1).
      return [...ends].every(([partition, end]) =>
        end === 0n ? (committed.get(partition) ?? -1n) <= 0n : committed.get(partition) === end,
      );
    }, 'offsets committed up to the end').catch((e: Error) => {
      throw new Error(`${e.message}: ends ${[...ends].join(' ')}, committed ${[...committed].join(' ')}`);
    });
    assert.equal(p.stats().records, messages.length);
  });

  it('sends poison records to the DLQ with the reason, the original bytes and the source', async () => {
    const names = testNames('poison');
    const p = await startProcessor(new EchoJudge(), testSettings(brokers, names, { partitions: 1 }));
    running.push(p);
    const good = testMessage(`${names.prefix}-g`, 1);
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x41, 0x7d]);
    await produceRecords(brokers, names.topics.messages, [
      { key: 'k', value: '{"id": not json' },
      { key: 'k', value: notUtf8 },
      { key: 'k', value: JSON.stringify({ id: 'x', text: 'no platform' }) },
      { key: 'k', value: null },
      { key: `${good.platform}:${good.groupId}`, value: JSON.stringify(good) },
    ]);

    const dlq = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.dlq);
      return r.length >= 4 ? r : null;
    }, '4 DLQ records');
    const values = dlq.map((r) => JSON.parse(r.text) as DlqValue);
    assert.deepEqual(
      values.map((v) => v.error.code),
      ['BAD_JSON', 'BAD_ENCODING', 'BAD_MESSAGE', 'BAD_JSON'],
    );
    assert.deepEqual(
      dlq.map((r) => r.headers['error-code']),
      ['BAD_JSON', 'BAD_ENCODING', 'BAD_MESSAGE', 'BAD_JSON'],
    );
    assert.ok(
      dlq.every((r) => r.key === 'k'),
      'DLQ records keep the original key',
    );
    assert.equal(values[0].raw, '{"id": not json');
    assert.equal(values[0].encoding, undefined);
    assert.equal(values[1].encoding, 'base64');
    assert.deepEqual(Buffer.from(values[1].raw, 'base64'), notUtf8, 'non-UTF-8 bytes survive, base64');
    assert.equal(values[3].raw, '', 'a null value is an empty raw');
    values.forEach((v, i) => {
      assert.deepEqual(v.source, { topic: names.topics.messages, partition: 0, offset: String(i) });
      assert.ok(v.error.message.length > 0);
    });

    const verdicts = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.verdicts);
      return r.length >= 1 ? r : null;
    }, 'the good message verdict');
    assert.equal(verdicts.length, 1);
    assert.equal((JSON.parse(verdicts[0].text) as Verdict).messageId, good.id);
  });

  it('retries a batch whose judge throws, then sends only the failing record to the DLQ and goes on', async () => {
    const names = testNames('boom');
    const judge = new EchoJudge();
    const logger = new RecordingLogger();
    const p = await startProcessor(
      judge,
      testSettings(brokers, names, { partitions: 1, retries: 2 }),
      logger,
    );
    running.push(p);
    const g = `${names.prefix}-g`;
    const key = `qq:${g}`;
    const first = [1, 2, 3, 4, 5].map((seq) =>
      testMessage(g, seq, seq === 3 ? 'boom goes the judge' : `ok ${seq}`),
    );
    await produceRecords(
      brokers,
      names.topics.messages,
      first.map((m) => ({ key, value: JSON.stringify(m) })),
    );

    const dlq = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.dlq);
      return r.length >= 1 ? r : null;
    }, 'the boom record in the DLQ');
    assert.equal(dlq.length, 1);
    const value = JSON.parse(dlq[0].text) as DlqValue;
    assert.equal(value.error.code, 'PROCESSING_FAILED');
    assert.match(value.error.message, /boom/);
    assert.equal(JSON.parse(value.raw).id, first[2].id, 'the original record rides along');
    assert.ok(judge.throws >= 3, `the batch was tried 1 + 2 retries times (threw ${judge.throws})`);
    assert.ok(
      logger.lines.some((l) => l.level === 'warn'),
      'judge failures are logged',
    );

    // The partition is not wedged: later messages are judged too, in order.
    const later = [6, 7].map((seq) => testMessage(g, seq));
    await produceRecords(
      brokers,
      names.topics.messages,
      later.map((m) => ({ key, value: JSON.stringify(m) })),
    );
    const verdicts = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.verdicts);
      return r.length >= 6 ? r : null;
    }, '6 verdicts');
    assert.deepEqual(
      verdicts.map((r) => seqOf((JSON.parse(r.text) as Verdict).messageId)),
      [1, 2, 4, 5, 6, 7],
    );
  });

  it('turns a verdict the broker refuses (too large) into a DLQ record instead of blocking the partition', async () => {
    const names = testNames('huge');
    const p = await startProcessor(new EchoJudge(), testSettings(brokers, names, { partitions: 1 }));
    running.push(p);
    const g = `${names.prefix}-g`;
    const key = `qq:${g}`;
    const msgs = [testMessage(g, 1), testMessage(g, 2, 'a huge verdict'), testMessage(g, 3)];
    await produceRecords(
      brokers,
      names.topics.messages,
      msgs.map((m) => ({ key, value: JSON.stringify(m) })),
    );

    const verdicts = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.verdicts);
      return r.length >= 2 ? r : null;
    }, 'the two normal verdicts');
    assert.deepEqual(
      verdicts.map((r) => (JSON.parse(r.text) as Verdict).messageId),
      [msgs[0].id, msgs[2].id],
    );
    const dlq = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.dlq);
      return r.length >= 1 ? r : null;
    }, 'the refused verdict in the DLQ');
    const value = JSON.parse(dlq[0].text) as DlqValue;
    assert.equal(value.error.code, 'PROCESSING_FAILED');
    assert.match(value.error.message, /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    assert.equal(value.source.offset, '1');
    assert.equal(p.stats().dlq, 1);
  });

  it('moves on when one request held a DLQ record that was written and a verdict that was refused', async () => {
    // The DLQ record and the verdict go to two topics in one request; the broker writes one and refuses
    // the other. With kafkajs' idempotent producer the resend one by one met OUT_OF_ORDER_SEQUENCE_NUMBER
    // for ever and the partition never moved on.
    const names = testNames('mixed-refusal');
    const p = await startProcessor(new EchoJudge(), testSettings(brokers, names, { partitions: 3 }));
    running.push(p);
    const g = `${names.prefix}-g`;
    const key = `qq:${g}`;
    const after = testMessage(g, 3);
    await produceRecords(brokers, names.topics.messages, [
      { key, value: '{not json' },
      { key, value: '{"still": "not a message"}' },
      { key, value: JSON.stringify(testMessage(g, 2, 'a huge verdict')) },
      { key, value: JSON.stringify(after) },
    ]);
    const verdicts = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.verdicts);
      return r.length >= 1 ? r : null;
    }, 'the verdict after them');
    assert.deepEqual(
      verdicts.map((r) => (JSON.parse(r.text) as Verdict).messageId),
      [after.id],
    );
    const dlq = await waitFor(async () => {
      const r = await readTopic(brokers, names.topics.dlq);
      return new Set(r.map((x) => (JSON.parse(x.text) as DlqValue).source.offset)).size >= 3 ? r : null;
    }, 'the bad records and the refused verdict in the DLQ');
    // A bad record's DLQ record may be there twice: written with the refused request, then resent with the
    // others one by one (at-least-once).
    assert.deepEqual([...new Set(dlq.map((r) => (JSON.parse(r.text) as DlqValue).source.offset))].sort(), [
      '0',
      '1',
      '2',
    ]);
  });
});
