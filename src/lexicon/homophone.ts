/**
 * Same-sound evasions: the tables that decide which stand-ins a CJK term is also matched through, and which
 * ordinary words veto a same-sound match.
 *
 * Same-sound characters need no patterns of their own: the automaton runs with `PhoneticTables.canonical`,
 * so 薇信/威信/微信 all reach the pattern of 微信 and the matcher checks afterwards which characters differ.
 * Latin stand-ins (V信 for 微信) do need patterns: they are listed here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PhoneticTables } from './pinyin.js';
import { isCjkUnit } from './pinyin.js';

/**
 * Latin letters written in place of a character with this toneless syllable. Deliberately small: a letter
 * that stands for many syllables would turn every short term into noise. `v` for wei is the one in common use
 * (V信, 加V, 薇 → V); `w` is kept out because it stands for too much else (wx, wang, wo…).
 */
export const LATIN_ALIASES: Readonly<Record<string, readonly string[]>> = {
  wei: ['v'],
};

/**
 * Grammatical particles and the most frequent function characters. Chinese uses them everywhere, so one of
 * them is never taken as a same-sound stand-in: 炸鸡吧 is not 鸡巴, 是你吗 is not 你妈, 这匹马的 is not 妈的.
 */
export const NEVER_SWAPPED = '吧吗嘛呢啊呀哇啦哦哈的地得了么呗咯喽';

/**
 * Ordinary words that sound like a piece of a common lexicon term. A same-sound match whose swapped
 * character lies in one of these words in the text is dropped (增加威信 is not 加微信, 去读博 is not 赌博).
 * Hand-written for the default lexicons: pinyin-pro's own word data only holds ~4k polyphone words (none of
 * these), and opencc-js's phrase table (`dictionaryWords`, opt-in) measured as no help. The operator's
 * allow-list and `CompileOptions.homophoneWords` add more.
 */
export const HOMOPHONE_TRAP_WORDS: readonly string[] = [
  // ordinary word  ·  the term it sounds like
  '威信', // 微信 (增加威信 ≠ 加微信)
  '维新', // 微信
  '唯心', // 微信
  '读博', // 赌博
  '博采', // 博彩 (博采众长)
  '约跑', // 约炮
  '越跑', // 约炮 (越跑越快)
  '大炮', // 打炮
  '见人', // 贱人
  '炸蛋', // 炸弹
  '待考', // 代考
  '白吃', // 白痴
  '出生', // 畜生
  '初生', // 畜生
  '援教', // 援交
  '性教育', // 性交
  '口角', // 口交
  '自卫', // 自慰
  '手印', // 手淫
  '强健', // 强奸
  '大妈', // 大麻
  '打骂', // 大麻
  '大马', // 大麻
  '病毒', // 冰毒
  '正事', // 办证 (办正事)
  '看人', // 砍人
  '反水', // 返水
  '返税', // 返水
  '秘药', // 迷药
  '卖身', // 卖肾
  '体考', // 替考
  '同人', // 捅人
  '见货', // 贱货 (见货付款)
  '砸碎', // 杂碎
  '二比一', // 二逼
  '福建', // 贱人 (福建人)
  '普通', // 捅人 (普通人)
  '简直', // 兼职 (手机简直…)
];

/**
 * Words from the word tables of a package modstream already depends on: opencc-js's simplified phrase table
 * (about 49k phrases whose characters convert ambiguously to traditional). Far from a full dictionary, and
 * measured as no help by default (see CompileOptions.dictionary). Read lazily from the package's file — the
 * module is a single `export default "key value|…"` string — so nobody pays for it unless asked; [] when the
 * table cannot be found or read.
 */
export function dictionaryWords(): string[] {
  let table: string;
  try {
    const source = readFileSync(fileURLToPath(import.meta.resolve('opencc-js/dict/STPhrases')), 'utf8');
    table = JSON.parse(source.slice(source.indexOf('"'), source.lastIndexOf('"') + 1)) as string;
  } catch {
    return [];
  }
  const words: string[] = [];
  for (const pair of table.split('|')) {
    const word = pair.slice(0, pair.indexOf(' '));
    if (word.length >= 2 && word.length <= 6) words.push(word);
  }
  return words;
}

/**
 * The words worth compiling as same-sound vetoes: those holding a pair of CJK characters that sounds like a
 * pair in some term but is written differently (威信 for 微信's 微信). No other word can ever overlap a
 * swapped character. Indexed by the words' pairs (few) and probed with the terms' pairs (many), so a 100k-term
 * lexicon costs one map lookup per pair.
 */
export function relevantTrapWords(
  words: Iterable<string>,
  terms: TermUnits,
  tables: PhoneticTables,
): string[] {
  const canonical = tables.canonical;
  const unique = [...new Set(words)];
  // canonical pair → [word index, literal pair, word index, literal pair, …]
  const pairs = new Map<number, number[]>();
  for (let w = 0; w < unique.length; w++) {
    const word = unique[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const a = word.charCodeAt(i);
      const b = word.charCodeAt(i + 1);
      if (!isCjkUnit(a) || !isCjkUnit(b)) continue;
      const key = canonical[a] * 0x10000 + canonical[b];
      let list = pairs.get(key);
      if (!list) pairs.set(key, (list = []));
      list.push(w, a * 0x10000 + b);
    }
  }
  const chosen = new Uint8Array(unique.length);
  const { codes, offset, patterns } = terms;
  for (let t = 0; t < patterns.length; t++) {
    for (let i = offset[patterns[t]], end = offset[patterns[t] + 1]; i + 1 < end; i++) {
      const list = pairs.get(canonical[codes[i]] * 0x10000 + canonical[codes[i + 1]]);
      if (!list) continue;
      const literal = codes[i] * 0x10000 + codes[i + 1];
      for (let k = 0; k < list.length; k += 2) if (list[k + 1] !== literal) chosen[list[k]] = 1;
    }
  }
  return unique.filter((_, w) => chosen[w] === 1);
}

/** Terms' units in a flat table: pattern p's are codes[offset[p] .. offset[p + 1]), for each p in `patterns`. */
export interface TermUnits {
  readonly codes: Uint16Array;
  readonly offset: Int32Array;
  readonly patterns: readonly number[];
}
