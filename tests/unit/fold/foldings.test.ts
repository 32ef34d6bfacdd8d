import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFolder } from '../../../src/fold/index.js';
import { allEvasions, folded, mapBack, view } from './helpers.js';

const folder = createFolder();

describe('compatibility folding (width)', () => {
  it('folds full-width Latin, digits and punctuation to ASCII', () => {
    assert.equal(folded(folder, 'ｆｕｃｋ'), 'fuck');
    assert.equal(folded(folder, '加ｖｘ１２３'), '加vx123');
    assert.deepEqual(allEvasions(folder, 'ｆｕｃｋ'), ['width']);
    assert.deepEqual(allEvasions(folder, 'ＦＵＣＫ'), ['case', 'width']);
  });

  it('folds circled, parenthesised, squared and negative enclosed letters and digits', () => {
    assert.equal(folded(folder, 'Ⓕⓤⓒⓚ'), 'fuck');
    assert.equal(folded(folder, '⒡⒰⒞⒦'), 'fuck');
    assert.equal(folded(folder, '🄵🅄🄲🄺'), 'fuck');
    assert.equal(folded(folder, '🅵🆄🅲🅺'), 'fuck'); // negative squared: no Unicode decomposition
    assert.equal(folded(folder, '🅕🅤🅒🅚'), 'fuck'); // negative circled: no Unicode decomposition
    assert.equal(folded(folder, '①②③'), '123');
    assert.equal(folded(folder, '❶❷❸'), '123');
    assert.equal(folded(folder, '⒈'), '1');
    assert.equal(folded(folder, '㈠'), '一');
  });

  it('folds mathematical alphanumerics (astral) and maps them back to whole surrogate pairs', () => {
    const text = '加𝐯𝐱';
    assert.equal(folded(folder, text), '加vx');
    const units = view(folder, text);
    assert.deepEqual(units[1].span, [1, 3]);
    assert.deepEqual(units[2].span, [3, 5]);
    assert.equal(folded(folder, '𝕗𝖚𝓬𝓴'), 'fuck');
    assert.equal(folded(folder, '𝟙𝟚𝟛'), '123');
  });

  it('folds superscripts, subscripts, ligatures and compatibility ideographs', () => {
    assert.equal(folded(folder, 'ᶠᵘᶜᵏ'), 'fuck');
    assert.equal(folded(folder, 'x²'), 'x2');
    assert.equal(folded(folder, 'ﬁre'), 'fire');
    assert.equal(folded(folder, '⼈'), '人'); // Kangxi radical
    assert.equal(folded(folder, '兀'), '兀');
  });

  it('strips accents from Latin, Greek and Cyrillic letters, and folds stroked letters', () => {
    assert.equal(folded(folder, 'fück'), 'fuck');
    assert.equal(folded(folder, 'ÀÉÎÕÜ'), 'aeiou');
    assert.equal(folded(folder, 'jiā wēi xìn'), 'jiaweixin');
    assert.equal(folded(folder, 'føck'), 'fock');
    assert.deepEqual(allEvasions(folder, 'fück'), ['width']);
  });

  it('folds Latin letters with a hook, as fancy text writes them', () => {
    assert.equal(folded(folder, 'ƒuck'), 'fuck');
    assert.equal(folded(folder, 'ƑƁƇƊ ɦɱɲʂƭʋƴʐ'), 'fbcdhmnstvyz');
    assert.deepEqual(allEvasions(folder, 'ƒuck'), ['width']);
  });

  it('keeps symbols that fold to several letters as noise (™, ㎏)', () => {
    assert.equal(folded(folder, 'fuck™'), 'fuck');
    assert.equal(folded(folder, '5㎏'), '5');
  });

  it('expands one character into several units that share its span', () => {
    const units = view(folder, 'a⑩b');
    assert.deepEqual(
      units.map((u) => [u.unit, u.span]),
      [
        ['a', [0, 1]],
        ['1', [1, 2]],
        ['0', [1, 2]],
        ['b', [2, 3]],
      ],
    );
  });
});

describe('case', () => {
  it('lower-cases and flags it', () => {
    assert.equal(folded(folder, 'FuCk'), 'fuck');
    assert.deepEqual(view(folder, 'Fu')[0].evasions, ['case']);
    assert.deepEqual(view(folder, 'Fu')[1].evasions, []);
  });

  it('lower-cases non-Latin scripts too', () => {
    assert.equal(folded(folder, 'ПРИВЕТ'), folded(folder, 'привет'));
    assert.equal(folded(folder, 'ΣΊΓΜΑ'), 'σiyma');
  });

  it('reads Greek look-alikes by their shape, so Η/η and Μ/μ fold apart', () => {
    assert.equal(folded(folder, 'ΗΕLLΟ'), 'helo');
    assert.equal(folded(folder, 'ηο'), 'no');
    assert.equal(folded(folder, 'σίγμα'), 'σiyua');
  });
});

describe('traditional → simplified', () => {
  it('converts traditional characters from OpenCC data, one character to one unit', () => {
    assert.equal(folded(folder, '發財'), '发财');
    assert.equal(folded(folder, '加薇信領取禮品'), '加薇信领取礼品');
    assert.equal(folded(folder, '賭博網站'), '赌博网站');
    const units = view(folder, '發財');
    assert.deepEqual(units[0].evasions, ['traditional']);
    assert.deepEqual(units[0].span, [0, 1]);
  });

  it('converts Hong Kong and Taiwan variants (through the standard form)', () => {
    assert.equal(folded(folder, '啟動'), '启动'); // 啟 → 啓 → 启
    assert.equal(folded(folder, '裡面'), '里面');
    assert.equal(folded(folder, '温度'), folded(folder, '溫度'));
  });

  it('leaves simplified text alone, including characters the reverse tables list as variants', () => {
    for (const text of ['什么', '才', '群里', '微信', '台湾', '吃饭']) {
      assert.equal(folded(folder, text), text);
      assert.deepEqual(allEvasions(folder, text), [], text);
    }
  });

  it('never folds a simplified character through a regional variant table (著名 stays 著名)', () => {
    // TWVariantsRev lists 著 → 着, but 著 is an ordinary simplified character (著名, 显著, 著作).
    for (const text of ['著名', '显著', '著作', '合著']) {
      assert.equal(folded(folder, text), text);
      assert.deepEqual(allEvasions(folder, text), [], text);
    }
    assert.notEqual(folded(folder, '著'), folded(folder, '着'));
    // …and says so, for the lexicon compiler to spell terms both ways (躺着 / Taiwan's 躺著).
    assert.equal(folder.keptVariants.get('著'.codePointAt(0)!), '着'.codePointAt(0));
    assert.equal(createFolder({ traditional: false }).keptVariants.size, 0);
  });

  it('keeps every variant-table source that is a GB 2312 character as it is', async () => {
    const { from } = await import('opencc-js/preset/t2cn');
    const bytes: number[] = [];
    for (let row = 0xb0; row <= 0xf7; row++)
      for (let cell = 0xa1; cell <= 0xfe; cell++) bytes.push(row, cell);
    const mainland = new Set(new TextDecoder('gbk').decode(Uint8Array.from(bytes)));
    const { to } = await import('opencc-js/preset/t2cn');
    const tsSources = new Set<string>();
    for (const dict of to.cn.flat()) {
      const entries = typeof dict === 'string' ? dict.split('|').map((e) => e.split(' ')) : dict;
      for (const [source] of entries) tsSources.add(source);
    }
    let checked = 0;
    for (const dict of [...from.hk, ...from.tw].flat()) {
      const entries = typeof dict === 'string' ? dict.split('|').map((e) => e.split(' ')) : dict;
      for (const [variant] of entries) {
        if (Array.from(variant).length !== 1 || !mainland.has(variant) || tsSources.has(variant)) continue;
        checked++;
        assert.equal(folded(folder, variant), variant, variant);
      }
    }
    assert.ok(checked > 0);
  });
});

describe('invisible characters', () => {
  it('drops zero-width characters transparently and flags the next unit', () => {
    for (const zw of ['\u200b', '\u200c', '\u200d', '\u200e', '\u2060', '\u2063', '\ufeff', '\u00ad']) {
      const units = view(folder, `微${zw}信`);
      assert.equal(units.map((u) => u.unit).join(''), '微信');
      assert.equal(units[1].gap, 0, 'no gap');
      assert.deepEqual(units[1].evasions, ['invisible']);
    }
  });

  it('drops variation selectors, bidi controls and stray combining marks', () => {
    assert.equal(folded(folder, '加\ufe0f微\ufe00信'), '加微信');
    assert.equal(folded(folder, 'f\u202eu\u202cck'), 'fuck');
    assert.equal(folded(folder, 'f̶u̶c̶k̶'), 'fuck'); // U+0336 strikethrough
    assert.equal(folded(folder, 'ḟ̵ủ̴c̷k̸'), 'fuck');
    assert.equal(folded(folder, '微\u{e0101}信'), '微信'); // variation selector supplement
    assert.deepEqual(allEvasions(folder, 'f̶u̶c̶k̶'), ['invisible']);
  });

  it('counts a combining mark as part of the character before it', () => {
    // The last mark of f̶u̶c̶k̶ belongs to k: a span over the word must reach past it.
    const units = view(folder, 'f̶u̶c̶k̶ off');
    assert.deepEqual(
      units.slice(0, 4).map((u) => u.source),
      ['f̶', 'u̶', 'c̶', 'k̶'],
    );
    assert.deepEqual(units[0].evasions, ['invisible']); // on the unit itself, not on the next one
    assert.equal(mapBack(folder, 'f̶u̶c̶k̶ off', 0, 4), 'f̶u̶c̶k̶');
    // Both units of an expansion grow (⑩ → 1 0); after a gap or at the start a mark flags the next unit.
    assert.deepEqual(
      view(folder, '⑩\u0336').map((u) => u.span),
      [
        [0, 2],
        [0, 2],
      ],
    );
    const apart = view(folder, '\u0336a \u0336b');
    assert.deepEqual(
      apart.map((u) => [u.source, u.evasions]),
      [
        ['a', ['invisible']],
        ['b', ['invisible']],
      ],
    );
  });

  it('maps a match back over the invisible characters inside it', () => {
    assert.equal(mapBack(folder, '请加\u200b微\u200b信吧', 1, 4), '加\u200b微\u200b信');
  });

  it('does not call emoji glue (ZWJ, VS16) after an emoji an evasion', () => {
    const units = view(folder, '👨\u200d👩\u200d👧\ufe0f好');
    assert.deepEqual(units[0].evasions, []);
  });
});

describe('look-alikes', () => {
  it('folds Cyrillic and Greek letters that pass for Latin', () => {
    assert.equal(folded(folder, 'fսсk'), 'fuck'); // Armenian ս, Cyrillic с
    assert.equal(folded(folder, 'vіаgrа'), 'viagra');
    assert.equal(folded(folder, 'ΡΟRΝ'), 'porn');
    assert.equal(folded(folder, 'ѕех'), 'sex');
    assert.equal(folded(folder, 'τеχτ'), 'text');
    const units = view(folder, 'vіаgrа');
    assert.deepEqual(units[1].evasions, ['lookalike']);
    assert.deepEqual(units[0].evasions, []);
  });

  it('reads a look-alike before compatibility folding could turn it into another letter', () => {
    // NFKC maps lunate sigma ϲ (U+03F2) to final sigma ς and Ϲ (U+03F9) to Σ: neither passes for c.
    assert.equal(folded(folder, 'fuϲk'), 'fuck');
    assert.equal(folded(folder, 'FUϹK'), 'fuck');
    const units = view(folder, 'fuϲk');
    assert.deepEqual(units[2].evasions, ['lookalike']);
    assert.deepEqual(units[2].span, [2, 3]);
  });

  it('folds small capitals as fancy-text generators write them', () => {
    assert.equal(folded(folder, 'ꜰᴜᴄᴋ ʏᴏᴜ'), 'fuckyou');
    assert.deepEqual(view(folder, 'ꜰᴜᴄᴋ')[0].evasions, ['lookalike']);
  });

  it('treats look-alikes as real letters for leetspeak', () => {
    assert.equal(folded(folder, 'f4сk'), 'fack');
  });
});

describe('map back to the original text', () => {
  it('covers exactly the disguised text, separators and repeats included', () => {
    const text = '快来加*微*信领红包';
    // folded: 快 来 加 微 信 领 红 包 → 加微信 is units [2, 5)
    assert.equal(mapBack(folder, text, 2, 5), '加*微*信');
    assert.equal(mapBack(folder, 'oh fuuuuck!', 2, 6), 'fuuuuck'); // o h f u c k → fuck is [2, 6)
    assert.equal(mapBack(folder, '我們發財了', 2, 4), '發財');
  });
});

describe('tables against Unicode', () => {
  it('folds every code point whose NFKC lower-case form is one ASCII letter or digit to exactly that', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (let cp = 0x80; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const expected = ch.normalize('NFKC').toLowerCase();
      if (!/^[a-z0-9]$/.test(expected)) continue;
      checked++;
      const got = folder.foldToString(ch);
      if (got !== expected) mismatches.push(`U+${cp.toString(16)} ${ch} → ${got}, expected ${expected}`);
    }
    assert.ok(checked > 1000, `checked ${checked}`);
    assert.deepEqual(mismatches, []);
  });

  it('folds every one-to-one OpenCC traditional character to a simplified one', async () => {
    const { to } = await import('opencc-js/preset/t2cn');
    const [, characters] = to.cn[0];
    let checked = 0;
    const entries =
      typeof characters === 'string' ? characters.split('|').map((e) => e.split(' ')) : characters;
    for (const [traditional, simplified] of entries) {
      if (Array.from(traditional).length !== 1 || Array.from(simplified).length !== 1) continue;
      checked++;
      const got = folder.foldToString(traditional);
      // Chains are followed, so the result is a fixed point of the table: folding it again changes nothing.
      assert.equal(folder.foldToString(got), got, traditional);
      if (got !== simplified)
        assert.equal(folder.foldToString(simplified), got, `${traditional} → ${simplified}`);
    }
    assert.ok(checked > 3000);
  });
});
