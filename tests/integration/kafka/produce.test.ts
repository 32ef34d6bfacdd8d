/** `modstream produce` against a real broker: generated messages, a JSONL file (bad lines too), a rate. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Message } from '../../../src/contracts/types.js';
import { generateMessages, produceMessages } from '../../../src/transport/kafka/index.js';
import { readTopic, requireKafka } from '../../helpers/services.js';
import { testNames } from './fixtures.js';

const kafka = await requireKafka();

describe('kafka transport: produceMessages', { skip: kafka.skip }, () => {
  const brokers = kafka.brokers;
  const dir = mkdtempSync(join(tmpdir(), 'modstream-produce-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('produces generated messages keyed platform:groupId, creating the topic', async () => {
    const { topics } = testNames('produce-gen');
    const progress: number[] = [];
    const result = await produceMessages({
      brokers,
      topic: topics.messages,
      source: generateMessages({ seed: 3, groups: 4 }),
      limit: 250,
      batchSize: 100,
      createTopic: { partitions: 2 },
      onProgress: (n) => progress.push(n),
    });
    assert.equal(result.sent, 250);
    assert.deepEqual(progress, [100, 200, 250]);
    const records = await readTopic(brokers, topics.messages);
    assert.equal(records.length, 250);
    assert.deepEqual(new Set(records.map((r) => r.partition)), new Set([0, 1]));
    const perKey = new Map<string, number[]>();
    for (const r of records) {
      const m = JSON.parse(r.text) as Message;
      assert.equal(r.key, `${m.platform}:${m.groupId}`);
      assert.equal(r.headers['message-id'], m.id);
      const seqs = perKey.get(r.key!) ?? [];
      seqs.push(Number(m.id.split(':')[2]));
      perKey.set(r.key!, seqs);
    }
    for (const seqs of perKey.values())
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
        'one key, one partition, in order',
      );
  });

  it('sends a JSONL file line by line as it is, invalid lines included', async () => {
    const { topics } = testNames('produce-file');
    const path = join(dir, 'in.jsonl');
    const good = { v: 1, id: 'qq:1:1', platform: 'qq', groupId: '1', userId: 'u', text: '加微信', ts: 1 };
    writeFileSync(
      path,
      `${JSON.stringify(good)}\n\nnot json at all\n${JSON.stringify({ ...good, id: 'qq:1:2' })}\n`,
    );
    const result = await produceMessages({
      brokers,
      topic: topics.messages,
      source: path,
      createTopic: { partitions: 1 },
    });
    assert.equal(result.sent, 3, 'blank lines skipped');
    const records = await readTopic(brokers, topics.messages);
    assert.deepEqual(
      records.map((r) => r.text),
      [JSON.stringify(good), 'not json at all', JSON.stringify({ ...good, id: 'qq:1:2' })],
    );
    assert.deepEqual(
      records.map((r) => r.key),
      ['qq:1', null, 'qq:1'],
    );
  });

  it('paces to a set rate and stops on abort, counting what it sent', async () => {
    const { topics } = testNames('produce-rate');
    const result = await produceMessages({
      brokers,
      topic: topics.messages,
      source: generateMessages({ seed: 5 }),
      ratePerSec: 2000,
      limit: 200,
      createTopic: { partitions: 1 },
    });
    assert.equal(result.sent, 200);
    assert.ok(result.ratePerSec > 0);

    const abort = new AbortController();
    const stopped = await produceMessages({
      brokers,
      topic: topics.messages,
      source: generateMessages({ seed: 6 }),
      ratePerSec: 500,
      signal: abort.signal,
      createTopic: false,
      onProgress: (n) => {
        if (n >= 20) abort.abort();
      },
    });
    assert.ok(stopped.sent >= 20, 'what was acknowledged is counted');
    assert.equal((await readTopic(brokers, topics.messages)).length, 200 + stopped.sent);
  });

  it('rejects a missing file with a usage error', async () => {
    const { topics } = testNames('produce-missing');
    await assert.rejects(
      produceMessages({
        brokers,
        topic: topics.messages,
        source: join(dir, 'nope.jsonl'),
        createTopic: { partitions: 1 },
      }),
      /cannot read/,
    );
  });
});
