/**
 * Findings are made once, and only counted as made once delivered: verdicts that could not be delivered
 * give their claims back (MemberMonitor.release, releasingDelivery, the sweeper), so the next event,
 * sweep or retry makes them again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { StoreError } from '../../../src/contracts/errors.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor, releasingDelivery } from '../../../src/members/monitor.js';
import { normalizeEmployee } from '../../../src/members/roster.js';
import { CompiledMemberRules } from '../../../src/members/rules.js';
import type { MemberTouch } from '../../../src/members/store.js';
import { MemberSweeper } from '../../../src/members/sweeper.js';
import type { MemberEvent, MemberObservation } from '../../../src/members/types.js';
import { MemberDeliveryError } from '../../../src/members/verdicts.js';
import { DAY, T0, employee, rules, setup } from './helpers.js';

const seen = (userId: string, card: string, ts = T0, groupId = 'g1'): MemberObservation => ({
  platform: 'qq',
  groupId,
  userId,
  ts,
  card,
});

const departure = (id = 'hr-1'): MemberEvent => ({
  kind: 'roster.update',
  id,
  ts: T0,
  employees: [
    employee('E7', '钱七', '研发部', 'left', {
      effectiveDate: T0 - DAY,
      accounts: [{ platform: 'qq', userId: 'u7' }],
    }),
  ],
});

/** A memory store whose next `fail.<method>` calls fail like Redis being down. */
class FlakyStore extends MemoryMemberStore {
  readonly fail = { touch: 0, writeRoster: 0, claimOnce: 0 };
  override async touch(batch: readonly MemberTouch[]) {
    if (this.fail.touch-- > 0) throw new StoreError('member touch: connection lost', { unavailable: true });
    return super.touch(batch);
  }
  override async writeRoster(...a: Parameters<MemoryMemberStore['writeRoster']>) {
    if (this.fail.writeRoster-- > 0)
      throw new StoreError('roster write: connection lost', { unavailable: true });
    return super.writeRoster(...a);
  }
  override async claimOnce(...a: Parameters<MemoryMemberStore['claimOnce']>) {
    if (this.fail.claimOnce-- > 0) throw new StoreError('claim: connection lost', { unavailable: true });
    return super.claimOnce(...a);
  }
}

function flaky(rulesDoc = {}) {
  const clock = { now: T0 };
  const store = new FlakyStore({ clock: () => clock.now });
  const monitor = new MemberMonitor({
    store,
    rules: new CompiledMemberRules(rulesDoc),
    clock: () => clock.now,
    activityResolutionMs: 10 * 60_000,
  });
  return { clock, store, monitor };
}

describe('undelivered member verdicts are released and made again', () => {
  it('departed: a roster update whose kick was not delivered kicks again when HR retries', async () => {
    const { monitor } = setup();
    await monitor.observe([seen('u7', '研发部-钱七')]);
    const first = await monitor.handle([departure()]);
    assert.deepEqual(rules(first), ['g1/u7:member:departed:kick']);
    assert.deepEqual(await monitor.handle([departure()]), [], 'delivered: never twice');
    await monitor.release(first);
    const again = await monitor.handle([departure()]);
    assert.deepEqual(
      again.map((v) => v.messageId),
      first.map((v) => v.messageId),
      'the same finding, under the same id (enforcers de-duplicate on it)',
    );
    // …or the next sweep, when nobody retries.
    await monitor.release(again);
    assert.deepEqual(rules(await monitor.sweep(T0 + 1000)), ['g1/u7:member:departed:kick']);
  });

  it('overdue and ambiguous findings are released too', async () => {
    const { monitor, clock } = setup();
    await monitor.observe([seen('u1', '研发部-钱七'), seen('u7', '研发部-钱七', T0, 'g2')]);
    clock.now = T0 + DAY;
    const v = await monitor.handle([
      {
        kind: 'roster.update',
        id: 'r',
        ts: clock.now,
        employees: [
          employee('E7', '钱七', '研发部', 'left', {
            effectiveDate: T0,
            accounts: [{ platform: 'qq', userId: 'u7' }],
          }),
          employee('E8', '钱七', '研发部', 'active'),
        ],
      },
    ]);
    assert.deepEqual(rules(v).sort(), [
      'g1/u1:member:departed-ambiguous:review',
      'g2/u7:member:departed:kick',
    ]);
    const overdue = await monitor.sweep(T0 + 5 * DAY);
    assert.deepEqual(rules(overdue), ['g2/u7:member:departed-overdue:kick']);
    await monitor.release([...v, ...overdue]);
    assert.deepEqual(rules(await monitor.sweep(T0 + 5 * DAY)).sort(), [
      'g1/u1:member:departed-ambiguous:review',
      'g2/u7:member:departed:kick',
    ]);
    assert.deepEqual(rules(await monitor.sweep(T0 + 5 * DAY + 1)), ['g2/u7:member:departed-overdue:kick']);
  });

  it('cards: a card finding not delivered is made again the next time the card is seen', async () => {
    const { monitor } = flaky();
    const first = await monitor.observe([seen('u1', '小王')]);
    assert.deepEqual(rules(first), ['g1/u1:member:card-format:review']);
    assert.deepEqual(await monitor.observe([seen('u1', '小王', T0 + 1000)]), [], 'delivered: once');
    await monitor.release(first);
    // Within the activity resolution, with the card unchanged: the store is asked again all the same.
    assert.deepEqual(
      (await monitor.observe([seen('u1', '小王', T0 + 2000)])).map((v) => v.messageId),
      first.map((v) => v.messageId),
    );
    // A card change notice (no activity) too.
    const notice: MemberEvent = {
      kind: 'member.card',
      id: 'c1',
      ts: T0,
      platform: 'qq',
      groupId: 'g1',
      userId: 'u2',
      userName: 'nope',
    };
    const byNotice = await monitor.handle([notice]);
    assert.equal(byNotice.length, 1);
    await monitor.release(byNotice);
    assert.equal((await monitor.handle([{ ...notice, id: 'c2' }])).length, 1);
  });

  it('inactivity: a finding not delivered is made again by the next sweep', async () => {
    const { monitor } = setup();
    await monitor.observe([seen('quiet', '研发部-张三')]);
    const first = await monitor.sweep(T0 + 91 * DAY);
    assert.deepEqual(rules(first), ['g1/quiet:member:inactive:review']);
    assert.deepEqual(await monitor.sweep(T0 + 92 * DAY), []);
    await monitor.release(first);
    assert.deepEqual(
      (await monitor.sweep(T0 + 92 * DAY)).map((v) => v.messageId),
      first.map((v) => v.messageId),
    );
  });

  it('release skips verdicts already released or not made by this monitor', async () => {
    const { monitor, store } = setup();
    await monitor.observe([seen('u7', '研发部-钱七')]);
    const v = await monitor.handle([departure()]);
    await monitor.release(v);
    await monitor.handle([departure()]); // claimed again
    await monitor.release(v); // the old objects: already released, nothing happens
    assert.deepEqual(await store.claimOnce([], 1), []);
    assert.deepEqual(await monitor.handle([departure()]), [], 'still claimed by the second finding');
    await monitor.release([{ ...v[0] }]); // a copy is not this monitor's verdict
    assert.deepEqual(await monitor.handle([departure()]), []);
  });

  it('a call failing half-way releases the verdicts it made so far', async () => {
    const { monitor, store } = flaky();
    await monitor.handle([departure()]); // the roster, before the member shows up
    store.fail.writeRoster = 1;
    const join: MemberEvent = {
      kind: 'member.joined',
      id: 'j',
      ts: T0,
      platform: 'qq',
      groupId: 'g5',
      userId: 'u7',
    };
    await assert.rejects(monitor.handle([join, departure('hr-2')]), /roster write: connection lost/);
    // The kick made for the join was never returned to anyone: it is made again.
    assert.deepEqual(rules(await monitor.handle([{ ...join, id: 'j2' }])), ['g5/u7:member:departed:kick']);
  });

  it('a failed store write is not remembered as written (the activity cache waits for the store)', async () => {
    const { monitor, store } = flaky();
    store.fail.touch = 1;
    await assert.rejects(monitor.observe([seen('u1', '小王')]), /connection lost/);
    assert.deepEqual(rules(await monitor.observe([seen('u1', '小王', T0 + 1000)])), [
      'g1/u1:member:card-format:review',
    ]);
    assert.equal((await store.get('qq', 'g1', 'u1'))?.card, '小王');
  });

  it('a failure after the store recorded card checks gives the unchecked ones back', async () => {
    const { monitor, store } = flaky();
    await monitor.updateRoster(
      [normalizeEmployee(employee('E7', '钱七', '研发部', 'left', { effectiveDate: T0 - DAY }), 480)],
      true,
    );
    store.fail.claimOnce = 1; // the departed-by-card check of the first member fails
    await assert.rejects(monitor.observe([seen('x', '研发部-钱七'), seen('y', '小王')]), /claim/);
    assert.deepEqual(
      rules(await monitor.observe([seen('x', '研发部-钱七', T0 + 1), seen('y', '小王', T0 + 1)])),
      ['g1/x:member:departed:kick', 'g1/y:member:card-format:review'],
    );
  });

  it('a touch that fails part-way gives back the card checks it may have recorded: the cards are checked again', async () => {
    // Like RedisMemberStore splitting a batch into calls: the first call is written, the second fails.
    class SplittingStore extends MemoryMemberStore {
      failNext = true;
      failRelease = false;
      override async touch(batch: readonly MemberTouch[]) {
        if (!this.failNext || batch.length < 2) return super.touch(batch);
        this.failNext = false;
        await super.touch(batch.slice(0, 1));
        throw new StoreError('member touch: connection lost', { unavailable: true });
      }
      override async releaseCardCheck(...a: Parameters<MemoryMemberStore['releaseCardCheck']>) {
        if (this.failRelease) throw new StoreError('release: connection lost', { unavailable: true });
        return super.releaseCardCheck(...a);
      }
    }
    const store = new SplittingStore({ clock: () => T0 });
    const logged: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const monitor = new MemberMonitor({ store, clock: () => T0, logger });
    await assert.rejects(monitor.observe([seen('x', '小王'), seen('y', '小李')]), /connection lost/);
    assert.deepEqual(rules(await monitor.observe([seen('x', '小王', T0 + 1), seen('y', '小李', T0 + 1)])), [
      'g1/x:member:card-format:review',
      'g1/y:member:card-format:review',
    ]);

    // When even the give-back fails, it is said at error level, never silently.
    store.failNext = true;
    store.failRelease = true;
    await assert.rejects(monitor.observe([seen('x', '小张'), seen('y', '小赵')]), /member touch/);
    assert.ok(
      logged.some(
        (l) => l.level === 50 && /card checks of a failed operation could not be given back/.test(l.msg),
      ),
      JSON.stringify(logged),
    );
  });

  it('releasingDelivery releases what its send could not deliver, as a MemberDeliveryError', async () => {
    const { monitor } = setup();
    await monitor.observe([seen('u7', '研发部-钱七')]);
    let up = false;
    const delivered: string[] = [];
    const deliver = releasingDelivery(monitor, async (vs: Verdict[]) => {
      if (!up) throw new Error('KafkaJSConnectionError: Connection timeout');
      delivered.push(...vs.map((v) => v.messageId));
    });
    const v = await monitor.handle([departure()]);
    await assert.rejects(deliver(v), (e: unknown) => {
      assert.ok(e instanceof MemberDeliveryError);
      assert.equal(e.code, 'KAFKA_ERROR');
      assert.equal(e.released, true);
      assert.deepEqual(e.messageIds, [v[0].messageId]);
      assert.match(e.message, /1 member verdict\(s\) could not be delivered: KafkaJSConnectionError/);
      return true;
    });
    up = true;
    await deliver(await monitor.handle([departure('retry')]));
    assert.deepEqual(delivered, [v[0].messageId]);
  });

  it('the sweeper releases findings it could not deliver; the next sweep delivers them', async () => {
    const { monitor, clock } = setup();
    await monitor.observe([seen('quiet', '研发部-张三')]);
    clock.now = T0 + 91 * DAY;
    let up = false;
    const delivered: string[] = [];
    const results: boolean[] = [];
    const sweeper = new MemberSweeper({
      monitor,
      deliver: async (vs) => {
        if (!up) throw new Error('down');
        delivered.push(...vs.map((v) => v.reasons[0].rule!));
      },
      onSweep: (_s, _n, ok) => results.push(ok),
    });
    await sweeper.runOnce();
    up = true;
    await sweeper.runOnce();
    await sweeper.runOnce();
    assert.deepEqual(results, [false, true, true]);
    assert.deepEqual(delivered, ['member:inactive']);
  });
});

describe('inactivity after a rules change', () => {
  it('a longer idle period puts members claimed early back in the queue until they are due', async () => {
    const store = new MemoryMemberStore();
    const m90 = new MemberMonitor({ store, rules: new CompiledMemberRules({}), clock: () => T0 });
    await m90.observe([seen('42', '研发部-张三')]);
    const m180 = new MemberMonitor({
      store,
      rules: new CompiledMemberRules({ defaults: { inactivity: { days: 180 } } }),
    });
    assert.deepEqual(await m180.sweep(T0 + 91 * DAY), [], 'armed for 90 days, not due under 180');
    assert.deepEqual(await m180.sweep(T0 + 179 * DAY), []);
    const v = await m180.sweep(T0 + 181 * DAY);
    assert.deepEqual(rules(v), ['g1/42:member:inactive:review']);
    assert.equal(v[0].messageId, `member:qq:g1:42:inactive-${T0}`);
    assert.deepEqual(await m180.sweep(T0 + 400 * DAY), [], 'once');
  });
});
