/**
 * At-least-once against a real broker: offsets are committed only after the verdicts are acknowledged, so
 * a processor killed with SIGKILL mid-batch loses nothing; a graceful stop finishes and commits the batch
 * in flight (and nothing is redelivered after it); a stop during judge retries returns at once and commits
 * nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { KafkaStreamProcessor } from '../../../src/transport/kafka/index.js';
import {
  committedOffsets,
  createTopics,
  produceRecords,
  readTopic,
  requireKafka,
  waitFor,
} from '../../helpers/services.js';
import { EchoJudge, seqOf, testMessage } from './echo-judge.js';
import { assertEveryMessageJudgedConsistently, startProcessor, testNames, testSettings } from './fixtures.js';

const kafka = await requireKafka();
const CHILD = fileURLToPath(new URL('./child/processor-child.ts', import.meta.url));

describe('kafka transport: delivery', { skip: kafka.skip }, () => {
  const brokers = kafka.brokers;
  const running: KafkaStreamProcessor[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it('stopped while starting: the start completes first, then the stop leaves the group', async () => {
    const names = testNames('stop-starting');
    const p = new KafkaStreamProcessor({
      judge: new EchoJudge(),
      kafka: testSettings(brokers, names, { partitions: 1 }),
    });
    const started = p.start();
    await new Promise((r) => setTimeout(r, 50)); // mid-start: topics, connections, the group
    await p.stop();
    await started;
    assert.equal(p.stats().state, 'stopped');
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(p.stats().state, 'stopped', 'the start did not go on after the stop');
    assert.deepEqual(p.stats().assigned, [], 'no partition held');
  });

  it(
    'commits only acknowledged verdicts: a processor killed with SIGKILL mid-batch loses nothing',
    { timeout: 120_000 },
    async () => {
      const names = testNames('sigkill');
      const settings = testSettings(brokers, names, { partitions: 2, maxBatchRecords: 5 });
      const groups = ['a', 'b', 'c', 'd'].map((g) => `${names.prefix}-${g}`);
      const messages = [];
      for (let seq = 1; seq <= 30; seq++) for (const g of groups) messages.push(testMessage(g, seq));
      await produceRecords(
        brokers,
        names.topics.messages,
        messages.map((m) => ({ key: `qq:${m.groupId}`, value: JSON.stringify(m) })),
      );

      // A slow processor in its own process, killed without warning once it is well into the work.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, JSON.stringify({ settings, delayMs: 100 })],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let judged = 0;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/judged (\d+)/g)) judged = Math.max(judged, Number(m[1]));
      });
      try {
        await waitFor(() => judged >= 30, 'the child to judge 30 records', { timeoutMs: 60_000 });
      } finally {
        child.kill('SIGKILL');
        await exited;
      }

      // Everything below the committed offsets has its verdict already.
      const committed = await committedOffsets(brokers, names.groupId, names.topics.messages);
      const inputs = await readTopic(brokers, names.topics.messages);
      const verdictIds = new Set(
        (await readTopic(brokers, names.topics.verdicts)).map((r) => r.headers['message-id']),
      );
      let committedCount = 0;
      for (const r of inputs) {
        const c = committed.get(r.partition) ?? -1n;
        if (BigInt(r.offset) < c) {
          committedCount++;
          assert.ok(
            verdictIds.has(JSON.parse(r.text).id),
            `offset ${r.partition}/${r.offset} committed without a verdict`,
          );
        }
      }
      assert.ok(committedCount > 0, 'the killed processor had committed some work');
      assert.ok(committedCount < messages.length, 'it was killed before finishing');

      // A new instance in the same group takes over from the committed offsets: every message gets a verdict.
      const p = await startProcessor(new EchoJudge(), settings);
      running.push(p);
      const verdicts = await waitFor(
        async () => {
          const v = await readTopic(brokers, names.topics.verdicts);
          return new Set(v.map((r) => r.headers['message-id'])).size >= messages.length ? v : null;
        },
        'a verdict for every message',
        { timeoutMs: 60_000 },
      );
      assertEveryMessageJudgedConsistently(verdicts, messages.length);
    },
  );

  it(
    'a graceful stop finishes the batch in flight, commits it, and nothing is redelivered',
    { timeout: 60_000 },
    async () => {
      const names = testNames('graceful');
      let release!: () => void;
      const gateOpen = new Promise<void>((r) => (release = r));
      const judge = new EchoJudge({ gate: () => gateOpen });
      const settings = testSettings(brokers, names, { partitions: 1, maxBatchRecords: 10 });
      const messages = Array.from({ length: 30 }, (_, i) => testMessage(`${names.prefix}-g`, i + 1));
      await produceRecords(
        brokers,
        names.topics.messages,
        messages.map((m) => ({ key: `qq:${m.groupId}`, value: JSON.stringify(m) })),
      );
      const p = await startProcessor(judge, settings);
      running.push(p); // stopped by the after hook too if this test fails before it stops it
      try {
        await waitFor(() => judge.calls >= 1, 'a batch in flight');
      } catch (e) {
        release(); // else the batch in flight, and so the after hook's stop(), would wait forever
        throw e;
      }

      const events: string[] = [];
      const stopping = p.stop().then(() => events.push('stopped'));
      await new Promise((r) => setTimeout(r, 300));
      events.push('released');
      release();
      await stopping;
      assert.deepEqual(events, ['released', 'stopped'], 'stop() waited for the batch in flight');
      assert.deepEqual(await p.stopped, { reason: 'stopped' });

      const verdicts = await readTopic(brokers, names.topics.verdicts);
      const committed = await committedOffsets(brokers, names.groupId, names.topics.messages);
      assert.ok(verdicts.length >= 10, 'the unit in flight was delivered');
      assert.equal(
        committed.get(0),
        BigInt(verdicts.length),
        'and committed, exactly up to what was delivered',
      );

      const again = await startProcessor(new EchoJudge(), settings);
      running.push(again);
      const all = await waitFor(async () => {
        const v = await readTopic(brokers, names.topics.verdicts);
        return v.length >= messages.length ? v : null;
      }, 'all verdicts after the restart');
      assert.equal(all.length, messages.length, 'no message judged twice after a graceful stop');
      assert.deepEqual(
        all.map((r) => seqOf(r.headers['message-id'])),
        messages.map((_, i) => i + 1),
      );
    },
  );

  it(
    'a graceful stop with several partitions in flight commits each exactly up to what it delivered',
    { timeout: 60_000 },
    async () => {
      const names = testNames('graceful-many');
      let release!: () => void;
      const gateOpen = new Promise<void>((r) => (release = r));
      const judge = new EchoJudge({ gate: () => gateOpen });
      const partitions = 3;
      const settings = testSettings(brokers, names, {
        partitions,
        partitionsConsumedConcurrently: partitions,
        maxBatchRecords: 5,
      });
      await createTopics(brokers, Object.values(names.topics), partitions);
      // One chat group per partition, placed explicitly so every partition has work in flight at the stop.
      const messages = [];
      const partitionOf = new Map<string, number>();
      for (let p = 0; p < partitions; p++) {
        for (let seq = 1; seq <= 20; seq++) {
          const m = testMessage(`${names.prefix}-p${p}`, seq);
          partitionOf.set(m.id, p);
          messages.push({ m, p });
        }
      }
      await produceRecords(
        brokers,
        names.topics.messages,
        messages.map(({ m, p }) => ({ key: `qq:${m.groupId}`, value: JSON.stringify(m), partition: p })),
      );
      const proc = await startProcessor(judge, settings);
      running.push(proc);
      try {
        await waitFor(() => judge.calls >= partitions, 'a unit in flight on every partition');
      } catch (e) {
        release();
        throw e;
      }
      const stopping = proc.stop();
      await new Promise((r) => setTimeout(r, 200));
      release();
      await stopping;

      const verdicts = await readTopic(brokers, names.topics.verdicts);
      const committed = await committedOffsets(brokers, names.groupId, names.topics.messages);
      const delivered = new Map<number, number>();
      for (const r of verdicts) {
        const p = partitionOf.get(r.headers['message-id'])!;
        delivered.set(p, (delivered.get(p) ?? 0) + 1);
      }
      for (let p = 0; p < partitions; p++) {
        assert.ok((delivered.get(p) ?? 0) >= 5, `partition ${p}: its unit in flight was delivered`);
        assert.equal(
          committed.get(p),
          BigInt(delivered.get(p) ?? 0),
          `partition ${p}: committed as delivered`,
        );
      }

      const again = await startProcessor(new EchoJudge(), settings);
      running.push(again);
      const all = await waitFor(async () => {
        const v = await readTopic(brokers, names.topics.verdicts);
        return v.length >= messages.length ? v : null;
      }, 'all verdicts after the restart');
      assert.equal(all.length, messages.length, 'no message judged twice after a graceful stop');
      assertEveryMessageJudgedConsistently(all, messages.length);
    },
  );

  it(
    'a stop during judge retries returns at once, commits nothing and sends nothing to the DLQ',
    { timeout: 60_000 },
    async () => {
      const names = testNames('abort');
      const judge = new EchoJudge({ alwaysThrow: true });
      // Backoffs long enough that the test would time out if stop() waited for them.
      const settings = testSettings(brokers, names, {
        partitions: 1,
        retries: 5,
        retryBackoffMs: 60_000,
        retryBackoffMaxMs: 60_000,
      });
      const messages = [1, 2, 3].map((seq) => testMessage(`${names.prefix}-g`, seq));
      const p = await startProcessor(judge, settings);
      running.push(p); // stopped by the after hook too if this test fails before it stops it
      await produceRecords(
        brokers,
        names.topics.messages,
        messages.map((m) => ({ key: `qq:${m.groupId}`, value: JSON.stringify(m) })),
      );
      await waitFor(() => judge.throws >= 1, 'the judge to fail once');
      await p.stop();

      const committed = await committedOffsets(brokers, names.groupId, names.topics.messages);
      assert.ok((committed.get(0) ?? -1n) <= 0n, 'nothing committed');
      assert.equal((await readTopic(brokers, names.topics.dlq)).length, 0, 'nothing sent to the DLQ');

      // The messages are still there for the next instance.
      const next = await startProcessor(new EchoJudge(), settings);
      running.push(next);
      const verdicts = await waitFor(async () => {
        const v = await readTopic(brokers, names.topics.verdicts);
        return v.length >= 3 ? v : null;
      }, 'the 3 verdicts');
      assert.deepEqual(
        verdicts.map((r) => r.headers['message-id']),
        messages.map((m) => m.id),
      );
    },
  );
});
