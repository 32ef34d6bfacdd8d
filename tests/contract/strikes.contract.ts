/**
 * The strike store contract: every StrikeStore implementation (memory/, redis/) must pass these tests.
 *
 *   import { strikeStoreContract } from '../../contract/strikes.contract.js';
 *   strikeStoreContract('memory', async (clock) => new MemoryStrikeStore({ clock }));
 *
 * `makeStore` is called once per test with a fake processing-time clock; the tests move that clock along
 * with the requests' event times (`ts`), as a live stream would. Stores must keep tests apart (each test
 * also uses its own group and user ids, so a shared Redis with one key prefix per file is fine).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import type { StrikeRequest, StrikeStore } from '../../src/strikes/types.js';

const T0 = 1_764_000_000_000;
const DAY = 86_400_000;
const TTL = 30 * DAY;

export type MakeStrikeStore = (clock: () => number) => Promise<StrikeStore>;

export function strikeStoreContract(name: string, makeStore: MakeStrikeStore): void {
  describe(`StrikeStore contract: ${name}`, () => {
    let open: StrikeStore[] = [];
    afterEach(async () => {
      const closing = open;
      open = [];
      // Every one is closed even when another fails to close; the first failure is then reported.
      const results = await Promise.allSettled(closing.map((s) => s.close()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });

    /** A store, its clock, and ids unique to this test. */
    async function setup() {
      const time = { now: T0 };
      const store = await makeStore(() => time.now);
      open.push(store);
      const run = randomUUID().slice(0, 8);
      const group = `qq:g-${run}`;
      let seq = 0;
      const req = (over: Partial<StrikeRequest> = {}): StrikeRequest => ({
        group,
        userId: `u-${run}`,
        messageId: `qq:g-${run}:${++seq}`,
        ts: time.now,
        weight: 1,
        ttlMs: TTL,
        ...over,
      });
      /** Moves the clock and the event time forward together. */
      const advance = (ms: number) => {
        time.now += ms;
      };
      return { store, time, group, run, req, advance };
    }

    it('counts violations per user per group: 1, 2, 3', async () => {
      const { store, req, advance } = await setup();
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [r] = await store.record([req()]);
        assert.equal(r.duplicate, false);
        counts.push(r.strikes);
        advance(60_000);
      }
      assert.deepEqual(counts, [1, 2, 3]);
    });

    it('refuses a request with a number that is not finite, naming it, and records none of the batch', async () => {
      const { store, req } = await setup();
      await assert.rejects(
        store.record([req(), req({ entryStep: Number.NaN })]),
        /strike request \[1\]: entryStep must be a finite number/,
      );
      const [r] = await store.record([req()]);
      assert.equal(r.strikes, 1, 'the good request of the refused batch was not recorded');
    });

    it('keeps users and groups apart', async () => {
      const { store, req, run } = await setup();
      await store.record([req(), req()]);
      const [other, elsewhere, both] = await store.record([
        req({ userId: `other-${run}` }),
        req({ group: `qq:h-${run}` }),
        req({ userId: `other-${run}`, group: `wechat:g-${run}` }),
      ]);
      assert.equal(other.strikes, 1);
      assert.equal(elsewhere.strikes, 1);
      assert.equal(both.strikes, 1);
      const [again] = await store.record([req()]);
      assert.equal(again.strikes, 3);
    });

    it('sums weights (a severe violation counts for several steps)', async () => {
      const { store, req } = await setup();
      const [a, b, c] = await store.record([req({ weight: 2 }), req({ weight: 1 }), req({ weight: 3 })]);
      assert.deepEqual([a.strikes, b.strikes, c.strikes], [2, 3, 6]);
    });

    it('applies a batch in order, one result per request', async () => {
      const { store, req, run } = await setup();
      const batch: StrikeRequest[] = [];
      for (let i = 0; i < 50; i++) batch.push(req({ userId: `u${i % 5}-${run}` }));
      const results = await store.record(batch);
      assert.equal(results.length, 50);
      results.forEach((r, i) => assert.equal(r.strikes, Math.floor(i / 5) + 1, `request ${i}`));
    });

    it('is idempotent on messageId: a redelivery records nothing and repeats the first answer', async () => {
      const { store, req, advance } = await setup();
      const first = req();
      const [r1] = await store.record([first]);
      assert.deepEqual(r1, { strikes: 1, duplicate: false, weight: 1 });
      advance(1000);
      const [r2] = await store.record([req()]);
      assert.equal(r2.strikes, 2);
      advance(1000);
      const [again] = await store.record([first]);
      assert.deepEqual(again, { strikes: 1, duplicate: true, weight: 0 });
      const [r3] = await store.record([req()]);
      assert.equal(r3.strikes, 3, 'the redelivery added nothing');
    });

    it('recognises a duplicate inside one batch', async () => {
      const { store, req } = await setup();
      const m = req();
      const results = await store.record([m, req(), m]);
      assert.deepEqual(results, [
        { strikes: 1, duplicate: false, weight: 1 },
        { strikes: 2, duplicate: false, weight: 1 },
        { strikes: 1, duplicate: true, weight: 0 },
      ]);
    });

    it('treats entryStep as a floor on the count, not a weight: 2, 3, 4 for three severe violations', async () => {
      const { store, req, advance } = await setup();
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push(...(await store.record([req({ entryStep: 2 })])));
        advance(60_000);
      }
      assert.deepEqual(results, [
        { strikes: 2, duplicate: false, weight: 2 },
        { strikes: 3, duplicate: false, weight: 1 },
        { strikes: 4, duplicate: false, weight: 1 },
      ]);
    });

    it('lifts a sender below the floor to it, and one step above otherwise, within a batch too', async () => {
      const { store, req } = await setup();
      const results = await store.record([
        req(), // a warning: 1
        req({ entryStep: 2 }), // severe: max(1 + 1, 2) = 2
        req({ entryStep: 4 }), // max(3, 4) = 4
        req(), // 5
        req({ entryStep: 2 }), // 6
      ]);
      assert.deepEqual(
        results.map((r) => [r.strikes, r.weight]),
        [
          [1, 1],
          [2, 1],
          [4, 2],
          [5, 1],
          [6, 1],
        ],
      );
    });

    it('floors on the live count: expired strikes do not hold a sender up', async () => {
      const { store, req, advance, group, time } = await setup();
      const userId = req().userId;
      await store.record([req({ ttlMs: 1000 }), req({ ttlMs: 1000 })]);
      advance(1000);
      const [r] = await store.record([req({ entryStep: 2 })]);
      assert.deepEqual(r, { strikes: 2, duplicate: false, weight: 2 });
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now + 1 }]), [2]);
    });

    it('counts a cooldown once, and answers later requests in it with the live count', async () => {
      const { store, req, advance } = await setup();
      const flood = { cooldownId: '#cooldown/flood/1' };
      const [f1] = await store.record([req(flood)]);
      assert.deepEqual(f1, { strikes: 1, duplicate: false, weight: 1 });
      advance(1000);
      const [ad] = await store.record([req()]);
      assert.equal(ad.strikes, 2);
      advance(1000);
      const [f2] = await store.record([req(flood)]);
      assert.deepEqual(f2, { strikes: 2, duplicate: false, weight: 0 }, 'cooled: the live count, not 1');
      advance(1000);
      const [ad2] = await store.record([req()]);
      assert.equal(ad2.strikes, 3, 'the cooled request added nothing');
      const [other] = await store.record([req({ cooldownId: '#cooldown/flood/2' })]);
      assert.deepEqual(other, { strikes: 4, duplicate: false, weight: 1 }, 'another cooldown id counts');
    });

    it('counts a cooldown once inside one batch', async () => {
      const { store, req } = await setup();
      const cooldownId = '#cooldown/flood/7';
      const results = await store.record([req({ cooldownId }), req({ cooldownId }), req({ cooldownId })]);
      assert.deepEqual(results, [
        { strikes: 1, duplicate: false, weight: 1 },
        { strikes: 1, duplicate: false, weight: 0 },
        { strikes: 1, duplicate: false, weight: 0 },
      ]);
    });

    it('still applies the floor to a cooled request', async () => {
      const { store, req } = await setup();
      const cooldownId = '#cooldown/illegal/1';
      const results = await store.record([req({ cooldownId }), req({ cooldownId, entryStep: 3 })]);
      assert.deepEqual(
        results.map((r) => [r.strikes, r.weight]),
        [
          [1, 1],
          [3, 2],
        ],
      );
    });

    it('gives a redelivered cooled request, and the one that started the cooldown, their first answers', async () => {
      const { store, req, advance } = await setup();
      const cooldownId = '#cooldown/flood/3';
      const starter = req({ cooldownId });
      await store.record([starter]);
      advance(1000);
      await store.record([req()]);
      advance(1000);
      const cooled = req({ cooldownId });
      const [first] = await store.record([cooled]);
      assert.deepEqual(first, { strikes: 2, duplicate: false, weight: 0 });
      advance(1000);
      await store.record([req()]);
      assert.deepEqual(await store.record([cooled, starter]), [
        { strikes: 2, duplicate: true, weight: 0 },
        { strikes: 1, duplicate: true, weight: 0 },
      ]);
      const [next] = await store.record([req()]);
      assert.equal(next.strikes, 4, 'the redeliveries added nothing');
    });

    it('ends a cooldown when the strike that started it expires', async () => {
      const { store, req, advance } = await setup();
      const cooldownId = '#cooldown/flood/4';
      await store.record([req({ cooldownId, ttlMs: 1000 })]);
      advance(999);
      assert.equal((await store.record([req({ cooldownId, ttlMs: 1000 })]))[0].weight, 0);
      advance(1);
      const [r] = await store.record([req({ cooldownId, ttlMs: 1000 })]);
      assert.deepEqual(r, { strikes: 1, duplicate: false, weight: 1 });
    });

    it('expires strikes ttlMs after their event time (live while t < ts + ttl)', async () => {
      const { store, req, advance, time, group } = await setup();
      const userId = req().userId;
      await store.record([req()]);
      advance(10 * DAY);
      await store.record([req()]);
      advance(20 * DAY - 1); // 1 ms before the first strike expires
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [2]);
      advance(1); // exactly 30 days after the first
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [1]);
      const [r] = await store.record([req()]);
      assert.equal(r.strikes, 2);
      advance(31 * DAY);
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [0]);
      const [fresh] = await store.record([req()]);
      assert.equal(fresh.strikes, 1, 'after 30 quiet days the ladder starts again');
    });

    it('honours each request its own ttl', async () => {
      const { store, req, advance, group, time } = await setup();
      const userId = req().userId;
      await store.record([req({ ttlMs: 1000 }), req({ ttlMs: TTL })]);
      advance(999);
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [2]);
      advance(1);
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [1]);
    });

    it('peek reads without recording', async () => {
      const { store, req, group, time, run } = await setup();
      const userId = req().userId;
      assert.deepEqual(await store.peek([]), []);
      assert.deepEqual(
        await store.peek([
          { group, userId, ts: time.now },
          { group: `qq:none-${run}`, userId: `nobody-${run}`, ts: time.now },
        ]),
        [0, 0],
      );
      await store.record([req({ weight: 2 })]);
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now }]), [0], 'not before this time');
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now + 1 }]), [2]);
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now + 1 }]), [2]);
      const [r] = await store.record([req()]);
      assert.equal(r.strikes, 3);
    });

    it('peek counts what was recorded before its time, whatever was recorded since', async () => {
      const { store, req, advance, group, time } = await setup();
      const userId = req().userId;
      await store.record([req()]);
      advance(1000);
      const at = time.now;
      assert.deepEqual(await store.peek([{ group, userId, ts: at }]), [1]);
      advance(1000);
      await store.record([req({ weight: 2 })]);
      assert.deepEqual(
        await store.peek([{ group, userId, ts: at }]),
        [1],
        'the later strike is not before it',
      );
      assert.deepEqual(await store.peek([{ group, userId, ts: time.now + 1 }]), [3]);
    });

    it('answers an empty batch with an empty list', async () => {
      const { store } = await setup();
      assert.deepEqual(await store.record([]), []);
    });
  });
}
