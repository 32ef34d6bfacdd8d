/**
 * End to end, the steady case: `modstream run` (Kafka mode, Redis state) judges a stream of generated chat
 * traffic, a hand-written strike ladder and poison records. Checks the whole output: every verdict valid,
 * keyed platform:groupId with the message-id header, in order per group, the same decisions as the
 * reference run (so the ladder climbed exactly once per violation), state kept in Redis; every poison
 * record in the DLQ with its reason and origin, and the stream carrying on behind it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../../src/contracts/types.js';
import {
  createTopics,
  deleteTopics,
  produceRecords,
  requireKafka,
  requireRedis,
  waitFor,
  type RawRecord,
} from '../../helpers/services.js';
import {
  TopicCollector,
  assertOneDecisionPerMessage,
  assertOrderPerGroup,
  assertVerdictRecordsWellFormed,
  deleteRedisKeys,
  e2eNames,
  parseDlq,
  processorSpec,
  produceMessages,
  redisKeys,
  referenceDecisions,
  traffic,
  waitForVerdicts,
  type Decision,
  type ParsedVerdict,
} from './kit.js';
import { ProcessorProcess } from './processor-process.js';

const kafka = await requireKafka();
const redis = await requireRedis();
const skip = kafka.skip || redis.skip;

const MAX_RECORD_BYTES = 256 * 1024;

describe('e2e: modstream run on Kafka + Redis, steady stream', { skip, timeout: 120_000 }, () => {
  const names = e2eNames('stream');
  const brokers = kafka.brokers;
  const now = Date.now();
  const generated = traffic({ prefix: names.prefix, count: 1500 });

  // One user climbing the default ladder in a group of their own: warn → mute 7 d → kick → ban.
  const ladderGroup = `${names.prefix}-ladder`;
  const ladderText = [
    '加微信领取免费礼品',
    '收到，我这边没问题',
    '兼职刷单日赚五百，私聊',
    '加 薇 信 免费领取',
    '你这个傻逼',
  ];
  const ladder: Message[] = ladderText.map((text, i) => ({
    v: 1,
    id: `qq:${ladderGroup}:${i + 1}`,
    platform: 'qq',
    groupId: ladderGroup,
    userId: 'climber',
    text,
    ts: now - (ladderText.length - i) * 1000,
  }));
  const firstHalf = [...generated.slice(0, 750), ...ladder.slice(0, 2)];
  const secondHalf = [...generated.slice(750), ...ladder.slice(2)];
  const messages = [...firstHalf, ...secondHalf];

  // Poison records, keyed like a real group so they sit in a partition between judged messages.
  const poisonKey = `qq:${generated[0].groupId}`;
  const valid = (over: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      id: 'qq:x:1',
      platform: 'qq',
      groupId: 'x',
      userId: 'u',
      text: 'hi',
      ts: now,
      ...over,
    });
  const poison: { label: string; code: string; value: Buffer }[] = [
    { label: 'bad JSON', code: 'BAD_JSON', value: Buffer.from('{"v":1,"id":"qq:1:1","text":"加微信') },
    { label: 'wrong types', code: 'BAD_MESSAGE', value: Buffer.from(valid({ id: 42, ts: 'yesterday' })) },
    { label: 'missing fields', code: 'BAD_MESSAGE', value: Buffer.from('{"v":1,"text":"hello"}') },
    {
      label: 'oversize record',
      code: 'OVERSIZE',
      value: Buffer.from(valid({ id: 'qq:x:big', padding: 'x'.repeat(MAX_RECORD_BYTES + 10) })),
    },
    {
      label: 'oversize text',
      code: 'OVERSIZE',
      value: Buffer.from(valid({ id: 'qq:x:long', text: '长'.repeat(30_000) })),
    },
    {
      label: 'invalid UTF-8',
      code: 'BAD_ENCODING',
      value: Buffer.concat([
        Buffer.from('{"v":1,"text":"'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
    },
  ];

  let processor: ProcessorProcess;
  let verdictCollector: TopicCollector;
  let dlqCollector: TopicCollector;
  let inputCollector: TopicCollector;
  let verdicts: ParsedVerdict[];
  let expected: Map<string, Decision>;

  before(async () => {
    await createTopics(brokers, Object.values(names.topics), 4);
    [verdictCollector, dlqCollector, inputCollector] = await Promise.all([
      TopicCollector.start(brokers, names.topics.verdicts),
      TopicCollector.start(brokers, names.topics.dlq),
      TopicCollector.start(brokers, names.topics.messages),
    ]);
    processor = await ProcessorProcess.spawn(
      'stream',
      processorSpec(names, brokers, redis.url, {
        env: {
          MODSTREAM_MAX_RECORD_BYTES: String(MAX_RECORD_BYTES),
          MODSTREAM_KAFKA_MAX_BATCH_RECORDS: '100',
        },
      }),
    );
    expected = await referenceDecisions(messages);
    await processor.ready();

    await produceMessages(brokers, names.topics.messages, firstHalf);
    const poisonRecords: RawRecord[] = poison.map((p) => ({ key: poisonKey, value: p.value }));
    await produceRecords(brokers, names.topics.messages, poisonRecords);
    await produceMessages(brokers, names.topics.messages, secondHalf);

    verdicts = await waitForVerdicts(verdictCollector, messages, 60_000);
    await waitFor(() => dlqCollector.size >= poison.length, 'the poison records in the DLQ');
  });

  after(async () => {
    await processor?.dispose();
    await Promise.all([verdictCollector?.stop(), dlqCollector?.stop(), inputCollector?.stop()]);
    await deleteTopics(brokers, Object.values(names.topics));
    await deleteRedisKeys(redis.url, names.redisKeyPrefix);
  });

  it('produces a valid verdict v1 for every message, keyed platform:groupId with the message-id header', () => {
    assertVerdictRecordsWellFormed(verdicts);
    assert.ok(verdicts.length >= messages.length);
  });

  it('keeps the order of each chat group end to end', () => {
    assertOrderPerGroup(verdicts, messages);
  });

  it('reaches the same decision as the reference run for every message (one strike per violation)', () => {
    const report = assertOneDecisionPerMessage(verdicts, messages, expected);
    assert.equal(report.duplicates, 0, 'a steady run without failures judges each message once');
    const actions = new Set([...expected.values()].map((d) => d.action));
    for (const a of ['allow', 'warn', 'mute'] as const)
      assert.ok(actions.has(a), `the traffic exercises ${a} (got ${[...actions].join(', ')})`);
  });

  it('climbs the strike ladder: warn, (clean: allow), mute 7 days, kick, ban', () => {
    const byId = new Map(verdicts.map((v) => [v.verdict.messageId, v.verdict]));
    const got = ladder.map((m) => {
      const v = byId.get(m.id)!;
      return [v.action, v.strikes, v.muteSeconds, v.deleteMessage];
    });
    assert.deepEqual(got, [
      ['warn', 1, 0, true],
      ['allow', 0, 0, false],
      ['mute', 2, 604_800, true],
      ['kick', 3, 0, true],
      ['ban', 4, 0, true],
    ]);
  });

  it('keeps the state in Redis under its key prefix (and never fell back to memory)', async () => {
    const keys = await redisKeys(redis.url, names.redisKeyPrefix);
    assert.ok(keys.length > 0, 'strike and flood keys written under the prefix');
    assert.ok(
      keys.every((k) => /\{[^}]+\}/.test(k)),
      'every key carries a {hash tag} (Redis Cluster-safe)',
    );
    assert.equal(await processor.metric('modstream_redis_failopen_total'), 0);
  });

  it('sends each poison record to the DLQ with its reason and origin; the stream carries on', async () => {
    const dlq = parseDlq(dlqCollector.records());
    assert.equal(dlq.length, poison.length, 'one DLQ record per poison record, nothing else');
    const inputs = inputCollector.records();
    for (const p of poison) {
      const original = inputs.find((r) => r.value !== null && r.value.equals(p.value));
      assert.ok(original, `${p.label}: found in the messages topic`);
      const entry = dlq.find(
        (d) =>
          d.value.source.partition === original.partition &&
          d.value.source.offset === String(original.offset),
      );
      assert.ok(entry, `${p.label}: in the DLQ with its source partition and offset`);
      const { record, value } = entry;
      assert.equal(value.error.code, p.code, `${p.label}: error code`);
      assert.ok(value.error.message.length > 0, `${p.label}: error message`);
      assert.equal(value.source.topic, names.topics.messages, `${p.label}: source topic`);
      assert.equal(record.headers['error-code'], p.code, `${p.label}: error-code header`);
      assert.equal(record.key, poisonKey, `${p.label}: keyed like the original`);
      const raw =
        value.encoding === 'base64' ? Buffer.from(value.raw, 'base64') : Buffer.from(value.raw, 'utf8');
      assert.ok(raw.equals(p.value), `${p.label}: raw holds the original bytes`);
      assert.equal(
        value.encoding === 'base64',
        p.code === 'BAD_ENCODING',
        `${p.label}: base64 only when not UTF-8`,
      );
    }
    // Messages of the poison's group produced after the poison records were judged too (checked above by
    // "every message has a verdict"); the processor counted the DLQ records.
    assert.equal(await processor.metric('modstream_dlq_total'), poison.length);
  });
});
