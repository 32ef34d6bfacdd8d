/**
 * End to end, a planned stop: SIGTERM in the middle of a live stream. `modstream run` must finish the
 * in-flight batch, commit what it produced, leave the group and exit 0 — so a new instance in the same
 * group starts exactly where it stopped: nothing already acknowledged is delivered again (not one
 * duplicate verdict), nothing is skipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  committedOffsets,
  createTopics,
  deleteTopics,
  endOffsets,
  requireKafka,
  requireRedis,
  waitFor,
} from '../../helpers/services.js';
import {
  TopicCollector,
  assertOneDecisionPerMessage,
  assertVerdictRecordsWellFormed,
  deleteRedisKeys,
  e2eNames,
  processorSpec,
  produceSteadily,
  referenceDecisions,
  traffic,
  waitForVerdicts,
  type Decision,
} from './kit.js';
import { ProcessorProcess } from './processor-process.js';

const kafka = await requireKafka();
const redis = await requireRedis();

describe(
  'e2e: SIGTERM shuts the processor down gracefully',
  { skip: kafka.skip || redis.skip, timeout: 120_000 },
  () => {
    const names = e2eNames('sigterm');
    const brokers = kafka.brokers;
    const messages = traffic({ prefix: names.prefix, count: 5000 });
    const spec = processorSpec(names, brokers, redis.url);
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

    it('exits 0 mid-stream with everything it produced committed; the next instance redelivers nothing', async (t) => {
      const first = await ProcessorProcess.spawn('first', spec);
      running.push(first);
      await first.ready();
      const producing = produceSteadily(brokers, names.topics.messages, messages, 1500);

      await waitFor(() => collector.size >= 800, 'the first instance to be under way', { timeoutMs: 60_000 });
      const exit = await first.terminate();
      assert.deepEqual(exit, { code: 0, signal: null }, `exit status\n${first.output()}`);

      // What it produced is exactly what it committed: every verdict written belongs to a committed offset.
      const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + (b > 0n ? b : 0n), 0n);
      const committed = sum(await committedOffsets(brokers, names.groupId, names.topics.messages));
      const written = sum(await endOffsets(brokers, names.topics.verdicts));
      assert.ok(written > 0n, 'the first instance produced verdicts');
      assert.equal(
        committed,
        written,
        'committed offsets cover exactly the messages whose verdicts were written',
      );
      await producing;
      assert.ok(committed < BigInt(messages.length), 'stopped mid-stream, with work left');

      const second = await ProcessorProcess.spawn('second', spec);
      running.push(second);
      await second.ready();
      const verdicts = await waitForVerdicts(collector, messages, 90_000);
      assertVerdictRecordsWellFormed(verdicts);
      const report = assertOneDecisionPerMessage(verdicts, messages, expected);
      assert.equal(report.duplicates, 0, 'no acknowledged message was delivered again');
      assert.equal(verdicts.length, messages.length);
      t.diagnostic(`the first instance judged ${written} of ${messages.length} messages before SIGTERM`);

      const end = await second.terminate();
      assert.deepEqual(end, { code: 0, signal: null }, `second instance exit\n${second.output()}`);
    });
  },
);
