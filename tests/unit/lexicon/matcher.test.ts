import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reason } from '../../../src/contracts/types.js';
import { createFoldBuffer } from '../../../src/fold/index.js';
import { brief, folder, lexiconOf, matchAll } from './helpers.js';

describe('lexicon matcher: plain and folded terms', () => {
  const lex = lexiconOf(
    [
      ['加微信', 'ads'],
      ['网赌', 'gambling'],
      ['fuck', 'abuse'],
      ['ass', 'abuse'],
      ['shit', 'abuse'],
    ],
    [],
  );

  it('reports a plain match with rule, original span, default severity and no evasion', () => {
    const [r, ...rest] = matchAll(lex, '快来加微信领红包');
    assert.equal(rest.length, 0);
    assert.deepEqual(r, {
      detector: 'lexicon',
      category: 'ads',
      rule: 'ads:加微信',
      match: '加微信',
      span: [2, 5],
      severity: 2,
    });
  });

  it('reports a span that ends after the combining marks on the last character', () => {
    const [r] = matchAll(lex, 'f̶u̶c̶k̶ this');
    assert.equal(r.match, 'f̶u̶c̶k̶');
    assert.deepEqual(r.evasion, ['invisible']);
    assert.deepEqual(brief(lex, '加̲微̲信̲'), ['ads:加微信|加̲微̲信̲|invisible']);
  });

  it('finds a term followed or preceded by a word that starts or ends with its letter', () => {
    assert.deepEqual(brief(lex, 'fuck kids'), ['abuse:fuck|fuck|']);
    assert.deepEqual(brief(lex, 'this shit'), ['abuse:shit|shit|']);
    assert.deepEqual(brief(lex, 'what an ass sucks'), ['abuse:ass|ass|']);
    const [r] = matchAll(lex, '加微信 信息发你');
    assert.deepEqual(r.span, [0, 3]); // the span stops before the space, not at the next word's 信
  });

  it('finds disguised forms and names the foldings they took', () => {
    assert.deepEqual(brief(lex, '網賭'), ['gambling:网赌|網賭|traditional']);
    assert.deepEqual(brief(lex, 'ＦＵＣＫ'), ['abuse:fuck|ＦＵＣＫ|width+case']);
    assert.deepEqual(brief(lex, 'f\u200buck'), ['abuse:fuck|f\u200buck|invisible']);
    assert.deepEqual(brief(lex, 'fuuuuck'), ['abuse:fuck|fuuuuck|repeats']);
    assert.deepEqual(brief(lex, '加加微信'), ['ads:加微信|加加微信|repeats']);
    assert.deepEqual(brief(lex, 'fυck'), ['abuse:fuck|fυck|lookalike']);
    assert.deepEqual(brief(lex, 'sh1t'), ['abuse:shit|sh1t|leet']);
    assert.deepEqual(brief(lex, 'a55'), ['abuse:ass|a55|leet']);
  });

  it('maps spans back to the original text whatever the disguise', () => {
    const text = '好的👍 加 * 微 * 信 了解一下';
    const [r] = matchAll(lex, text);
    assert.equal(r.match, '加 * 微 * 信');
    assert.equal(text.slice(r.span![0], r.span![1]), r.match);
  });

  it('accepts uniform separators, soft-only mixes, and rejects a single space or sentence break', () => {
    assert.deepEqual(brief(lex, '加*微*信'), ['ads:加微信|加*微*信|separators']);
    assert.deepEqual(brief(lex, '加 微 信'), ['ads:加微信|加 微 信|separators']);
    assert.deepEqual(brief(lex, 'f.u.c.k'), ['abuse:fuck|f.u.c.k|separators']);
    assert.deepEqual(brief(lex, 'f u c k'), ['abuse:fuck|f u c k|separators']);
    assert.deepEqual(brief(lex, '加微*信'), ['ads:加微信|加微*信|separators']);
    assert.deepEqual(brief(lex, '加，微，信'), ['ads:加微信|加，微，信|separators']);
    assert.deepEqual(brief(lex, '…再增加，微信群里…'), []);
    assert.deepEqual(brief(lex, '明天参加 微信群的会'), []);
    assert.deepEqual(brief(lex, '上网，赌是不对的'), []);
  });

  it('matches Latin terms on word boundaries only', () => {
    for (const text of ['class', 'assess', 'passage', 'Scunthorpe', 'shitake', 'bass guitar', 'fucking']) {
      assert.deepEqual(brief(lex, text), [], text);
    }
    assert.deepEqual(brief(lex, 'kick his ass!'), ['abuse:ass|ass|']);
    assert.deepEqual(brief(lex, '你这个ass'), ['abuse:ass|ass|']);
    assert.deepEqual(brief(lex, 'ASS-hat'), ['abuse:ass|ASS|case']);
  });

  it('matches CJK terms anywhere', () => {
    assert.deepEqual(brief(lex, '网赌网赌'), ['gambling:网赌|网赌|', 'gambling:网赌|网赌|']);
    assert.deepEqual(brief(lex, 'abc网赌xyz'), ['gambling:网赌|网赌|']);
  });

  it('appends to the output array and leaves earlier reasons alone', () => {
    const out: Reason[] = [{ detector: 'pii', category: 'privacy', rule: 'pii:email', severity: 3 }];
    lex.match('fuck', out);
    assert.equal(out.length, 2);
    assert.equal(out[0].rule, 'pii:email');
  });

  it('matchFolded gives the same answer on a buffer folded by the same Folder', () => {
    const text = '加 微 信, 網賭';
    const buf = folder.fold(text, createFoldBuffer(8));
    const out: Reason[] = [];
    lex.matchFolded(text, buf, out);
    assert.deepEqual(out, matchAll(lex, text));
  });

  it('handles empty text and text without hits', () => {
    assert.deepEqual(matchAll(lex, ''), []);
    assert.deepEqual(matchAll(lex, '今天下午三点开会'), []);
  });
});

describe('lexicon matcher: overlaps', () => {
  it('keeps overlapping distinct terms and drops a match inside a longer one of the same category', () => {
    const lex = lexiconOf([
      ['he', 'abuse'],
      ['she', 'abuse'],
      ['hers', 'abuse'],
      ['赌博', 'gambling'],
      ['网络赌博', 'gambling'],
      ['博彩', 'gambling'],
      ['赌博网站', 'porn'],
    ]);
    assert.deepEqual(brief(lex, 'she hers he'), ['abuse:she|she|', 'abuse:hers|hers|', 'abuse:he|he|']);
    assert.deepEqual(brief(lex, '网络赌博网站'), ['gambling:网络赌博|网络赌博|', 'porn:赌博网站|赌博网站|']);
    assert.deepEqual(brief(lex, '赌博彩'), ['gambling:赌博|赌博|', 'gambling:博彩|博彩|']);
  });

  it('reports one reason per category and span: the most direct spelling', () => {
    const lex = lexiconOf([
      ['傻逼', 'abuse'],
      ['沙比', 'abuse'],
      ['FUCK', 'abuse'],
      ['fuck', 'abuse'],
    ]);
    assert.deepEqual(brief(lex, '你是傻逼'), ['abuse:傻逼|傻逼|']);
    assert.deepEqual(brief(lex, '沙比'), ['abuse:沙比|沙比|']);
    assert.deepEqual(brief(lex, 'shabi'), ['abuse:傻逼|shabi|pinyin']);
    assert.deepEqual(brief(lex, 'fuck'), ['abuse:FUCK|fuck|']);
  });
});

describe('lexicon matcher: allow-list', () => {
  const lex = lexiconOf(
    [
      ['操', 'abuse'],
      ['口交', 'porn'],
      ['加微信', 'ads'],
      ['妈的', 'abuse'],
      ['他妈的', 'abuse'],
      ['你妈', 'abuse'],
      ['办信用卡', 'ads'],
    ],
    ['操作', '体操', '路口', '增加', '妈妈', '信用卡'],
    { phonetic: false },
  );

  it('drops a match lying inside an allowed phrase', () => {
    assert.deepEqual(brief(lex, '这个操作很简单'), []);
    assert.deepEqual(brief(lex, '早上做体操'), []);
    assert.deepEqual(brief(lex, '操!'), ['abuse:操|操|']);
  });

  it('drops a match cutting through an allowed phrase', () => {
    assert.deepEqual(brief(lex, '前面路口交通管制'), []);
    assert.deepEqual(brief(lex, '我们增加微信支付'), []);
    assert.deepEqual(brief(lex, '加微信'), ['ads:加微信|加微信|']);
  });

  it('treats a reduplicated allow word as the word, not as a repeat evasion', () => {
    assert.deepEqual(brief(lex, '他妈妈的生日'), []);
    assert.deepEqual(brief(lex, '你妈妈好吗'), []);
    assert.deepEqual(brief(lex, '妈妈的包'), []);
    assert.deepEqual(brief(lex, '他妈的'), ['abuse:他妈的|他妈的|']);
  });

  it('keeps a match that contains an allowed phrase', () => {
    assert.deepEqual(brief(lex, '专业办信用卡'), ['ads:办信用卡|办信用卡|']);
  });

  it('applies extra allow phrases folded like text', () => {
    const withTraditional = lexiconOf([['操', 'abuse']], ['體操'], { phonetic: false });
    assert.deepEqual(brief(withTraditional, '体操'), []);
  });
});

describe('lexicon matcher: pinyin', () => {
  const lex = lexiconOf([
    ['加微信', 'ads'],
    ['网赌', 'gambling'],
    ['赌博', 'gambling'],
    ['约炮', 'porn'],
    ['银行卡', 'illegal'],
    ['嫦娥', 'rumor'],
  ]);

  it('matches toneless pinyin with or without spaces', () => {
    assert.deepEqual(brief(lex, 'jiaweixin'), ['ads:加微信|jiaweixin|pinyin']);
    assert.deepEqual(brief(lex, '快 jia wei xin 了解'), ['ads:加微信|jia wei xin|separators+pinyin']);
    assert.deepEqual(brief(lex, 'jia weixin'), ['ads:加微信|jia weixin|separators+pinyin']);
    assert.deepEqual(brief(lex, 'wang du'), ['gambling:网赌|wang du|separators+pinyin']);
    assert.deepEqual(brief(lex, 'WangDu'), ['gambling:网赌|WangDu|case+pinyin']);
    assert.deepEqual(brief(lex, '来yuepao吗'), ['porn:约炮|yuepao|pinyin']);
  });

  it('allows gaps only between syllables and needs Latin word boundaries', () => {
    assert.deepEqual(brief(lex, 'jiaw eixin'), []);
    assert.deepEqual(brief(lex, 'wan gdu'), []);
    assert.deepEqual(brief(lex, 'wangdux'), []);
    assert.deepEqual(brief(lex, 'xwangdu'), []);
    assert.deepEqual(brief(lex, 'wang, du'), []);
  });

  it('skips spellings under 5 letters and ones that are English words', () => {
    assert.deepEqual(brief(lex, 'dubo'), []); // 赌博: 4 letters
    assert.deepEqual(brief(lex, 'change the plan'), []); // 嫦娥 = chang e
  });

  it('knows heteronyms: the reading in context and the default reading', () => {
    assert.deepEqual(brief(lex, 'yinhangka'), ['illegal:银行卡|yinhangka|pinyin']);
    assert.deepEqual(brief(lex, 'yinxingka'), ['illegal:银行卡|yinxingka|pinyin']);
  });

  it('reads a character by its reading in context in same-sound and mixed spellings too', () => {
    const bombs = lexiconOf([
      ['出售银行卡', 'illegal'],
      ['自制炸弹', 'violence'],
    ]);
    // 行 alone reads xing and 弹 tan; in these terms they read hang and dan.
    assert.deepEqual(brief(bombs, '出售银航卡'), ['illegal:出售银行卡|出售银航卡|homophone']);
    assert.deepEqual(brief(bombs, '出售yinhang卡'), ['illegal:出售银行卡|出售yinhang卡|pinyin']);
    assert.deepEqual(brief(bombs, '自制炸dan'), ['violence:自制炸弹|自制炸dan|pinyin']);
    assert.deepEqual(brief(bombs, '出售银行卡'), ['illegal:出售银行卡|出售银行卡|']); // the term itself, once
    // The representative standing for a reading is never the term's own character, and 炸蛋 is a word.
    assert.deepEqual(brief(bombs, '今天自制炸蛋'), []);
  });

  it('is off for phonetic=off terms and when phonetic matching is off', () => {
    const off = lexiconOf([{ term: '网赌', category: 'gambling', phonetic: false }]);
    assert.deepEqual(brief(off, 'wangdu'), []);
    const global = lexiconOf([['网赌', 'gambling']], [], { phonetic: false });
    assert.deepEqual(brief(global, 'wangdu'), []);
    assert.deepEqual(brief(global, '网赌'), ['gambling:网赌|网赌|']);
  });
});

describe('lexicon matcher: mixed pinyin and characters', () => {
  const lex = lexiconOf(
    [
      ['加微信', 'ads'],
      ['约炮', 'porn'],
      ['赌博', 'gambling'],
      ['代开发票', 'ads'],
      ['不转不是中国人', 'rumor'],
      ['干你娘', 'abuse'],
      { term: '网赌', category: 'gambling', phonetic: false },
    ],
    ['操作'],
  );

  it('reads some characters spelled in pinyin and the rest kept, as the term with the pinyin evasion', () => {
    assert.deepEqual(brief(lex, '约pao吗'), ['porn:约炮|约pao|pinyin']);
    assert.deepEqual(brief(lex, '来yue炮'), ['porn:约炮|yue炮|pinyin']);
    assert.deepEqual(brief(lex, '加wei信'), ['ads:加微信|加wei信|pinyin']);
    assert.deepEqual(brief(lex, 'jia微信'), ['ads:加微信|jia微信|pinyin']);
    assert.deepEqual(brief(lex, 'jiawei信'), ['ads:加微信|jiawei信|pinyin']);
    assert.deepEqual(brief(lex, '代kai发piao'), ['ads:代开发票|代kai发piao|pinyin']);
    assert.deepEqual(brief(lex, 'buzhuan不shizhongguo人'), [
      'rumor:不转不是中国人|buzhuan不shizhongguo人|pinyin',
    ]);
  });

  it('reports the span of the letters as written: case, repeats, invisibles', () => {
    const [r] = matchAll(lex, '快来YUE炮');
    assert.deepEqual([r.match, r.span, r.evasion], ['YUE炮', [2, 6], ['case', 'pinyin']]);
    assert.deepEqual(brief(lex, '约paooo'), ['porn:约炮|约paooo|repeats+pinyin']);
    assert.deepEqual(brief(lex, '约ppao'), ['porn:约炮|约ppao|repeats+pinyin']);
    assert.deepEqual(brief(lex, 'ganni娘'), ['abuse:干你娘|ganni娘|pinyin']); // n+n across syllables
    assert.deepEqual(brief(lex, '约\u200bpao'), ['porn:约炮|约\u200bpao|invisible+pinyin']);
    assert.deepEqual(brief(lex, 'yu\u200be炮'), ['porn:约炮|yu\u200be炮|invisible+pinyin']); // inside a syllable
    assert.deepEqual(brief(lex, '约𝐩𝐚𝐨'), ['porn:约炮|约𝐩𝐚𝐨|width+pinyin']); // astral letters
  });

  it('takes spaces between spelled syllables, but only reads pinyin glued to a character', () => {
    assert.deepEqual(brief(lex, 'jia wei信'), ['ads:加微信|jia wei信|separators+pinyin']);
    assert.deepEqual(brief(lex, '加wei xin'), ['ads:加微信|加wei xin|separators+pinyin']);
    assert.deepEqual(brief(lex, 'jia*wei信'), ['ads:加微信|jia*wei信|separators+pinyin']);
    // Set off from the characters by a space or a symbol: not read, whatever else the text holds.
    assert.deepEqual(brief(lex, '约 pao'), []);
    assert.deepEqual(brief(lex, '约 pao 好ma'), []);
    assert.deepEqual(brief(lex, '约*pao'), []);
    assert.deepEqual(brief(lex, '约pao。好'), ['porn:约炮|约pao|pinyin']);
  });

  it('needs whole pinyin words, one character as written, and phonetic matching', () => {
    assert.deepEqual(brief(lex, '约paoa'), []); // pao + a: the word goes on
    assert.deepEqual(brief(lex, '约pao2'), []); // glued to a digit
    assert.deepEqual(brief(lex, 'yue泡'), []); // no character of the term as written
    assert.deepEqual(brief(lex, 'wang赌'), []); // phonetic=off
    assert.deepEqual(brief(lex, '约meeting'), []); // not pinyin
  });

  it('leaves ordinary mixed chat alone', () => {
    for (const text of [
      '今天meeting改到3点',
      '这个bug修好了吗',
      'ok吗',
      '帮我review一下',
      '我先sync一下',
      '看mp.weixin.qq.com加',
    ]) {
      assert.deepEqual(brief(lex, text), [], text);
    }
    assert.deepEqual(brief(lex, '看a.com/jia微信'), []); // read again, but inside a link
  });

  it('lets allow phrases and ordinary words read through a spelled syllable, as far as they should', () => {
    const words = lexiconOf(
      [
        ['刷单', 'ads'],
        ['约炮', 'porn'],
        ['贱人', 'abuse'],
      ],
      ['刷单词', '约跑', '福建'],
    );
    assert.deepEqual(brief(words, '刷dan词'), []); // the allow phrase 刷单词
    assert.deepEqual(brief(words, '我是福jian人'), []); // the phrase 福建 reaches beyond 贱人
    // 约跑 sounds like all of 约pao: a phrase within the match does not veto it.
    assert.deepEqual(brief(words, '约pao'), ['porn:约炮|约pao|pinyin']);
  });

  it('keeps the plain match when the text holds both', () => {
    assert.deepEqual(brief(lex, '约炮 约pao'), ['porn:约炮|约炮|', 'porn:约炮|约pao|pinyin']);
  });
});

describe('lexicon matcher: same-sound characters and Latin stand-ins', () => {
  const lex = lexiconOf(
    [
      ['加微信', 'ads'],
      ['赌博', 'gambling'],
      ['操', 'abuse'],
      ['约炮', 'porn'],
    ],
    [],
  );

  it('matches a same-sound swap with at least one identical character', () => {
    assert.deepEqual(brief(lex, '加薇信'), ['ads:加微信|加薇信|homophone']);
    assert.deepEqual(brief(lex, '加 薇 信领取免费礼品'), ['ads:加微信|加 薇 信|separators+homophone']);
    assert.deepEqual(brief(lex, '嘉薇信'), ['ads:加微信|嘉薇信|homophone']);
    assert.deepEqual(brief(lex, '家威新'), []); // nothing identical
  });

  it('drops a swap at an edge of the term that runs on into more Chinese', () => {
    assert.deepEqual(brief(lex, '谢谢大家微信群里说过了'), []); // 家微信: 家 belongs to 大家
    assert.deepEqual(brief(lex, '请半天假微信群里说'), []); // 假微信: 假 belongs to 请半天假
    assert.deepEqual(brief(lex, '明天我休假😂微信群里说过了'), []); // an emoji between does not detach 假 from 休
    assert.deepEqual(brief(lex, '有人 家微信 吗'), ['ads:加微信|家微信|homophone']); // standing apart
    assert.deepEqual(brief(lex, '有人加薇信吗'), ['ads:加微信|加薇信|homophone']); // inside the term: unaffected
  });

  it('needs at least two CJK characters in the term', () => {
    assert.deepEqual(brief(lex, '草地'), []); // 草 sounds like 操
  });

  it('drops a swap that is part of an ordinary word', () => {
    assert.deepEqual(brief(lex, '他在读博'), []); // 读博 vs 赌博
    assert.deepEqual(brief(lex, '增加威信'), []); // 威信 vs 微信
    assert.deepEqual(brief(lex, '越跑越快'), []); // 越跑 vs 约炮
    const extra = lexiconOf([['赌博', 'gambling']], [], { homophoneWords: ['堵博'] });
    assert.deepEqual(brief(extra, '堵博'), []);
    assert.deepEqual(brief(extra, '堵博'.replace('堵', '睹')), ['gambling:赌博|睹博|homophone']);
  });

  it('can also take ordinary words from the opencc-js phrase table (off by default)', () => {
    const terms = [['出售发票', 'ads']] as const;
    assert.deepEqual(brief(lexiconOf(terms), '出售发漂'), ['ads:出售发票|出售发漂|homophone']);
    assert.deepEqual(brief(lexiconOf(terms, [], { dictionary: true }), '出售发漂'), []); // 发漂 is in the table
  });

  it('matches Latin stand-ins such as V for 微', () => {
    assert.deepEqual(brief(lex, '加V信'), ['ads:加微信|加V信|case+homophone']);
    assert.deepEqual(brief(lex, '加v信了解'), ['ads:加微信|加v信|homophone']);
    assert.deepEqual(brief(lex, 'vip加v信'), ['ads:加微信|加v信|homophone']);
    assert.deepEqual(brief(lex, 'ipv信'), []);
  });

  it('is off for phonetic=off terms', () => {
    const off = lexiconOf([{ term: '加微信', category: 'ads', phonetic: false }]);
    assert.deepEqual(brief(off, '加薇信'), []);
    assert.deepEqual(brief(off, '加v信'), []);
  });
});

describe('lexicon matcher: pinyin inside links', () => {
  const lex = lexiconOf([
    ['加微信', 'ads'],
    { term: '微信', category: 'ads', plain: false },
    ['网赌', 'gambling'],
  ]);

  it('drops a pinyin spelling that is part of a URL, host name or e-mail address', () => {
    assert.deepEqual(brief(lex, '看这篇 https://mp.weixin.qq.com/s/abc 谢谢'), []);
    assert.deepEqual(brief(lex, '文章在mp.weixin.qq.com上'), []);
    assert.deepEqual(brief(lex, 'http://example.com/wangdu/list'), []);
    assert.deepEqual(brief(lex, 'www.wangdu.com'), []);
    assert.deepEqual(brief(lex, '发到 weixin@example.com'), []);
  });

  it('reports pinyin whose syllables share a letter, written together or apart', () => {
    const yin = lexiconOf([['淫内', 'porn']]);
    assert.deepEqual(brief(yin, 'yinnei'), ['porn:淫内|yinnei|pinyin']);
    assert.deepEqual(brief(yin, 'yin nei'), ['porn:淫内|yin nei|separators+pinyin']);
    assert.deepEqual(brief(yin, 'yin-nei'), ['porn:淫内|yin-nei|separators+pinyin']);
  });

  it('still reports pinyin written as words, even with dots as separators', () => {
    assert.deepEqual(brief(lex, '快来 jiaweixin 了解一下'), ['ads:加微信|jiaweixin|pinyin']);
    assert.deepEqual(brief(lex, 'jia.wei.xin'), ['ads:加微信|jia.wei.xin|separators+pinyin']);
    assert.deepEqual(brief(lex, '私聊我 wangdu.'), ['gambling:网赌|wangdu|pinyin']);
  });

  it('keeps plain and same-sound matches inside links (the link is what the text says)', () => {
    assert.deepEqual(brief(lex, 'https://example.com/网赌'), ['gambling:网赌|网赌|']);
  });
});

describe('lexicon matcher: attributes', () => {
  it('applies severity, dryRun and boundary', () => {
    const lex = lexiconOf([
      { term: '代开发票', category: 'ads', severity: 4 },
      { term: '刷单', category: 'ads', dryRun: true },
      { term: 'sb', category: 'abuse', boundary: 'any' },
      { term: '星河', category: 'secret', boundary: 'word' },
    ]);
    const [invoice] = matchAll(lex, '代开发票');
    assert.equal(invoice.severity, 4);
    const [fake] = matchAll(lex, '刷单');
    assert.equal(fake.dryRun, true);
    assert.equal(fake.severity, 2);
    assert.deepEqual(brief(lex, 'xsbx'), ['abuse:sb|sb|']);
    assert.deepEqual(brief(lex, '星河计划'), []);
    assert.deepEqual(brief(lex, '星河 计划'), ['secret:星河|星河|']);
  });
});
