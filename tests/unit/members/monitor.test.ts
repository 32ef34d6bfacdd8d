import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEmployee } from '../../../src/members/roster.js';
import type { MemberObservation } from '../../../src/members/types.js';
import { DAY, T0, employee, rules, setup, valid } from './helpers.js';

const msg = (
  userId: string,
  card: string | undefined,
  ts = T0,
  groupId = 'g1',
  role?: 'owner' | 'admin' | 'member',
): MemberObservation => ({ platform: 'qq', groupId, userId, ts, card, ...(role ? { role } : {}) });

describe('group cards', () => {
  it('reports a card that breaks 部门-姓名 once per distinct card, as review', async () => {
    const { monitor } = setup();
    const v = valid(await monitor.observe([msg('u1', '张三')]));
    assert.deepEqual(rules(v), ['g1/u1:member:card-format:review']);
    assert.equal(v[0].messageId.startsWith('member:qq:g1:u1:card-'), true);
    assert.equal(v[0].reasons[0].detector, 'member');
    assert.equal(v[0].reasons[0].category, 'secret');
    assert.equal(v[0].reasons[0].match, '张三');
    assert.equal(v[0].deleteMessage, false);
    assert.equal(v[0].policy, 'members@1');
    assert.deepEqual(await monitor.observe([msg('u1', '张三', T0 + 1000)]), [], 'same card: not again');
    assert.deepEqual(
      rules(await monitor.observe([msg('u1', '', T0 + 2000)])),
      ['g1/u1:member:card-format:review'],
      'emptied card',
    );
    assert.deepEqual(await monitor.observe([msg('u1', '市场部-张三', T0 + 3000)]), [], 'fixed');
    assert.deepEqual(
      await monitor.observe([msg('u1', '市场部－张三', T0 + 4000), msg('u2', ' 研发部 — 李四 ', T0)]),
      [],
      'full-width and spaced dashes are fine',
    );
  });

  it('members who just joined get time to set a card; a bad card at join is reported', async () => {
    const { monitor } = setup();
    assert.deepEqual(
      await monitor.handle([
        {
          kind: 'member.joined',
          id: 'j1',
          ts: T0,
          platform: 'qq',
          groupId: 'g1',
          userId: 'u1',
          userName: '',
        },
      ]),
      [],
    );
    assert.deepEqual(
      rules(await monitor.observe([msg('u1', '', T0 + 60_000)])),
      ['g1/u1:member:card-format:review'],
      'speaking with no card is reported',
    );
    assert.deepEqual(
      rules(
        await monitor.handle([
          {
            kind: 'member.joined',
            id: 'j2',
            ts: T0,
            platform: 'qq',
            groupId: 'g1',
            userId: 'u2',
            userName: 'xx',
          },
        ]),
      ),
      ['g1/u2:member:card-format:review'],
    );
  });

  it('card change events are checked; the action is configurable per group; exemptions hold', async () => {
    const { monitor } = setup({
      defaults: { card: { exempt: { roles: ['owner'], userIds: ['boss'] } } },
      groups: {
        'qq:g2': {
          card: {
            action: 'warn',
            format: '^(?<name>[^()]+)\\((?<department>[^()]+)\\)$',
            formatLabel: '姓名(部门)',
          },
        },
      },
    });
    const card = (groupId: string, userId: string, userName: string) => ({
      kind: 'member.card' as const,
      id: `c-${groupId}-${userId}-${userName}`,
      ts: T0,
      platform: 'qq',
      groupId,
      userId,
      userName,
    });
    assert.deepEqual(
      rules(
        valid(
          await monitor.handle([
            card('g1', 'u1', 'nope'),
            card('g2', 'u1', '市场部-张三'),
            card('g2', 'u2', '张三(市场部)'),
            card('g1', 'boss', 'x'),
          ]),
        ),
      ),
      ['g1/u1:member:card-format:review', 'g2/u1:member:card-format:warn'],
    );
    assert.deepEqual(await monitor.observe([msg('u9', 'whatever', T0, 'g1', 'owner')]), [], 'owner exempt');
  });

  it("with a roster, the card must be an active employee (the member's own when the account is linked)", async () => {
    const { monitor } = setup();
    await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r1',
        ts: T0,
        employees: [
          employee('E1', '张三', '市场部', 'active', { accounts: [{ platform: 'qq', userId: 'u1' }] }),
          employee('E2', '李四', '研发部'),
          employee('E3', '王五', '研发部', 'left', { effectiveDate: '2025-01-01' }),
        ],
      },
    ]);
    const v = valid(
      await monitor.observe([
        msg('u1', '研发部-李四'), // linked to 张三: not their card
        msg('u2', '研发部-李四'), // an active employee
        msg('u3', '研发部-赵六'), // nobody
        msg('u4', '市场部-张三'), // someone else's identity, but an active employee's: not a card problem
      ]),
    );
    assert.deepEqual(rules(v), ['g1/u1:member:card-roster:review', 'g1/u3:member:card-roster:review']);
  });

  it('a rules change makes cards be checked again; matchRoster: false checks the format only', async () => {
    const a = setup({ defaults: { card: { matchRoster: false } } });
    await a.monitor.updateRoster([normalizeEmployee(employee('E1', '张三', '市场部'), 480)], true);
    assert.deepEqual(await a.monitor.observe([msg('u1', '研发部-不存在')]), []);
    const { CompiledMemberRules } = await import('../../../src/members/rules.js');
    a.monitor.setRules(new CompiledMemberRules({ version: 2 }));
    assert.deepEqual(rules(await a.monitor.observe([msg('u1', '研发部-不存在', T0 + 1)])), [
      'g1/u1:member:card-roster:review',
    ]);
  });
});

describe('departed staff', () => {
  it('someone removed who joins again is acted on again (once per membership)', async () => {
    const { monitor, clock } = setup();
    clock.now = T0 + DAY;
    await monitor.handle([
      {
        kind: 'roster.update',
        id: 'hr',
        ts: clock.now,
        employees: [
          employee('E9', '钱七', '研发部', 'left', {
            effectiveDate: '2025-11-24',
            accounts: [{ platform: 'qq', userId: 'u9' }],
          }),
        ],
      },
    ]);
    const join = (n: number) =>
      monitor.handle([
        {
          kind: 'member.joined',
          id: `j${n}`,
          ts: clock.now,
          platform: 'qq',
          groupId: 'g1',
          userId: 'u9',
          userName: '研发部-钱七',
        },
      ]);
    const first = valid(await join(1));
    assert.deepEqual(rules(first), ['g1/u9:member:departed:kick']);
    clock.now += 60_000;
    await monitor.handle([
      {
        kind: 'member.left',
        id: 'l1',
        ts: clock.now,
        platform: 'qq',
        groupId: 'g1',
        userId: 'u9',
        reason: 'kick',
      },
    ]);
    clock.now += 3_600_000;
    const again = valid(await join(2));
    assert.deepEqual(rules(again), ['g1/u9:member:departed:kick']);
    assert.notEqual(again[0].messageId, first[0].messageId, 'a new id: enforcers do not drop it as a repeat');
    assert.deepEqual(await monitor.sweep(clock.now + 1000), [], 'sweeps do not repeat it');
  });

  it('a roster update saying someone left kicks them from every group they are known in', async () => {
    const { monitor, clock } = setup();
    await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r0',
        ts: T0,
        employees: [
          employee('E7', '钱七', '研发部', 'active', { accounts: [{ platform: 'qq', userId: 'u7' }] }),
        ],
      },
    ]);
    await monitor.observe([
      msg('u7', '研发部-钱七', T0, 'g1'),
      msg('u7', '研发部-钱七', T0, 'g2'),
      msg('x', '研发部-钱七', T0, 'g3'),
    ]);
    clock.now = T0 + DAY;
    const v = valid(
      await monitor.handle([
        {
          kind: 'roster.update',
          id: 'r1',
          ts: clock.now,
          employees: [
            employee('E7', '钱七', '研发部', 'left', {
              effectiveDate: '2025-11-24',
              accounts: [{ platform: 'qq', userId: 'u7' }],
            }),
          ],
        },
      ]),
    );
    assert.deepEqual(rules(v).sort(), [
      'g1/u7:member:departed:kick',
      'g2/u7:member:departed:kick',
      'g3/x:member:departed:kick',
    ]);
    assert.equal(v[0].notifyAdmins, true);
    assert.equal(v[0].reasons[0].severity, 3);
    assert.match(v[0].messageId, /^member:qq:g\d:(u7|x):departed-E7-\d+-\d+$/);
    // Sweeps do not repeat them…
    assert.deepEqual(await monitor.sweep(clock.now + 1000), []);
    // …until the deadline (3 days) passes with them still there: one overdue verdict each, for a person.
    const overdue = valid(await monitor.sweep(T0 + 4 * DAY));
    assert.deepEqual(rules(overdue).sort(), [
      'g1/u7:member:departed-overdue:kick',
      'g2/u7:member:departed-overdue:kick',
      'g3/x:member:departed-overdue:kick',
    ]);
    assert.ok(overdue.every((x) => x.notifyAdmins && x.reasons[0].severity === 4));
    assert.deepEqual(await monitor.sweep(T0 + 5 * DAY), []);
  });

  it('members who left in time are not reported overdue', async () => {
    const { monitor, clock } = setup();
    await monitor.observe([msg('u7', '研发部-钱七', T0, 'g1')]);
    clock.now = T0 + DAY;
    await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r1',
        ts: clock.now,
        employees: [
          employee('E7', '钱七', '研发部', 'left', {
            effectiveDate: T0,
            accounts: [{ platform: 'qq', userId: 'u7' }],
          }),
        ],
      },
    ]);
    await monitor.handle([
      {
        kind: 'member.left',
        id: 'l',
        ts: clock.now,
        platform: 'qq',
        groupId: 'g1',
        userId: 'u7',
        reason: 'kick',
      },
    ]);
    assert.deepEqual(await monitor.sweep(T0 + 10 * DAY), []);
  });

  it('a future departure is kicked by the sweep that passes its date (plus the grace period)', async () => {
    const { monitor, clock } = setup({ defaults: { departed: { graceSeconds: 3600 } } });
    await monitor.observe([msg('u7', '研发部-钱七')]);
    const v = await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r',
        ts: T0,
        employees: [
          employee('E7', '钱七', '研发部', 'left', {
            effectiveDate: '2025-11-26',
            accounts: [{ platform: 'qq', userId: 'u7' }],
          }),
        ],
      },
    ]);
    assert.deepEqual(v, []);
    clock.now = T0 + 2 * DAY + 1000; // 2025-11-26 00:00:01 +08:00: effective, grace not over
    assert.deepEqual(await monitor.sweep(), []);
    clock.now = T0 + 2 * DAY + 3_600_000;
    assert.deepEqual(rules(await monitor.sweep()), ['g1/u7:member:departed:kick']);
  });

  it('a departed employee joining again, or first seen, is kicked at once', async () => {
    const { monitor, clock } = setup();
    clock.now = T0 + DAY;
    await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r',
        ts: T0,
        employees: [
          employee('E7', '钱七', '研发部', 'left', {
            effectiveDate: T0,
            accounts: [{ platform: 'qq', userId: 'u7' }],
          }),
        ],
      },
    ]);
    const joined = await monitor.handle([
      { kind: 'member.joined', id: 'j', ts: clock.now, platform: 'qq', groupId: 'g5', userId: 'u7' },
    ]);
    assert.deepEqual(rules(joined), ['g5/u7:member:departed:kick']);
    assert.deepEqual(rules(await monitor.observe([msg('u7', undefined, clock.now, 'g6')])), [
      'g6/u7:member:departed:kick',
    ]);
    // Found by card alone (no linked account): also kicked.
    assert.deepEqual(rules(await monitor.observe([msg('other', '研发部-钱七', clock.now, 'g7')])), [
      'g7/other:member:departed:kick',
    ]);
  });

  it('a card naming a departed employee who has an active namesake is ambiguous: review', async () => {
    const { monitor, clock } = setup();
    await monitor.observe([msg('u1', '研发部-钱七', T0, 'g1')]);
    clock.now = T0 + DAY;
    const v = valid(
      await monitor.handle([
        {
          kind: 'roster.update',
          id: 'r',
          ts: clock.now,
          employees: [
            employee('E7', '钱七', '研发部', 'left', { effectiveDate: T0 }),
            employee('E8', '钱七', '研发部', 'active'),
          ],
        },
      ]),
    );
    assert.deepEqual(rules(v), ['g1/u1:member:departed-ambiguous:review']);
    assert.equal(v[0].notifyAdmins, true);
  });

  it('matchByCard: false and departed.enabled: false are honoured; dryRun marks the verdict', async () => {
    const { monitor, clock } = setup({
      groups: {
        'qq:g2': { departed: { matchByCard: false } },
        'qq:g3': { departed: { enabled: false } },
        'qq:g4': { departed: { dryRun: true } },
      },
    });
    for (const g of ['g1', 'g2', 'g3', 'g4']) await monitor.observe([msg('x', '研发部-钱七', T0, g)]);
    clock.now = T0 + DAY;
    const v = await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r',
        ts: clock.now,
        employees: [employee('E7', '钱七', '研发部', 'left', { effectiveDate: T0 })],
      },
    ]);
    assert.deepEqual(rules(v).sort(), ['g1/x:member:departed:kick', 'g4/x:member:departed:kick']);
    const dry = v.find((x) => x.groupId === 'g4')!;
    assert.equal(dry.dryRun, true);
    assert.equal(dry.reasons[0].dryRun, true);
  });
});

describe('inactivity', () => {
  it('members who have not spoken for 90 days are reported once per idle period', async () => {
    const { monitor } = setup({
      groups: {
        'qq:g2': { inactivity: { days: 30, action: 'warn' } },
        'qq:g3': { inactivity: { enabled: false } },
      },
    });
    await monitor.observe([
      msg('quiet', 'a-b', T0, 'g1'),
      msg('talker', 'a-c', T0, 'g1'),
      msg('quiet', 'a-b', T0, 'g2'),
      msg('quiet', 'a-b', T0, 'g3'),
      msg('boss', 'a-d', T0, 'g1', 'owner'),
    ]);
    await monitor.observe([msg('talker', 'a-c', T0 + 60 * DAY, 'g1')]);
    assert.deepEqual(rules(await monitor.sweep(T0 + 31 * DAY)), ['g2/quiet:member:inactive:warn']);
    const v = valid(await monitor.sweep(T0 + 91 * DAY));
    assert.deepEqual(rules(v).sort(), ['g1/boss:member:inactive:review', 'g1/quiet:member:inactive:review']);
    assert.equal(v[0].messageId, `member:qq:g1:${v[0].userId}:inactive-${T0}`);
    assert.deepEqual(await monitor.sweep(T0 + 100 * DAY), []);
    // Speaking again starts a new idle period.
    await monitor.observe([msg('quiet', 'a-b', T0 + 100 * DAY, 'g1')]);
    assert.deepEqual(rules(await monitor.sweep(T0 + 191 * DAY)).sort(), [
      'g1/quiet:member:inactive:review',
      'g1/talker:member:inactive:review',
    ]);
  });

  it('exempt roles are not reported; joining counts as activity', async () => {
    const { monitor } = setup({ defaults: { inactivity: { exempt: { roles: ['owner', 'admin'] } } } });
    await monitor.handle([
      { kind: 'member.joined', id: 'j', ts: T0, platform: 'qq', groupId: 'g1', userId: 'new' },
    ]);
    await monitor.observe([msg('boss', 'a-d', T0, 'g1', 'owner')]);
    assert.deepEqual(await monitor.sweep(T0 + 89 * DAY), []);
    assert.deepEqual(rules(await monitor.sweep(T0 + 91 * DAY)), ['g1/new:member:inactive:review']);
  });

  it('member lists (sync) set activity from last_sent_time and forget members no longer listed', async () => {
    const { monitor, store } = setup();
    await monitor.observe([msg('gone', 'a-x', T0, 'g1')]);
    await monitor.syncGroup('qq', 'g1', [
      {
        platform: 'qq',
        groupId: 'g1',
        userId: 'old',
        ts: T0,
        card: 'a-b',
        spoke: false,
        joinedAt: T0 - 400 * DAY,
        lastSpokeAt: T0 - 200 * DAY,
      },
      {
        platform: 'qq',
        groupId: 'g1',
        userId: 'recent',
        ts: T0,
        card: 'a-c',
        spoke: false,
        joinedAt: T0 - 400 * DAY,
        lastSpokeAt: T0 - DAY,
      },
    ]);
    assert.equal(await store.get('qq', 'g1', 'gone'), null);
    assert.deepEqual(rules(await monitor.sweep(T0)), ['g1/old:member:inactive:review']);
  });
});

describe('membership events', () => {
  it('the bot being removed from a group (kick_me) forgets the whole group', async () => {
    const { monitor, store } = setup();
    await monitor.observe([msg('a', 'x-y', T0, 'g1'), msg('b', 'x-z', T0, 'g1'), msg('a', 'x-y', T0, 'g2')]);
    await monitor.handle([
      {
        kind: 'member.left',
        id: 'k',
        ts: T0,
        platform: 'qq',
        groupId: 'g1',
        userId: 'bot',
        reason: 'kick_me',
      },
    ]);
    assert.deepEqual(await store.membersOf('qq', 'g1'), []);
    assert.equal((await store.membersOf('qq', 'g2')).length, 1);
  });

  it('activity writes are coalesced (one store write per member per resolution)', async () => {
    const { MemoryMemberStore } = await import('../../../src/members/memory/memory-member-store.js');
    const { MemberMonitor } = await import('../../../src/members/monitor.js');
    const store = new MemoryMemberStore();
    let writes = 0;
    const counting = Object.assign(Object.create(store) as typeof store, {
      touch: (b: Parameters<typeof store.touch>[0]) => {
        writes += b.length;
        return store.touch(b);
      },
    });
    const monitor = new MemberMonitor({ store: counting, activityResolutionMs: 60_000, clock: () => T0 });
    for (let i = 0; i < 10; i++) await monitor.observe([msg('u', 'a-b', T0 + i * 1000)]);
    assert.equal(writes, 1);
    await monitor.observe([msg('u', 'a-b', T0 + 61_000)]);
    assert.equal(writes, 2);
    await monitor.observe([msg('u', 'a-c', T0 + 62_000)]);
    assert.equal(writes, 3, 'a new card is always written');
  });
});
