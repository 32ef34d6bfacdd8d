/**
 * End to end, a planned stop: SIGTERM in the middle of a live stream. `modstream run` must finish the
 * in-flight batch, commit what it produced, leave the group and exit 0 — so a new instance in the same
 * group starts exactly where it stopped: nothing already acknowledged is delivered again (not one
 * duplicate verdict), nothing is skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { committedOffsets, endOffsets, requireKafka, requireRedis } from '../../helpers/services.js';
import { e2eNames, liveRun, totalOffset, traffic, waitForVerdicts } from './kit.js';

const kafka = await requireKafka();
const redis = await requireRedis();

describe(
  'e2e: SIGTERM shuts the processor down gracefully',
  { skip: kafka.skip || redis.skip, timeout: 120_000 },
  () => {
    const names = e2eNames('sigterm');
    const brokers = kafka.brokers;
    const messages = traffic({ prefix: names.prefix, count: 5000 });
    const run = liveRun({ names, brokers, redisUrl: redis.url, messages });

    it('exits 0 mid-stream with everything it produced committed; the next instance redelivers nothing', async (t) => {
      const { first, producing } = await run.startStream(1500);

      await run.underWay(800, 'the first instance to be under way');
      const exit = await first.terminate();
      assert.deepEqual(exit, { code: 0, signal: null }, `exit status\n${first.output()}`);

      // What it produced is exactly what it committed: every verdict written belongs to a committed offset.
      const committed = totalOffset(await committedOffsets(brokers, names.groupId, names.topics.messages));
      const written = totalOffset(await endOffsets(brokers, names.topics.verdicts));
      assert.ok(written > 0n, 'the first instance produced verdicts');
      assert.equal(
        committed,
        written,
        'committed offsets cover exactly the messages whose verdicts were written',
      );
      await producing;
      assert.ok(committed < BigInt(messages.length), 'stopped mid-stream, with work left');

      const second = await run.spawn('second');
      await second.ready();
      const verdicts = await waitForVerdicts(run.collector, messages, 90_000);
      const report = run.assertVerdicts(verdicts, { orderPerGroup: false });
      assert.equal(report.duplicates, 0, 'no acknowledged message was delivered again');
      assert.equal(verdicts.length, messages.length);
      t.diagnostic(`the first instance judged ${written} of ${messages.length} messages before SIGTERM`);

      const end = await second.terminate();
      assert.deepEqual(end, { code: 0, signal: null }, `second instance exit\n${second.output()}`);
    });
  },
);
