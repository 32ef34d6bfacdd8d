import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/contracts/errors.js';
import type { Reason } from '../../../src/contracts/types.js';
import { createDetectors, type DetectorOptions } from '../../../src/detect/index.js';
import { hits, message, run, withCheck } from './helpers.js';

describe('createDetectors', () => {
  it('runs links, PII and mentions over the original text, appending to out', () => {
    const d = createDetectors({ links: { denyDomains: ['evil.io'] } });
    const id = withCheck('44030719900307123');
    const text = '@全体成员 加ｅｖｉｌ．ｉｏ 电话 138-0013-8000 身份证' + id + ' 邮箱 a@qq.com';
    const out: Reason[] = [{ detector: 'lexicon', category: 'ads', rule: 'ads:x', severity: 1 }];
    d.detect(message(text), out);
    assert.equal(out[0].rule, 'ads:x', 'existing reasons are kept');
    assert.deepEqual(
      out.slice(1).map((r) => [r.detector, r.category, r.rule, r.match]),
      [
        ['link', 'ads', 'link:deny:evil.io', 'ｅｖｉｌ．ｉｏ'],
        ['pii', 'privacy', 'pii:email', 'a@qq.com'],
        ['pii', 'privacy', 'pii:mobile', '138-0013-8000'],
        ['pii', 'privacy', 'pii:cn-id', id],
        ['mention', 'flood', 'mention:all', '@全体成员'],
      ],
    );
    for (const r of out.slice(1)) assert.equal(text.slice(r.span![0], r.span![1]), r.match);
  });

  it('finds nothing in ordinary chat', () => {
    const d = createDetectors({ links: { unknown: true } });
    for (const text of [
      '',
      '好的，明天见',
      '今天下午3点开会，地点在3楼会议室。',
      'v2.3.1 发布了，修复了 1.5% 的崩溃',
      '价格 ¥12.50，比上次便宜了 0.5 元',
      '订单号 20241124153012345 已发货',
      '快递单号 SF1234567890123',
      '2024-11-24 13:45:00 服务器重启',
      '请看 README.md 和 main.py',
      'ok.so 我们周五上线',
      'Thanks!See you tomorrow.',
    ]) {
      assert.deepEqual(hits(d, text), [], text);
    }
  });

  it('never throws on odd input', () => {
    const d = createDetectors();
    const out: Reason[] = [];
    d.detect({ ...message(''), text: undefined as unknown as string }, out);
    d.detect(message('\ud800@\udc00.com \udfff138001380001\ud83d'), out);
    d.detect(message('@'.repeat(10000)), out);
    d.detect(message('1 '.repeat(10000)), out);
    d.detect(message('a.'.repeat(10000)), out);
    d.detect(message('x'.repeat(70000) + '.com'), out);
    d.detect({ ...message('hi'), mentions: [null, 3, 'all'] as unknown as string[] }, out);
    assert.ok(Array.isArray(out));
  });

  it('reports the detectors that are on, and runs only those', () => {
    const d = createDetectors({ links: false, pii: { enabled: false }, mentions: true });
    assert.deepEqual(d.enabled, { links: false, pii: false, mentions: true });
    assert.deepEqual(hits(d, 'evil.io 13800138000 @all'), [['mention:all', '@all']]);
    assert.deepEqual(createDetectors().enabled, { links: true, pii: true, mentions: true });
  });

  it('rejects unknown or malformed options, naming the field', () => {
    const bad: [unknown, string][] = [
      [{ link: {} }, 'detectors.link'],
      [{ links: { alowDomains: [] } }, 'detectors.links.alowDomains'],
      [{ links: { allowDomains: 'company.com' } }, 'detectors.links.allowDomains'],
      [{ links: { allowDomains: ['https://company.com/x'] } }, 'detectors.links.allowDomains[0]'],
      [{ links: { denyDomains: [''] } }, 'detectors.links.denyDomains[0]'],
      [{ links: { deny: { category: 'spam' } } }, 'detectors.links.deny.category'],
      [{ links: { lookalike: { severity: 9 } } }, 'detectors.links.lookalike.severity'],
      [{ links: { ipLiteral: { ranges: 'private' } } }, 'detectors.links.ipLiteral.ranges'],
      [{ pii: { mobile: 'yes' } }, 'detectors.pii.mobile'],
      [{ pii: { cnId: { legacy: true } } }, 'detectors.pii.cnId.legacy'],
      [{ mentions: { maxMentions: -1 } }, 'detectors.mentions.maxMentions'],
      [{ mentions: { allKeywords: ['two words'] } }, 'detectors.mentions.allKeywords[0]'],
      [[], 'detectors'],
    ];
    for (const [options, path] of bad) {
      assert.throws(
        () => createDetectors(options as DetectorOptions),
        (e: unknown) => e instanceof ConfigError && e.code === 'CONFIG_INVALID' && e.path === path,
        path,
      );
    }
  });

  it('accepts list entries written loosely', () => {
    const d = createDetectors({ links: { allowDomains: ['*.Company.COM', '.example.org.'], unknown: true } });
    assert.deepEqual(hits(d, 'https://a.company.com/ example.org'), []);
  });

  it('gives rule objects without `enabled` the meaning "on"', () => {
    const d = createDetectors({ links: { unknown: { severity: 2 } } });
    const r = run(d, 'https://example.org');
    assert.equal(r[0].rule, 'link:unknown');
    assert.equal(r[0].severity, 2);
  });
});
