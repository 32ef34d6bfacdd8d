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
 * - mixed spellings (`约pao`, respell.ts): a text with a Latin word next to Chinese is scanned again with its
 *   pinyin words as syllable units; a candidate there must take at least one such unit and keep at least one
 *   of the term's characters as written; gaps between syllables are allowed (`jia wei信`), but a syllable
 *   meets a character only glued (never `约 pao`); allow phrases read through a syllable by its sound;
 * - allow-list: a candidate inside an allow phrase occurrence, or cutting through one, is dropped.
 * Then a match inside a longer match of the same category is dropped, and of several matches of one category
 * on the same span only the most direct is kept (so (term, span) pairs are unique too).
 *
 * Everything per message lives in typed arrays owned by this instance: a text with no hits allocates nothing,
 * and a text with hits allocates only its Reasons. Per hit, the pattern's facts come from one packed record
 * (pattern-records.ts), so a hit costs a cache line or two rather than one per table. Measurements behind
 * these choices are in bench/RESULTS.md ("Detection engine").
 */
import type { Category, Evasion, Reason } from '../contracts/types.js';
import { CATEGORIES, EVASIONS } from '../contracts/types.js';
import type { FoldBuffer } from '../fold/types.js';
import {
  EV_HOMOPHONE,
  EV_INVISIBLE,
  EV_PINYIN,
  EV_REPEATS,
  EV_SEPARATORS,
  FLAG_MARKED,
  FLAG_SPELLED,
  GAP_HARD,
  GAP_NONE,
  GAP_SOFT,
} from '../fold/types.js';
import type { CompiledAutomaton, MatchHits } from './automaton.js';
import { createMatchHits } from './automaton.js';
import { createFoldBuffer } from '../fold/buffer.js';
import { NEVER_SWAPPED } from './homophone.js';
import { insideLink } from './link-context.js';
import {
  BOUNDARY_LATIN,
  BOUNDARY_NONE,
  KIND_ALIAS,
  KIND_ALLOW,
  KIND_PINYIN,
  KIND_TERM,
  KIND_WORD,
  MARK_ALIAS,
  MARK_READING,
  MARK_SYLLABLE,
  MARK_WORD_BREAK,
  TERM_DRY_RUN,
  TERM_NOT_PLAIN,
  TERM_PHONETIC,
} from './kinds.js';
import {
  RECORD_WORDS,
  RUN_SATURATED,
  R_OWNER,
  R_SHAPE,
  R_TERM,
  R_UNITS,
  SHAPE_BOUNDARY_MASK,
  SHAPE_KIND_MASK,
  SHAPE_LEFT_SHIFT,
  SHAPE_LENGTH_SHIFT,
  SHAPE_RIGHT_SHIFT,
  TERM_CJK_SHIFT,
  TERM_FLAGS_SHIFT,
  TERM_SEVERITY_SHIFT,
  UNIT_CODE_MASK,
  UNIT_MARK_MASK,
  UNIT_MARK_SHIFT,
  UNIT_RUN_SHIFT,
  packPatternRecords,
} from './pattern-records.js';
import type { SyllableRespeller } from './respell.js';
import type { CompiledLexicon } from './types.js';

/**
 * Flag bits the matcher decides itself (the folder marks every collapsed run as "repeats", even one the term
 * asks for) or that are not evasions (FLAG_SPELLED).
 */
const MATCHER_BITS = EV_REPEATS | EV_PINYIN | EV_HOMOPHONE | FLAG_SPELLED;

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
  /** The automaton leaves out the one-unit patterns (singleUnitPattern): the matcher looks them up itself. */
  singleUnitLookup?: boolean;
  /** Mixed pinyin spellings (`约pao`): re-reads texts with Latin next to Chinese (respell.ts). */
  respeller?: SyllableRespeller;
  tables: LexiconTables;
}

/**
 * Patterns the automaton may leave out for the matcher to find by looking each text unit up (see
 * LexiconMatcherInit.singleUnitLookup): one unit long and verified only on that exact unit (a term of one
 * character is never a same-sound match, and allow phrases and words always need the same units). Compiler
 * and matcher must agree, hence one definition.
 */
export function singleUnitPattern(kind: number, length: number): boolean {
  return length === 1 && (kind === KIND_TERM || kind === KIND_ALLOW || kind === KIND_WORD);
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

/** Occurrences of allow phrases or ordinary words in one text: (pattern, first unit, last unit), reused. */
class Occurrences {
  count = 0;
  data: Int32Array = new Int32Array(48);

  push(pattern: number, start: number, end: number): void {
    const at = this.count * 3;
    if (at + 3 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[at] = pattern;
    this.data[at + 1] = start;
    this.data[at + 2] = end;
    this.count++;
  }
}

/**
 * Verified candidates of one text as parallel typed arrays, plus the scratch the emitter sorts and filters
 * with; reused across messages (they only grow).
 */
class Candidates {
  count = 0;
  pattern: Int32Array = new Int32Array(32);
  bits: Int32Array = new Int32Array(32);
  /** Span in the original text, [spanStart, spanEnd). */
  spanStart: Int32Array = new Int32Array(32);
  spanEnd: Int32Array = new Int32Array(32);
  /** Candidate indices in output order. */
  order: Int32Array = new Int32Array(32);
  keep: Uint8Array = new Uint8Array(32);

  push(pattern: number, spanStart: number, spanEnd: number, bits: number): void {
    const i = this.count;
    if (i === this.pattern.length) this.#grow();
    this.pattern[i] = pattern;
    this.spanStart[i] = spanStart;
    this.spanEnd[i] = spanEnd;
    this.bits[i] = bits;
    this.order[i] = i;
    this.count = i + 1;
  }

  #grow(): void {
    const size = this.pattern.length * 2;
    this.pattern = grown(this.pattern, size);
    this.bits = grown(this.bits, size);
    this.spanStart = grown(this.spanStart, size);
    this.spanEnd = grown(this.spanEnd, size);
    this.order = grown(this.order, size);
    this.keep = new Uint8Array(size);
  }
}

function grown(from: Int32Array, size: number): Int32Array {
  const to = new Int32Array(size);
  to.set(from);
  return to;
}

/**
 * The `evasion` list of every bit set, built once: a Reason shares the frozen list of its bit set instead of
 * allocating one (nothing downstream mutates reasons' lists: the policy copies a reason it annotates).
 */
const EVASION_LISTS: readonly (readonly Evasion[])[] = Array.from(
  { length: 1 << EVASIONS.length },
  (_, bits) => Object.freeze(EVASIONS.filter((_, i) => (bits & (1 << i)) !== 0)),
);

/**
 * One object literal per shape a lexicon Reason can take, so that every Reason is born with its final hidden
 * class (adding `evasion` or `dryRun` afterwards would transition it and allocate a property store). The key
 * order is the one verdicts have always been serialised with.
 */
function lexiconReason(
  category: Category,
  rule: string,
  match: string,
  start: number,
  end: number,
  severity: number,
  bits: number,
  dryRun: boolean,
): Reason {
  if (bits === 0) {
    return dryRun
      ? { detector: 'lexicon', category, rule, match, span: [start, end], severity, dryRun: true }
      : { detector: 'lexicon', category, rule, match, span: [start, end], severity };
  }
  const evasion = EVASION_LISTS[bits] as Evasion[];
  return dryRun
    ? { detector: 'lexicon', category, rule, match, span: [start, end], severity, evasion, dryRun: true }
    : { detector: 'lexicon', category, rule, match, span: [start, end], severity, evasion };
}

/** Candidates sorted with a comparator instead of insertion sort beyond this many (rare, adversarial text). */
const INSERTION_SORT_LIMIT = 48;

export class LexiconMatcher implements CompiledLexicon {
  readonly version: string;
  readonly termCount: number;
  readonly categories: readonly Category[];
  readonly patternCount: number;
  readonly #folder: LexiconMatcherInit['folder'];
  readonly #buffer: FoldBuffer;
  readonly #automaton: CompiledAutomaton;
  /** Pattern kinds, one byte each: the only per-hit read before a hit is known to be a term. */
  readonly #kind: Uint8Array;
  /** Packed per-pattern records and units (pattern-records.ts). */
  readonly #record: Int32Array;
  readonly #units: Int32Array;
  readonly #exactRuns: Uint16Array;
  readonly #termRule: readonly string[];
  /** The automaton's hits for the current text. */
  readonly #scanned: MatchHits = createMatchHits(64);
  /** The one-unit patterns' hits for the current text (not in the automaton, see singleUnitPattern). */
  readonly #singles: MatchHits = createMatchHits(16);
  /** One-unit patterns (singleUnitPattern) by their unit: first pattern, -1 for none; then the next one. */
  readonly #singleFirst: Int32Array;
  readonly #singleNext: Int32Array;
  /** 1 where #singleFirst has a pattern: a byte table, cheap to probe for every text unit. */
  readonly #singleAt: Uint8Array;
  readonly #hasSingles: boolean;
  /** Allow-phrase occurrences. */
  readonly #allow = new Occurrences();
  /** Ordinary-word occurrences (WORD patterns, and allow phrases too). */
  readonly #words = new Occurrences();
  readonly #candidates = new Candidates();
  /** Per category: the furthest span end among candidates already swept (see #emit). */
  readonly #maxEnd = new Int32Array(CATEGORIES.length);
  /** Particles that never stand in for a term's character (NEVER_SWAPPED). */
  readonly #neverSwapped: ReadonlySet<number>;
  readonly #respeller: SyllableRespeller | undefined;
  /** Code unit → its same-sound representative (what a spelled syllable's unit holds); empty without one. */
  readonly #canonical: Uint16Array;
  /** The respelled view of the current text (respell.ts), when it has one. */
  readonly #respelled: FoldBuffer = createFoldBuffer(64);

  constructor(init: LexiconMatcherInit) {
    this.version = init.version;
    this.termCount = init.termCount;
    this.categories = init.categories;
    this.patternCount = init.automaton.patternCount;
    this.#folder = init.folder;
    this.#buffer = init.buffer;
    this.#automaton = init.automaton;
    const packed = packPatternRecords(init.tables);
    this.#kind = init.tables.kind;
    this.#record = packed.record;
    this.#units = packed.units;
    this.#exactRuns = packed.runs;
    this.#termRule = init.tables.termRule;
    const lookup = init.singleUnitLookup === true;
    const t = init.tables;
    this.#singleFirst = new Int32Array(lookup ? 0x10000 : 0).fill(-1);
    this.#singleNext = new Int32Array(lookup ? t.kind.length : 0).fill(-1);
    this.#singleAt = new Uint8Array(lookup ? 0x10000 : 0);
    let hasSingles = false;
    // Last to first, so each unit's list comes out in pattern order (the automaton's order for one state).
    for (let p = t.kind.length - 1; lookup && p >= 0; p--) {
      if (!singleUnitPattern(t.kind[p], t.offset[p + 1] - t.offset[p])) continue;
      const code = t.codes[t.offset[p]];
      this.#singleNext[p] = this.#singleFirst[code];
      this.#singleFirst[code] = p;
      this.#singleAt[code] = 1;
      hasSingles = true;
    }
    this.#hasSingles = hasSingles;
    this.#neverSwapped = new Set(Array.from(NEVER_SWAPPED, (ch) => ch.charCodeAt(0)));
    this.#respeller = init.respeller;
    this.#canonical = init.respeller?.canonical ?? new Uint16Array(0);
  }

  match(text: string, out: Reason[]): void {
    this.matchFolded(text, this.#folder.fold(text, this.#buffer), out);
  }

  matchFolded(text: string, buf: FoldBuffer, out: Reason[]): void {
    const candidates = this.#candidates;
    candidates.count = 0;
    this.#collect(text, buf, false);
    // Rare: a Latin word next to Chinese (`约pao`, `jia微信`) is read again with its syllables as characters.
    const respelled = this.#respelled;
    if (buf.lettersGlued && this.#respeller?.respell(buf, respelled) === true)
      this.#collect(text, respelled, true);
    if (candidates.count > 0) this.#emit(text, out);
  }

  /**
   * Scans `buf` and adds its verified candidates. `respelled`: buf is the respelled view, where only
   * candidates that take a spelled syllable count (everything else was found in the text itself).
   */
  #collect(text: string, buf: FoldBuffer, respelled: boolean): void {
    const scanned = this.#scanned;
    const count = this.#automaton.scan(buf.codes, buf.length, scanned);
    const singles = this.#singles;
    const singleCount = this.#hasSingles ? this.#findSingles(buf) : 0;
    if (count === 0 && singleCount === 0) return;
    const allow = this.#allow;
    const words = this.#words;
    allow.count = 0;
    words.count = 0;

    // Pass 1: exact occurrences of allow phrases and ordinary words (they decide over candidates, wherever
    // they end), counting term hits on the way: many texts with hits only hit those (操作, 增加).
    let termHits = 0;
    for (let h = 0; h < count; h++)
      termHits += this.#notePhrase(scanned.pattern[h], scanned.end[h], buf, respelled);
    for (let h = 0; h < singleCount; h++)
      termHits += this.#notePhrase(singles.pattern[h], singles.end[h], buf, respelled);
    if (termHits === 0) return;

    // Pass 2: verify term candidates, in the automaton's order (by end unit, longer first) with the one-unit
    // hits merged in after the automaton's at each unit, so that candidate order never depends on the split.
    let a = 0;
    let b = 0;
    while (a < count || b < singleCount) {
      if (b === singleCount || (a < count && scanned.end[a] <= singles.end[b])) {
        this.#consider(scanned.pattern[a], scanned.end[a], buf, text, respelled);
        a++;
      } else {
        this.#consider(singles.pattern[b], singles.end[b], buf, text, respelled);
        b++;
      }
    }
  }

  /** Pass 1 for one hit: records an allow/word occurrence; returns 1 for a term hit (handled in pass 2). */
  #notePhrase(p: number, end: number, buf: FoldBuffer, respelled: boolean): number {
    const kind = this.#kind[p];
    if (kind < KIND_ALLOW) return 1;
    const start = end - (this.#record[p * RECORD_WORDS + R_SHAPE] >>> SHAPE_LENGTH_SHIFT) + 1;
    if (this.#exactOccurrence(p, start, buf, respelled)) {
      if (kind === KIND_ALLOW) this.#allow.push(p, start, end);
      this.#words.push(p, start, end);
    }
    return 0;
  }

  /**
   * Pass 2 for one hit: a term hit that verifies and is not allowed becomes a candidate. A pinyin spelling
   * inside a link is a site's name (mp.weixin.qq.com), not the term spelled out (link-context.ts).
   */
  #consider(p: number, end: number, buf: FoldBuffer, text: string, respelled: boolean): void {
    const kind = this.#kind[p];
    if (kind >= KIND_ALLOW || (respelled && kind === KIND_PINYIN)) return;
    const start = end - (this.#record[p * RECORD_WORDS + R_SHAPE] >>> SHAPE_LENGTH_SHIFT) + 1;
    const bits = this.#verify(p, start, end, buf);
    if (bits < 0 || (respelled && (bits & EV_PINYIN) === 0)) return;
    if (this.#allow.count > 0 && this.#allowed(p, start, end, buf)) return;
    const spanStart = buf.start[start];
    const spanEnd = buf.end[end];
    if ((kind === KIND_PINYIN || respelled) && insideLink(text, spanStart, spanEnd)) return;
    this.#candidates.push(p, spanStart, spanEnd, bits);
  }

  /** Hits of the one-unit patterns (singleUnitPattern) into #singles, by unit then pattern; their count. */
  #findSingles(buf: FoldBuffer): number {
    const codes = buf.codes;
    const at = this.#singleAt;
    const singles = this.#singles;
    let n = 0;
    for (let i = 0; i < buf.length; i++) {
      if (at[codes[i]] === 0) continue;
      for (let p = this.#singleFirst[codes[i]]; p >= 0; p = this.#singleNext[p])
        n = pushHit(singles, n, p, i);
    }
    singles.count = n;
    return n;
  }

  /** The run a pattern unit requires (packed; exact from the side table in the rare saturated case). */
  #runOf(unit: number, u: number): number {
    const run = unit >>> UNIT_RUN_SHIFT;
    return run !== RUN_SATURATED ? run : this.#exactRuns[u];
  }

  /**
   * Evasion bits of a verified candidate over folded units [s, e], or -1. One pass over the units checks
   * runs, gaps and (for same-sound matches) which characters differ; the rules are in the file comment.
   */
  #verify(p: number, s: number, e: number, buf: FoldBuffer): number {
    const at = p * RECORD_WORDS;
    const record = this.#record;
    const shape = record[at + R_SHAPE];
    const left = (shape >>> SHAPE_LEFT_SHIFT) & SHAPE_BOUNDARY_MASK;
    if (left !== BOUNDARY_NONE && !boundaryOk(left, buf, s - 1, s)) return -1;
    const right = (shape >>> SHAPE_RIGHT_SHIFT) & SHAPE_BOUNDARY_MASK;
    if (right !== BOUNDARY_NONE && !boundaryOk(right, buf, e + 1, e + 1)) return -1;

    const kind = shape & SHAPE_KIND_MASK;
    const pinyin = kind === KIND_PINYIN;
    const alias = kind === KIND_ALIAS;
    const termInfo = record[at + R_TERM];
    const cjk = termInfo >>> TERM_CJK_SHIFT;
    const o = record[at + R_UNITS];
    const L = e - s + 1;
    const units = this.#units;
    const codes = buf.codes;
    const gap = buf.gap;
    const run = buf.run;
    const flags = buf.flags;

    // The folder's own evasion bits over the matched units; invisibles dropped before the first unit lie
    // outside the span, and repeats are judged here (the folder marks every collapsed run as "repeats",
    // even one the term asks for).
    let bits = flags[s] & ~(MATCHER_BITS | EV_INVISIBLE);
    let inner = 0;
    let none = 0;
    let soft = 0;
    let hard = 0;
    let swapped = 0;
    let swappedAt = 0; // bit k: unit k is a same-sound character, not the term's own (k < 31)
    let identicalCjk = 0;
    let spelled = 0; // units of the respelled view that are pinyin syllables (FLAG_SPELLED)
    let syllableGap = false; // a gap where such a syllable meets its neighbour (`jia 微信`)
    for (let k = 0; k < L; k++) {
      const i = s + k;
      const unit = units[o + k];
      const f = flags[i];
      const have = run[i];
      const need = this.#runOf(unit, o + k);
      if (have < need) return -1;
      if (have > need) bits |= EV_REPEATS;
      const mark = (unit >>> UNIT_MARK_SHIFT) & UNIT_MARK_MASK;

      // Gaps. Where the term itself breaks words (`piss off`), any gap but a sentence break will do, and it
      // does not count towards the separator rule.
      if (k > 0) {
        bits |= f & ~MATCHER_BITS;
        const g = gap[i];
        if ((mark & MARK_WORD_BREAK) !== 0) {
          if (g === GAP_HARD) return -1;
        } else if (g !== GAP_NONE && ((f | flags[i - 1]) & FLAG_SPELLED) !== 0) {
          // Between two spelled syllables any gap but a sentence break (`jia wei信`); a syllable meets a
          // character only glued (`约pao`, never `约 pao`), as respell.ts reads only those: whether a text
          // is read so never depends on its other words.
          if (g === GAP_HARD || (f & flags[i - 1] & FLAG_SPELLED) === 0) return -1;
          syllableGap = true;
        } else {
          if (pinyin && g !== GAP_NONE && (g === GAP_HARD || (mark & MARK_SYLLABLE) === 0)) return -1;
          inner++;
          if (g === GAP_NONE) none++;
          else if (g === GAP_SOFT) soft++;
          else if (g === GAP_HARD) hard++;
        }
      }

      // Same-sound characters and Latin stand-ins: which units differ from the term (checked further below).
      if (pinyin) continue;
      const pc = unit & UNIT_CODE_MASK;
      if ((f & FLAG_SPELLED) !== 0) {
        if (this.#spelledInWord(i, s, e)) return -1;
        spelled++;
      } else if (alias && (mark & MARK_ALIAS) !== 0) {
        swapped++;
      } else if (codes[i] !== pc || (mark & MARK_READING) !== 0) {
        swapped++;
        if (k < 31) swappedAt |= 1 << k;
        else if (!this.#swapAllowed(buf, s, e, k)) return -1;
      } else if (isCjk(pc)) {
        identicalCjk++;
      }
    }

    const present = inner - none;
    if (syllableGap) bits |= EV_SEPARATORS;
    if (present > 0) {
      if (!pinyin) {
        if (hard > 0 && !(hard === inner && inner >= 2)) return -1;
        if (none > 0 && soft !== present) return -1;
      }
      bits |= EV_SEPARATORS;
    }

    const termFlags = termInfo >>> TERM_FLAGS_SHIFT;
    if (pinyin) {
      if ((termFlags & TERM_PHONETIC) === 0) return -1;
      bits |= EV_PINYIN;
    } else if (spelled > 0) {
      // A mixed spelling keeps at least one of the term's own characters as written (not `yue泡`), and
      // takes whole Latin words (not the `pao` of `约paoa`).
      if ((termFlags & TERM_PHONETIC) === 0 || identicalCjk === 0) return -1;
      if (wordGoesOn(buf, s, s - 1, s) || wordGoesOn(buf, e, e + 1, e + 1)) return -1;
      bits |= EV_PINYIN;
    }
    if (swapped > 0) {
      if ((termFlags & TERM_PHONETIC) === 0 || cjk < 2 || identicalCjk === 0) return -1;
      // The costlier checks last, once everything else has passed (most same-sound candidates fail above).
      for (let rest = swappedAt; rest !== 0; rest &= rest - 1) {
        if (!this.#swapAllowed(buf, s, e, 31 - Math.clz32(rest & -rest))) return -1;
      }
      bits |= EV_HOMOPHONE;
    }
    if ((termFlags & TERM_NOT_PLAIN) !== 0 && (bits & (EV_PINYIN | EV_HOMOPHONE)) === 0) return -1;
    // Marks attached to a unit of the match (its first one included) are inside the span: invisible.
    return (bits & FLAG_MARKED) === 0 ? bits : (bits & ~FLAG_MARKED) | EV_INVISIBLE;
  }

  /**
   * Whether text unit s + k may stand in for the term's own character there: not a particle, not inside an
   * ordinary word of the text, and not at an edge of the term that runs on into more Chinese, where the
   * character far more likely belongs to a word of the text (福建人 holds 建人 ~ 贱人, 去四川 holds 去四 ~ 去死,
   * 谢谢大家微信群 holds 家微信 ~ 加微信, 请半天假微信 holds 假微信). Swaps inside the term are unaffected.
   */
  #swapAllowed(buf: FoldBuffer, s: number, e: number, k: number): boolean {
    const i = s + k;
    if (this.#neverSwapped.has(buf.codes[i]) || this.#inWord(i)) return false;
    if (k === 0 && gluedOutside(buf, s - 1, s)) return false;
    return !(i === e && gluedOutside(buf, e + 1, e + 1));
  }

  /** An allow/word pattern occurs exactly (same code units, not just same sound) with acceptable gaps. */
  #exactOccurrence(p: number, s: number, buf: FoldBuffer, respelled: boolean): boolean {
    const at = p * RECORD_WORDS;
    const o = this.#record[at + R_UNITS];
    const L = this.#record[at + R_SHAPE] >>> SHAPE_LENGTH_SHIFT;
    const units = this.#units;
    let inner = 0;
    let none = 0;
    let soft = 0;
    for (let k = 0; k < L; k++) {
      const unit = units[o + k];
      const code = buf.codes[s + k];
      // A spelled syllable (respell.ts) stands for any character of its sound (刷dan词 holds 刷单词, 福jian人
      // holds 福建); #allowed and #spelledInWord decide what such an occurrence may veto. Only the respelled
      // view has them: the text's own view reads no flags here.
      if (respelled && (buf.flags[s + k] & FLAG_SPELLED) !== 0) {
        if (this.#canonical[unit & UNIT_CODE_MASK] !== code) return false;
      } else if (code !== (unit & UNIT_CODE_MASK)) {
        return false;
      }
      if (buf.run[s + k] < this.#runOf(unit, o + k)) return false;
      if (k === 0) continue;
      const g = buf.gap[s + k];
      if (g === GAP_HARD) return false;
      if (((unit >>> UNIT_MARK_SHIFT) & UNIT_MARK_MASK & MARK_WORD_BREAK) !== 0) continue;
      inner++;
      if (g === GAP_NONE) none++;
      else if (g === GAP_SOFT) soft++;
    }
    const present = inner - none;
    return present === 0 || none === 0 || soft === present;
  }

  /**
   * Whether a spelled syllable at `unit` belongs to an ordinary word or allow phrase of the text that reaches
   * beyond the candidate [s, e]: 福jian人 holds 福建 (not 贱人), 大jia微信群 holds 大家. A word within the
   * candidate does not count: 约跑 sounds like all of 约pao, which is read as the term.
   */
  #spelledInWord(unit: number, s: number, e: number): boolean {
    const w = this.#words;
    const d = w.data;
    for (let i = 0; i < w.count; i++) {
      const from = d[i * 3 + 1];
      const to = d[i * 3 + 2];
      if (from <= unit && unit <= to && (from < s || to > e)) return true;
    }
    return false;
  }

  #inWord(unit: number): boolean {
    const w = this.#words;
    const d = w.data;
    for (let i = 0; i < w.count; i++) {
      if (d[i * 3 + 1] <= unit && unit <= d[i * 3 + 2]) return true;
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
    const d = a.data;
    const record = this.#record;
    const units = this.#units;
    const po = record[p * RECORD_WORDS + R_UNITS];
    for (let i = 0; i < a.count; i++) {
      const ap = d[i * 3];
      const as = d[i * 3 + 1];
      const ae = d[i * 3 + 2];
      if (ae < s || as > e) continue;
      const ao = record[ap * RECORD_WORDS + R_UNITS];
      // A phrase that reads a spelled syllable as another character than the term does (约跑 for 约pao)
      // vetoes it only by reaching beyond it, as the ordinary words of #spelledInWord do; within it, the
      // syllable is as much the term's as the phrase's.
      if (as >= s && ae <= e && this.#readsOtherwise(ao, as, ae, po, s, e, buf)) continue;
      if (as < s || ae > e || (as === s && ae === e)) return true;
      for (let u = as; u <= ae; u++) {
        const allowNeeds = this.#runOf(units[ao + (u - as)], ao + (u - as));
        const termNeeds = this.#runOf(units[po + (u - s)], po + (u - s));
        if (allowNeeds > termNeeds && buf.run[u] < allowNeeds + termNeeds) return true;
      }
    }
    return false;
  }

  /**
   * Whether an allow occurrence over units [as, ae] (its units from `ao`) holds a spelled syllable where the
   * candidate over [s, e] (its units from `po`) also lies and the two read different characters.
   */
  #readsOtherwise(
    ao: number,
    as: number,
    ae: number,
    po: number,
    s: number,
    e: number,
    buf: FoldBuffer,
  ): boolean {
    const units = this.#units;
    const from = Math.max(as, s);
    const to = Math.min(ae, e);
    for (let u = from; u <= to; u++) {
      if ((buf.flags[u] & FLAG_SPELLED) === 0) continue;
      if (((units[ao + (u - as)] ^ units[po + (u - s)]) & UNIT_CODE_MASK) !== 0) return true;
    }
    return false;
  }

  /**
   * Appends a Reason per surviving candidate, in text order (span start, longer first, then candidate order).
   * A candidate inside a longer match of the same category is dropped; of several matches of one category on
   * the same span only the most direct is kept (fewest evasions, then the earliest term).
   *
   * With the candidates in output order, "inside a longer match of the same category" is "some EARLIER
   * candidate of that category ends at or after this one's end" (it starts no later), so one sweep with the
   * furthest end seen per category decides it; same-span groups are adjacent and settled among themselves.
   * (A candidate dropped itself still counts: whatever dropped it also contains, or beats, the later one.)
   */
  #emit(text: string, out: Reason[]): void {
    const c = this.#candidates;
    const n = c.count;
    const spanStart = c.spanStart;
    const spanEnd = c.spanEnd;
    const order = c.order;
    const record = this.#record;
    if (n > 1) sortCandidates(order, n, spanStart, spanEnd);

    const keep = c.keep;
    const maxEnd = this.#maxEnd;
    maxEnd.fill(-1);
    for (let g = 0; g < n;) {
      const first = order[g];
      const gs = spanStart[first];
      const ge = spanEnd[first];
      let h = g + 1;
      while (h < n && spanStart[order[h]] === gs && spanEnd[order[h]] === ge) h++;
      for (let a = g; a < h; a++) {
        const x = order[a];
        const category = record[c.pattern[x] * RECORD_WORDS + R_TERM] & 0xff;
        let kept = maxEnd[category] < ge ? 1 : 0;
        for (let b = g; b < h && kept === 1; b++) {
          const y = order[b];
          if (
            y !== x &&
            (record[c.pattern[y] * RECORD_WORDS + R_TERM] & 0xff) === category &&
            this.#moreDirect(y, x)
          ) {
            kept = 0;
          }
        }
        keep[x] = kept;
      }
      for (let a = g; a < h; a++) {
        const category = record[c.pattern[order[a]] * RECORD_WORDS + R_TERM] & 0xff;
        if (maxEnd[category] < ge) maxEnd[category] = ge;
      }
      g = h;
    }

    for (let a = 0; a < n; a++) {
      const x = order[a];
      if (keep[x] === 0) continue;
      const at = c.pattern[x] * RECORD_WORDS;
      const termInfo = record[at + R_TERM];
      const start = spanStart[x];
      const end = spanEnd[x];
      out.push(
        lexiconReason(
          CATEGORIES[termInfo & 0xff],
          this.#termRule[record[at + R_OWNER]],
          text.slice(start, end),
          start,
          end,
          (termInfo >>> TERM_SEVERITY_SHIFT) & 0xff,
          c.bits[x],
          ((termInfo >>> TERM_FLAGS_SHIFT) & TERM_DRY_RUN) !== 0,
        ),
      );
    }
  }

  /** Of two candidates on the same span, y is the more direct: fewer evasions, then earlier term, then earlier. */
  #moreDirect(y: number, x: number): boolean {
    const c = this.#candidates;
    const by = popcount(c.bits[y]);
    const bx = popcount(c.bits[x]);
    if (by !== bx) return by < bx;
    const ty = this.#record[c.pattern[y] * RECORD_WORDS + R_OWNER];
    const tx = this.#record[c.pattern[x] * RECORD_WORDS + R_OWNER];
    return ty !== tx ? ty < tx : y < x;
  }
}

/** Appends (pattern, end) at index n of a hit list, growing it when needed; returns n + 1. */
function pushHit(hits: MatchHits, n: number, pattern: number, end: number): number {
  if (n === hits.pattern.length) {
    const pat = new Int32Array(n * 2);
    const ends = new Int32Array(n * 2);
    pat.set(hits.pattern);
    ends.set(hits.end);
    hits.pattern = pat;
    hits.end = ends;
  }
  hits.pattern[n] = pattern;
  hits.end[n] = end;
  return n + 1;
}

/** Orders candidate indices by span start, longer first, then index (a stable sort by span). */
function sortCandidates(order: Int32Array, n: number, spanStart: Int32Array, spanEnd: Int32Array): void {
  if (n > INSERTION_SORT_LIMIT) {
    const sorted = Array.from(order.subarray(0, n)).sort((x, y) =>
      precedes(x, y, spanStart, spanEnd) ? -1 : precedes(y, x, spanStart, spanEnd) ? 1 : 0,
    );
    order.set(sorted);
    return;
  }
  // Candidates come in the order their last unit was scanned, which is nearly span order already.
  for (let a = 1; a < n; a++) {
    const x = order[a];
    let b = a - 1;
    while (b >= 0 && !precedes(order[b], x, spanStart, spanEnd)) {
      order[b + 1] = order[b];
      b--;
    }
    order[b + 1] = x;
  }
}

function precedes(y: number, x: number, spanStart: Int32Array, spanEnd: Int32Array): boolean {
  const sy = spanStart[y];
  const sx = spanStart[x];
  if (sy !== sx) return sy < sx;
  const ey = spanEnd[y];
  const ex = spanEnd[x];
  return ey !== ex ? ey > ex : y < x;
}

/** Units `edge` and `neighbour` are syllables of one respelled Latin word (no gap between them, at `gapAt`). */
function wordGoesOn(buf: FoldBuffer, edge: number, neighbour: number, gapAt: number): boolean {
  if (neighbour < 0 || neighbour >= buf.length || buf.gap[gapAt] !== GAP_NONE) return false;
  return (buf.flags[edge] & buf.flags[neighbour] & FLAG_SPELLED) !== 0;
}

/** The unit at `neighbour` exists, follows without a gap (at `gapAt`), and is a CJK character. */
function gluedOutside(buf: FoldBuffer, neighbour: number, gapAt: number): boolean {
  if (neighbour < 0 || neighbour >= buf.length || buf.gap[gapAt] !== GAP_NONE) return false;
  return isCjk(buf.codes[neighbour]);
}

function boundaryOk(mode: number, buf: FoldBuffer, neighbour: number, gapAt: number): boolean {
  if (neighbour < 0 || neighbour >= buf.length) return true;
  if (buf.gap[gapAt] !== GAP_NONE) return true;
  const code = buf.codes[neighbour];
  return mode === BOUNDARY_LATIN ? !isLatinWordUnit(code) : !isCjk(code);
}

function popcount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}
