import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatAdapter } from '../../../src/adapters/adapter.js';
import type { OneBotApiClient } from '../../../src/adapters/onebot/api-client.js';
import { OneBotEventMapper } from '../../../src/adapters/onebot/map-event.js';
import { OneBotMemberSync } from '../../../src/adapters/onebot/member-sync.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor } from '../../../src/members/monitor.js';

const NOW = 1_764_000_000_000;

/** A bot API answering get_group_list / get_group_member_list from a table. */
function fakeApi(answers: Record<string, unknown>): OneBotApiClient {
  return {
    call: async (action: string, params: Record<string, unknown>) =>
      action === 'get_group_member_list' ? answers[String(params.group_id)] : answers[action],
  } as unknown as OneBotApiClient;
}

async function setup(answers: Record<string, unknown>, groups: string[] | null = ['901234']) {
  const store = new MemoryMemberStore();
  const monitor = new MemberMonitor({ store, clock: () => NOW });
  const adapter = new ChatAdapter({
    mapper: new OneBotEventMapper(),
    publisher: new BatchingPublisher({ sink: { name: 'x', send: async () => {}, close: async () => {} } }),
    members: { monitor, deliver: async () => {} },
  });
  await monitor.observe(
    Array.from({ length: 5 }, (_, i) => ({
      platform: 'qq',
      groupId: '901234',
      userId: String(10000 + i),
      ts: NOW,
      card: `研发部-员工${i}`,
    })),
  );
  const sync = new OneBotMemberSync({ api: fakeApi(answers), adapter, groups });
  return { store, sync };
}

const member = (user_id: number, extra: Record<string, unknown> = {}) => ({
  group_id: 901234,
  user_id,
  card: '研发部-员工',
  role: 'member',
  join_time: 1_700_000_000,
  last_sent_time: 1_763_000_000,
  ...extra,
});

describe('member list sync', () => {
  for (const [what, answer] of [
    ['data: null', null],
    ['no data', undefined],
    ['an empty list', []],
    ['an object', { members: [] }],
    ['a string', 'ok'],
    ['entries without user_id', [member(10000), { card: 'x' }]],
  ] as const)
    it(`a member list answered with ${what} is a failed sync: nobody is forgotten`, async () => {
      const { store, sync } = await setup({ '901234': answer });
      assert.deepEqual(await sync.runOnce(), { groups: 1, members: 0, verdicts: 0, failed: 1 });
      assert.equal((await store.membersOf('qq', '901234')).length, 5);
    });

  it('a real list forgets those it does not name, and learns the others', async () => {
    const { store, sync } = await setup({ '901234': [member(10000), member(10001), member(20000)] });
    assert.deepEqual(await sync.runOnce(), { groups: 1, members: 3, verdicts: 0, failed: 0 });
    assert.deepEqual((await store.membersOf('qq', '901234')).map((m) => m.userId).sort(), [
      '10000',
      '10001',
      '20000',
    ]);
    const r = await store.get('qq', '901234', '20000');
    assert.equal(r?.joinedAt, 1_700_000_000_000);
    assert.equal(r?.lastActiveAt, 1_763_000_000_000);
  });

  it('join and last-spoke times that are no times are ignored, not stored', async () => {
    const { store, sync } = await setup({
      '901234': [member(10000), member(30000, { join_time: 1e306, last_sent_time: Infinity })],
    });
    assert.equal((await sync.runOnce()).failed, 0);
    const r = await store.get('qq', '901234', '30000');
    assert.equal(r?.joinedAt, undefined);
    assert.ok(Math.abs(r!.lastActiveAt - Date.now()) < 60_000, 'active from when the list was read');
  });

  it('a group list that is not a list fails the pass (nothing is synced, nothing forgotten)', async () => {
    const { store, sync } = await setup({ get_group_list: null }, null);
    await assert.rejects(sync.runOnce(), /get_group_list answered null, not a list of groups/);
    assert.equal((await store.membersOf('qq', '901234')).length, 5);
    const listed = await setup({ get_group_list: [{ group_id: 901234 }], '901234': [member(10000)] }, null);
    assert.deepEqual(await listed.sync.runOnce(), { groups: 1, members: 1, verdicts: 0, failed: 0 });
  });
});
