/**
 * What the monitor takes in: observations that cannot be stored, roles that notices do not carry,
 * anonymous senders, empty member lists, roster names in other Unicode forms, mute rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordError } from '../../../src/contracts/errors.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor, observationFromMessage } from '../../../src/members/monitor.js';
import { normalizeEmployee } from '../../../src/members/roster.js';
import { CompiledMemberRules } from '../../../src/members/rules.js';
import type { MemberEvent, MemberObservation } from '../../../src/members/types.js';
import { DAY, T0, employee, rules, setup, valid } from './helpers.js';

const seen = (userId: string, card: string | undefined, extra: Partial<MemberObservation> = {}) =>
  ({ platform: 'qq', groupId: 'g1', userId, ts: T0, card, ...extra }) as MemberObservation;

describe('observations that cannot be stored are skipped and reported, never failing the batch', () => {
  it('times that are no times, ids that are no strings: skipped, counted; the others are judged', async () => {
    let rejected = 0;
    const store = new MemoryMemberStore();
    const monitor = new MemberMonitor({
      store,
      clock: () => T0,
      hooks: { onRejected: () => rejected++ },
    });
    const v = await monitor.observe([
      seen('a', '小王'),
      seen('b', '小李', { ts: Infinity }),
      seen('c', '小李', { ts: 1e306 }),
      seen('d', '小李', { ts: -1 }),
      seen('e', '小李', { lastSpokeAt: NaN }),
      seen('f\ud800', '小李'),
      seen('', '小李'),
      null as unknown as MemberObservation,
      seen('z', '小张'),
    ]);
    assert.deepEqual(rules(v), ['g1/a:member:card-format:review', 'g1/z:member:card-format:review']);
    assert.equal(rejected, 7);
    assert.deepEqual((await store.membersOf('qq', 'g1')).map((m) => m.userId).sort(), ['a', 'z']);
  });

  it('a card with a lone surrogate is read with U+FFFD in its place (still checked, and counted)', async () => {
    const repaired: string[] = [];
    const { monitor, store } = setup({}, { onRepaired: (what) => repaired.push(what) });
    await monitor.updateRoster([normalizeEmployee(employee('E4', '李四', '研发部'), 480)], true);
    const v = valid(await monitor.observe([seen('b', '研发部-李\ud800四')]));
    assert.deepEqual(rules(v), ['g1/b:member:card-roster:review']);
    assert.equal(v[0].reasons[0].match, '研发部-李\ufffd四');
    assert.equal((await store.get('qq', 'g1', 'b'))?.card, '研发部-李\ufffd四');
    assert.deepEqual(repaired, ['card']);
  });

  it('member events are checked before any is applied: an invalid one is a RecordError naming it', async () => {
    const { monitor, store } = setup();
    const join: MemberEvent = {
      kind: 'member.joined',
      id: 'j',
      ts: T0,
      platform: 'qq',
      groupId: 'g1',
      userId: 'u',
    };
    const bad: MemberEvent[] = [
      { ...join, id: 'x', ts: 1e306 },
      { ...join, id: 'x', userName: '研发部-\udc00' },
      {
        kind: 'roster.update',
        id: 'x',
        ts: T0,
        employees: [employee('E', 'n', 'd', 'left', { effectiveDate: '2025-13-45' })],
      },
    ];
    for (const e of bad) {
      await assert.rejects(monitor.handle([join, e]), (err: unknown) => {
        assert.ok(err instanceof RecordError);
        assert.match(err.message, /^events\[1\] \(x\): /);
        return true;
      });
    }
    assert.equal(await store.get('qq', 'g1', 'u'), null, 'the valid event before it was not applied either');
    assert.equal((await store.readRoster()).employees.length, 0);
  });
});

describe('exemptions by role hold for notices, which carry no role', () => {
  it('an exempt owner changing their card is not reported (the stored role decides)', async () => {
    const { monitor } = setup({ defaults: { card: { exempt: { roles: ['owner', 'admin'] } } } });
    assert.deepEqual(await monitor.observe([seen('boss', '群主', { role: 'owner' })]), []);
    const card = (userName: string, id: string): MemberEvent => ({
      kind: 'member.card',
      id,
      ts: T0 + 1000,
      platform: 'qq',
      groupId: 'g1',
      userId: 'boss',
      userName,
    });
    assert.deepEqual(await monitor.handle([card('老板', 'c1')]), []);
    // Speaking with the new card as owner: still nothing (and nothing was consumed unreported before).
    assert.deepEqual(await monitor.observe([seen('boss', '老板', { role: 'owner', ts: T0 + 2000 })]), []);
    // A member whose stored role is member is reported as before.
    await monitor.observe([seen('m', '市场部-张三', { role: 'member' })]);
    assert.deepEqual(rules(await monitor.handle([{ ...card('乱写', 'c2'), userId: 'm' }])), [
      'g1/m:member:card-format:review',
    ]);
  });

  it('a join notice of a member the store knows as admin is exempt too', async () => {
    const { monitor } = setup({ defaults: { card: { exempt: { roles: ['admin'] } } } });
    await monitor.syncGroup('qq', 'g1', [seen('adm', '管理员', { role: 'admin', spoke: false })]);
    assert.deepEqual(
      await monitor.handle([
        {
          kind: 'member.joined',
          id: 'j',
          ts: T0,
          platform: 'qq',
          groupId: 'g1',
          userId: 'adm',
          userName: '小管',
        },
      ]),
      [],
    );
  });
});

describe('member lists', () => {
  it('an empty member list forgets no one', async () => {
    const { monitor, store } = setup();
    await monitor.observe([seen('a', '研发部-张三'), seen('b', '研发部-李四')]);
    assert.deepEqual(await monitor.syncGroup('qq', 'g1', []), []);
    assert.equal((await store.membersOf('qq', 'g1')).length, 2);
  });
});

describe('anonymous messages', () => {
  it('say nothing about membership: no member stored, no card finding', async () => {
    const { monitor, store } = setup();
    const o = observationFromMessage({
      v: 1,
      id: 'qq:g1:1',
      platform: 'qq',
      groupId: 'g1',
      userId: '80000000',
      userName: '匿名消息',
      text: '匿名说一句',
      ts: T0,
      anonymous: { id: '9876543', name: '大力鬼王', flag: '9876543|大力鬼王' },
    });
    assert.equal(o.anonymous, true);
    assert.equal(o.card, undefined);
    assert.deepEqual(await monitor.observe([o, { ...seen('80000000', ''), anonymous: true }]), []);
    assert.equal(await store.get('qq', 'g1', '80000000'), null);
  });
});

describe('roster names are compared NFKC-normalised, like cards', () => {
  for (const linked of [false, true])
    it(`a name-only format: HR's Ｔｏｍ is the card Tom (${linked ? 'linked account' : 'by name'})`, async () => {
      const { monitor } = setup({ defaults: { card: { format: '^(?<name>\\S+)$' } } });
      await monitor.updateRoster(
        [
          normalizeEmployee(
            employee(
              'E1',
              'Ｔｏｍ',
              '研发部',
              'active',
              linked ? { accounts: [{ platform: 'qq', userId: '7' }] } : {},
            ),
            480,
          ),
        ],
        true,
      );
      assert.deepEqual(await monitor.observe([seen('7', 'Ｔｏｍ'), seen('7', 'Tom', { groupId: 'g2' })]), []);
      assert.deepEqual(rules(await monitor.observe([seen('7', 'Jerry', { groupId: 'g3' })])), [
        'g3/7:member:card-roster:review',
      ]);
    });
});

describe('mute rules', () => {
  it('departed and inactivity rules with action mute carry their muteSeconds', async () => {
    const { monitor, clock } = setup({
      defaults: {
        departed: { action: 'mute', muteSeconds: 86_400 },
        inactivity: { action: 'mute', muteSeconds: 600, days: 1 },
        card: { action: 'mute', muteSeconds: 60 },
      },
    });
    const card = valid(await monitor.observe([seen('u', '小王'), seen('u7', '研发部-钱七')]));
    assert.deepEqual(
      card.map((v) => `${v.reasons[0].rule}:${v.action}:${v.muteSeconds}`),
      ['member:card-format:mute:60'],
    );
    clock.now = T0 + 2 * DAY;
    const v = valid([
      ...(await monitor.handle([
        {
          kind: 'roster.update',
          id: 'r',
          ts: clock.now,
          employees: [
            employee('E7', '钱七', '研发部', 'left', {
              effectiveDate: T0,
              accounts: [{ platform: 'qq', userId: 'u7' }],
            }),
          ],
        },
      ])),
      ...(await monitor.sweep()),
    ]);
    assert.deepEqual(v.map((x) => `${x.userId}:${x.reasons[0].rule}:${x.action}:${x.muteSeconds}`).sort(), [
      'u7:member:departed:mute:86400',
      'u7:member:inactive:mute:600',
      'u:member:inactive:mute:600',
    ]);
  });

  it('rules load refuses action mute without muteSeconds > 0, naming the field', () => {
    for (const [doc, field] of [
      [
        { defaults: { card: { action: 'mute' } } },
        /defaults: card\.muteSeconds must be > 0 when card\.action is mute/,
      ],
      [
        { defaults: { inactivity: { action: 'mute', muteSeconds: 0 } } },
        /defaults: inactivity\.muteSeconds must be > 0 when inactivity\.action is mute/,
      ],
      [
        { groups: { 'qq:1': { departed: { action: 'mute' } } } },
        /groups\["qq:1"\]: departed\.muteSeconds must be > 0 when departed\.action is mute/,
      ],
    ] as const)
      assert.throws(() => new CompiledMemberRules(doc as never), field);
    // Inherited: a duration in the defaults serves a group that only says mute.
    const r = new CompiledMemberRules({
      defaults: { inactivity: { muteSeconds: 600 } },
      groups: { 'qq:1': { inactivity: { action: 'mute' } } },
    });
    assert.equal(r.forGroup('qq', '1').inactivity.muteSeconds, 600);
    assert.throws(
      () => new CompiledMemberRules({ defaults: { departed: { muteSeconds: 31 * 86_400 } } }),
      /defaults\.departed\.muteSeconds must be <= 2592000/,
    );
  });
});
