import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../../../src/contracts/types.js';
import { VerdictHub } from '../../../src/transport/embedded/verdict-hub.js';

const v = (id: string) => ({ messageId: id }) as Verdict;
const ids = (list: Verdict[]) => list.map((x) => x.messageId);

describe('VerdictHub.since: what a reconnecting stream missed', () => {
  it('the verdicts after the last one the client got, oldest first', () => {
    const hub = new VerdictHub({ recent: 5 });
    for (const id of ['a', 'b', 'c']) hub.publish(v(id));
    assert.deepEqual(ids(hub.since('a')), ['b', 'c']);
    assert.deepEqual(ids(hub.since('c')), []);
  });

  it('all the recent ones when the last id fell out of them (away too long), none kept beyond capacity', () => {
    const hub = new VerdictHub({ recent: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) hub.publish(v(id));
    assert.deepEqual(ids(hub.since('a')), ['c', 'd', 'e']);
    assert.deepEqual(ids(hub.since('d')), ['e']);
  });

  it('compares the id as the stream wrote it (CR and LF left out)', () => {
    const hub = new VerdictHub({ recent: 3 });
    hub.publish(v('x\ny'));
    hub.publish(v('z'));
    assert.deepEqual(ids(hub.since('xy')), ['z']);
  });

  it('keeps nothing with recent: 0', () => {
    const hub = new VerdictHub({ recent: 0 });
    hub.publish(v('a'));
    assert.deepEqual(ids(hub.since('a')), []);
  });
});
