/**
 * The membership store contract: every MemberStore (memory, Redis) must pass these. Run by
 * memory-member-store.test.ts and tests/integration/adapters/member-store-redis.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemberStore } from '../../../src/members/store.js';
import type { Employee } from '../../../src/members/types.js';

const DAY = 86_400_000;
const T0 = 1_764_000_000_000;

export function memberStoreContract(
  name: string,
  make: () => Promise<{ store: MemberStore; cleanup?: () => Promise<void> }>,
  opts: { skip?: string | false } = {},
): void {
  describe(`MemberStore contract: ${name}`, { skip: opts.skip ?? false }, () => {
    const withStore = (fn: (s: MemberStore) => Promise<void>) => async () => {
      const { store, cleanup } = await make();
      try {
        await fn(store);
      } finally {
        await cleanup?.();
        await store.close();
      }
    };

    it(
      'touch answers known and remembers cards, roles, activity and joins',
      withStore(async (s) => {
        const [a] = await s.touch([
          {
            platform: 'qq',
            groupId: 'g1',
            userId: 'u1',
            ts: T0,
            card: '市场部-张三',
            identity: '市场部\u0001张三',
            role: 'member',
            activeAt: T0,
          },
        ]);
        assert.deepEqual(a, { known: false, checkCard: false, role: 'member' });
        const [b] = await s.touch([
          { platform: 'qq', groupId: 'g1', userId: 'u1', ts: T0 + 1000, activeAt: T0 + 1000 },
        ]);
        assert.equal(b.known, true);
        assert.equal(b.role, 'member', 'a touch without a role answers the stored one');
        const [c] = await s.touch([{ platform: 'qq', groupId: 'g1', userId: 'nobody-yet', ts: T0 }]);
        assert.deepEqual(c, { known: false, checkCard: false }, 'no role known: none answered');
        const r = await s.get('qq', 'g1', 'u1');
        assert.deepEqual(r, {
          platform: 'qq',
          groupId: 'g1',
          userId: 'u1',
          card: '市场部-张三',
          identity: '市场部\u0001张三',
          role: 'member',
          lastActiveAt: T0 + 1000,
        });
        await s.touch([
          {
            platform: 'qq',
            groupId: 'g1',
            userId: 'u1',
            ts: T0 + 2000,
            activeAt: T0 + 500,
            joinedAt: T0 - DAY,
          },
        ]);
        const r2 = await s.get('qq', 'g1', 'u1');
        assert.equal(r2?.lastActiveAt, T0 + 1000, 'activity only moves forward');
        assert.equal(r2?.joinedAt, T0 - DAY);
        assert.equal(await s.get('qq', 'g1', 'nobody'), null);
      }),
    );

    it(
      'a first-seen member without activity is active from its join time, else from ts',
      withStore(async (s) => {
        await s.touch([
          { platform: 'qq', groupId: 'g', userId: 'a', ts: T0, joinedAt: T0 - 5 * DAY },
          { platform: 'qq', groupId: 'g', userId: 'b', ts: T0 },
        ]);
        assert.equal((await s.get('qq', 'g', 'a'))?.lastActiveAt, T0 - 5 * DAY);
        assert.equal((await s.get('qq', 'g', 'b'))?.lastActiveAt, T0);
      }),
    );

    it(
      'checkCard is true once per distinct check key',
      withStore(async (s) => {
        const t = {
          platform: 'qq',
          groupId: 'g',
          userId: 'u',
          ts: T0,
          card: 'x',
          identity: '',
          cardCheckKey: 'k1',
        };
        assert.equal((await s.touch([t]))[0].checkCard, true);
        assert.equal((await s.touch([t]))[0].checkCard, false);
        assert.equal((await s.touch([{ ...t, card: 'y', cardCheckKey: 'k2' }]))[0].checkCard, true);
        assert.equal(
          (await s.touch([{ ...t, card: 'x', cardCheckKey: 'k1' }]))[0].checkCard,
          true,
          'changing back is a change',
        );
        assert.equal(
          (await s.touch([{ platform: 'qq', groupId: 'g', userId: 'u', ts: T0, activeAt: T0 + 1 }]))[0]
            .checkCard,
          false,
          'no card, no check',
        );
      }),
    );

    it(
      'indexes: groupsOf, membersOf, withIdentity follow card changes and removals',
      withStore(async (s) => {
        const id = '研发部\u0001钱七';
        await s.touch([
          { platform: 'qq', groupId: 'g1', userId: 'u7', ts: T0, card: '研发部-钱七', identity: id },
          { platform: 'qq', groupId: 'g2', userId: 'u7', ts: T0, card: '研发部-钱七', identity: id },
          { platform: 'qq', groupId: 'g1', userId: 'u8', ts: T0, card: '研发部-钱七', identity: id },
          { platform: 'wechat', groupId: 'g1', userId: 'u7', ts: T0 },
        ]);
        assert.deepEqual((await s.groupsOf('qq', 'u7')).map((m) => m.groupId).sort(), ['g1', 'g2']);
        assert.deepEqual((await s.membersOf('qq', 'g1')).map((m) => m.userId).sort(), ['u7', 'u8']);
        assert.equal((await s.withIdentity(id)).length, 3);
        await s.touch([{ platform: 'qq', groupId: 'g1', userId: 'u8', ts: T0, card: '乱写', identity: '' }]);
        assert.deepEqual((await s.withIdentity(id)).map((m) => `${m.groupId}/${m.userId}`).sort(), [
          'g1/u7',
          'g2/u7',
        ]);
        assert.equal((await s.get('qq', 'g1', 'u8'))?.identity, undefined);
        assert.deepEqual(
          await s.remove([
            { platform: 'qq', groupId: 'g1', userId: 'u7', ts: T0 },
            { platform: 'qq', groupId: 'g9', userId: 'u7', ts: T0 },
          ]),
          [true, false],
        );
        assert.deepEqual(
          (await s.groupsOf('qq', 'u7')).map((m) => m.groupId),
          ['g2'],
        );
        assert.deepEqual(
          (await s.withIdentity(id)).map((m) => m.groupId),
          ['g2'],
        );
        assert.deepEqual(
          (await s.membersOf('qq', 'g1')).map((m) => m.userId),
          ['u8'],
        );
        assert.equal(await s.get('qq', 'g1', 'u7'), null);
        assert.deepEqual(
          (await s.groupsOf('wechat', 'u7')).map((m) => m.platform),
          ['wechat'],
        );
      }),
    );

    it(
      'claimIdle answers each idle member once, until it is active again',
      withStore(async (s) => {
        await s.touch([
          { platform: 'qq', groupId: 'g', userId: 'old', ts: T0, activeAt: T0 - 100 * DAY, idleMs: 90 * DAY },
          { platform: 'qq', groupId: 'g', userId: 'new', ts: T0, activeAt: T0 - 10 * DAY, idleMs: 90 * DAY },
          { platform: 'qq', groupId: 'g', userId: 'untracked', ts: T0, activeAt: T0 - 200 * DAY, idleMs: 0 },
        ]);
        const first = await s.claimIdle(T0, 100);
        assert.deepEqual(
          first.map((m) => m.userId),
          ['old'],
        );
        assert.equal(first[0].lastActiveAt, T0 - 100 * DAY);
        assert.deepEqual(await s.claimIdle(T0, 100), [], 'claimed once');
        // Still idle but unchanged: not answered again. Speaking re-arms it.
        await s.touch([{ platform: 'qq', groupId: 'g', userId: 'old', ts: T0, idleMs: 90 * DAY }]);
        assert.deepEqual(await s.claimIdle(T0 + DAY, 100), []);
        await s.touch([
          { platform: 'qq', groupId: 'g', userId: 'old', ts: T0 + DAY, activeAt: T0 + DAY, idleMs: 90 * DAY },
        ]);
        assert.deepEqual(await s.claimIdle(T0 + 50 * DAY, 100), []);
        assert.deepEqual((await s.claimIdle(T0 + 92 * DAY, 100)).map((m) => m.userId).sort(), ['new', 'old']);
      }),
    );

    it(
      'claimIdle respects the limit, most overdue first, and forgets removed members',
      withStore(async (s) => {
        const touches = [1, 2, 3, 4].map((i) => ({
          platform: 'qq',
          groupId: 'g',
          userId: `u${i}`,
          ts: T0,
          activeAt: T0 - (100 + i) * DAY,
          idleMs: 90 * DAY,
        }));
        await s.touch(touches);
        await s.remove([{ platform: 'qq', groupId: 'g', userId: 'u4', ts: T0 }]);
        assert.deepEqual(
          (await s.claimIdle(T0, 2)).map((m) => m.userId),
          ['u3', 'u2'],
        );
        assert.deepEqual(
          (await s.claimIdle(T0, 2)).map((m) => m.userId),
          ['u1'],
        );
      }),
    );

    it(
      'one bad request never fails the batch: it alone is refused, the others are written',
      withStore(async (s) => {
        const ok = (userId: string) => ({
          platform: 'qq',
          groupId: 'g',
          userId,
          ts: T0,
          card: '市场部-张三',
          identity: '市场部\u0001张三',
          cardCheckKey: 'k',
          idleMs: DAY,
        });
        const results = await s.touch([
          ok('before'),
          { ...ok('lone-surrogate'), card: '研发部-李\ud800四' },
          { ...ok('lone-in-identity'), identity: '研发部\u0001李\udc00' },
          { ...ok('infinite'), ts: Infinity },
          { ...ok('nan'), activeAt: NaN },
          { ...ok('huge-idle'), idleMs: -Infinity },
          { ...ok(''), userId: '' },
          ok('after'),
        ]);
        assert.deepEqual(results[0], { known: false, checkCard: true });
        assert.deepEqual(results[7], { known: false, checkCard: true });
        for (const i of [1, 2, 3, 4, 5, 6]) {
          assert.equal(results[i].known, false, String(i));
          assert.equal(results[i].checkCard, false, String(i));
          assert.match(results[i].rejected ?? '', /surrogate|finite|non-empty/, String(i));
        }
        assert.match(results[1].rejected!, /card contains a lone UTF-16 surrogate/);
        assert.match(results[3].rejected!, /ts must be a finite number/);
        assert.deepEqual((await s.membersOf('qq', 'g')).map((m) => m.userId).sort(), ['after', 'before']);
        for (const u of ['lone-surrogate', 'lone-in-identity', 'infinite', 'nan', 'huge-idle'])
          assert.equal(await s.get('qq', 'g', u), null, u);
        assert.equal((await s.withIdentity('市场部\u0001张三')).length, 2);
        // A refused request is not half-written: sent again well-formed, it is a first sighting.
        assert.deepEqual(await s.touch([ok('infinite')]), [{ known: false, checkCard: true }]);
      }),
    );

    it(
      'releaseCardCheck forgets a check key (only while it is still that key)',
      withStore(async (s) => {
        const t = {
          platform: 'qq',
          groupId: 'g',
          userId: 'u',
          ts: T0,
          card: 'x',
          identity: '',
          cardCheckKey: 'k1',
        };
        assert.equal((await s.touch([t]))[0].checkCard, true);
        await s.releaseCardCheck([{ platform: 'qq', groupId: 'g', userId: 'u', checkKey: 'k0' }]);
        assert.equal((await s.touch([t]))[0].checkCard, false, 'another key: left alone');
        await s.releaseCardCheck([
          { platform: 'qq', groupId: 'g', userId: 'u', checkKey: 'k1' },
          { platform: 'qq', groupId: 'g', userId: 'unknown', checkKey: 'k1' },
        ]);
        assert.equal((await s.touch([t]))[0].checkCard, true, 'released: checked again');
        assert.equal((await s.touch([t]))[0].checkCard, false);
        assert.equal(await s.get('qq', 'g', 'unknown'), null, 'releasing creates no member');
      }),
    );

    it(
      'rearmIdle puts a claimed member back, unless it was active since, is queued or is gone',
      withStore(async (s) => {
        const idle = (userId: string, activeAt: number) => ({
          platform: 'qq',
          groupId: 'g',
          userId,
          ts: T0,
          activeAt,
          idleMs: 90 * DAY,
        });
        await s.touch([idle('a', T0 - 100 * DAY), idle('b', T0 - 100 * DAY), idle('c', T0 - 100 * DAY)]);
        assert.equal((await s.claimIdle(T0, 10)).length, 3);
        const back = (userId: string, lastActiveAt: number, dueAt: number) => ({
          platform: 'qq',
          groupId: 'g',
          userId,
          lastActiveAt,
          dueAt,
        });
        await s.touch([idle('b', T0 - DAY)]); // b spoke since: armed by that activity
        await s.remove([{ platform: 'qq', groupId: 'g', userId: 'c', ts: T0 }]);
        await s.rearmIdle([
          back('a', T0 - 100 * DAY, T0 + 80 * DAY),
          back('b', T0 - 100 * DAY, T0 + 10 * DAY),
          back('c', T0 - 100 * DAY, T0 + 10 * DAY),
          back('nobody', T0, T0),
        ]);
        assert.equal(await s.get('qq', 'g', 'c'), null, 'a member gone stays gone');
        assert.deepEqual(await s.claimIdle(T0 + 80 * DAY - 1, 10), []);
        assert.deepEqual(
          (await s.claimIdle(T0 + 80 * DAY, 10)).map((m) => m.userId),
          ['a'],
        );
        assert.deepEqual(
          (await s.claimIdle(T0 + 89 * DAY, 10)).map((m) => m.userId),
          ['b'],
          'b is due when its own activity says (T0 - 1 day + 90 days)',
        );
        // Already queued: rearmIdle leaves the queued time.
        await s.touch([idle('d', T0)]);
        await s.rearmIdle([back('d', T0, T0 + DAY)]);
        assert.deepEqual(await s.claimIdle(T0 + 89 * DAY, 10), []);
        assert.deepEqual(
          (await s.claimIdle(T0 + 90 * DAY, 10)).map((m) => m.userId),
          ['d'],
        );
      }),
    );

    it(
      'claimOnce marks each key once',
      withStore(async (s) => {
        assert.deepEqual(await s.claimOnce(['a', 'b'], 60_000), [true, true]);
        assert.deepEqual(await s.claimOnce(['a', 'c', 'c'], 60_000), [false, true, false]);
        assert.deepEqual(await s.claimOnce([], 60_000), []);
        await s.releaseOnce(['a', 'c', 'never']);
        assert.deepEqual(await s.claimOnce(['a', 'b', 'c'], 60_000), [true, false, true], 'released: again');
        await s.releaseOnce([]);
      }),
    );

    it(
      'roster: versions, upserts and replace',
      withStore(async (s) => {
        const e = (id: string, name: string, status: Employee['status'] = 'active'): Employee => ({
          employeeId: id,
          name,
          department: '市场部',
          status,
          effectiveAt: 0,
          accounts: [{ platform: 'qq', userId: id }],
        });
        const v0 = await s.rosterVersion();
        const v1 = await s.writeRoster([e('1', '张三'), e('2', '李四')], false);
        assert.equal(v1, v0 + 1, 'one write, one version, however it is chunked');
        const v2 = await s.writeRoster([e('2', '李四', 'left')], false);
        assert.equal(v2, v1 + 1);
        assert.equal(await s.rosterVersion(), v2);
        let r = await s.readRoster();
        assert.equal(r.version, v2);
        assert.deepEqual(r.employees.map((x) => `${x.employeeId}:${x.status}`).sort(), [
          '1:active',
          '2:left',
        ]);
        await s.writeRoster([e('3', '王五')], true);
        r = await s.readRoster();
        assert.deepEqual(
          r.employees.map((x) => x.employeeId),
          ['3'],
        );
        assert.deepEqual(r.employees[0], e('3', '王五'));
        // Several entries (several chunks on Redis): replace and upsert keep their meaning.
        const v3 = await s.writeRoster([e('4', '赵六'), e('5', '孙七'), e('6', '周八')], true);
        assert.equal(v3, (await s.readRoster()).version);
        assert.deepEqual((await s.readRoster()).employees.map((x) => x.employeeId).sort(), ['4', '5', '6']);
        await s.writeRoster([e('5', '孙七', 'left'), e('7', '吴九'), e('8', '郑十')], false);
        r = await s.readRoster();
        assert.deepEqual(r.employees.map((x) => `${x.employeeId}:${x.status}`).sort(), [
          '4:active',
          '5:left',
          '6:active',
          '7:active',
          '8:active',
        ]);
        await s.writeRoster([], true);
        assert.deepEqual((await s.readRoster()).employees, []);
      }),
    );
  });
}
