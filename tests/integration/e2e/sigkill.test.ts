/**
 * End to end, a crash: `modstream run` is killed with SIGKILL while it works through a live stream (no
 * shutdown at all: whatever it judged and produced but had not committed is redelivered), and a new
 * instance takes over the group. Every message must end up with exactly one DISTINCT verdict — a
 * redelivered message judged again identically (the Redis strike store is idempotent by message id, so
 * nobody climbs the ladder twice) — and the decisions must be the reference run's. Then the whole topic
 * is delivered once more (offsets reset) and judged identically again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  committedOffsets,
  createTopics,
  deleteTopics,
  endOffsets,
  quietKafka,
  requireKafka,
  requireRedis,
  waitFor,
} from '../../helpers/services.js';
import {
  TopicCollector,
  assertOneDecisionPerMessage,
  assertOrderPerGroup,
  assertVerdictRecordsWellFormed,
  deleteRedisKeys,
  e2eNames,
  parseVerdicts,
  processorSpec,
  produceSteadily,
  referenceDecisions,
  traffic,
  verdictIds,
  waitForVerdicts,
  type Decision,
} from './kit.js';
import { ProcessorProcess } from './processor-process.js';

const kafka = await requireKafka();
const redis = await requireRedis();

// The killed member holds its partitions until its session expires: keep that short.
const FAST_SESSION = { kafka: { sessionTimeoutMs: 6000 } };

describe(
  'e2e: a processor killed with SIGKILL mid-stream, then restarted',
  { skip: kafka.skip || redis.skip, timeout: 150_000 },
  () => {
    const names = e2eNames('sigkill');
    const brokers = kafka.brokers;
    // 48 s of event time: a flood log keeps a message's first answer for the longest window (60 s of
    // event time), which is as far back as redelivery is idempotent for flood decisions.
    const messages = traffic({
      prefix: names.prefix,
      count: 6000,
      spacingMs: 8,
      usersPerGroup: 20,
      mentions: false,
    });
    const spec = processorSpec(names, brokers, redis.url, { configFile: FAST_SESSION });
    const running: ProcessorProcess[] = [];
    let collector: TopicCollector;
    let expected: Map<string, Decision>;

    before(async () => {
      await createTopics(brokers, Object.values(names.topics), 4);
      collector = await TopicCollector.start(brokers, names.topics.verdicts);
      expected = await referenceDecisions(messages);
    });

    after(async () => {
      await Promise.all(running.map((p) => p.dispose()));
      await collector?.stop();
      await deleteTopics(brokers, Object.values(names.topics));
      await deleteRedisKeys(redis.url, names.redisKeyPrefix);
    });

    it('gives every message exactly one distinct verdict, the reference one', async (t) => {
      const first = await ProcessorProcess.spawn('first', spec);
      running.push(first);
      await first.ready();
      const producing = produceSteadily(brokers, names.topics.messages, messages, 1500);

      // Kill it while it works: some verdicts out, most of the stream still to come.
      await waitFor(() => collector.size >= 800, 'the first instance to be under way', { timeoutMs: 60_000 });
      const killed = await first.kill();
      assert.equal(killed.signal, 'SIGKILL');
      const judgedBeforeKill = verdictIds(collector).size;
      assert.ok(judgedBeforeKill < messages.length, 'killed mid-stream, with work left');
      await producing;

      const committed = [...(await committedOffsets(brokers, names.groupId, names.topics.messages)).values()];
      const end = [...(await endOffsets(brokers, names.topics.messages)).values()];
      const sum = (xs: bigint[]) => xs.reduce((a, b) => a + (b > 0n ? b : 0n), 0n);
      assert.ok(sum(committed) < sum(end), 'uncommitted messages were left for the next instance');

      const second = await ProcessorProcess.spawn('second', spec);
      running.push(second);
      await second.ready(60_000);
      const verdicts = await waitForVerdicts(collector, messages, 90_000);

      assertVerdictRecordsWellFormed(verdicts);
      assertOrderPerGroup(verdicts, messages);
      const report = assertOneDecisionPerMessage(verdicts, messages, expected);
      assert.equal(report.distinct, messages.length);
      // Redelivered copies (if the kill fell between a produce and its commit) are identical, checked above.
      t.diagnostic(`${judgedBeforeKill} judged before the kill, ${report.duplicates} verdicts redelivered`);

      const exit = await second.terminate();
      assert.equal(exit.code, 0, `second instance exit\n${second.output()}`);
    });

    it('judges every message identically when the whole topic is delivered again', async () => {
      // The worst case of redelivery, on purpose: the group's offsets go back to the start, so a new
      // instance judges everything a second time against the Redis state the first run left behind.
      const judgedOnce = collector.size;
      const admin = quietKafka(brokers).admin();
      await admin.connect();
      try {
        await admin.resetOffsets({ groupId: names.groupId, topic: names.topics.messages, earliest: true });
      } finally {
        await admin.disconnect();
      }
      const replay = await ProcessorProcess.spawn('replay', spec);
      running.push(replay);
      await replay.ready();
      await waitFor(
        () => collector.size >= judgedOnce + messages.length,
        'the replay to judge every message',
        {
          timeoutMs: 90_000,
        },
      );
      const verdicts = parseVerdicts(collector.records());
      const report = assertOneDecisionPerMessage(verdicts, messages, expected);
      assert.ok(report.duplicates >= messages.length, 'every message was judged again, identically');
      const exit = await replay.terminate();
      assert.equal(exit.code, 0, `replay instance exit\n${replay.output()}`);
    });
  },
);
