/**
 * Seeded generators for the quality evaluation: disguised and phonetic spellings of the default lexicon's
 * terms, planted in short chat lines. Each line remembers where the disguised term sits so the evaluation
 * can check that a reason of the right category covers it. Deterministic for a given seed.
 */
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import type { Category } from '../../src/contracts/types.js';
import type { PhoneticTables, TermSource } from '../../src/lexicon/index.js';

export type DisguiseKind =
  | 'width'
  | 'case'
  | 'traditional'
  | 'invisible'
  | 'separators'
  | 'repeats'
  | 'lookalike'
  | 'leet'
  | 'combined';
export type PhoneticKind = 'pinyin' | 'pinyin-spaced' | 'pinyin-mixed' | 'homophone' | 'latin-alias';

export interface PlantedLine {
  text: string;
  kind: DisguiseKind | PhoneticKind;
  term: string;
  category: Category;
  /** The planted (disguised) term occupies text[start, end). */
  start: number;
  end: number;
}

/** mulberry32: small, fast, good enough to make test data reproducible. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const isCjk = (ch: string): boolean => /[\u3400-\u9fff]/.test(ch);
const isLatin = (ch: string): boolean => /[a-z]/i.test(ch);

// ---------------------------------------------------------------------------------------------------------
// Character-level disguises

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\ufe0f', '\u0301'];
/** Strikethrough, underline, double underline, overline, dot above. */
const COMBINING_MARKS = ['\u0336', '\u0332', '\u0333', '\u0305', '\u0307'];
const SOFT_SEPARATORS = ['*', '.', '-', '_', '~', '|', '/', '+', '#', '^', '=', '❤', '🌸', '⭐', '😀', '♥'];
const UNIFORM_SEPARATORS = [...SOFT_SEPARATORS, ' ', '  ', ' * ', '. '];
const LOOKALIKES: Readonly<Record<string, readonly string[]>> = {
  a: ['а', 'α'],
  c: ['с', 'ϲ'],
  e: ['е', 'ε'],
  h: ['һ'],
  i: ['і', 'ι'],
  j: ['ј'],
  k: ['к', 'κ'],
  o: ['о', 'ο'],
  p: ['р', 'ρ'],
  s: ['ѕ'],
  t: ['т', 'τ'],
  x: ['х', 'χ'],
  y: ['у'],
};
const LEET: Readonly<Record<string, readonly string[]>> = {
  a: ['4', '@'],
  e: ['3'],
  i: ['1', '!'],
  o: ['0'],
  s: ['5', '$'],
  t: ['7'],
};

type Disguise = (term: string, random: Random) => string | null;

/** Positions of characters satisfying `test`, in random order. */
function positions(
  chars: readonly string[],
  test: (ch: string, i: number) => boolean,
  random: Random,
): number[] {
  const found = chars.map((ch, i) => (test(ch, i) ? i : -1)).filter((i) => i >= 0);
  for (let i = found.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [found[i], found[j]] = [found[j], found[i]];
  }
  return found;
}

const DISGUISES: Record<Exclude<DisguiseKind, 'combined'>, Disguise> = {
  width(term) {
    if (!/[a-z0-9]/i.test(term)) return null;
    return term.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
  },
  case(term, random) {
    if (!/[a-z]/.test(term)) return null;
    const chars = [...term];
    const at = positions(chars, (ch) => /[a-z]/.test(ch), random);
    const count = random() < 0.3 ? at.length : 1 + Math.floor(random() * at.length);
    for (const i of at.slice(0, count)) chars[i] = chars[i].toUpperCase();
    return chars.join('');
  },
  traditional(term) {
    const converted = toTraditional(term);
    return converted === term ? null : converted;
  },
  invisible(term, random) {
    const chars = [...term];
    if (chars.length < 2) return null;
    // "Fancy text": a combining mark on every character, the last one included (s̶h̶i̶t̶, 加̲微̲信̲).
    if (random() < 0.25) {
      const mark = pick(random, COMBINING_MARKS);
      return chars.map((ch) => (ch === ' ' ? ch : ch + mark)).join('');
    }
    let out = chars[0];
    let inserted = false;
    for (let i = 1; i < chars.length; i++) {
      if (random() < 0.6 || (!inserted && i === chars.length - 1)) {
        out += pick(random, INVISIBLES);
        inserted = true;
      }
      out += chars[i];
    }
    return out;
  },
  separators(term, random) {
    const chars = [...term].filter((ch) => ch !== ' ');
    if (chars.length < 2) return null;
    if (random() < 0.7) return chars.join(pick(random, UNIFORM_SEPARATORS));
    return chars.reduce((out, ch, i) => (i === 0 ? ch : out + pick(random, SOFT_SEPARATORS) + ch), '');
  },
  repeats(term, random) {
    const chars = [...term];
    const at = positions(chars, (ch) => ch !== ' ', random).slice(0, random() < 0.7 ? 1 : 2);
    for (const i of at) chars[i] = chars[i].repeat(2 + Math.floor(random() * 3));
    return chars.join('');
  },
  lookalike(term, random) {
    const chars = [...term];
    const at = positions(chars, (ch) => ch in LOOKALIKES, random);
    if (at.length === 0) return null;
    for (const i of at.slice(0, 1 + Math.floor(random() * Math.min(2, at.length)))) {
      chars[i] = pick(random, LOOKALIKES[chars[i]]);
    }
    return chars.join('');
  },
  leet(term, random) {
    const chars = [...term];
    // Keep at least one real letter in every word, as leetspeak readers need (and the folder requires).
    const words = term.split(' ');
    if (words.some((w) => w.length < 2)) return null;
    const at = positions(chars, (ch) => ch in LEET, random);
    if (at.length === 0) return null;
    const letters = chars.filter((ch) => /[a-z]/.test(ch)).length;
    const budget = Math.min(at.length, letters - 1, 1 + Math.floor(random() * 2));
    if (budget < 1) return null;
    for (const i of at.slice(0, budget)) chars[i] = pick(random, LEET[chars[i]]);
    const disguised = chars.join('');
    return disguised.split(' ').every((w) => /[a-z]/.test(w)) ? disguised : null;
  },
};

/** Character-level kinds first, then repeats, then insertions (separators/invisibles) last. */
const COMBINE_ORDER: readonly Exclude<DisguiseKind, 'combined'>[] = [
  'traditional',
  'lookalike',
  'leet',
  'case',
  'width',
  'repeats',
  'separators',
  'invisible',
];

function combined(term: string, random: Random): string | null {
  const applicable = COMBINE_ORDER.filter((k) => DISGUISES[k](term, createRandom(1)) !== null);
  if (applicable.length < 2) return null;
  const count = Math.min(applicable.length, 2 + (random() < 0.4 ? 1 : 0));
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pick(random, applicable));
  let out = term;
  for (const kind of COMBINE_ORDER) {
    if (!chosen.has(kind)) continue;
    const next = DISGUISES[kind](out, random);
    if (next !== null) out = next;
  }
  return out === term ? null : out;
}

// ---------------------------------------------------------------------------------------------------------
// Carriers: the chat lines terms are planted in

const CJK_CARRIERS = [
  '{}',
  '{}！！',
  '群里有人发：{}，大家注意',
  '刚才看到一条消息：{}。',
  '兄弟们，{}，了解一下',
  '【通知】{}',
  '有没有人{}？',
  '你就是个{}',
  '{} 详情私聊',
  '哈哈 {} 哈哈',
];
const LATIN_CARRIERS = [
  '{}',
  'what the {}',
  'you are such a {}!',
  '{} lol',
  '这人真是{}',
  'omg {} !!!',
  '@all {}',
];
const PINYIN_CARRIERS = ['{}', '快来 {} 了解一下', '{}！', '群里 {} 私聊', '有人 {} 吗', '【{}】'];

function plant(template: string, disguised: string): { text: string; start: number; end: number } {
  const start = template.indexOf('{}');
  return { text: template.replace('{}', disguised), start, end: start + disguised.length };
}

// ---------------------------------------------------------------------------------------------------------
// (a) disguised terms

export const DISGUISE_KINDS: readonly DisguiseKind[] = [
  'width',
  'case',
  'traditional',
  'invisible',
  'separators',
  'repeats',
  'lookalike',
  'leet',
  'combined',
];

/** Every applicable disguise kind for every term, `perKind` variants each. */
export function generateDisguised(terms: readonly TermSource[], seed: number, perKind = 2): PlantedLine[] {
  const random = createRandom(seed);
  const lines: PlantedLine[] = [];
  for (const source of terms) {
    // A plain=off term (微信) is an ordinary word: folding it is no violation, only its phonetic forms are.
    if (source.plain === false) continue;
    const latin = [...source.term].some(isLatin) && ![...source.term].some(isCjk);
    for (const kind of DISGUISE_KINDS) {
      const seen = new Set<string>();
      for (let v = 0; v < perKind; v++) {
        const disguised =
          kind === 'combined' ? combined(source.term, random) : DISGUISES[kind](source.term, random);
        if (disguised === null || disguised === source.term || seen.has(disguised)) continue;
        seen.add(disguised);
        const planted = plant(pick(random, latin ? LATIN_CARRIERS : CJK_CARRIERS), disguised);
        lines.push({ ...planted, kind, term: source.term, category: source.category });
      }
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// (b) phonetic spellings

/** Common characters (GB2312 level 1, 3755 characters) grouped by toneless syllable. */
function commonCharsBySyllable(tables: PhoneticTables): Map<number, string[]> {
  const gbk = new TextDecoder('gbk');
  const bySyllable = new Map<number, string[]>();
  for (let hi = 0xb0; hi <= 0xd7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      if (hi === 0xd7 && lo > 0xf9) break;
      const ch = gbk.decode(Uint8Array.from([hi, lo]));
      const id = tables.syllableOf[ch.charCodeAt(0)];
      if (id === 0) continue;
      const list = bySyllable.get(id) ?? [];
      list.push(ch);
      bySyllable.set(id, list);
    }
  }
  return bySyllable;
}

function spelledPinyin(term: string, random: Random, spaced: boolean): string {
  const syllables = pinyin(term, { toneType: 'none', type: 'array', v: random() < 0.5 }).map((s) =>
    s.replace('ü', 'u'),
  );
  const styled = random() < 0.3 ? syllables.map((s) => s[0].toUpperCase() + s.slice(1)) : syllables;
  return styled.join(spaced ? pick(random, [' ', ' ', ' ', '-']) : '');
}

/**
 * Some characters spelled in pinyin, the rest kept, at least one of each (`约pao`, `jia微信`); now and then a
 * space between two spelled syllables (`jia wei信`). Pinyin set off from the characters by a space (`约 pao`)
 * is not read (src/lexicon/respell.ts), so it is not generated.
 */
function mixedPinyin(chars: readonly string[], random: Random): string {
  const syllables = pinyin(chars.join(''), { toneType: 'none', type: 'array', v: true });
  const spell = chars.map(() => random() < 0.5);
  if (spell.every(Boolean)) spell[Math.floor(random() * chars.length)] = false;
  if (!spell.some(Boolean)) spell[Math.floor(random() * chars.length)] = true;
  const space = random() < 0.2 ? ' ' : '';
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && spell[i] && spell[i - 1]) out += space;
    out += spell[i] ? syllables[i].replace('ü', 'v') : chars[i];
  }
  return out;
}

/**
 * Pinyin without and with spaces, mixed with characters, same-sound character swaps (at least one character kept) and the Latin
 * stand-in V for wei, for every all-CJK term of two or more characters that has phonetic matching on.
 */
export function generatePhonetic(
  terms: readonly TermSource[],
  tables: PhoneticTables,
  seed: number,
  perKind = 2,
): PlantedLine[] {
  const random = createRandom(seed);
  const common = commonCharsBySyllable(tables);
  const lines: PlantedLine[] = [];
  for (const source of terms) {
    const chars = [...source.term];
    if (source.phonetic === false || chars.length < 2 || !chars.every(isCjk)) continue;
    const add = (kind: PhoneticKind, disguised: string, carriers: readonly string[]): void => {
      const planted = plant(pick(random, carriers), disguised);
      lines.push({ ...planted, kind, term: source.term, category: source.category });
    };
    for (let v = 0; v < perKind; v++) {
      add('pinyin', spelledPinyin(source.term, random, false), PINYIN_CARRIERS);
      add('pinyin-spaced', spelledPinyin(source.term, random, true), PINYIN_CARRIERS);
      add('pinyin-mixed', mixedPinyin(chars, random), CJK_CARRIERS);
    }
    const seen = new Set<string>();
    for (let v = 0; v < perKind * 2 && seen.size < perKind; v++) {
      const swapped = chars.slice();
      const maxSwaps = chars.length >= 4 ? 2 : 1;
      const order = positions(chars, () => true, random).slice(0, 1 + Math.floor(random() * maxSwaps));
      for (const i of order) {
        const options = (common.get(tables.syllableOf[chars[i].charCodeAt(0)]) ?? []).filter(
          (c) => c !== chars[i],
        );
        if (options.length > 0) swapped[i] = pick(random, options);
      }
      const disguised = swapped.join('');
      if (disguised === source.term || seen.has(disguised)) continue;
      seen.add(disguised);
      add('homophone', disguised, CJK_CARRIERS);
    }
    const wei = chars.findIndex((ch) => tables.syllables[tables.syllableOf[ch.charCodeAt(0)]] === 'wei');
    if (wei >= 0) {
      const swapped = chars.slice();
      swapped[wei] = pick(random, ['V', 'v']);
      add('latin-alias', swapped.join(''), CJK_CARRIERS);
    }
  }
  return lines;
}

/** Non-comment, non-blank lines of a text file's content. */
export function corpusLines(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
