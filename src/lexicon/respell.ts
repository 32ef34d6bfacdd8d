/**
 * Mixed spellings: a term with some of its characters written in toneless pinyin and the rest kept (`约pao`,
 * `jia微信`, `代kai发piao`). Compiling every mix of every term would take 2^n − 2 patterns per term (measured:
 * the 100k-term build went from 0.7 s / 96 MB to 1.5 s / 220 MB with terms of up to four characters alone).
 * Instead the matcher re-reads the few texts that have a Latin word next to a Chinese character: every
 * Latin word that splits wholly into pinyin syllables becomes one unit per syllable, the syllable's
 * representative character — the class the automaton already merges same-sound characters into — and the
 * automaton runs again over that view. Those units carry FLAG_SPELLED, so verification knows they are
 * spelled syllables standing in for characters, not the characters themselves (LexiconMatcher #verify).
 */
import { growFoldBuffer } from '../fold/buffer.js';
import type { FoldBuffer } from '../fold/types.js';
import { EV_INVISIBLE, FLAG_MARKED, FLAG_SPELLED, GAP_NONE } from '../fold/types.js';
import type { PhoneticTables } from './pinyin.js';

const LETTERS = 26;
/** Longer Latin words are not split (a term's pinyin: a few syllables of at most six letters). */
const MAX_WORD_LETTERS = 32;
const NONE = 0x7fffffff;

/** By letter (a = 0): whether a pinyin word can end / start with it. */
const SYLLABLE_END = Uint8Array.from('abcdefghijklmnopqrstuvwxyz', (l) => ('aeiouvngr'.includes(l) ? 1 : 0));
const SYLLABLE_START = Uint8Array.from('abcdefghijklmnopqrstuvwxyz', (l) => ('iuv'.includes(l) ? 0 : 1));

function isLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** Digits and other Latin word units glued to a word make it something else (`pao2`, `paoé`). */
function continuesWord(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0xc0 && code <= 0x24f) || (code >= 0x370 && code <= 0x52f)
  );
}

export class SyllableRespeller {
  /** Letter trie of the toneless syllables: node * 26 + letter → child node, 0 for none (root is 0). */
  readonly #next: Int32Array;
  /** Node → the representative code unit of the syllable ending there, 0 when none does. */
  readonly #code: Uint16Array;
  /** The letters of the word being split (0..25) and the unit each came from. */
  readonly #letters = new Uint8Array(MAX_WORD_LETTERS);
  readonly #letterUnit = new Int32Array(MAX_WORD_LETTERS);
  #lettersUsed = 0;
  /** The last split read repeats as written (`ganni`), not once (`paooo`). */
  #expanded = false;
  /** Code unit → its same-sound representative (the automaton's canonical table), for allow phrases. */
  readonly canonical: Uint16Array;
  /** Per letter position p: fewest syllables for letters [p, m), where the first ends, and its code. */
  readonly #rest = new Int32Array(MAX_WORD_LETTERS + 1);
  readonly #end = new Int32Array(MAX_WORD_LETTERS + 1);
  readonly #syllable = new Uint16Array(MAX_WORD_LETTERS + 1);

  constructor(tables: PhoneticTables) {
    this.canonical = tables.canonical;
    const representative = tables.representative;
    const spellings: [string, number][] = [];
    const known = new Set(tables.syllables);
    for (let id = 1; id < tables.syllables.length; id++) {
      const syllable = tables.syllables[id];
      // Interjections without a vowel (嗯 n, ng; 呣 m) would split ordinary words into nonsense, and the
      // one-letter syllables a, e, o would read a repeat as syllables of its own (`paooo` as pao+o+o).
      if (representative[id] === 0 || syllable.length < 2 || !/[aeiouü]/.test(syllable)) continue;
      if (!syllable.includes('ü')) {
        spellings.push([syllable, representative[id]]);
        continue;
      }
      // ü is typed as v (lv, nve), or as u where that spells no other syllable (lue, nue).
      spellings.push([syllable.replaceAll('ü', 'v'), representative[id]]);
      const u = syllable.replaceAll('ü', 'u');
      if (!known.has(u)) spellings.push([u, representative[id]]);
    }
    let nodes = 1;
    for (const [s] of spellings) nodes += s.length;
    const next = new Int32Array(nodes * LETTERS);
    const codeAt = new Uint16Array(nodes);
    let used = 1;
    for (const [s, code] of spellings) {
      let node = 0;
      for (let i = 0; i < s.length; i++) {
        const slot = node * LETTERS + (s.charCodeAt(i) - 0x61);
        if (next[slot] === 0) next[slot] = used++;
        node = next[slot];
      }
      codeAt[node] = code;
    }
    this.#next = next.slice(0, used * LETTERS);
    this.#code = codeAt.slice(0, used);
  }

  /**
   * Writes into `out` the view of `buf` with every Latin word of pinyin syllables respelled as one unit per
   * syllable (`jia wei信`: both words), when one such word is glued to a Chinese character. Returns false,
   * leaving `out` alone, when there is none.
   * A respelled unit spans its letters in the original text and keeps the gap before the word.
   */
  respell(buf: FoldBuffer, out: FoldBuffer): boolean {
    if (!this.#syllablesTouchChinese(buf)) return false;
    const n = buf.length;
    const codes = buf.codes;
    const gap = buf.gap;

    out.length = 0;
    growFoldBuffer(out, n);
    let w = 0;
    let changed = false;
    for (let i = 0; i < n;) {
      if (!isLetter(codes[i])) {
        copyUnit(buf, i, out, w++);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isLetter(codes[j]) && gap[j] === GAP_NONE) j++;
      const syllables = this.#syllablesOf(buf, i, j);
      if (syllables === 0) {
        for (let u = i; u < j; u++) copyUnit(buf, u, out, w++);
      } else {
        // Never more syllables than units (out was grown to n above): a syllable has two letters or more,
        // no two alike in a row, so each takes at least two units and shares at most one with the next.
        w = this.#writeSyllables(buf, i, out, w);
        changed = true;
      }
      i = j;
    }
    if (changed) out.length = w;
    return changed;
  }

  /**
   * Whether some Latin word of pinyin syllables is glued to a Chinese character: the cheap test that lets
   * nearly every text skip the respelled view. Glued only: English words set off by spaces next to Chinese
   * (`晚安 see you`) are common and would send a text in twenty through a second scan for nothing, while
   * evasion glues (`约pao`); a space there (`约 pao`) is not read. English words glued to Chinese mostly
   * fail to split into syllables (`今天today改了`; a few do: `meeting` reads me+ting with the repeat once).
   */
  #syllablesTouchChinese(buf: FoldBuffer): boolean {
    const n = buf.length;
    const codes = buf.codes;
    const gap = buf.gap;
    // Every text pays for this loop, so it is kept to one compare chain per unit; 1: Latin letter, 2: CJK
    // (U+3400..U+9FFF: the few symbols between the two CJK blocks count too, harmlessly), 0: anything else.
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      const now = c >= 0x3400 ? (c <= 0x9fff ? 2 : 0) : c >= 0x61 && c <= 0x7a ? 1 : 0;
      if (now === previous) continue;
      if (now + previous === 3 && gap[i] === GAP_NONE && this.#junctionWord(buf, i, now === 1)) return true;
      previous = now;
    }
    return false;
  }

  /** Whether the Latin word at a Latin/CJK junction before unit i (starting at i when `latinAfter`) is respelled. */
  #junctionWord(buf: FoldBuffer, i: number, latinAfter: boolean): boolean {
    const n = buf.length;
    const codes = buf.codes;
    const gap = buf.gap;
    let from = i;
    let to = i;
    if (latinAfter) {
      to = i + 1;
      while (to < n && isLetter(codes[to]) && gap[to] === GAP_NONE) to++;
    } else {
      from = i - 1;
      while (from > 0 && isLetter(codes[from - 1]) && gap[from] === GAP_NONE) from--;
    }
    return this.#syllablesOf(buf, from, to) > 0;
  }

  /**
   * The syllable count of the Latin word of units [i, j) (see #segment), or 0 when it is not respelled: one
   * letter, too long, not all syllables, or glued to digits or other letters (`pao2`).
   */
  #syllablesOf(buf: FoldBuffer, i: number, j: number): number {
    if (j - i < 2 || j - i > MAX_WORD_LETTERS) return 0;
    const codes = buf.codes;
    const gap = buf.gap;
    if (i > 0 && gap[i] === GAP_NONE && continuesWord(codes[i - 1])) return 0;
    if (j < buf.length && gap[j] === GAP_NONE && continuesWord(codes[j])) return 0;
    // Most English words fail here: pinyin ends in a vowel, n, g or r and never starts with i, u or v.
    if (SYLLABLE_END[codes[j - 1] - 0x61] === 0 || SYLLABLE_START[codes[i] - 0x61] === 0) return 0;
    return this.#segment(buf, i, j);
  }

  /**
   * Splits the letters of units [i, j) into the fewest toneless syllables, of equal splits the one with the
   * longer syllables first (`pingan` reads ping+an, `fangan` fang+an, as people write 平安 and 方案); fills
   * #letterUnit, #end and #syllable and returns the syllable count, 0 when the word is not all syllables.
   * Repeats count as written (`ganni` is gan+ni, folded as g a n×2 i); failing that, once (`paooo`).
   */
  #segment(buf: FoldBuffer, i: number, j: number): number {
    let m = this.#spellOut(buf, i, j, true);
    let count = m > 0 ? this.#split(m) : 0;
    this.#expanded = true;
    if (count === 0 && m !== j - i) {
      m = this.#spellOut(buf, i, j, false);
      count = this.#split(m);
      this.#expanded = false;
    }
    this.#lettersUsed = m;
    return count;
  }

  /** Letters of units [i, j) into #letters (#letterUnit: the unit of each), runs expanded or not; 0 if too long. */
  #spellOut(buf: FoldBuffer, i: number, j: number, expand: boolean): number {
    const letters = this.#letters;
    const letterUnit = this.#letterUnit;
    let m = 0;
    for (let u = i; u < j; u++) {
      const times = expand ? buf.run[u] : 1;
      if (m + times > MAX_WORD_LETTERS) return 0;
      for (let r = 0; r < times; r++) {
        letters[m] = buf.codes[u] - 0x61;
        letterUnit[m++] = u;
      }
    }
    return m;
  }

  /** The split of #letters [0, m) (see #segment), by dynamic programming over suffixes; its syllable count. */
  #split(m: number): number {
    const letters = this.#letters;
    const rest = this.#rest;
    const end = this.#end;
    const syllable = this.#syllable;
    const next = this.#next;
    const code = this.#code;
    rest[m] = 0;
    for (let p = m - 1; p >= 0; p--) {
      let best = NONE;
      let node = 0;
      for (let q = p; q < m; q++) {
        node = next[node * LETTERS + letters[q]];
        if (node === 0) break;
        // Later ends are longer syllables: on a tie the longer one wins (<=).
        if (code[node] !== 0 && rest[q + 1] !== NONE && rest[q + 1] + 1 <= best) {
          best = rest[q + 1] + 1;
          end[p] = q + 1;
          syllable[p] = code[node];
        }
      }
      rest[p] = best;
    }
    return rest[0] === NONE ? 0 : rest[0];
  }

  /** Writes the syllables #segment found as units out[w…]; returns the next w. */
  #writeSyllables(buf: FoldBuffer, i: number, out: FoldBuffer, w: number): number {
    const letterUnit = this.#letterUnit;
    for (let p = 0; p < this.#lettersUsed;) {
      const q = this.#end[p];
      const from = letterUnit[p];
      const to = letterUnit[q - 1];
      let flags = FLAG_SPELLED;
      let run = 1;
      for (let u = from; u <= to; u++) {
        // Invisibles dropped before a later letter lie inside the syllable: inside any match taking it.
        const f = buf.flags[u];
        flags |= u > from && (f & EV_INVISIBLE) !== 0 ? (f & ~EV_INVISIBLE) | FLAG_MARKED : f;
        // A repeat read once (`paooo`) stays a repeat, so the matcher reports it as one.
        if (!this.#expanded && buf.run[u] > run) run = buf.run[u];
      }
      out.codes[w] = this.#syllable[p];
      out.start[w] = buf.start[from];
      out.end[w] = buf.end[to];
      out.gap[w] = p === 0 ? buf.gap[i] : GAP_NONE;
      out.flags[w] = flags;
      out.run[w] = run;
      w++;
      p = q;
    }
    return w;
  }
}

function copyUnit(buf: FoldBuffer, i: number, out: FoldBuffer, w: number): void {
  out.codes[w] = buf.codes[i];
  out.start[w] = buf.start[i];
  out.end[w] = buf.end[i];
  out.gap[w] = buf.gap[i];
  out.flags[w] = buf.flags[i];
  out.run[w] = buf.run[i];
}
