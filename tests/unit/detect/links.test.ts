import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLinkDetector } from '../../../src/detect/index.js';
import { hits, run } from './helpers.js';

const company = createLinkDetector({
  allowDomains: ['company.com', 'github.com', '例子.中国'],
  denyDomains: ['evil.io', 'spam-casino.top'],
});
const everything = createLinkDetector({
  allowDomains: ['company.com'],
  denyDomains: ['evil.io'],
  unknown: true,
});

describe('links: finding links', () => {
  it('finds scheme URLs, www. hosts and bare domains with exact spans', () => {
    assert.deepEqual(hits(everything, '看 https://example.org/x?y=1&z=(2)。'), [
      ['link:unknown', 'https://example.org/x?y=1&z=(2)'],
    ]);
    assert.deepEqual(hits(everything, '访问example.com获取'), [['link:unknown', 'example.com']]);
    assert.deepEqual(hits(everything, '(www.abc.xyz/path).'), [['link:unknown', 'www.abc.xyz/path']]);
    assert.deepEqual(hits(everything, 'abc.xyz'), [['link:unknown', 'abc.xyz']]);
    assert.deepEqual(hits(everything, 'HTTP://EXAMPLE.ORG'), [['link:unknown', 'HTTP://EXAMPLE.ORG']]);
    assert.deepEqual(hits(everything, 'http://example.com看看'), [['link:unknown', 'http://example.com']]);
    assert.deepEqual(hits(everything, 'see https://en.wikipedia.org/wiki/Foo_(bar)).'), [
      ['link:unknown', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ]);
    assert.deepEqual(hits(everything, 'example.org:8080/admin'), [
      ['link:unknown', 'example.org:8080/admin'],
    ]);
  });

  it('finds disguised dots: full-width, ideographic, 点, [.]', () => {
    for (const text of [
      'ｅｖｉｌ．ｉｏ',
      'evil。io',
      'evil．io/x',
      'evil[.]io',
      'evil(.)io',
      'evil点io',
      'EVIL.IO',
    ]) {
      assert.deepEqual(hits(company, `快来${text}`), [['link:deny:evil.io', text]], text);
    }
    assert.deepEqual(hits(everything, 'abc点com'), [['link:unknown', 'abc点com']]);
    assert.deepEqual(hits(everything, '3点abc.com'), [['link:unknown', 'abc.com']]);
  });

  it('finds IDN hosts in Chinese', () => {
    assert.deepEqual(hits(everything, 'baidu.中国'), [['link:unknown', 'baidu.中国']]);
    assert.deepEqual(hits(everything, 'http://例子.中国/路径'), [['link:unknown', 'http://例子.中国/']]);
    assert.deepEqual(hits(company, 'http://例子.中国/a'), [], 'allow-listed in Unicode');
    assert.deepEqual(hits(company, 'xn--fsqu00a.xn--fiqs8s/a'), [], 'the same host in punycode');
  });

  it('does not take version numbers, decimals or file names for links', () => {
    for (const text of [
      'v1.2.3',
      '升级到 1.2.3 了',
      'node 20.11.1',
      '3.14',
      '¥12.50',
      'report.pdf',
      'photo.jpg',
      'app.js',
      'main.py',
      'README.md',
      'archive.zip',
      'id_rsa.pub',
      'src/detect/index.ts',
      'C:\\tools\\setup.exe',
      'e.g. this',
      'i.e.',
      'ok.so what',
      'Hello.It is me',
      'done.Now go',
      'user.name',
      'model.fit(x)',
      '好的。Me too',
      '8.8.8.8',
      '今晚8点vip会员',
      '1.中国人民',
      'e.g.中国',
      '好的ok。中国很大',
      'x.中国',
    ]) {
      assert.deepEqual(hits(everything, text), [], text);
    }
  });

  it('leaves e-mail addresses to the PII detector', () => {
    assert.deepEqual(hits(everything, 'mail a@example.com'), []);
    assert.deepEqual(hits(everything, 'john.smith@example.com'), []);
    assert.deepEqual(hits(everything, 'abc＠qq．com'), []);
  });

  it('judges a link once: nothing inside a URL is a second link', () => {
    assert.deepEqual(hits(everything, 'https://a.example.org/redirect?to=b.example.net/x'), [
      ['link:unknown', 'https://a.example.org/redirect?to=b.example.net/x'],
    ]);
  });
});

describe('links: allow and deny lists', () => {
  it('says nothing about allowed domains and their subdomains', () => {
    for (const text of [
      'https://company.com/x',
      'https://docs.company.com/a/b',
      'mail.company.com',
      'WWW.COMPANY.COM',
      'github.com/org/repo',
    ]) {
      assert.deepEqual(hits(company, text), [], text);
      if (!text.startsWith('github')) assert.deepEqual(hits(everything, text), [], text);
    }
  });

  it('reports denied domains and subdomains with the configured rule', () => {
    const r = run(company, '加群 https://sub.evil.io/x');
    assert.deepEqual(r, [
      {
        detector: 'link',
        category: 'ads',
        rule: 'link:deny:evil.io',
        match: 'https://sub.evil.io/x',
        span: [3, 24],
        severity: 3,
      },
    ]);
    assert.deepEqual(hits(company, 'spam-casino.top'), [['link:deny:spam-casino.top', 'spam-casino.top']]);
  });

  it('lets the most specific entry win, deny winning a tie', () => {
    const d = createLinkDetector({
      allowDomains: ['company.com', 'both.com'],
      denyDomains: ['share.company.com', 'both.com'],
    });
    assert.deepEqual(hits(d, 'x.share.company.com'), [
      ['link:deny:share.company.com', 'x.share.company.com'],
    ]);
    assert.deepEqual(hits(d, 'www.company.com'), []);
    assert.deepEqual(hits(d, 'both.com/x'), [['link:deny:both.com', 'both.com/x']]);
  });

  it('takes IP addresses on the lists', () => {
    const d = createLinkDetector({ allowDomains: ['8.8.8.8'], denyDomains: ['10.0.0.5'] });
    assert.deepEqual(hits(d, 'http://8.8.8.8/x'), []);
    assert.deepEqual(hits(d, 'http://10.0.0.5/x'), [['link:deny:10.0.0.5', 'http://10.0.0.5/x']]);
  });

  it('takes deny category and severity from options', () => {
    const d = createLinkDetector({ denyDomains: ['evil.io'], deny: { category: 'phishing', severity: 5 } });
    const [r] = run(d, 'evil.io');
    assert.equal(r.category, 'phishing');
    assert.equal(r.severity, 5);
  });

  it('reports nothing for unknown links by default', () => {
    assert.deepEqual(hits(company, 'https://example.org/x www.abc.xyz abc.top'), []);
  });
});

describe('links: look-alikes of allowed domains', () => {
  it('reports homoglyph, typo and embedding tricks as phishing', () => {
    for (const text of [
      'cornpany.com',
      'c0mpany.com',
      'cоmpany.com', // Cyrillic о
      'cömpany.com',
      'compnay.com',
      'companyy.com',
      'compny.com',
      'conpany.com',
      'company.co',
      'login.c0mpany.com/verify',
      'company.com.evil-login.xyz',
      'company-com.io',
      'secure-company-com.xyz',
      'companycom.net',
      'https://xn--cmpany-wqf.com/', // cоmpany.com in punycode
      'githuh.com',
      'http://company.com@evil.example/',
    ]) {
      const r = run(company, `点这里 ${text} 领奖`);
      assert.equal(r.length, 1, text);
      assert.equal(r[0].category, 'phishing', text);
      assert.equal(r[0].severity, 4, text);
      assert.match(r[0].rule, /^link:lookalike:(company|github)\.com$/, text);
    }
  });

  it('reads I as l in a lower-case host (paypaI.com)', () => {
    const d = createLinkDetector({ allowDomains: ['paypal.com'] });
    assert.deepEqual(hits(d, 'paypaI.com'), [['link:lookalike:paypal.com', 'paypaI.com']]);
    assert.deepEqual(hits(d, 'PAYPAL.COM'), []);
  });

  it('leaves unrelated and same-owner domains alone', () => {
    for (const text of [
      'mycompany.com',
      'companies.org',
      'github.io',
      'gitlab.com',
      'company.com.cn.example', // not a known TLD
      'https://company.com/?ref=evil.io',
    ]) {
      assert.deepEqual(hits(company, text), [], text);
    }
    const sub = createLinkDetector({ allowDomains: ['mail.company.com'] });
    assert.deepEqual(hits(sub, 'www.company.com'), [], 'another subdomain of the same owner');
    assert.deepEqual(hits(sub, 'mall.company.com'), []);
  });

  it('needs a long enough name for one-edit typos', () => {
    const d = createLinkDetector({ allowDomains: ['qq.com'] });
    assert.deepEqual(hits(d, 'qa.com'), []);
    assert.deepEqual(hits(d, 'qq.corn'), [], 'bare unknown TLD is not a link');
    assert.deepEqual(hits(d, 'https://qq.corn/'), [['link:lookalike:qq.com', 'https://qq.corn/']]);
    assert.deepEqual(hits(d, 'q0.com'), []);
    const lenient = createLinkDetector({ allowDomains: ['qq.com'], lookalike: { minEditLength: 2 } });
    assert.deepEqual(hits(lenient, 'qa.com'), [['link:lookalike:qq.com', 'qa.com']]);
  });

  it('can be switched off', () => {
    const d = createLinkDetector({ allowDomains: ['company.com'], lookalike: false, homograph: false });
    assert.deepEqual(hits(d, 'cornpany.com'), []);
  });
});

describe('links: homographs, IP literals, shorteners', () => {
  it('reports IDN hosts that spell Latin with other scripts', () => {
    for (const text of ['xn--80ak6aa92e.com', 'аррӏе.com', 'xn--pple-43d.com/login', 'pаypal.com']) {
      assert.deepEqual(hits(company, text), [['link:homograph', text]], text);
    }
    for (const text of ['сайт.рф', 'baidu.中国', 'café.com', 'müller.de']) {
      assert.deepEqual(hits(company, text), [], text);
    }
  });

  it('reports links to public IP addresses', () => {
    assert.deepEqual(hits(company, 'http://8.8.8.8/x'), [['link:ip', 'http://8.8.8.8/x']]);
    assert.deepEqual(hits(company, '45.33.32.156:8080/login'), [['link:ip', '45.33.32.156:8080/login']]);
    assert.deepEqual(
      hits(company, 'http://134744072/'),
      [['link:ip', 'http://134744072/']],
      '8.8.8.8 as a number',
    );
    assert.deepEqual(hits(company, 'http://[2001:db8::1]/'), [['link:ip', 'http://[2001:db8::1]/']]);
    for (const text of [
      'http://192.168.1.1:8080/',
      'http://10.0.0.5/dash',
      'http://127.0.0.1/',
      'http://[::1]:3000/',
    ]) {
      assert.deepEqual(hits(company, text), [], text);
    }
    const all = createLinkDetector({ ipLiteral: { ranges: 'all', severity: 1 } });
    const [r] = run(all, 'http://10.0.0.5/dash');
    assert.equal(r.rule, 'link:ip');
    assert.equal(r.severity, 1);
    assert.deepEqual(hits(createLinkDetector({ ipLiteral: false }), 'http://8.8.8.8/x'), []);
  });

  it('reports URL shorteners when they carry a path', () => {
    assert.deepEqual(hits(company, '戳 t.cn/A6xyzAB 看'), [['link:shortener', 't.cn/A6xyzAB']]);
    assert.deepEqual(hits(company, 'https://bit.ly/3abc'), [['link:shortener', 'https://bit.ly/3abc']]);
    assert.deepEqual(hits(company, 'bit.ly is a shortener'), []);
    const custom = createLinkDetector({ shortener: { domains: ['s.example'] } });
    assert.deepEqual(hits(custom, 'https://bit.ly/3abc'), []);
    assert.deepEqual(hits(createLinkDetector({ shortener: false }), 'https://bit.ly/3abc'), []);
  });
});

describe('links: unknown links when asked for', () => {
  it('reports unknown links as ads, severity 1', () => {
    const [r] = run(everything, 'free gift abc.top');
    assert.equal(r.rule, 'link:unknown');
    assert.equal(r.category, 'ads');
    assert.equal(r.severity, 1);
  });

  it('skips ambiguous bare names but not the same name written as a link', () => {
    assert.deepEqual(hits(everything, 'read main.py'), []);
    assert.deepEqual(hits(everything, 'https://main.py'), [['link:unknown', 'https://main.py']]);
    assert.deepEqual(hits(everything, 'evil.me/x'), [['link:unknown', 'evil.me/x']]);
  });

  it('ignores intranet hosts', () => {
    assert.deepEqual(hits(everything, 'http://wiki/page http://build.local:8080/'), []);
  });
});
