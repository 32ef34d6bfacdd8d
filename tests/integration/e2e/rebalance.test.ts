/**
 * End to end, scaling: two `modstream run` instances in one consumer group while the stream flows. The
 * second joins mid-stream (the partitions are split between them), then the first leaves (SIGTERM; the
 * second takes everything over). No message may be lost, and a message judged by both (handed over
 * between a produce and its commit) must have been judged identically; decisions are the reference run's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireKafka, requireRedis, waitFor } from '../../helpers/services.js';
import { e2eNames, liveRun, traffic, waitForVerdicts } from './kit.js';

const kafka = await requireKafka();
const redis = await requireRedis();

// Members notice a rebalance at their next heartbeat (a third of the session).
const FAST_SESSION = { kafka: { sessionTimeoutMs: 6000 } };

describe(
  'e2e: two processor instances in one group during a rebalance',
  { skip: kafka.skip || redis.skip, timeout: 150_000 },
  () => {
    const names = e2eNames('rebalance');
    const brokers = kafka.brokers;
    const messages = traffic({ prefix: names.prefix, count: 8000, groups: 12, mentions: false });
    const run = liveRun({
      names,
      brokers,
      redisUrl: redis.url,
      messages,
      spec: {
        configFile: FAST_SESSION,
        // Small units, so many commits happen while partitions move.
        env: { MODSTREAM_KAFKA_MAX_BATCH_RECORDS: '100' },
      },
    });

    it('loses nothing and never judges a message twice differently', async (t) => {
      const { first, producing } = await run.startStream(12_000);
      assert.deepEqual(
        await first.assigned(),
        [0, 1, 2, 3],
        'alone, the first instance owns every partition',
      );

      // The second instance joins mid-stream; the group splits the partitions between the two.
      await run.underWay(1000, 'the stream to be under way');
      const collector = run.collector;
      const second = await run.spawn('second');
      const [mine, theirs] = await Promise.all([first.waitAssigned(2), second.waitAssigned(2)]);
      assert.deepEqual([...mine, ...theirs].sort(), [0, 1, 2, 3], 'every partition has one owner');
      const atSplit = collector.size;
      await waitFor(() => collector.size >= atSplit + 500, 'both instances to work on the stream', {
        timeoutMs: 60_000,
      });
      const firstJudged = await first.metric('modstream_messages_total');
      const secondJudged = await second.metric('modstream_messages_total');
      assert.ok(firstJudged > 0 && secondJudged > 0, 'both instances judged messages');

      // The first leaves mid-stream; the second takes every partition over.
      const exit = await first.terminate();
      assert.equal(exit.code, 0, `first instance exit\n${first.output()}`);
      await second.waitAssigned(4);
      await producing;

      const verdicts = await waitForVerdicts(collector, messages, 90_000);
      const report = run.assertVerdicts(verdicts);
      t.diagnostic(
        `when the first left it had judged ${firstJudged} messages, the second ${secondJudged}; ${report.duplicates} verdicts redelivered`,
      );
      const end = await second.terminate();
      assert.equal(end.code, 0, `second instance exit\n${second.output()}`);
    });
  },
);
