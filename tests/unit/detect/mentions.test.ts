import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMentionDetector } from '../../../src/detect/index.js';
import { hits, run } from './helpers.js';

const mentions = createMentionDetector();

describe('mentions: @all', () => {
  it('reports the adapter-supplied all mention, without a span', () => {
    const r = run(mentions, '开会了', { mentions: ['all'] });
    assert.deepEqual(r, [{ detector: 'mention', category: 'flood', rule: 'mention:all', severity: 2 }]);
  });

  it('reports @all keywords in the text with their span', () => {
    for (const kw of [
      '@全体成员',
      '@所有人',
      '@all',
      '@ALL',
      '@everyone',
      '@here',
      '@channel',
      '＠全体成员',
      '@全員',
    ]) {
      assert.deepEqual(hits(mentions, `${kw} 下午三点开会`), [['mention:all', kw]], kw);
    }
    assert.deepEqual(hits(mentions, '请 @全体成员 注意', { mentions: ['all'] }), [
      ['mention:all', '@全体成员'],
    ]);
  });

  it('reports @all once per message', () => {
    assert.equal(run(mentions, '@all @all @everyone').length, 1);
  });

  it('does not mistake names or addresses for @all', () => {
    for (const text of [
      '@allen 你好',
      '@everyoneelse',
      'me@all.com',
      'all hands',
      '@here_is_bob',
      '全体成员请注意',
    ]) {
      assert.deepEqual(hits(mentions, text), [], text);
    }
  });

  it('takes extra keywords', () => {
    const d = createMentionDetector({ allKeywords: ['@大家'] });
    assert.deepEqual(hits(d, '@大家 好'), [['mention:all', '@大家']]);
  });
});

describe('mentions: many mentions', () => {
  it('counts distinct adapter-supplied mentions, not all', () => {
    assert.deepEqual(hits(mentions, 'x', { mentions: ['1', '2', '3', '4', '5'] }), []);
    assert.deepEqual(hits(mentions, 'x', { mentions: ['1', '2', '3', '4', '5', '5', 'all'] }), [
      ['mention:all', undefined],
    ]);
    assert.deepEqual(hits(mentions, 'x', { mentions: ['1', '2', '3', '4', '5', '6'] }), [
      ['mention:many', undefined],
    ]);
  });

  it('counts distinct @names in the text when the adapter gave no mentions', () => {
    const text = '@张三 @李四 @王五 @赵六 @钱七 @孙八 看一下';
    assert.deepEqual(hits(mentions, text), [['mention:many', '@张三 @李四 @王五 @赵六 @钱七 @孙八']]);
    assert.deepEqual(hits(mentions, '@a @b @c @d @e'), []);
    assert.deepEqual(hits(mentions, '@a @b @c @d @e @A'), [], 'names are compared case-insensitively');
    assert.deepEqual(hits(mentions, '@a,@b,@c,@d,@e,@f.'), [['mention:many', '@a,@b,@c,@d,@e,@f']]);
  });

  it('trusts an empty adapter list over @ in the text', () => {
    assert.deepEqual(hits(mentions, '@a @b @c @d @e @f', { mentions: [] }), []);
  });

  it('does not count @all or e-mail addresses as people', () => {
    assert.deepEqual(hits(mentions, '@all @a @b @c @d @e'), [['mention:all', '@all']]);
    assert.deepEqual(hits(mentions, 'a@x.com b@x.com c@x.com d@x.com e@x.com f@x.com'), []);
  });

  it('honours maxMentions, severity and switches', () => {
    const d = createMentionDetector({ maxMentions: 2, many: { severity: 3 }, all: false });
    const r = run(d, '@a @b @c @all');
    assert.equal(r.length, 1);
    assert.equal(r[0].rule, 'mention:many');
    assert.equal(r[0].severity, 3);
    assert.deepEqual(hits(createMentionDetector(false), '@all'), []);
  });
});
