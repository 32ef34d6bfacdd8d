/**
 * The flood limiter contract: every FloodLimiter implementation (memory/, redis/) must pass these tests.
 *
 *   import { floodLimiterContract } from '../../contract/flood.contract.js';
 *   floodLimiterContract('memory', async (clock) => new MemoryFloodLimiter({ clock }));
 *
 * Window semantics under test (docs/policy.md "Flood limits"): exact sliding windows over event time. A
 * message at time t counts the earlier messages of its key with time > t − W, itself included;
 * rate hits when the count > rateMax, duplicate when ≥ duplicateMax, crossGroup when ≥ crossGroupMin.
 * `makeLimiter` gets a fake processing-time clock that the tests move along with the event times.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import type { FloodLimiter, FloodLimits, FloodRequest } from '../../src/flood/types.js';

const T0 = 1_764_000_000_000;

export const DEFAULT_LIMITS: FloodLimits = Object.freeze({
  rateMax: 10,
  rateWindowMs: 10_000,
  duplicateMax: 3,
  duplicateWindowMs: 60_000,
  crossGroupMin: 5,
  crossGroupWindowMs: 60_000,
});

export type MakeFloodLimiter = (clock: () => number) => Promise<FloodLimiter>;

export function floodLimiterContract(name: string, makeLimiter: MakeFloodLimiter): void {
  describe(`FloodLimiter contract: ${name}`, () => {
    let open: FloodLimiter[] = [];
    afterEach(async () => {
      const closing = open;
      open = [];
      // Every one is closed even when another fails to close; the first failure is then reported.
      const results = await Promise.allSettled(closing.map((l) => l.close()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });

    async function setup() {
      const time = { now: T0 };
      const limiter = await makeLimiter(() => time.now);
      open.push(limiter);
      const run = randomUUID().slice(0, 8);
      let seq = 0;
      const req = (over: Partial<FloodRequest> = {}): FloodRequest => {
        const n = ++seq;
        return {
          platform: 'qq',
          groupId: `g-${run}`,
          userId: `u-${run}`,
          messageId: `qq:g-${run}:${n}`,
          textHash: `text-${run}-${n}`, // distinct texts unless a test says otherwise
          ts: time.now,
          limits: DEFAULT_LIMITS,
          ...over,
        };
      };
      const advance = (ms: number) => {
        time.now += ms;
      };
      /** One request per call, so each sees the ones before it. */
      const one = async (over: Partial<FloodRequest> = {}) => (await limiter.check([req(over)]))[0];
      return { limiter, time, run, req, advance, one };
    }

    it('allows rateMax messages in the window and flags the next (rate)', async () => {
      const { one, advance } = await setup();
      for (let i = 1; i <= 10; i++) {
        const r = await one();
        assert.deepEqual(r.hits, [], `message ${i}`);
        assert.equal(r.rateCount, i);
        advance(500);
      }
      const r = await one();
      assert.deepEqual(r.hits, ['rate']);
      assert.equal(r.rateCount, 11);
    });

    it('slides the rate window exactly: a message W ms older has left it', async () => {
      const { one, time } = await setup();
      const start = time.now;
      for (let i = 0; i < 10; i++) await one();
      // 1 ms before the ten at `start` are 10 s old: all inside, this is the 11th.
      time.now = start + 9_999;
      const a = await one();
      assert.equal(a.rateCount, 11);
      assert.deepEqual(a.hits, ['rate']);
      // Exactly 10 s after `start`: those ten have left; the one above and this one remain.
      time.now = start + 10_000;
      const b = await one();
      assert.equal(b.rateCount, 2);
      assert.deepEqual(b.hits, []);
    });

    it('counts rate per user per group', async () => {
      const { limiter, req, run } = await setup();
      const burst = Array.from({ length: 11 }, () => req());
      const results = await limiter.check(burst);
      assert.deepEqual(results[10].hits, ['rate']);
      const [otherUser, otherGroup, otherPlatform] = await limiter.check([
        req({ userId: `v-${run}` }),
        req({ groupId: `h-${run}` }),
        req({ platform: 'wechat' }),
      ]);
      for (const r of [otherUser, otherGroup, otherPlatform]) {
        assert.equal(r.rateCount, 1);
        assert.deepEqual(r.hits, []);
      }
    });

    it('applies a batch in order: a burst inside one batch is a burst', async () => {
      const { limiter, req } = await setup();
      const results = await limiter.check(Array.from({ length: 12 }, () => req()));
      assert.deepEqual(
        results.map((r) => r.rateCount),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.deepEqual(
        results.map((r) => r.hits.length),
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
      );
    });

    it('flags the same text duplicateMax times within the window (duplicate)', async () => {
      const { one, advance, run } = await setup();
      const textHash = `same-${run}`;
      const a = await one({ textHash });
      advance(20_000);
      const b = await one({ textHash: `other-${run}` });
      const c = await one({ textHash });
      advance(20_000);
      const d = await one({ textHash });
      assert.deepEqual(
        [a.duplicateCount, b.duplicateCount, c.duplicateCount, d.duplicateCount],
        [1, 1, 2, 3],
      );
      assert.deepEqual(d.hits, ['duplicate']);
      assert.deepEqual(c.hits, []);
    });

    it('slides the duplicate window exactly', async () => {
      const { one, advance, run } = await setup();
      const textHash = `same-${run}`;
      await one({ textHash });
      advance(1);
      await one({ textHash });
      advance(59_999); // the first copy is exactly 60 s old now: out
      const r = await one({ textHash });
      assert.equal(r.duplicateCount, 2);
      assert.deepEqual(r.hits, []);
      advance(1);
      const r2 = await one({ textHash });
      assert.equal(r2.duplicateCount, 2, 'the second copy left, the third and this one remain');
    });

    it('counts messages without text for the rate only', async () => {
      const { limiter, req } = await setup();
      const results = await limiter.check(Array.from({ length: 11 }, () => req({ textHash: '' })));
      for (const r of results) {
        assert.equal(r.duplicateCount, 0);
        assert.equal(r.groupCount, 0);
      }
      assert.deepEqual(results[2].hits, []);
      assert.deepEqual(results[10].hits, ['rate']);
    });

    it('flags the same text from one user in crossGroupMin groups (crossGroup)', async () => {
      const { one, advance, run } = await setup();
      const textHash = `spam-${run}`;
      const counts: number[] = [];
      let last;
      for (let g = 1; g <= 5; g++) {
        last = await one({ textHash, groupId: `g${g}-${run}` });
        counts.push(last.groupCount);
        advance(1000);
      }
      assert.deepEqual(counts, [1, 2, 3, 4, 5]);
      assert.deepEqual(last!.hits, ['crossGroup']);
      // The same group again does not count twice.
      const again = await one({ textHash, groupId: `g1-${run}` });
      assert.equal(again.groupCount, 5);
      // Another user sending the same text starts from 1.
      const other = await one({ textHash, groupId: `g1-${run}`, userId: `v-${run}` });
      assert.equal(other.groupCount, 1);
    });

    it('slides the cross-group window exactly', async () => {
      const { one, advance, run } = await setup();
      const textHash = `spam-${run}`;
      for (let g = 1; g <= 4; g++) {
        await one({ textHash, groupId: `g${g}-${run}` });
        advance(1);
      }
      advance(60_000 - 4); // group 1 was sent to exactly 60 s ago: out
      const r = await one({ textHash, groupId: `g5-${run}` });
      assert.equal(r.groupCount, 4);
      assert.deepEqual(r.hits, []);
    });

    /**
     * Sends one text as one user to the groups given, at the event times given (ms after the start), one
     * check per message, and returns the groupCount of each. The processing clock follows the latest time.
     */
    async function crossGroupCounts(
      steps: readonly (readonly [group: string, atMs: number, text?: string])[],
    ) {
      const { one, time, run } = await setup();
      const start = time.now;
      const counts: number[] = [];
      for (const [group, atMs, text = 'spam'] of steps) {
        if (start + atMs > time.now) time.now = start + atMs;
        const r = await one({ groupId: `${group}-${run}`, textHash: `${text}-${run}`, ts: start + atMs });
        counts.push(r.groupCount);
      }
      return counts;
    }

    it('counts a group whose latest copy is inside the cross-group window (first group sent twice)', async () => {
      // The reported case: g1 at 733 and 51513, then g2 at 66947; g1's copy at 51513 is 15 s old.
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 733],
          ['g1', 51_513],
          ['g2', 66_947],
        ]),
        [1, 1, 2],
      );
    });

    it('measures the cross-group window from the latest copy in each group, exactly', async () => {
      // g1's latest copy is exactly 60 s old: out; 1 ms less: in.
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 733],
          ['g1', 51_513],
          ['g2', 51_513 + 60_000],
        ]),
        [1, 1, 1],
      );
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 733],
          ['g1', 51_513],
          ['g2', 51_513 + 59_999],
        ]),
        [1, 1, 2],
      );
    });

    it('refreshes a group sent to again once the user is in several groups', async () => {
      // g1 again at 50 s: at 65 s g2 (1 s) has left the window, g1 (50 s) has not.
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 0],
          ['g2', 1_000],
          ['g1', 50_000],
          ['g3', 65_000],
        ]),
        [1, 2, 2, 2],
      );
    });

    it('starts again after every group left the window, and counts the groups of the new burst', async () => {
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 0],
          ['g2', 1_000],
          ['g1', 70_000], // both earlier copies have left the window
          ['g2', 71_000],
          ['g3', 130_000], // g1 (70 s) is exactly 60 s old: out; g2 (71 s) in
          ['g1', 130_500], // g1 again: g2 (71 s), g3 and g1
        ]),
        [1, 2, 1, 2, 2, 3],
      );
    });

    it('counts a copy in another group that arrives a little late (event time before the latest)', async () => {
      // g1 got the text at 0 and another text at 60 s; the copy to g2 stamped 59.999 s arrives after that,
      // and g1's copy (at 0, 59.999 s earlier) is inside its window.
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 0],
          ['g1', 60_000, 'other'],
          ['g2', 59_999],
        ]),
        [1, 1, 2],
      );
      // The same once the user is in several groups: other texts do not push this one's groups out.
      assert.deepEqual(
        await crossGroupCounts([
          ['g1', 0],
          ['g2', 10, 'hello'],
          ['g2', 60_500, 'other'],
          ['g3', 59_999],
        ]),
        [1, 1, 1, 2],
      );
    });

    it('reports every limit broken, in the order rate, duplicate, crossGroup', async () => {
      const { limiter, req, run } = await setup();
      const textHash = `spam-${run}`;
      const batch = [
        ...Array.from({ length: 4 }, (_, g) => req({ textHash, groupId: `g${g}-${run}` })),
        ...Array.from({ length: 11 }, () => req({ textHash })),
      ];
      const results = await limiter.check(batch);
      const lastOne = results[results.length - 1];
      assert.deepEqual(lastOne.hits, ['rate', 'duplicate', 'crossGroup']);
      assert.equal(lastOne.rateCount, 11);
      assert.equal(lastOne.duplicateCount, 11);
      assert.equal(lastOne.groupCount, 5);
    });

    it('uses the limits sent with each request', async () => {
      const { limiter, req } = await setup();
      const strict: FloodLimits = { ...DEFAULT_LIMITS, rateMax: 2, duplicateMax: 2 };
      const results = await limiter.check([
        req({ limits: strict }),
        req({ limits: strict }),
        req({ limits: strict }),
      ]);
      assert.deepEqual(
        results.map((r) => r.hits),
        [[], [], ['rate']],
      );
    });

    it('is idempotent on messageId: a redelivery repeats the first answer and counts once', async () => {
      const { limiter, req, advance, run } = await setup();
      const textHash = `same-${run}`;
      const first = req({ textHash });
      const [r1] = await limiter.check([first]);
      advance(100);
      const [r2] = await limiter.check([req({ textHash })]);
      advance(100);
      const [again] = await limiter.check([first]);
      assert.deepEqual(again, r1);
      const [r3] = await limiter.check([req({ textHash })]);
      assert.equal(r2.duplicateCount, 2);
      assert.equal(r3.duplicateCount, 3, 'the redelivery was not counted again');
      assert.equal(r3.rateCount, 3);
      // Redelivered inside the same batch, too.
      const m = req();
      const [x, y] = await limiter.check([m, m]);
      assert.deepEqual(y, x);
    });

    it('answers an empty batch with an empty list', async () => {
      const { limiter } = await setup();
      assert.deepEqual(await limiter.check([]), []);
    });
  });
}
