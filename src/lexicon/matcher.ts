/**
 * The hot path: fold the text once, scan it with the automaton, verify each candidate against the folded
 * buffer, and turn what survives into Reasons with spans in the ORIGINAL text.
 *
 * Verification, per candidate over folded units [s, e]:
 * - repeats: every text unit's run must be ≥ the pattern's (`ass` needs `ss`); more is the "repeats" evasion;
 * - gaps between units: none → plain; all present (`加*微*信`, `f.u.c.k`, `加 微 信`) → "separators"; mixed →
 *   only if every gap is a soft one (`加微*信`), never a single space or sentence break (`增加，微信群`).
 *   Pinyin spellings may have gaps only between syllables (`wang du`, `jia wei xin`);
 * - boundaries: Latin ends need a word boundary (a gap or a non-letter neighbour: `ass` is not in `class`);
 * - same-sound characters (the automaton merged them): at least 2 CJK characters in the term, at least one
 *   identical, and no ordinary word in the text overlapping a swapped character;
 * - allow-list: a candidate inside an allow phrase occurrence, or cutting through one, is dropped.
 * Then a match inside a longer match of the same category is dropped, and of several matches of one category
 * on the same span only the most direct is kept (so (term, span) pairs are unique too).
 *
 * Everything per message lives in typed arrays owned by this instance: a text with no hits allocates nothing.
 */
import type { Category, Evasion, Reason } from '../contracts/types.js';
import { EVASIONS } from '../contracts/types.js';
import type { FoldBuffer } from '../fold/types.js';
import {
  EV_HOMOPHONE,
  EV_INVISIBLE,
  EV_PINYIN,
  EV_REPEATS,
  EV_SEPARATORS,
  GAP_HARD,
  GAP_NONE,
  GAP_SOFT,
} from '../fold/types.js';
import type { CompiledAutomaton, MatchHits } from './automaton.js';
import { createMatchHits } from './automaton.js';
import { NEVER_SWAPPED } from './homophone.js';
import type { CompiledLexicon } from './types.js';

export const KIND_TERM = 0;
export const KIND_PINYIN = 1;
export const KIND_ALIAS = 2;
export const KIND_ALLOW = 3;
export const KIND_WORD = 4;

export const BOUNDARY_NONE = 0;
/** The neighbour must not be a Latin letter/digit (or there must be a gap). */
export const BOUNDARY_LATIN = 1;
/** The neighbour must not be a CJK character (or there must be a gap): `boundary=word` on a CJK end. */
export const BOUNDARY_CJK = 2;

/** `mark` bits. PINYIN: a syllable starts at this unit; ALIAS: a Latin stand-in replaces a character. */
export const MARK_SYLLABLE = 1;
export const MARK_ALIAS = 1;
/** Any kind: the term itself breaks words before this unit (`piss off`); the text may or may not. */
export const MARK_WORD_BREAK = 2;

/** `termFlags` bits. */
export const TERM_DRY_RUN = 1;
export const TERM_PHONETIC = 2;
/** `plain=off`: only pinyin / same-sound / stand-in spellings count. */
export const TERM_NOT_PLAIN = 4;

/** Evasion bits the matcher decides itself (the folder marks every collapsed run as "repeats", even one the term asks for). */
const MATCHER_BITS = EV_REPEATS | EV_PINYIN | EV_HOMOPHONE;

/** Flat, read-only tables produced by the compiler. Pattern p's units are [offset[p], offset[p+1]). */
export interface LexiconTables {
  kind: Uint8Array;
  /** Term index (TERM, PINYIN, ALIAS), allow phrase index (ALLOW) or word index (WORD). */
  owner: Int32Array;
  left: Uint8Array;
  right: Uint8Array;
  offset: Int32Array;
  codes: Uint16Array;
  run: Uint16Array;
  /** MARK_* bits per unit. */
  mark: Uint8Array;
  termCategory: Category[];
  termCategoryIndex: Uint8Array;
  termSeverity: Uint8Array;
  termFlags: Uint8Array;
  termCjk: Uint8Array;
  termRule: string[];
}

export interface LexiconMatcherInit {
  version: string;
  termCount: number;
  categories: readonly Category[];
  folder: { fold(text: string, buf: FoldBuffer): FoldBuffer };
  buffer: FoldBuffer;
  automaton: CompiledAutomaton;
  tables: LexiconTables;
}

export function isLatinWordUnit(code: number): boolean {
  if (code < 0x80)
    return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
  // Latin-1 letters, Latin Extended, Greek, Cyrillic: letters a Latin word could continue with.
  return (
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || (code >= 0x370 && code <= 0x52f)
  );
}

function isCjk(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf);
}

/** A growable list of int tuples, reused across messages. */
class Scratch {
  data: Int32Array;
  count = 0;
  readonly width: number;
  constructor(width: number, capacity = 16) {
    this.width = width;
    this.data = new Int32Array(width * capacity);
  }
  push4(a: number, b: number, c: number, d: number): void {
    const at = this.count * this.width;
    if (at + this.width > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[at] = a;
    this.data[at + 1] = b;
    this.data[at + 2] = c;
    this.data[at + 3] = d;
    this.count++;
  }
}

// Candidate tuple fields.
const C_PATTERN = 0;
const C_START = 1;
const C_END = 2;
const C_BITS = 3;

export class LexiconMatcher implements CompiledLexicon {
  readonly version: string;
  readonly termCount: number;
  readonly categories: readonly Category[];
  readonly patternCount: number;
  readonly #folder: LexiconMatcherInit['folder'];
  readonly #buffer: FoldBuffer;
  readonly #automaton: CompiledAutomaton;
  readonly #t: LexiconTables;
  readonly #hits: MatchHits = createMatchHits(64);
  /** Allow-phrase occurrences: (pattern, start unit, end unit, -). */
  readonly #allow = new Scratch(4);
  /** Ordinary-word occurrences (WORD patterns, and allow phrases too): (pattern, start, end, -). */
  readonly #words = new Scratch(4);
  /** Verified candidates: (pattern, start unit, end unit, evasion bits). */
  readonly #candidates = new Scratch(4);
  #keep = new Uint8Array(16);
  /** Particles that never stand in for a term's character (NEVER_SWAPPED). */
  readonly #neverSwapped: ReadonlySet<number>;

  constructor(init: LexiconMatcherInit) {
    this.version = init.version;
    this.termCount = init.termCount;
    this.categories = init.categories;
    this.patternCount = init.automaton.patternCount;
    this.#folder = init.folder;
    this.#buffer = init.buffer;
    this.#automaton = init.automaton;
    this.#t = init.tables;
    this.#neverSwapped = new Set(Array.from(NEVER_SWAPPED, (ch) => ch.charCodeAt(0)));
  }

  match(text: string, out: Reason[]): void {
    this.matchFolded(text, this.#folder.fold(text, this.#buffer), out);
  }

  matchFolded(text: string, buf: FoldBuffer, out: Reason[]): void {
    const hits = this.#hits;
    const count = this.#automaton.scan(buf.codes, buf.length, hits);
    if (count === 0) return;
    const t = this.#t;
    const allow = this.#allow;
    const words = this.#words;
    const candidates = this.#candidates;
    allow.count = 0;
    words.count = 0;
    candidates.count = 0;

    // Most texts with hits only hit allow phrases or ordinary words (操作, 增加): nothing to report.
    let termHits = 0;
    for (let h = 0; h < count; h++) {
      const kind = t.kind[hits.pattern[h]];
      if (kind !== KIND_ALLOW && kind !== KIND_WORD) termHits++;
    }
    if (termHits === 0) return;

    // Pass 1: exact occurrences of allow phrases and ordinary words (they decide over candidates).
    for (let h = 0; h < count; h++) {
      const p = hits.pattern[h];
      const kind = t.kind[p];
      if (kind !== KIND_ALLOW && kind !== KIND_WORD) continue;
      const end = hits.end[h];
      const start = end - (t.offset[p + 1] - t.offset[p]) + 1;
      if (!this.#exactOccurrence(p, start, buf)) continue;
      if (kind === KIND_ALLOW) allow.push4(p, start, end, 0);
      words.push4(p, start, end, 0);
    }

    // Pass 2: verify term candidates.
    for (let h = 0; h < count; h++) {
      const p = hits.pattern[h];
      const kind = t.kind[p];
      if (kind === KIND_ALLOW || kind === KIND_WORD) continue;
      const end = hits.end[h];
      const start = end - (t.offset[p + 1] - t.offset[p]) + 1;
      const bits = this.#verify(p, kind, start, end, buf);
      if (bits < 0 || this.#allowed(p, start, end, buf)) continue;
      candidates.push4(p, start, end, bits);
    }
    if (candidates.count === 0) return;
    this.#emit(text, buf, out);
  }

  /** Evasion bits of a verified candidate, or -1. */
  #verify(p: number, kind: number, s: number, e: number, buf: FoldBuffer): number {
    const t = this.#t;
    const term = t.owner[p];
    const o = t.offset[p];
    const codes = buf.codes;
    const gap = buf.gap;
    const L = e - s + 1;

    if (!boundaryOk(t.left[p], buf, s - 1, s) || !boundaryOk(t.right[p], buf, e + 1, e + 1)) return -1;

    let bits = 0;
    // Runs.
    for (let k = 0; k < L; k++) {
      const have = buf.run[s + k];
      const need = t.run[o + k] || 1;
      if (have < need) return -1;
      if (have > need) bits |= EV_REPEATS;
    }

    // Gaps. Where the term itself breaks words (`piss off`), any gap but a sentence break will do, and it
    // does not count towards the separator rule.
    if (L > 1) {
      let inner = 0;
      let none = 0;
      let soft = 0;
      let hard = 0;
      for (let i = s + 1; i <= e; i++) {
        const g = gap[i];
        const mark = t.mark[o + (i - s)];
        if ((mark & MARK_WORD_BREAK) !== 0) {
          if (g === GAP_HARD) return -1;
          continue;
        }
        if (kind === KIND_PINYIN && g !== GAP_NONE && (g === GAP_HARD || (mark & MARK_SYLLABLE) === 0)) {
          return -1;
        }
        inner++;
        if (g === GAP_NONE) none++;
        else if (g === GAP_SOFT) soft++;
        else if (g === GAP_HARD) hard++;
      }
      const present = inner - none;
      if (present > 0) {
        if (kind !== KIND_PINYIN) {
          if (hard > 0 && !(hard === inner && inner >= 2)) return -1;
          if (none > 0 && soft !== present) return -1;
        }
        bits |= EV_SEPARATORS;
      }
    }

    // Same-sound characters and Latin stand-ins.
    if (kind === KIND_PINYIN) {
      if ((t.termFlags[term] & TERM_PHONETIC) === 0) return -1;
      bits |= EV_PINYIN;
    } else {
      let swapped = 0;
      let identicalCjk = 0;
      for (let k = 0; k < L; k++) {
        const pc = t.codes[o + k];
        if (kind === KIND_ALIAS && (t.mark[o + k] & MARK_ALIAS) !== 0) {
          swapped++;
        } else if (codes[s + k] !== pc) {
          swapped++;
          if (this.#neverSwapped.has(codes[s + k]) || this.#inWord(s + k)) return -1;
          // Two-character terms are the ambiguous ones (福建人 holds 建人 ~ 贱人, 去四川 holds 去四 ~ 去死): a
          // swapped character at an edge must not run on into more Chinese text.
          if (
            t.termCjk[term] === 2 &&
            ((k === 0 && gluedOutside(buf, s - 1, s)) || (k === L - 1 && gluedOutside(buf, e + 1, e + 1)))
          ) {
            return -1;
          }
        } else if (isCjk(pc)) {
          identicalCjk++;
        }
      }
      if (swapped > 0) {
        if ((t.termFlags[term] & TERM_PHONETIC) === 0 || t.termCjk[term] < 2 || identicalCjk === 0) return -1;
        bits |= EV_HOMOPHONE;
      }
    }

    if ((t.termFlags[term] & TERM_NOT_PLAIN) !== 0 && (bits & (EV_PINYIN | EV_HOMOPHONE)) === 0) return -1;

    // The folder's own evasion bits over the matched units; invisibles dropped before the first unit lie
    // outside the span, and repeats are judged above.
    const flags = buf.flags;
    bits |= flags[s] & ~(MATCHER_BITS | EV_INVISIBLE);
    for (let i = s + 1; i <= e; i++) bits |= flags[i] & ~MATCHER_BITS;
    return bits;
  }

  /** An allow/word pattern occurs exactly (same code units, not just same sound) with acceptable gaps. */
  #exactOccurrence(p: number, s: number, buf: FoldBuffer): boolean {
    const t = this.#t;
    const o = t.offset[p];
    const L = t.offset[p + 1] - o;
    let inner = 0;
    let none = 0;
    let soft = 0;
    for (let k = 0; k < L; k++) {
      if (buf.codes[s + k] !== t.codes[o + k]) return false;
      if (buf.run[s + k] < (t.run[o + k] || 1)) return false;
      if (k === 0) continue;
      const g = buf.gap[s + k];
      if (g === GAP_HARD) return false;
      if ((t.mark[o + k] & MARK_WORD_BREAK) !== 0) continue;
      inner++;
      if (g === GAP_NONE) none++;
      else if (g === GAP_SOFT) soft++;
    }
    const present = inner - none;
    return present === 0 || none === 0 || soft === present;
  }

  #inWord(unit: number): boolean {
    const w = this.#words;
    const d = w.data;
    for (let i = 0; i < w.count; i++) {
      if (d[i * 4 + 1] <= unit && unit <= d[i * 4 + 2]) return true;
    }
    return false;
  }

  /**
   * Drop a candidate that lies inside an allow occurrence or cuts through one: the occurrence overlaps it and
   * either reaches beyond it (体操 vs 操, 增加 vs 加微信), or needs more copies of a shared character than the
   * term does while the text has too few for both (妈妈 in 他妈妈的 vs 他妈的; 妈妈妈妈的 is a repeat evasion
   * of 妈的). An allow phrase wholly inside the term (信用卡 in 办信用卡) is fine.
   */
  #allowed(p: number, s: number, e: number, buf: FoldBuffer): boolean {
    const a = this.#allow;
    if (a.count === 0) return false;
    const t = this.#t;
    const d = a.data;
    for (let i = 0; i < a.count; i++) {
      const ap = d[i * 4];
      const as = d[i * 4 + 1];
      const ae = d[i * 4 + 2];
      if (ae < s || as > e) continue;
      if (as < s || ae > e || (as === s && ae === e)) return true;
      const ao = t.offset[ap];
      const po = t.offset[p];
      for (let u = as; u <= ae; u++) {
        const allowNeeds = t.run[ao + (u - as)] || 1;
        const termNeeds = t.run[po + (u - s)] || 1;
        if (allowNeeds > termNeeds && buf.run[u] < allowNeeds + termNeeds) return true;
      }
    }
    return false;
  }

  /** Drop contained/duplicate candidates, then append Reasons in text order. */
  #emit(text: string, buf: FoldBuffer, out: Reason[]): void {
    const t = this.#t;
    const c = this.#candidates;
    const d = c.data;
    const n = c.count;
    if (this.#keep.length < n) this.#keep = new Uint8Array(n * 2);
    const keep = this.#keep;
    keep.fill(1, 0, n);
    for (let i = 0; i < n; i++) {
      const ti = t.owner[d[i * 4 + C_PATTERN]];
      const si = buf.start[d[i * 4 + C_START]];
      const ei = buf.end[d[i * 4 + C_END]];
      for (let j = 0; j < n && keep[i] === 1; j++) {
        if (i === j || keep[j] === 0) continue;
        const tj = t.owner[d[j * 4 + C_PATTERN]];
        const sj = buf.start[d[j * 4 + C_START]];
        const ej = buf.end[d[j * 4 + C_END]];
        if (sj > si || ej < ei) continue; // j does not contain i
        if (t.termCategoryIndex[ti] !== t.termCategoryIndex[tj]) continue;
        if (sj !== si || ej !== ei) {
          keep[i] = 0; // inside a longer match of the same category
        } else {
          // Same span, same category: one reason is enough (傻逼 and its listed spelling 沙比 both reading
          // `shabi`); keep the most direct match, i.e. the fewest evasions, then the earliest term.
          const bi = popcount(d[i * 4 + C_BITS]);
          const bj = popcount(d[j * 4 + C_BITS]);
          if (bj < bi || (bj === bi && (tj < ti || (tj === ti && j < i)))) keep[i] = 0;
        }
      }
    }
    const first = out.length;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) continue;
      const term = t.owner[d[i * 4 + C_PATTERN]];
      const start = buf.start[d[i * 4 + C_START]];
      const end = buf.end[d[i * 4 + C_END]];
      const reason: Reason = {
        detector: 'lexicon',
        category: t.termCategory[term],
        rule: t.termRule[term],
        match: text.slice(start, end),
        span: [start, end],
        severity: t.termSeverity[term],
      };
      const bits = d[i * 4 + C_BITS];
      if (bits !== 0) reason.evasion = evasionList(bits);
      if (t.termFlags[term] & TERM_DRY_RUN) reason.dryRun = true;
      out.push(reason);
    }
    if (out.length - first > 1) sortTail(out, first);
  }
}

/** The unit at `neighbour` exists, follows without a gap (at `gapAt`), and is a CJK character. */
function gluedOutside(buf: FoldBuffer, neighbour: number, gapAt: number): boolean {
  if (neighbour < 0 || neighbour >= buf.length || buf.gap[gapAt] !== GAP_NONE) return false;
  return isCjk(buf.codes[neighbour]);
}

function boundaryOk(mode: number, buf: FoldBuffer, neighbour: number, gapAt: number): boolean {
  if (mode === BOUNDARY_NONE || neighbour < 0 || neighbour >= buf.length) return true;
  if (buf.gap[gapAt] !== GAP_NONE) return true;
  const code = buf.codes[neighbour];
  return mode === BOUNDARY_LATIN ? !isLatinWordUnit(code) : !isCjk(code);
}

function popcount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

function evasionList(bits: number): Evasion[] {
  const list: Evasion[] = [];
  for (let i = 0; i < EVASIONS.length; i++) if (bits & (1 << i)) list.push(EVASIONS[i]);
  return list;
}

/** Orders the reasons appended by one call by span start, longer first. */
function sortTail(out: Reason[], first: number): void {
  const tail = out.splice(first);
  tail.sort((a, b) => a.span![0] - b.span![0] || b.span![1] - a.span![1]);
  for (const r of tail) out.push(r);
}
