import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../../src/contracts/errors.js';
import type { Category, Message, Reason } from '../../../src/contracts/types.js';
import { DEFAULT_LIMITS } from '../../contract/flood.contract.js';
import { MemoryFloodLimiter, floodReasons } from '../../../src/flood/index.js';
import {
  PolicyCompiler,
  PolicyEngine,
  type PolicyDecision,
  type PolicyInput,
} from '../../../src/policy/index.js';
import type { CompiledPolicy } from '../../../src/policy/index.js';
import { MemoryStrikeStore } from '../../../src/strikes/index.js';
import type { StrikeRequest, StrikeResult, StrikeStore } from '../../../src/strikes/types.js';
import type { PolicyStage } from '../../../src/pipeline/stages.js';

const T0 = 1_764_000_000_000;
const DAY = 86_400_000;
const compiler = new PolicyCompiler();
const DEFAULT = compiler.compile({ name: 'default', version: 1 });

/** A strike store that records every call (and can be told to fail). */
class SpyStore implements StrikeStore {
  readonly inner: MemoryStrikeStore;
  records: StrikeRequest[][] = [];
  peeks: { group: string; userId: string; ts: number }[][] = [];
  fail: Error | null = null;
  constructor(clock: () => number) {
    this.inner = new MemoryStrikeStore({ clock });
  }
  get calls(): number {
    return this.records.length + this.peeks.length;
  }
  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]> {
    this.records.push([...batch]);
    return this.fail ? Promise.reject(this.fail) : this.inner.record(batch);
  }
  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]> {
    this.peeks.push([...batch]);
    return this.fail ? Promise.reject(this.fail) : this.inner.peek(batch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function setup(policy: CompiledPolicy = DEFAULT, onStoreError: 'review' | 'throw' = 'review') {
  const time = { now: T0 };
  const clock = () => time.now;
  const store = new SpyStore(clock);
  const engine = new PolicyEngine({ policy, strikes: store, clock, onStoreError });
  let seq = 0;
  const msg = (over: Partial<Message> = {}): Message => ({
    id: `qq:901234:${++seq}`,
    platform: 'qq',
    groupId: '901234',
    userId: '10001',
    text: '…',
    ts: time.now,
    ...over,
  });
  const one = async (reasons: Reason[], over: Partial<Message> = {}): Promise<PolicyDecision> =>
    (await engine.decide([{ message: msg(over), reasons }]))[0];
  const advance = (ms: number) => {
    time.now += ms;
  };
  return { engine, store, msg, one, advance, time };
}

const hit = (category: Category, rule = `${category}:x`, extra: Partial<Reason> = {}): Reason => ({
  detector: 'lexicon',
  category,
  rule,
  severity: 2,
  ...extra,
});
const ADS = hit('ads', 'ads:加微信');
const DRUGS = hit('illegal', 'illegal:冰毒');
const FLOOD_RATE: Reason = { detector: 'flood', category: 'flood', rule: 'flood:rate', severity: 2 };
const MENTION_ALL: Reason = { detector: 'mention', category: 'flood', rule: 'mention:all', severity: 2 };

const summary = (d: PolicyDecision) => [d.action, d.muteSeconds, d.deleteMessage, d.notifyAdmins, d.strikes];

describe('policy engine: the ladder', () => {
  it('warns, mutes 7 days, kicks with notify, then bans', async () => {
    const { one, advance } = setup();
    const seen: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push(summary(await one([ADS])));
      advance(DAY);
    }
    assert.deepEqual(seen, [
      ['warn', 0, true, false, 1],
      ['mute', 604_800, true, false, 2],
      ['kick', 0, true, true, 3],
      ['ban', 0, true, true, 4],
      ['ban', 0, true, true, 5],
    ]);
  });

  it('carries the policy id and no dry-run by default', async () => {
    const { one } = setup();
    const d = await one([ADS]);
    assert.equal(d.policy, 'default@1');
    assert.equal(d.dryRun, false);
    assert.equal(d.exempt, false);
  });

  it('enters severe categories at step 2 and always notifies admins', async () => {
    const { one } = setup();
    assert.deepEqual(summary(await one([DRUGS])), ['mute', 604_800, true, true, 2]);
    // The severe violation put the sender on step 2: the next ordinary one is the 3rd step, a kick.
    assert.deepEqual(summary(await one([ADS])), ['kick', 0, true, true, 3]);
    assert.deepEqual(summary(await one([hit('porn')])), ['ban', 0, true, true, 4]);
  });

  it('climbs one step per severe violation: mute, kick + notify, ban (the entry step is a floor)', async () => {
    const { one, advance } = setup();
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push(summary(await one([DRUGS])));
      advance(60_000);
    }
    assert.deepEqual(seen, [
      ['mute', 604_800, true, true, 2],
      ['kick', 0, true, true, 3],
      ['ban', 0, true, true, 4],
      ['ban', 0, true, true, 5],
    ]);
  });

  it('puts a warned sender who posts something severe on step 2, not 3', async () => {
    const { one, advance } = setup();
    assert.deepEqual(summary(await one([ADS])), ['warn', 0, true, false, 1]);
    advance(60_000);
    assert.deepEqual(summary(await one([DRUGS])), ['mute', 604_800, true, true, 2]);
    advance(60_000);
    assert.deepEqual(summary(await one([ADS])), ['kick', 0, true, true, 3]);
  });

  it('applies the floor inside one batch and sends it to the store, not a weight', async () => {
    const { engine, msg, store } = setup();
    const decisions = await engine.decide([
      { message: msg(), reasons: [DRUGS] },
      { message: msg(), reasons: [DRUGS] },
      { message: msg(), reasons: [ADS] },
    ]);
    assert.deepEqual(
      decisions.map((d) => [d.action, d.strikes]),
      [
        ['mute', 2],
        ['kick', 3],
        ['ban', 4],
      ],
    );
    assert.deepEqual(
      store.records[0].map((r) => [r.weight, r.entryStep]),
      [
        [1, 2],
        [1, 2],
        [1, 1],
      ],
    );
  });

  it('lets strikes expire after 30 days (fake clock)', async () => {
    const { one, advance } = setup();
    await one([ADS]);
    advance(10 * DAY);
    assert.equal((await one([ADS])).action, 'mute');
    advance(20 * DAY); // the first strike is 30 days old now
    assert.deepEqual(summary(await one([ADS])), ['mute', 604_800, true, false, 2]);
    advance(31 * DAY);
    assert.deepEqual(summary(await one([ADS])), ['warn', 0, true, false, 1]);
  });

  it('climbs within one batch, in order', async () => {
    const { engine, msg, store } = setup();
    const decisions = await engine.decide([1, 2, 3, 4].map(() => ({ message: msg(), reasons: [ADS] })));
    assert.deepEqual(
      decisions.map((d) => d.action),
      ['warn', 'mute', 'kick', 'ban'],
    );
    assert.equal(store.calls, 1);
  });

  it('keeps ladders per user per group', async () => {
    const { one } = setup();
    await one([ADS]);
    assert.equal((await one([ADS], { userId: '10002' })).action, 'warn');
    assert.equal((await one([ADS], { groupId: '555' })).action, 'warn');
    assert.equal((await one([ADS], { platform: 'wechat' })).action, 'warn');
    assert.equal((await one([ADS])).action, 'mute');
  });

  it('records one strike per message, floored at its highest entry step, and lets the strongest decide', async () => {
    const { one, store } = setup();
    const d = await one([ADS, DRUGS, hit('abuse')]);
    assert.deepEqual(summary(d), ['mute', 604_800, true, true, 2]);
    assert.equal(store.records[0].length, 1);
    assert.deepEqual([store.records[0][0].weight, store.records[0][0].entryStep], [1, 2]);
  });

  it('sends privacy, secret and rumor to review with delete, counting the strike', async () => {
    const { one } = setup();
    for (const [i, c] of (['privacy', 'secret', 'rumor'] as const).entries()) {
      assert.deepEqual(summary(await one([hit(c)])), ['review', 0, true, false, i + 1]);
    }
    // Three strikes on record: an ad now is the 4th step.
    assert.equal((await one([ADS])).action, 'ban');
  });

  it('picks the stronger of a ladder step and a fixed action', async () => {
    const { one } = setup();
    // 1st strike: ads says warn, privacy says review; warn is stronger.
    assert.equal((await one([hit('privacy'), ADS])).action, 'warn');
  });
});

describe('policy engine: clean messages', () => {
  it('allows with 0 strikes and never calls the store', async () => {
    const { engine, msg, store } = setup();
    const decisions = await engine.decide([
      { message: msg(), reasons: [] },
      { message: msg(), reasons: [{ ...ADS, shadow: true }] },
    ]);
    for (const d of decisions) assert.deepEqual(summary(d), ['allow', 0, false, false, 0]);
    assert.equal(store.calls, 0);
  });

  it('ignores shadow reasons but keeps them listed', async () => {
    const { one, store } = setup();
    const shadow: Reason = { ...hit('abuse'), detector: 'classifier', score: 0.97, shadow: true };
    const d = await one([shadow, ADS]);
    assert.equal(d.action, 'warn');
    assert.deepEqual(d.reasons, [shadow, ADS]);
    assert.deepEqual([store.records[0][0].weight, store.records[0][0].entryStep], [1, 1]);
  });

  it('ignores reasons below the category minSeverity', async () => {
    const policy = compiler.compile({
      name: 'p',
      version: 1,
      defaults: { categories: { abuse: { minSeverity: 3 } } },
    });
    const { one, store } = setup(policy);
    assert.equal((await one([hit('abuse', 'abuse:x', { severity: 2 })])).action, 'allow');
    assert.equal(store.calls, 0);
    assert.equal((await one([hit('abuse', 'abuse:x', { severity: 3 })])).action, 'warn');
  });
});

describe('policy engine: flood and mentions', () => {
  it('mutes a flood for 10 minutes with delete, counting one strike per burst', async () => {
    const { engine, msg, store, advance } = setup();
    const burst = Array.from({ length: 5 }, (_, i) => ({
      message: msg({ ts: T0 + i * 100 }),
      reasons: [FLOOD_RATE],
    }));
    const decisions = await engine.decide(burst);
    for (const d of decisions) assert.deepEqual(summary(d), ['mute', 600, true, false, 1]);
    assert.equal(store.records.length, 1);
    // The burst counted once: a later ad is the 2nd step.
    advance(60_000);
    const [ad] = await engine.decide([{ message: msg(), reasons: [ADS] }]);
    assert.deepEqual(summary(ad), ['mute', 604_800, true, false, 2]);
    // A flood in the next 10-minute bucket counts again.
    advance(20 * 60_000);
    const [later] = await engine.decide([{ message: msg(), reasons: [FLOOD_RATE] }]);
    assert.equal(later.strikes, 3);
  });

  it('answers a flood within the cooldown with the live count, never an older one', async () => {
    const { one, advance } = setup();
    assert.deepEqual(summary(await one([FLOOD_RATE])), ['mute', 600, true, false, 1]);
    advance(1000);
    assert.deepEqual(summary(await one([ADS])), ['mute', 604_800, true, false, 2]);
    advance(1000);
    // Same 10-minute bucket: no new strike, but the sender has 2, not the 1 of the bucket's first flood.
    assert.deepEqual(summary(await one([FLOOD_RATE])), ['mute', 600, true, false, 2]);
    advance(1000);
    assert.equal((await one([ADS])).strikes, 3, 'the cooled flood added nothing');
  });

  it('never sends a ladder category with a cooldown back down the ladder', async () => {
    const policy = compiler.compile({
      name: 'p',
      version: 1,
      defaults: { categories: { ads: { strikeCooldownSeconds: 600 } } },
    });
    const { one, advance } = setup(policy);
    assert.deepEqual(summary(await one([ADS])), ['warn', 0, true, false, 1]);
    advance(1000);
    assert.deepEqual(summary(await one([hit('abuse')])), ['mute', 604_800, true, false, 2]);
    advance(1000);
    // Cooled: no new strike, decided from the live count (2): still a mute, not back to a warning.
    assert.deepEqual(summary(await one([ADS])), ['mute', 604_800, true, false, 2]);
  });

  it('gives a redelivered cooled message its first answer, whatever was recorded since', async () => {
    const { engine, msg, advance } = setup();
    await engine.decide([{ message: msg(), reasons: [FLOOD_RATE] }]);
    advance(1000);
    const cooled = msg();
    const [first] = await engine.decide([{ message: cooled, reasons: [FLOOD_RATE] }]);
    advance(1000);
    await engine.decide([{ message: msg(), reasons: [ADS] }]);
    const [again] = await engine.decide([{ message: cooled, reasons: [FLOOD_RATE] }]);
    assert.equal(first.strikes, 1);
    assert.deepEqual(again, first);
  });

  it('takes flood reasons straight from the flood limiter, cross-group spam as ads', async () => {
    const { engine, msg } = setup();
    const limiter = new MemoryFloodLimiter({ clock: () => T0 });
    const inputs: PolicyInput[] = [];
    for (let g = 1; g <= 5; g++) {
      const message = msg({ groupId: `g${g}`, ts: T0 + g });
      const [result] = limiter.checkSync([
        {
          platform: message.platform,
          groupId: message.groupId,
          userId: message.userId,
          messageId: message.id,
          textHash: 'same-spam',
          ts: message.ts,
          limits: DEFAULT_LIMITS,
        },
      ]);
      const reasons: Reason[] = [];
      floodReasons(result, reasons);
      inputs.push({ message, reasons });
    }
    const decisions = await engine.decide(inputs);
    assert.deepEqual(
      decisions.map((d) => d.action),
      ['allow', 'allow', 'allow', 'allow', 'warn'],
    );
    assert.equal(decisions[4].reasons[0].rule, 'ads:cross-group');
  });

  it('warns and deletes @all from a non-admin, without a strike', async () => {
    const { one, store } = setup();
    const d = await one([MENTION_ALL], { role: 'member' });
    assert.deepEqual(summary(d), ['warn', 0, true, false, 0]);
    assert.equal(store.records.length, 0, 'no strike recorded');
    assert.equal(store.peeks.length, 1);
  });

  it('lets owners and admins @all even with role exemptions off', async () => {
    const policy = compiler.compile({ name: 'p', version: 1, defaults: { exemptions: { roles: [] } } });
    const { one, store } = setup(policy);
    assert.equal((await one([MENTION_ALL], { role: 'admin' })).action, 'allow');
    assert.equal((await one([MENTION_ALL], { role: 'owner' })).action, 'allow');
    assert.equal(store.calls, 0);
    // …but their other violations count now.
    assert.equal((await one([ADS], { role: 'admin' })).action, 'warn');
  });
});

describe('policy engine: exemptions', () => {
  it('allows owners and admins by role, still listing the reasons', async () => {
    const { one, store } = setup();
    for (const role of ['owner', 'admin'] as const) {
      const d = await one([DRUGS], { role });
      assert.deepEqual([d.action, d.deleteMessage, d.exempt], ['allow', false, true]);
      assert.deepEqual(d.reasons, [DRUGS]);
    }
    assert.equal(store.records.length, 0, 'exempt senders collect no strikes');
    assert.equal((await one([ADS], { role: 'member' })).action, 'warn');
  });

  it('exempts userIds listed for the group only', async () => {
    const policy = compiler.compile({
      name: 'p',
      version: 1,
      groups: { 'qq:901234': { exemptions: { userIds: ['boss'] } } },
    });
    const { one } = setup(policy);
    assert.equal((await one([ADS], { userId: 'boss' })).action, 'allow');
    assert.equal((await one([ADS], { userId: 'boss', groupId: 'other' })).action, 'warn');
  });

  it('shows an exempt sender their live strikes (recorded before the message)', async () => {
    const { one, advance } = setup();
    await one([ADS]);
    const same = await one([ADS], { role: 'admin' });
    assert.equal(same.strikes, 0, 'a strike of the same millisecond is not before it');
    advance(1);
    const d = await one([ADS], { role: 'admin' });
    assert.deepEqual([d.action, d.strikes], ['allow', 1]);
  });

  it('tells a redelivered exempt message the same count, whatever was recorded after it', async () => {
    const { engine, msg, advance } = setup();
    await engine.decide([{ message: msg(), reasons: [ADS] }]);
    advance(1);
    const exempt = msg({ role: 'admin' });
    const [first] = await engine.decide([{ message: exempt, reasons: [ADS] }]);
    advance(1);
    await engine.decide([{ message: msg(), reasons: [ADS] }]); // a later strike
    const [again] = await engine.decide([{ message: exempt, reasons: [ADS] }]); // redelivered alone
    assert.equal(first.strikes, 1);
    assert.equal(again.strikes, 1);
  });
});

describe('policy engine: dry-run', () => {
  const policy = compiler.compile({
    name: 'p',
    version: 1,
    defaults: { dryRunRules: ['pii:*', 'ads:加微信'], categories: { rumor: { dryRun: true } } },
    groups: { 'qq:trial': { dryRun: true } },
  });

  it('computes the verdict for a dry-run group, marks it, and records nothing', async () => {
    const { one, store } = setup(policy);
    const first = await one([DRUGS], { groupId: 'trial' });
    assert.deepEqual([...summary(first), first.dryRun], ['mute', 604_800, true, true, 2, true]);
    const second = await one([DRUGS], { groupId: 'trial' });
    assert.equal(second.strikes, 2, 'nothing was recorded: the same step again');
    assert.equal(store.records.length, 0);
    assert.deepEqual(await store.inner.peek([{ group: 'qq:trial', userId: '10001', ts: T0 }]), [0]);
    // Clean messages in a dry-run group say so too.
    assert.equal((await one([], { groupId: 'trial' })).dryRun, true);
  });

  it('marks dry-run rules on the reasons and records no strike when only they matched', async () => {
    const { one, store } = setup(policy);
    const pii = hit('privacy', 'pii:mobile');
    const d = await one([pii]);
    assert.deepEqual([d.action, d.dryRun, d.strikes], ['review', true, 1]);
    assert.deepEqual(d.reasons, [{ ...pii, dryRun: true }]);
    assert.equal(pii.dryRun, undefined, 'the input reason is not modified');
    assert.equal(store.records.length, 0);
  });

  it('enforces the other reasons when a dry-run rule comes with them', async () => {
    const { one, store } = setup(policy);
    const other = hit('ads', 'ads:代开发票');
    const d = await one([ADS, other]);
    assert.deepEqual([d.action, d.dryRun, d.strikes], ['warn', false, 1]);
    assert.deepEqual(d.reasons, [{ ...ADS, dryRun: true }, other]);
    assert.equal(store.records.length, 1);
  });

  it('shows a dry-run severe violation one step above the sender, as a record would', async () => {
    const { one, advance } = setup(
      compiler.compile({ name: 'p', version: 1, defaults: { dryRunRules: ['illegal:*'] } }),
    );
    const clean = await one([DRUGS]);
    assert.deepEqual([clean.action, clean.strikes, clean.dryRun], ['mute', 2, true]);
    await one([ADS]);
    advance(1);
    await one([ADS]);
    advance(1);
    const d = await one([DRUGS]);
    assert.deepEqual([d.action, d.strikes, d.dryRun], ['kick', 3, true]);
  });

  it('treats a dry-run category like a dry-run rule', async () => {
    const { one, store } = setup(policy);
    const d = await one([hit('rumor')]);
    assert.deepEqual([d.action, d.dryRun], ['review', true]);
    assert.equal(store.records.length, 0);
  });
});

describe('policy engine: per-group overrides', () => {
  it('applies a group ladder, category ladder and flood action of its own', async () => {
    const policy = compiler.compile({
      name: 'p',
      version: 1,
      groups: {
        'qq:strict': {
          ladder: [
            { action: 'mute', muteSeconds: 3600 },
            { action: 'ban', notifyAdmins: true },
          ],
          categories: {
            flood: { muteSeconds: 60 },
            abuse: { ladder: [{ action: 'kick' }], notifyAdmins: true },
          },
        },
      },
    });
    const { one } = setup(policy);
    assert.deepEqual(summary(await one([ADS], { groupId: 'strict' })), ['mute', 3600, true, false, 1]);
    assert.deepEqual(summary(await one([ADS], { groupId: 'strict' })), ['ban', 0, true, true, 2]);
    assert.deepEqual(summary(await one([ADS], { groupId: 'strict' })), ['ban', 0, true, true, 3]);
    assert.deepEqual(summary(await one([hit('abuse')], { groupId: 'strict', userId: 'x' })), [
      'kick',
      0,
      true,
      true,
      1,
    ]);
    assert.deepEqual(summary(await one([FLOOD_RATE], { groupId: 'strict', userId: 'y' })), [
      'mute',
      60,
      true,
      false,
      1,
    ]);
    // Elsewhere the defaults hold.
    assert.deepEqual(summary(await one([ADS])), ['warn', 0, true, false, 1]);
  });
});

describe('policy engine: redelivery and the store', () => {
  it('gives a redelivered message the same decision (no double strike)', async () => {
    const { engine, msg, advance } = setup();
    const first = msg();
    const [d1] = await engine.decide([{ message: first, reasons: [ADS] }]);
    advance(1000);
    await engine.decide([{ message: msg(), reasons: [ADS] }]);
    const [again] = await engine.decide([{ message: first, reasons: [ADS] }]);
    assert.deepEqual(again, d1);
    const [next] = await engine.decide([{ message: msg(), reasons: [ADS] }]);
    assert.equal(next.strikes, 3);
  });

  it('makes at most one record and one peek call per batch', async () => {
    const { engine, msg, store } = setup(
      compiler.compile({ name: 'p', version: 1, groups: { 'qq:trial': { dryRun: true } } }),
    );
    await engine.decide([
      { message: msg(), reasons: [ADS] },
      { message: msg({ userId: 'b' }), reasons: [DRUGS] },
      { message: msg({ groupId: 'trial' }), reasons: [ADS] },
      { message: msg({ role: 'admin' }), reasons: [ADS] },
      { message: msg(), reasons: [] },
      { message: msg(), reasons: [MENTION_ALL] },
    ]);
    assert.equal(store.records.length, 1);
    assert.equal(store.records[0].length, 2);
    assert.equal(store.peeks.length, 1);
    assert.equal(store.peeks[0].length, 3);
  });

  it('turns a StoreError into review (delete and notify per category), marked storeError', async () => {
    const { one, store } = setup();
    store.fail = new StoreError('redis down', { unavailable: true });
    const d = await one([DRUGS]);
    assert.deepEqual(summary(d), ['review', 0, true, true, 0]);
    assert.deepEqual(d.storeError, { code: 'STORE_UNAVAILABLE', message: 'redis down' });
    const exempt = await one([DRUGS], { role: 'admin' });
    assert.equal(exempt.action, 'allow');
    // Clean messages never noticed.
    assert.equal((await one([])).storeError, undefined);
  });

  it('decideDegraded answers as a failing strike store would, without calling the store', async () => {
    const { engine, store, msg } = setup(DEFAULT, 'throw');
    const error = new StoreError('flood store down', { unavailable: true });
    const batch = [
      { message: msg(), reasons: [DRUGS] },
      { message: msg({ role: 'admin' }), reasons: [ADS] },
      { message: msg(), reasons: [] },
    ];
    const [drugs, exempt, clean] = await engine.decideDegraded(batch, error);
    assert.deepEqual(summary(drugs), ['review', 0, true, true, 0]);
    assert.deepEqual(drugs.storeError, { code: 'STORE_UNAVAILABLE', message: 'flood store down' });
    assert.equal(exempt.action, 'allow');
    assert.equal(clean.action, 'allow');
    assert.equal(store.records.length + store.peeks.length, 0, 'the strike store is never called');
  });

  it('rejects the batch on a StoreError when told to throw', async () => {
    const { one, store } = setup(DEFAULT, 'throw');
    store.fail = new StoreError('redis down', { unavailable: true });
    await assert.rejects(one([ADS]), StoreError);
  });

  it('always rejects on errors that are not StoreErrors', async () => {
    const { one, store } = setup();
    store.fail = new TypeError('bug');
    await assert.rejects(one([ADS]), TypeError);
  });

  it('treats a wrong-sized store answer as a store error', async () => {
    const store: StrikeStore = {
      record: async () => [],
      peek: async () => [],
      close: async () => {},
    };
    const engine = new PolicyEngine({ policy: DEFAULT, strikes: store });
    const [d] = await engine.decide([
      { message: { id: 'm', platform: 'qq', groupId: '1', userId: 'u', text: '', ts: T0 }, reasons: [ADS] },
    ]);
    assert.equal(d.action, 'review');
    assert.equal(d.storeError?.code, 'STORE_ERROR');
  });

  it('never lets a timestamp from the future stretch a strike', async () => {
    const { one, store } = setup();
    await one([ADS], { ts: T0 + 365 * DAY });
    assert.equal(store.records[0][0].ts, T0 + 60_000);
  });

  it('exposes the policy id', () => {
    const { engine } = setup();
    assert.equal(engine.id, 'default@1');
  });
});

describe('policy engine: as the pipeline policy stage', () => {
  const policy = compiler.compile({
    name: 'p',
    version: 1,
    groups: { 'qq:quiet': { floodControl: false }, 'qq:busy': { flood: { rateMax: 30 } } },
  });
  const stage: PolicyStage = new PolicyEngine({ policy, strikes: new MemoryStrikeStore() });

  it('hands out each group its flood limits, or null where flood control is off', () => {
    assert.equal(stage.floodLimits({ platform: 'qq', groupId: 'other' } as Message)?.rateMax, 10);
    assert.equal(stage.floodLimits({ platform: 'qq', groupId: 'busy' } as Message)?.rateMax, 30);
    assert.equal(stage.floodLimits({ platform: 'qq', groupId: 'quiet' } as Message), null);
    assert.equal(stage.id, 'p@1');
  });
});
