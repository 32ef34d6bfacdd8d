/**
 * The Kafka verdict source against a real broker: a verdict whose enforcement outlasts the consumer's
 * session (a bot API that does not answer, every call retried) keeps the group alive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnforcerMetrics } from '../../../src/adapters/metrics.js';
import { KafkaVerdictSource } from '../../../src/adapters/verdict-sources.js';
import {
  createTopics,
  deleteTopics,
  produceRecords,
  quietKafka,
  randomPrefix,
  requireKafka,
} from '../../helpers/services.js';
import { verdict } from '../../unit/adapters/helpers.js';

const kafka = await requireKafka();

describe('KafkaVerdictSource', { skip: kafka.skip, timeout: 60_000 }, () => {
  it('heartbeats while a verdict is enforced for longer than the session: no rebalance', async () => {
    const prefix = randomPrefix('verdict-source');
    const topic = `${prefix}.verdicts`;
    await createTopics(kafka.brokers, [topic], 1);
    let joins = 0;
    const metrics = {
      source: (_name: string, up: boolean) => {
        if (up) joins++;
      },
      verdict: () => {},
    } as unknown as EnforcerMetrics;
    const source = new KafkaVerdictSource({
      kafka: quietKafka(kafka.brokers, `${prefix}-client`),
      topic,
      groupId: `${prefix}-enforcer`,
      fromBeginning: true,
      sessionTimeoutMs: 6_000, // the broker's minimum
      metrics,
    });
    try {
      const delivered: string[] = [];
      await source.start(async (v) => {
        await new Promise((r) => setTimeout(r, 10_000)); // longer than the session
        delivered.push(v.messageId);
      });
      await source.joined();
      const v = verdict();
      await produceRecords(kafka.brokers, topic, [
        { key: `${v.platform}:${v.groupId}`, value: JSON.stringify(v) },
      ]);
      const until = Date.now() + 30_000;
      while (delivered.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(delivered, [v.messageId]);
      // Evicted, the member would join again once the verdict is done, and get it again (its offset was
      // never committed).
      await new Promise((r) => setTimeout(r, 5_000));
      assert.equal(joins, 1, 'the group was joined once: no rebalance while the verdict was enforced');
      assert.deepEqual(delivered, [v.messageId]);
    } finally {
      await source.stop();
      await deleteTopics(kafka.brokers, [topic]);
    }
  });
});
