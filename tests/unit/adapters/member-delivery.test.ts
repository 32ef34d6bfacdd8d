/**
 * The adapter service with Kafka output (a stand-in producer): member verdicts count as reported only once
 * the verdicts topic took them. POST /v1/member-events answers what really happened.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka } from 'kafkajs';
import { startOneBotAdapter, type OneBotAdapterService } from '../../../src/adapters/onebot/service.js';
import { StoreError } from '../../../src/contracts/errors.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { CompiledMemberRules } from '../../../src/members/rules.js';
import type { MemberTouch } from '../../../src/members/store.js';

const TOKEN = 'tok-delivery';

/** A kafkajs stand-in: records what was produced per topic; `down` makes verdict produces fail. */
class FakeKafka {
  readonly produced: Record<string, string[]> = {};
  down = false;
  sent(topic: string): string[] {
    return this.produced[topic] ?? [];
  }
  producer() {
    return {
      connect: async () => {},
      disconnect: async () => {},
      sendBatch: async (b: {
        topicMessages: { topic: string; messages: { value: string | Buffer }[] }[];
      }) => {
        for (const t of b.topicMessages) {
          if (this.down && t.topic === 'verdicts')
            throw new Error('KafkaJSNumberOfRetriesExceeded: Connection timeout');
          for (const m of t.messages) (this.produced[t.topic] ??= []).push(String(m.value));
        }
        return [];
      },
    };
  }
}

class FlakyStore extends MemoryMemberStore {
  failTouch = 0;
  override async touch(batch: readonly MemberTouch[]) {
    if (this.failTouch-- > 0) throw new StoreError('member touch: connection lost', { unavailable: true });
    return super.touch(batch);
  }
}

describe('POST /v1/member-events when verdicts cannot be delivered', () => {
  const kafka = new FakeKafka();
  const store = new FlakyStore();
  let service: OneBotAdapterService;
  let base = '';
  const streamed: Verdict[] = [];

  before(async () => {
    service = await startOneBotAdapter({
      listen: { host: '127.0.0.1', port: 0 },
      credentials: { accessToken: TOKEN },
      output: {
        kind: 'kafka',
        kafka: kafka as unknown as Kafka,
        topic: 'messages',
        verdictsTopic: 'verdicts',
      },
      members: { store, rules: CompiledMemberRules.defaults(), sweepIntervalMs: 3_600_000 },
    });
    service.memberVerdicts.subscribe((v) => streamed.push(v));
    base = `http://127.0.0.1:${service.address!.port}`;
  });
  after(() => service.close());

  const post = async (body: unknown) => {
    const res = await fetch(`${base}/v1/member-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const left = Date.now() - 60_000;
  const roster = (id: string) => ({
    kind: 'roster.update',
    id,
    ts: Date.now(),
    employees: [
      {
        employeeId: 'E1007',
        name: '钱七',
        department: '研发部',
        status: 'left',
        effectiveDate: left,
        accounts: [{ platform: 'qq', userId: '10007' }],
      },
    ],
  });

  it('503 says the events were applied and the verdicts not delivered; the retry delivers the kick', async () => {
    const joined = await post({
      kind: 'member.joined',
      id: 'j',
      ts: Date.now(),
      platform: 'qq',
      groupId: '901234',
      userId: '10007',
      userName: '研发部-钱七',
    });
    assert.equal(joined.status, 200);

    kafka.down = true;
    const failed = await post(roster('hr-1'));
    assert.equal(failed.status, 503);
    const err = failed.body.error as { code: string; message: string };
    assert.equal(err.code, 'KAFKA_ERROR');
    assert.match(err.message, /1 member verdict\(s\) could not be delivered: KafkaJSNumberOfRetriesExceeded/);
    assert.equal(failed.body.accepted, 1, 'the roster was applied');
    assert.equal(failed.body.delivered, false);
    assert.equal(failed.body.retry, true);
    assert.match(String((failed.body.undelivered as string[])[0]), /^member:qq:901234:10007:departed-E1007-/);
    assert.deepEqual(kafka.sent('verdicts'), []);
    assert.equal(streamed.length, 0, 'not streamed either: the verdict was not delivered');

    kafka.down = false;
    const retried = await post(roster('hr-1'));
    assert.equal(retried.status, 200);
    const verdicts = retried.body.verdicts as Verdict[];
    assert.deepEqual(
      verdicts.map((v) => `${v.groupId}/${v.userId}:${v.reasons[0].rule}:${v.action}`),
      ['901234/10007:member:departed:kick'],
    );
    assert.equal(verdicts[0].messageId, (failed.body.undelivered as string[])[0], 'the same finding');
    assert.deepEqual(
      kafka.sent('verdicts').map((v) => (JSON.parse(v) as Verdict).messageId),
      [verdicts[0].messageId],
    );
    assert.deepEqual(
      streamed.map((v) => v.messageId),
      [verdicts[0].messageId],
    );
    // Delivered now: a third identical request makes nothing more.
    assert.deepEqual((await post(roster('hr-1'))).body.verdicts, []);
  });

  it('a store failure is 503 with its code, and the request can be sent again', async () => {
    store.failTouch = 1;
    const join = {
      kind: 'member.joined',
      id: 'j2',
      ts: Date.now(),
      platform: 'qq',
      groupId: '905678',
      userId: '10007',
    };
    const failed = await post(join);
    assert.equal(failed.status, 503);
    assert.equal((failed.body.error as { code: string }).code, 'STORE_UNAVAILABLE');
    assert.equal(failed.body.accepted, 0);
    assert.equal(failed.body.retry, true);
    const again = await post(join);
    assert.equal(again.status, 200);
    assert.deepEqual(
      (again.body.verdicts as Verdict[]).map((v) => `${v.groupId}:${v.reasons[0].rule}`),
      ['905678:member:departed'],
    );
  });

  it('an event that cannot be applied is an error of its own, not a 503 after the others were applied', async () => {
    const bad = {
      ...roster('hr-bad'),
      employees: [{ ...roster('x').employees[0], effectiveDate: '2025-13-45' }],
    };
    const join = {
      kind: 'member.joined',
      id: 'j3',
      ts: Date.now(),
      platform: 'qq',
      groupId: '909090',
      userId: '30001',
      userName: '财务部-周九',
    };
    const r = await post([join, bad]);
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 1);
    assert.deepEqual(r.body.errors, [
      {
        index: 1,
        error: {
          code: 'BAD_MESSAGE',
          message: 'employees[0].effectiveDate "2025-13-45" is not a date (date)',
        },
      },
    ]);
    assert.equal((await store.get('qq', '909090', '30001'))?.card, '财务部-周九');
  });
});
