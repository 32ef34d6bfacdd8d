import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OneBotEventMapper } from '../../../src/adapters/onebot/map-event.js';
import { escapeCq, parseCqString, unescapeCq } from '../../../src/adapters/onebot/cq-code.js';
import { MessageDecoder } from '../../../src/contracts/decode.js';
import { MemberEventDecoder } from '../../../src/members/decode.js';
import { fixture } from './fixtures.js';

const mapper = new OneBotEventMapper();
const messages = new MessageDecoder();
const memberEvents = new MemberEventDecoder();

function mapMessage(name: string) {
  const r = mapper.map(fixture(`events/${name}`));
  assert.equal(r.kind, 'message', JSON.stringify(r));
  if (r.kind !== 'message') throw new Error('unreachable');
  const checked = messages.check(r.message);
  assert.equal(checked.ok, true, checked.ok ? '' : checked.error.message);
  return r;
}

describe('CQ codes (the string message format)', () => {
  it('parses codes and text, unescaping both', () => {
    assert.deepEqual(
      parseCqString(
        'a&#91;b&#93;&amp;[CQ:at,qq=1][CQ:image,file=x.png,url=https://h/p?a=1&amp;b=2&#44;3]tail',
      ),
      [
        { type: 'text', data: { text: 'a[b]&' } },
        { type: 'at', data: { qq: '1' } },
        { type: 'image', data: { file: 'x.png', url: 'https://h/p?a=1&b=2,3' } },
        { type: 'text', data: { text: 'tail' } },
      ],
    );
    assert.deepEqual(parseCqString(''), []);
    assert.deepEqual(
      parseCqString('[CQ:face,id=1'),
      [{ type: 'text', data: { text: '[CQ:face,id=1' } }],
      'unterminated: text',
    );
  });
  it('escape and unescape are inverse', () => {
    for (const s of ['a[b]c&d,e', '&#91;', '']) {
      assert.equal(unescapeCq(escapeCq(s)), s);
      assert.equal(unescapeCq(escapeCq(s, true)), s);
    }
    assert.equal(escapeCq('a,b', true), 'a&#44;b');
  });
});

describe('OneBot v11 group messages → message v1', () => {
  it('array format, every common segment: text, at, at all, reply, face, image, sticker, record, video', () => {
    const { message, observation } = mapMessage('group-message-array.json');
    assert.deepEqual(message, {
      v: 1,
      id: 'qq:901234:55871',
      platform: 'qq',
      groupId: '901234',
      userId: '10001',
      userName: '市场部-张三',
      text: '@李四 加 薇 信领取免费礼品@全体成员',
      ts: 1764000000000,
      mentions: ['10002', 'all'],
      attachments: [
        { kind: 'face', id: '178' },
        {
          kind: 'image',
          url: 'https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=abc',
          file: '0f1e2d3c4b5a.image',
        },
        {
          kind: 'image',
          url: 'https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=def',
          file: 'sticker.image',
          summary: '[动画表情]',
          sticker: true,
        },
        { kind: 'audio', url: 'https://grouptalk.c2c.qq.com/voice.amr', file: 'voice.amr' },
        { kind: 'video', url: 'https://multimedia.nt.qq.com.cn/clip.mp4', file: 'clip.mp4' },
      ],
      replyTo: 'qq:901234:55870',
      role: 'member',
    });
    assert.deepEqual(observation, {
      platform: 'qq',
      groupId: '901234',
      userId: '10001',
      ts: 1764000000000,
      card: '市场部-张三',
      role: 'member',
    });
  });

  it('string (CQ code) format gives the same shape; negative int32 message ids; nickname when no card', () => {
    const { message, observation } = mapMessage('group-message-string.json');
    assert.equal(message.id, 'qq:901234:-2147000001');
    assert.equal(message.text, ' 这个[链接]别点 a&b');
    assert.deepEqual(message.mentions, ['10001']);
    assert.equal(message.replyTo, 'qq:901234:55871');
    assert.deepEqual(message.attachments, [
      { kind: 'face', id: '14' },
      {
        kind: 'image',
        url: 'https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=x,y',
        file: 'a.image',
      },
    ]);
    assert.equal(message.userName, '王五', 'empty card: the nickname');
    assert.equal(message.role, 'admin');
    assert.equal(observation.card, '', 'the card rule sees the empty card, not the nickname');
  });

  it('cards and shares contribute their visible text and links (ads hide there); other segments become attachments', () => {
    const { message } = mapMessage('group-message-cards.json');
    assert.equal(
      message.text,
      [
        '免费领取 点击领取礼品 https://promo.example.cn/gift',
        '[QQ小程序]兼职日结 https://jz.example.cn/join?c=1',
        '[分享]高额返利 https://fanli.example.cn/x',
        '某某大厦 北京市',
        '**加群** 领福利',
      ].join('\n'),
    );
    assert.deepEqual(
      message.attachments!.map((a) => a.kind),
      [
        'share',
        'card',
        'card',
        'location',
        'forward',
        'file',
        'sticker',
        'poke',
        'dice',
        'contact',
        'music',
        'some_new_segment',
      ],
    );
  });

  it('anonymous messages keep the anonymous identity; mention-only messages stay valid', () => {
    const anonymous = mapMessage('group-message-anonymous.json');
    assert.deepEqual(anonymous.message.anonymous, {
      id: '9876543',
      name: '大力鬼王',
      flag: '9876543|大力鬼王',
    });
    // The sender is QQ's pseudo-user 80000000, not a member: the message is moderated, the sender not
    // observed (no card, no role; `anonymous` tells the member monitor to ignore it).
    assert.equal(anonymous.message.userId, '80000000');
    assert.deepEqual(anonymous.observation, {
      platform: 'qq',
      groupId: '901234',
      userId: '80000000',
      ts: 1764000180000,
      anonymous: true,
    });
    const { message } = mapMessage('group-message-mentions-only.json');
    assert.equal(message.text, '@');
    assert.deepEqual(message.mentions, ['10002']);
  });

  it('string ids and the platform name are configurable', () => {
    const e = {
      ...fixture('events/group-message-array.json'),
      group_id: 'g-1',
      message_id: 'abc',
      user_id: 'u-9',
    };
    const r = new OneBotEventMapper({ platform: 'qqguild' }).map(e);
    assert.equal(r.kind === 'message' && r.message.id, 'qqguild:g-1:abc');
  });
});

describe('lone UTF-16 surrogates (valid JSON escapes like \\ud800) are replaced, never passed on', () => {
  const raw = (card: string, text: string) =>
    JSON.parse(
      `{"post_type":"message","message_type":"group","sub_type":"normal","time":1764000000,"group_id":901234,"user_id":10002,"message_id":7,"message":[{"type":"text","data":{"text":"${text}"}}],"sender":{"card":"${card}","role":"member"}}`,
    ) as unknown;

  it('in the card and the text: U+FFFD in their place, reported; the message is still moderated', () => {
    const repairs: { post_type: string; id: string; fields: string[] }[] = [];
    const m = new OneBotEventMapper({ onRepaired: (r) => repairs.push(r) });
    const r = m.map(raw('研发部-李\\ud800四', '加我\\udc00薇信'));
    assert.equal(r.kind, 'message');
    if (r.kind !== 'message') return;
    assert.equal(r.message.text, '加我\ufffd薇信');
    assert.equal(r.message.userName, '研发部-李\ufffd四');
    assert.equal(r.observation.card, '研发部-李\ufffd四');
    assert.equal(
      messages.check(r.message).ok,
      true,
      'the runner accepts it (a lone surrogate is BAD_ENCODING)',
    );
    assert.deepEqual(repairs, [
      { post_type: 'message', id: '7', fields: ['message[0].data.text', 'sender.card'] },
    ]);
    // Well-formed events are not copied, and not reported.
    const ok = raw('研发部-李四', 'hi 😀');
    const mapped = m.map(ok);
    assert.equal(mapped.kind === 'message' && mapped.message.text, 'hi 😀');
    assert.equal(repairs.length, 1);
  });

  it('in a card notice: the member event is valid', () => {
    const r = mapper.map({ ...fixture('events/notice-group-card.json'), card_new: '张\ud800三' });
    assert.equal(r.kind, 'member');
    if (r.kind !== 'member') return;
    assert.equal(r.event.kind === 'member.card' && r.event.userName, '张\ufffd三');
    assert.equal(memberEvents.check(r.event).ok, true);
  });

  it('a throwing report hook does not stop mapping', () => {
    const m = new OneBotEventMapper({
      onRepaired: () => {
        throw new Error('boom');
      },
    });
    assert.equal(m.map(raw('\\ud800', 'x')).kind, 'message');
  });
});

describe('OneBot v11 notices → member events', () => {
  const member = (name: string) => {
    const r = mapper.map(fixture(`events/${name}`));
    assert.equal(r.kind, 'member', JSON.stringify(r));
    if (r.kind !== 'member') throw new Error('unreachable');
    const checked = memberEvents.check(r.event);
    assert.equal(checked.ok, true, checked.ok ? '' : checked.error.message);
    return r.event;
  };
  it('group_increase → member.joined', () => {
    assert.deepEqual(member('notice-group-increase.json'), {
      v: 1,
      kind: 'member.joined',
      id: 'qq:901234:10006:joined:1764000300000',
      platform: 'qq',
      groupId: '901234',
      userId: '10006',
      ts: 1764000300000,
      via: 'approve',
      operatorId: '10003',
    });
  });
  it('group_decrease → member.left (leave, kick)', () => {
    assert.deepEqual(member('notice-group-decrease-leave.json'), {
      v: 1,
      kind: 'member.left',
      id: 'qq:901234:10006:left:1764000400000',
      platform: 'qq',
      groupId: '901234',
      userId: '10006',
      ts: 1764000400000,
      reason: 'leave',
    });
    const kick = member('notice-group-decrease-kick.json');
    assert.equal(kick.kind === 'member.left' && kick.reason, 'kick');
    assert.equal(kick.kind === 'member.left' && kick.operatorId, '10003');
  });
  it('group_card → member.card', () => {
    const e = member('notice-group-card.json');
    assert.equal(e.kind, 'member.card');
    assert.equal(e.kind === 'member.card' && e.userName, '张三丰');
    assert.equal(e.kind === 'member.card' && e.previousName, '');
  });
});

describe("the bot's own messages", () => {
  it('are ignored also when reported as a group message (user_id is self_id)', () => {
    const own = { ...fixture('events/group-message-array.json'), self_id: 10001, user_id: 10001 };
    const r = mapper.map(own);
    assert.equal(`${r.kind}:${'reason' in r ? r.reason : ''}`, 'ignored:self');
  });
});

describe('everything else is counted, never fatal', () => {
  it('classifies every fixture', () => {
    const expected: Record<string, string> = {
      'private-message.json': 'ignored:private',
      'message-sent.json': 'ignored:self',
      'notice-group-recall.json': 'ignored:notice',
      'notice-group-ban.json': 'ignored:notice',
      'request-friend.json': 'ignored:request',
      'meta-heartbeat.json': 'ignored:meta',
      'meta-lifecycle.json': 'ignored:meta',
      'malformed-no-group.json': 'malformed:group_id',
      'malformed-bad-message.json': 'malformed:message',
      'unknown-post-type.json': 'unknown:post_type',
    };
    const all = readdirSync(new URL('../../fixtures/onebot/events/', import.meta.url));
    for (const name of all) {
      const r = mapper.map(fixture(`events/${name}`));
      if (expected[name]) assert.equal(`${r.kind}:${'reason' in r ? r.reason : ''}`, expected[name], name);
      else assert.ok(r.kind === 'message' || r.kind === 'member', name);
    }
  });
  it('odd values', () => {
    for (const v of [null, 42, 'x', [], {}, { post_type: 1 }]) assert.equal(mapper.map(v).kind, 'malformed');
    assert.deepEqual(mapper.map({ status: 'ok', retcode: 0, data: null, echo: 1 }), {
      kind: 'ignored',
      reason: 'api_response',
    });
    const base = fixture('events/group-message-array.json');
    assert.deepEqual(mapper.map({ ...base, time: 'yesterday' }), { kind: 'malformed', reason: 'time' });
    // Times that are no unix seconds from 1970 to 9999 (the store could not write them: 1e306 s is
    // Infinity ms) are malformed, counted with the field; so are notices with them.
    for (const time of [1e306, 253402300800, -1, '99999999999999', Number.MAX_SAFE_INTEGER])
      assert.deepEqual(mapper.map({ ...base, time }), { kind: 'malformed', reason: 'time' }, String(time));
    assert.deepEqual(mapper.map({ ...fixture('events/notice-group-card.json'), time: 1e306 }), {
      kind: 'malformed',
      reason: 'time',
    });
    const latest = mapper.map({ ...base, time: 253402300799 });
    assert.equal(latest.kind === 'message' && latest.message.ts, 253402300799000);
    assert.equal(messages.check(latest.kind === 'message' ? latest.message : null).ok, true);
    assert.deepEqual(mapper.map({ ...base, message: [] }), { kind: 'ignored', reason: 'empty' });
    assert.deepEqual(mapper.map({ ...base, message: [{ nope: 1 }] }), {
      kind: 'malformed',
      reason: 'message',
    });
    assert.deepEqual(mapper.map({ ...base, sub_type: 'notice' }), { kind: 'ignored', reason: 'system' });
    assert.deepEqual(mapper.map({ ...fixture('events/notice-group-card.json'), card_new: 5 }), {
      kind: 'malformed',
      reason: 'card_new',
    });
  });
});
