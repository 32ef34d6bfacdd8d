/**
 * Two processor instances in one consumer group while partitions move between them: a second instance
 * joins mid-stream, then the first leaves. No message is lost; a redelivered one gets the same verdict;
 * each chat group's first verdicts stay in order.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { KafkaStreamProcessor } from '../../../src/transport/kafka/index.js';
import { produceRecords, readTopic, requireKafka, waitFor } from '../../helpers/services.js';
import { EchoJudge, testMessage } from './echo-judge.js';
import { assertEveryMessageJudgedConsistently, startProcessor, testNames, testSettings } from './fixtures.js';

const kafka = await requireKafka();

describe('kafka transport: rebalance', { skip: kafka.skip }, () => {
  const brokers = kafka.brokers;
  const running: KafkaStreamProcessor[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it(
    'loses nothing while a second instance joins and the first one leaves',
    { timeout: 120_000 },
    async () => {
      const names = testNames('rebalance');
      const settings = testSettings(brokers, names, { partitions: 4, maxBatchRecords: 10 });
      const groups = Array.from({ length: 12 }, (_, i) => `${names.prefix}-g${i}`);
      let seq = 0;
      const produced: string[] = [];
      const produceRound = async (perGroup: number) => {
        const batch = [];
        for (let i = 0; i < perGroup; i++) {
          seq++;
          for (const g of groups) batch.push(testMessage(g, seq));
        }
        produced.push(...batch.map((m) => m.id));
        await produceRecords(
          brokers,
          names.topics.messages,
          batch.map((m) => ({ key: `qq:${m.groupId}`, value: JSON.stringify(m) })),
        );
      };
      const verdictCount = async () =>
        new Set((await readTopic(brokers, names.topics.verdicts)).map((r) => r.headers['message-id'])).size;

      // Slow judges so batches are in flight when the group rebalances.
      const first = await startProcessor(new EchoJudge({ delayMs: 20 }), settings);
      running.push(first);
      assert.deepEqual(
        first.stats().assigned,
        [0, 1, 2, 3],
        'alone, the first instance owns every partition',
      );
      await produceRound(10);

      const second = await startProcessor(new EchoJudge({ delayMs: 20 }), settings);
      running.push(second);
      await produceRound(10);
      await waitFor(
        () => first.stats().assigned.length === 2 && second.stats().assigned.length === 2,
        'the partitions to be shared between the two instances',
      );
      assert.deepEqual([...first.stats().assigned, ...second.stats().assigned].sort(), [0, 1, 2, 3]);
      await produceRound(10);

      // The first instance leaves gracefully mid-stream; the second takes everything over.
      await first.stop();
      await waitFor(() => second.stats().assigned.length === 4, 'the second instance to own every partition');
      await produceRound(10);

      await waitFor(
        async () => (await verdictCount()) >= produced.length,
        `verdicts for all ${produced.length} messages`,
        {
          timeoutMs: 90_000,
        },
      );
      const verdicts = await readTopic(brokers, names.topics.verdicts);
      assertEveryMessageJudgedConsistently(verdicts, produced.length);
      assert.ok(
        first.stats().records > 0 && second.stats().records > 0,
        'both instances did part of the work',
      );
      assert.ok(second.stats().rebalances >= 2, 'the second instance saw the first one leave');
    },
  );
});
