/**
 * End to end, a crash: `modstream run` is killed with SIGKILL while it works through a live stream (no
 * shutdown at all: whatever it judged and produced but had not committed is redelivered), and a new
 * instance takes over the group. Every message must end up with exactly one DISTINCT verdict — a
 * redelivered message judged again identically (the Redis strike store is idempotent by message id, so
 * nobody climbs the ladder twice) — and the decisions must be the reference run's. Then the whole topic
 * is delivered once more (offsets reset) and judged identically again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  committedOffsets,
  endOffsets,
  quietKafka,
  requireKafka,
  requireRedis,
  waitFor,
} from '../../helpers/services.js';
import {
  assertOneDecisionPerMessage,
  e2eNames,
  liveRun,
  parseVerdicts,
  totalOffset,
  traffic,
  verdictIds,
  waitForVerdicts,
} from './kit.js';

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
    const run = liveRun({
      names,
      brokers,
      redisUrl: redis.url,
      messages,
      spec: { configFile: FAST_SESSION },
    });

    it('gives every message exactly one distinct verdict, the reference one', async (t) => {
      const { first, producing } = await run.startStream(1500);
      const collector = run.collector;

      // Kill it while it works: some verdicts out, most of the stream still to come.
      await run.underWay(800, 'the first instance to be under way');
      const killed = await first.kill();
      assert.equal(killed.signal, 'SIGKILL');
      const judgedBeforeKill = verdictIds(collector).size;
      assert.ok(judgedBeforeKill < messages.length, 'killed mid-stream, with work left');
      await producing;

      const committed = totalOffset(await committedOffsets(brokers, names.groupId, names.topics.messages));
      const end = totalOffset(await endOffsets(brokers, names.topics.messages));
      assert.ok(committed < end, 'uncommitted messages were left for the next instance');

      const second = await run.spawn('second');
      await second.ready(60_000);
      const verdicts = await waitForVerdicts(collector, messages, 90_000);

      const report = run.assertVerdicts(verdicts);
      assert.equal(report.distinct, messages.length);
      // Redelivered copies (if the kill fell between a produce and its commit) are identical, checked above.
      t.diagnostic(`${judgedBeforeKill} judged before the kill, ${report.duplicates} verdicts redelivered`);

      const exit = await second.terminate();
      assert.equal(exit.code, 0, `second instance exit\n${second.output()}`);
    });

    it('judges every message identically when the whole topic is delivered again', async () => {
      // The worst case of redelivery, on purpose: the group's offsets go back to the start, so a new
      // instance judges everything a second time against the Redis state the first run left behind.
      const collector = run.collector;
      const judgedOnce = collector.size;
      const admin = quietKafka(brokers).admin();
      await admin.connect();
      try {
        await admin.resetOffsets({ groupId: names.groupId, topic: names.topics.messages, earliest: true });
      } finally {
        await admin.disconnect();
      }
      const replay = await run.spawn('replay');
      await replay.ready();
      await waitFor(
        () => collector.size >= judgedOnce + messages.length,
        'the replay to judge every message',
        {
          timeoutMs: 90_000,
        },
      );
      const verdicts = parseVerdicts(collector.records());
      const report = assertOneDecisionPerMessage(verdicts, messages, run.expected);
      assert.ok(report.duplicates >= messages.length, 'every message was judged again, identically');
      const exit = await replay.terminate();
      assert.equal(exit.code, 0, `replay instance exit\n${replay.output()}`);
    });
  },
);
