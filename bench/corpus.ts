/**
 * Reproducible inputs for the detection benchmark:
 * - a mixed chat corpus (simplified and traditional Chinese, English, emoji, URLs; median ≈ 30 characters;
 *   some messages carry a lexicon term, plain or disguised) generated from a seeded PRNG;
 * - a generated lexicon (CJK and Latin terms, default 20k);
 * - the real konsheng lexicon, loaded by path from ../shared/data (never copied).
 * The corpus is also written as JSON Lines message v1 under bench/out/ (git-ignored) for CLI benchmarks.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenCC from 'opencc-js';
import {
  DOMAINS,
  EMOJI,
  EN_PHRASES,
  LATIN_FRAGMENTS,
  LEXICON_CATEGORIES,
  SEED_TERMS,
  URL_PATH_WORDS,
  ZH_PHRASES,
} from './corpus-words.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_OUT = join(PROJECT_ROOT, 'bench', 'out');
export const KONSHENG_DIR = join(PROJECT_ROOT, '..', 'shared', 'data', 'lexicons', 'konsheng', 'Vocabulary');

/** Bump when the generators change, so stale files under bench/out/ are not reused. */
const GENERATOR_VERSION = 1;

export interface LexiconTerm {
  term: string;
  category: string;
}

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same corpus on every machine. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Standard normal (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** The 3755 level-1 GB2312 characters: the everyday simplified Chinese character set. */
export function commonHanzi(): string[] {
  const decoder = new TextDecoder('gbk');
  const chars: string[] = [];
  for (let row = 0xb0; row <= 0xd7; row++) {
    for (let col = 0xa1; col <= 0xfe; col++) {
      if (row === 0xd7 && col > 0xf9) break;
      chars.push(decoder.decode(new Uint8Array([row, col])));
    }
  }
  return chars;
}

/**
 * A lexicon of `size` distinct terms: the seed terms, ~60% CJK terms of 2–4 common characters, ~1% CJK
 * fragments of everyday phrases (so benign text hits too, as with real lists), the rest Latin spam-like
 * terms and phrases.
 */
export function generateLexicon(size: number, seed: number): LexiconTerm[] {
  const random = new Random(seed ^ 0x5eed1e);
  const hanzi = commonHanzi();
  const seen = new Set<string>();
  const terms: LexiconTerm[] = [];
  const add = (term: string, category: string): void => {
    if (term.length === 0 || seen.has(term) || terms.length >= size) return;
    seen.add(term);
    terms.push({ term, category });
  };
  for (const { term, category } of SEED_TERMS) add(term, category);
  let guard = 0;
  while (terms.length < size && guard++ < size * 50) {
    const category = random.pick(LEXICON_CATEGORIES);
    const roll = random.next();
    if (roll < 0.6) {
      const length = 2 + random.int(3);
      let term = '';
      for (let i = 0; i < length; i++) term += random.pick(hanzi);
      add(term, category);
    } else if (roll < 0.61) {
      const phrase = random.pick(ZH_PHRASES);
      if (phrase.length < 3) continue;
      const at = random.int(phrase.length - 2);
      add(phrase.slice(at, at + 2 + random.int(2)), category);
    } else if (roll < 0.85) {
      const a = random.pick(LATIN_FRAGMENTS);
      const b = random.pick(LATIN_FRAGMENTS);
      add(
        random.chance(0.3) ? `${a} ${b}` : `${a}${b}${random.chance(0.3) ? random.int(100) : ''}`,
        category,
      );
    } else {
      const length = 4 + random.int(7);
      let term = '';
      for (let i = 0; i < length; i++) term += String.fromCharCode(97 + random.int(26));
      add(term, category);
    }
  }
  return terms;
}

/** Disguises the corpus applies to planted terms; the fold stage is expected to see through all of them. */
const FULL_WIDTH_OFFSET = 0xfee0;
const CYRILLIC_LOOKALIKE: Readonly<Record<string, string>> = {
  a: 'а',
  e: 'е',
  o: 'о',
  c: 'с',
  p: 'р',
  x: 'х',
};
const LEET: Readonly<Record<string, string>> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

function disguise(term: string, random: Random, toTraditional: (s: string) => string): string {
  const chars = Array.from(term);
  const latin = /^[a-z ]+$/.test(term);
  switch (random.int(latin ? 7 : 5)) {
    case 0:
      return chars.join(random.pick(['*', ' ', '.', '-', '~', '❤']));
    case 1:
      return chars.join('\u200b');
    case 2: {
      const at = random.int(chars.length);
      chars[at] = chars[at].repeat(2 + random.int(3));
      return chars.join('');
    }
    case 3:
      return latin ? term.toUpperCase() : toTraditional(term);
    case 4:
      if (!latin) return Array.from(toTraditional(term)).join(' ');
      return chars
        .map((c) => (c === ' ' ? c : String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET)))
        .join('');
    case 5:
      return chars.map((c) => CYRILLIC_LOOKALIKE[c] ?? c).join('');
    default:
      return chars.map((c, i) => (i > 0 && LEET[c] ? LEET[c] : c)).join('');
  }
}

export interface CorpusOptions {
  count: number;
  seed: number;
  /** Terms planted into ~10% of the messages (4% of all messages disguised). */
  plant: readonly LexiconTerm[];
}

/** `count` chat texts. Message kinds: 45% simplified Chinese, 15% traditional, 20% English, 20% mixed. */
export function generateCorpus({ count, seed, plant }: CorpusOptions): string[] {
  const random = new Random(seed);
  const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
  const zhTraditional = ZH_PHRASES.map((p) => toTraditional(p));
  const texts: string[] = new Array(count);
  const pieces: string[] = [];
  for (let m = 0; m < count; m++) {
    const target = Math.max(2, Math.min(500, Math.round(Math.exp(Math.log(21) + 0.75 * random.gaussian()))));
    const kind = random.next();
    pieces.length = 0;
    let length = 0;
    while (length < target) {
      let piece: string;
      if (kind < 0.45) piece = random.pick(ZH_PHRASES) + random.pick(['，', '。', ' ', '！', '', '']);
      else if (kind < 0.6) piece = random.pick(zhTraditional) + random.pick(['，', '。', ' ', '！', '']);
      else if (kind < 0.8) piece = random.pick(EN_PHRASES) + random.pick([', ', '. ', ' ', '! ']);
      else piece = random.chance(0.5) ? random.pick(ZH_PHRASES) : ` ${random.pick(EN_PHRASES)} `;
      if (random.chance(0.08)) piece += random.pick(EMOJI);
      pieces.push(piece);
      length += piece.length;
    }
    if (random.chance(0.08)) pieces.splice(random.int(pieces.length + 1), 0, ` ${randomUrl(random)} `);
    const plantRoll = random.next();
    if (plantRoll < 0.1 && plant.length > 0) {
      const { term } = random.pick(plant);
      const shown = plantRoll < 0.04 ? disguise(term, random, toTraditional) : term;
      pieces.splice(random.int(pieces.length + 1), 0, /^[a-z]/.test(term) ? ` ${shown} ` : shown);
    }
    texts[m] = pieces.join('').trim() || '好的';
  }
  return texts;
}

function randomUrl(random: Random): string {
  const scheme = random.chance(0.8) ? 'https://' : random.chance(0.5) ? 'http://' : '';
  let path = '';
  const depth = random.int(3);
  for (let i = 0; i < depth; i++) path += `/${random.pick(URL_PATH_WORDS)}`;
  if (random.chance(0.5)) path += `/${random.int(1_000_000)}`;
  if (random.chance(0.2)) path += `?id=${random.int(100_000)}&from=group`;
  return `${scheme}${random.pick(DOMAINS)}${path}`;
}

/** Message v1 JSON Lines for the texts, spread over a few platforms, groups and users. */
export function toMessageJsonl(texts: readonly string[], seed: number): string {
  const random = new Random(seed ^ 0x6a5);
  const platforms = ['qq', 'wechat', 'feishu', 'dingtalk', 'slack', 'telegram'];
  const lines: string[] = new Array(texts.length);
  const baseTs = 1_764_000_000_000;
  for (let i = 0; i < texts.length; i++) {
    const platform = random.pick(platforms);
    const groupId = String(900_000 + random.int(500));
    const message = {
      v: 1,
      id: `${platform}:${groupId}:${i}`,
      platform,
      groupId,
      userId: String(10_000 + random.int(5_000)),
      text: texts[i],
      ts: baseTs + i * 37,
    };
    lines[i] = JSON.stringify(message);
  }
  return lines.join('\n') + '\n';
}

/**
 * Terms of the konsheng lists (one word per line, many files), trimmed and de-duplicated, or null when
 * ../shared is absent.
 */
export function loadKonsheng(dir = KONSHENG_DIR): string[] | null {
  if (!existsSync(dir)) return null;
  const seen = new Set<string>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.txt')) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split(/\r?\n/)) {
      const term = line.replace(/^\uFEFF/, '').trim();
      if (term.length > 0 && !term.startsWith('#')) seen.add(term);
    }
  }
  return [...seen];
}

export interface BenchInputs {
  texts: string[];
  /** The texts as one JSON array (what benchmark workers load). */
  textsJson: string;
  lexicon: LexiconTerm[];
  corpusJsonl: string;
  lexiconDir: string;
}

/**
 * Generates (or reuses, when already written for the same parameters) the corpus and lexicon, writing the
 * corpus as message v1 JSONL and the lexicon as a lexicon directory (`<category>.txt`) under bench/out/.
 */
export function prepareBenchInputs(count: number, seed: number, lexiconSize: number): BenchInputs {
  const tag = `v${GENERATOR_VERSION}-${count}-s${seed}-l${lexiconSize}`;
  const corpusJsonl = join(BENCH_OUT, `corpus-${tag}.jsonl`);
  const textsJson = join(BENCH_OUT, `corpus-${tag}.texts.json`);
  const { lexicon, lexiconDir } = prepareLexicon(lexiconSize, seed);
  let texts: string[];
  if (existsSync(textsJson) && existsSync(corpusJsonl)) {
    texts = JSON.parse(readFileSync(textsJson, 'utf8')) as string[];
  } else {
    texts = generateCorpus({ count, seed, plant: lexicon });
    mkdirSync(BENCH_OUT, { recursive: true });
    writeFileSync(corpusJsonl, toMessageJsonl(texts, seed));
    writeFileSync(textsJson, JSON.stringify(texts));
  }
  return { texts, textsJson, lexicon, corpusJsonl, lexiconDir };
}

/** The generated lexicon of `size` terms, also written as a lexicon directory under bench/out/. */
export function prepareLexicon(size: number, seed: number): { lexicon: LexiconTerm[]; lexiconDir: string } {
  const lexiconDir = join(BENCH_OUT, `lexicon-v${GENERATOR_VERSION}-${size}-s${seed}`);
  const lexicon = generateLexicon(size, seed);
  if (!existsSync(lexiconDir)) {
    mkdirSync(lexiconDir, { recursive: true });
    const byCategory = new Map<string, string[]>();
    for (const { term, category } of lexicon) {
      const list = byCategory.get(category) ?? [];
      list.push(term);
      byCategory.set(category, list);
    }
    for (const [category, list] of byCategory) {
      const header = `# Generated by bench/corpus.ts (seed ${seed}) for benchmarks only: ${list.length} terms.\n`;
      writeFileSync(join(lexiconDir, `${category}.txt`), header + list.join('\n') + '\n');
    }
  }
  return { lexicon, lexiconDir };
}

/** Median and total sizes, for the report. */
export function describeCorpus(texts: readonly string[]): {
  messages: number;
  medianChars: number;
  utf8Bytes: number;
} {
  const lengths = texts.map((t) => t.length).sort((a, b) => a - b);
  let utf8Bytes = 0;
  for (const t of texts) utf8Bytes += Buffer.byteLength(t, 'utf8');
  return { messages: texts.length, medianChars: lengths[lengths.length >> 1] ?? 0, utf8Bytes };
}
