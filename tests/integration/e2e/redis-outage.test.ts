/**
 * End to end, Redis going away mid-stream: `modstream run` on a PRIVATE redis-server (never the machine's
 * Redis), which is stopped while the stream flows and started again later.
 *   - failMode open: verdicts keep flowing from in-memory state, counted in modstream_redis_failopen_total
 *     (and modstream_redis_failopen_active is 1) on /metrics; when Redis is back, Redis mode returns by
 *     itself (the gauge drops to 0 and state is written to the new server again).
 *   - failMode closed: while Redis is down, no ladder step can be taken: what was found becomes `review`
 *     (no strike, nothing enforced), clean messages are allowed, /readyz says not ready; afterwards the
 *     ladder is back.
 * Nothing goes to the DLQ and every message gets a valid verdict either way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message } from '../../../src/contracts/types.js';
import { createTopics, deleteTopics, requireKafka, waitFor } from '../../helpers/services.js';
import { RedisServer, requireRedisServerBinary } from '../redis/redis-server.js';
import {
  TopicCollector,
  assertOneDecisionPerMessage,
  assertVerdictRecordsWellFormed,
  e2eNames,
  processorSpec,
  produceSteadily,
  redisKeys,
  traffic,
  waitForVerdicts,
  type E2eNames,
  type ParsedVerdict,
} from './kit.js';
import { ProcessorProcess } from './processor-process.js';

const kafka = await requireKafka();
const binary = requireRedisServerBinary();
const skip = kafka.skip || binary.skip;

interface Outage {
  /** When the processor was seen failing (metrics / readiness), and when Redis was started again. */
  observedAt: number;
  restartedAt: number;
}

interface Run {
  names: E2eNames;
  processor: ProcessorProcess;
  verdicts: TopicCollector;
  dlq: TopicCollector;
}

async function startRun(label: string, server: RedisServer, failMode: 'open' | 'closed'): Promise<Run> {
  const names = e2eNames(label);
  await createTopics(kafka.brokers, Object.values(names.topics), 4);
  const [verdicts, dlq] = await Promise.all([
    TopicCollector.start(kafka.brokers, names.topics.verdicts),
    TopicCollector.start(kafka.brokers, names.topics.dlq),
  ]);
  const processor = await ProcessorProcess.spawn(
    label,
    processorSpec(names, kafka.brokers, server.url, {
      env: { MODSTREAM_REDIS_FAIL_MODE: failMode, MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: '300' },
    }),
  );
  await processor.ready();
  return { names, processor, verdicts, dlq };
}

async function endRun(run: Run | undefined): Promise<void> {
  if (!run) return;
  await run.processor.dispose();
  await Promise.all([run.verdicts.stop(), run.dlq.stop()]);
  await deleteTopics(kafka.brokers, Object.values(run.names.topics));
}

/** Verdicts whose record was written strictly inside the outage (with a margin at its start). */
function judgedDuringOutage(verdicts: readonly ParsedVerdict[], outage: Outage): ParsedVerdict[] {
  return verdicts.filter(
    (v) => v.record.timestamp > outage.observedAt + 300 && v.record.timestamp < outage.restartedAt,
  );
}

/**
 * Streams `messages` over ~9 s: Redis is stopped after ~2.5 s, and started again once the processor has
 * been seen failing (`failing()`) and has judged a good share of the stream without Redis.
 */
async function streamThroughOutage(
  run: Run,
  server: RedisServer,
  messages: readonly Message[],
  failing: () => Promise<boolean>,
): Promise<Outage> {
  const producing = produceSteadily(kafka.brokers, run.names.topics.messages, messages, 9000);
  await waitFor(() => run.verdicts.size >= messages.length * 0.2, 'verdicts before the outage', {
    timeoutMs: 60_000,
  });
  await server.stop();
  await waitFor(failing, 'the processor to notice the outage', { timeoutMs: 30_000 });
  const observedAt = Date.now();
  const atObserved = run.verdicts.size;
  await waitFor(() => run.verdicts.size >= atObserved + messages.length * 0.2, 'verdicts during the outage', {
    timeoutMs: 60_000,
  });
  const restartedAt = Date.now();
  await server.restart();
  await producing;
  return { observedAt, restartedAt };
}

/**
 * The stores go back to Redis on the first batch Redis answers (probed at most once a second): trickles
 * small batches of fresh traffic until `recovered()` holds.
 */
async function trickleUntil(run: Run, label: string, recovered: () => Promise<boolean>): Promise<void> {
  let round = 0;
  await waitFor(
    async () => {
      if (await recovered()) return true;
      const probe = traffic({ prefix: `${run.names.prefix}-${label}${round++}`, count: 20 });
      await produceSteadily(kafka.brokers, run.names.topics.messages, probe, 100);
      return false;
    },
    `${label}: back to Redis mode`,
    { timeoutMs: 30_000, intervalMs: 300 },
  );
}

describe('e2e: Redis stopped mid-stream', { skip, timeout: 150_000 }, () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.dispose();
  });

  describe('failMode open', () => {
    let run: Run | undefined;
    after(() => endRun(run));

    it('keeps verdicts flowing from memory, counts it on /metrics, and returns to Redis', async (t) => {
      run = await startRun('redis-open', server, 'open');
      const messages = traffic({ prefix: run.names.prefix, count: 4000 });
      const { processor } = run;

      const outage = await streamThroughOutage(run, server, messages, async () => {
        const text = await processor.metricsText();
        return (
          sumOf(text, 'modstream_redis_failopen_total') > 0 &&
          sumOf(text, 'modstream_redis_failopen_active') > 0
        );
      });
      const duringOutage = await processor.readiness();
      // The gauge may already have dropped if Redis answered again; the counter stays.
      assert.ok((await processor.metric('modstream_redis_failopen_total')) > 0, 'fail-open batches counted');

      const verdicts = await waitForVerdicts(run.verdicts, messages, 60_000);
      assertVerdictRecordsWellFormed(verdicts);
      assertOneDecisionPerMessage(verdicts, messages);
      const during = judgedDuringOutage(verdicts, outage);
      assert.ok(during.length > 0, 'verdicts kept flowing while Redis was down');
      assert.ok(
        during.some((v) => ['warn', 'mute', 'kick', 'ban'].includes(v.verdict.action)),
        'the ladder kept working from memory (not review)',
      );
      assert.ok(
        during.every(
          (v) => v.verdict.action !== 'review' || v.verdict.reasons.some((r) => r.category === 'privacy'),
        ),
      );
      assert.equal(run.dlq.size, 0, 'nothing went to the DLQ');
      assert.equal(duringOutage?.status, 200, 'fail-open stays ready');

      // Redis mode returns by itself: the gauge drops to 0 and new state lands in the restarted server.
      await trickleUntil(
        run,
        'open',
        async () => (await processor.metric('modstream_redis_failopen_active')) === 0,
      );
      const more = traffic({ prefix: `${run.names.prefix}-after`, count: 200 });
      await produceSteadily(kafka.brokers, run.names.topics.messages, more, 500);
      await waitForVerdicts(run.verdicts, more, 30_000, 'verdicts after the restart');
      assert.equal(await processor.metric('modstream_redis_failopen_active'), 0, 'still in Redis mode');
      const keys = await redisKeys(server.url, run.names.redisKeyPrefix);
      assert.ok(keys.length > 0, 'state written to the restarted Redis');
      assert.equal((await processor.readiness())?.checks.state?.detail, 'redis');
      t.diagnostic(`${during.length} verdicts judged from memory during the outage`);
    });
  });

  describe('failMode closed', () => {
    let run: Run | undefined;
    after(() => endRun(run));

    it('turns findings into review while Redis is down, and climbs the ladder again afterwards', async (t) => {
      run = await startRun('redis-closed', server, 'closed');
      const messages = traffic({ prefix: run.names.prefix, count: 4000 });
      const { processor } = run;

      let notReady = false;
      const outage = await streamThroughOutage(run, server, messages, async () => {
        notReady = (await processor.readiness())?.status === 503;
        return notReady;
      });
      assert.ok(notReady, '/readyz says not ready while Redis is down in fail-closed mode');

      const verdicts = await waitForVerdicts(run.verdicts, messages, 60_000);
      assertVerdictRecordsWellFormed(verdicts);
      assertOneDecisionPerMessage(verdicts, messages);
      const during = judgedDuringOutage(verdicts, outage);
      assert.ok(during.length > 0, 'verdicts kept flowing while Redis was down');
      const found = during.filter((v) => v.verdict.reasons.length > 0);
      assert.ok(found.length > 0, 'the stream had findings during the outage');
      for (const { verdict } of during) {
        const want = verdict.reasons.length > 0 ? 'review' : 'allow';
        assert.equal(verdict.action, want, `${verdict.messageId} during the outage`);
        assert.equal(verdict.strikes, 0, 'no strike without the store');
        // Review: no mute, kick or ban; the message is still deleted where its category asks for that
        // (docs/deployment.md, failure modes), whichever store failed first.
        assert.equal(verdict.muteSeconds, 0, 'nothing muted');
      }
      assert.equal(run.dlq.size, 0, 'nothing went to the DLQ');

      // Back to normal: ready again, and violations climb the ladder (Redis is empty after the restart).
      await trickleUntil(run, 'closed', async () => (await processor.readiness())?.status === 200);
      const more = traffic({ prefix: `${run.names.prefix}-after`, count: 300, violationRate: 0.5 });
      await produceSteadily(kafka.brokers, run.names.topics.messages, more, 500);
      const moreIds = new Set(more.map((m) => m.id));
      const recovered = (
        await waitForVerdicts(run.verdicts, more, 30_000, 'verdicts after the restart')
      ).filter((v) => moreIds.has(v.verdict.messageId));
      assert.ok(
        recovered.some((v) => ['warn', 'mute', 'kick', 'ban'].includes(v.verdict.action)),
        'the ladder works again once Redis is back',
      );
      assert.ok(
        recovered.every(
          (v) => v.verdict.action !== 'review' || v.verdict.reasons.some((r) => r.category === 'privacy'),
        ),
      );
      assert.ok((await redisKeys(server.url, run.names.redisKeyPrefix)).length > 0, 'state in Redis again');
      t.diagnostic(`${during.length} verdicts during the outage, ${found.length} of them review`);
    });
  });
});

function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}
