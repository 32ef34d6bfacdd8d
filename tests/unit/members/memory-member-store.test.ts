import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { memberStoreContract } from './member-store.contract.js';

memberStoreContract('memory', async () => ({ store: new MemoryMemberStore() }));

it('the memory store forgets the least recently touched members beyond maxMembers', async () => {
  const s = new MemoryMemberStore({ maxMembers: 2 });
  await s.touch([{ platform: 'qq', groupId: 'g', userId: 'a', ts: 1 }]);
  await s.touch([{ platform: 'qq', groupId: 'g', userId: 'b', ts: 2 }]);
  await s.touch([{ platform: 'qq', groupId: 'g', userId: 'a', ts: 3 }]);
  await s.touch([{ platform: 'qq', groupId: 'g', userId: 'c', ts: 4 }]);
  assert.equal(s.size, 2);
  assert.equal(s.evictions, 1);
  assert.equal(await s.get('qq', 'g', 'b'), null);
  assert.deepEqual((await s.membersOf('qq', 'g')).map((m) => m.userId).sort(), ['a', 'c']);
});

it('claimOnce marks expire', async () => {
  let now = 0;
  const s = new MemoryMemberStore({ clock: () => now });
  assert.deepEqual(await s.claimOnce(['k'], 1000), [true]);
  now = 999;
  assert.deepEqual(await s.claimOnce(['k'], 1000), [false]);
  now = 1000;
  assert.deepEqual(await s.claimOnce(['k'], 1000), [true]);
});
