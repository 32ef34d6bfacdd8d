import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OneBotApiClient } from '../../../src/adapters/onebot/api-client.js';
import { OneBotEnforcement, messageIdOf, oneBotId } from '../../../src/adapters/onebot/enforcement.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { verdict } from './helpers.js';

const gambling = [
  {
    detector: 'lexicon' as const,
    category: 'gambling' as const,
    rule: 'gambling:网上赌场',
    match: '网上赌场',
    span: [0, 4] as [number, number],
    severity: 3,
  },
];
const plan = (v: Verdict, o: Partial<ConstructorParameters<typeof OneBotEnforcement>[0]> = {}) =>
  new OneBotEnforcement({
    api: new OneBotApiClient({ baseUrl: 'http://unused' }),
    adminGroupId: '777',
    adminUserIds: ['42'],
    ...o,
  }).plan(v);

describe('OneBot enforcement plan', () => {
  it('warn + delete: delete_msg, then a notice @-ing the member', () => {
    const p = plan(
      verdict({
        action: 'warn',
        deleteMessage: true,
        reasons: [{ detector: 'lexicon', category: 'ads', rule: 'ads:加微信', severity: 2 }],
      }),
    );
    assert.deepEqual(
      p.map((a) => a.action),
      ['delete_msg', 'send_group_msg'],
    );
    assert.deepEqual(p[0].params, { message_id: 55871 });
    assert.deepEqual(p[1].params, {
      group_id: 901234,
      message: [
        { type: 'at', data: { qq: '10001' } },
        { type: 'text', data: { text: ' 请遵守群规（广告/引流），再次违规将被禁言或移出本群。' } },
      ],
    });
    assert.deepEqual(plan(verdict({ action: 'warn' }), { warnNotice: false }), []);
  });

  it('mute: set_group_ban with the duration (capped at 30 days), admins notified', () => {
    const p = plan(
      verdict({
        action: 'mute',
        deleteMessage: true,
        muteSeconds: 604800,
        notifyAdmins: true,
        reasons: gambling,
        strikes: 2,
      }),
    );
    assert.deepEqual(
      p.map((a) => `${a.action}:${a.purpose}`),
      ['delete_msg:delete', 'set_group_ban:mute', 'send_group_msg:notify', 'send_private_msg:notify'],
    );
    assert.deepEqual(p[1].params, { group_id: 901234, user_id: 10001, duration: 604800 });
    assert.equal(p[2].params.group_id, 777);
    assert.equal(p[2].params.auto_escape, true);
    assert.equal(
      p[2].params.message,
      '[modstream] 禁言 · 群 901234 · 成员 10001\n原因：赌博（gambling:网上赌场）\n消息：qq:901234:55871 · 累计违规 2',
    );
    assert.doesNotMatch(String(p[2].params.message), /网上赌场"/, 'no message text');
    assert.equal(p[3].params.user_id, 42);
    assert.equal(plan(verdict({ action: 'mute', muteSeconds: 90 * 86400 }))[0].params.duration, 30 * 86400);
    assert.deepEqual(
      plan(verdict({ action: 'mute', muteSeconds: 0 })),
      [],
      'never duration 0 (that unmutes)',
    );
  });

  it('kick and ban: set_group_kick, reject_add_request only for ban', () => {
    assert.deepEqual(plan(verdict({ action: 'kick', deleteMessage: true, muteSeconds: 600 }))[1], {
      action: 'set_group_kick',
      purpose: 'kick',
      params: { group_id: 901234, user_id: 10001, reject_add_request: false },
    });
    assert.deepEqual(plan(verdict({ action: 'ban' }))[0].params, {
      group_id: 901234,
      user_id: 10001,
      reject_add_request: true,
    });
  });

  it('review notifies admins (configurable); member verdicts never delete and show the card', () => {
    const member = verdict({
      messageId: 'member:qq:901234:10001:card-ab12',
      action: 'review',
      deleteMessage: true,
      reasons: [
        { detector: 'member', category: 'secret', rule: 'member:card-format', match: '张三', severity: 1 },
      ],
    });
    const p = plan(member);
    assert.deepEqual(
      p.map((a) => a.action),
      ['send_group_msg', 'send_private_msg'],
    );
    assert.equal(
      p[0].params.message,
      '[modstream] 待人工复核 · 群 901234 · 成员 10001\n原因：群名片不符合格式：张三',
    );
    assert.deepEqual(plan(member, { notifyOnReview: false }), []);
    const warn = plan(verdict({ ...member, action: 'warn' }), { cardFormatLabel: '姓名(部门)' });
    assert.equal(
      (warn[0].params.message as { data: { text: string } }[])[1].data.text,
      ' 请将群名片改为「姓名(部门)」格式。',
    );
  });

  it('ids: numbers when numeric, strings otherwise; message ids only from this group', () => {
    assert.equal(oneBotId('901234'), 901234);
    assert.equal(oneBotId('abc'), 'abc');
    assert.equal(messageIdOf({ messageId: 'qq:1:-5', platform: 'qq', groupId: '1' }), -5);
    assert.equal(messageIdOf({ messageId: 'qq:1:xYz', platform: 'qq', groupId: '1' }), 'xYz');
    assert.equal(messageIdOf({ messageId: 'qq:2:5', platform: 'qq', groupId: '1' }), null);
    assert.equal(messageIdOf({ messageId: 'member:qq:1:2:x', platform: 'qq', groupId: '1' }), null);
  });
});
