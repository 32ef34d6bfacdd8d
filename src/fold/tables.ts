/**
 * Builds the folding tables once, at construction: every decision the hot loop needs about a code point
 * (fold target, class, evasion bits) is precomputed here from Unicode's own data (general categories,
 * NFKC, NFD), OpenCC's conversion dictionaries and the small deliberate lists in char-sets.ts and
 * lookalikes.ts. Nothing here runs per message.
 */
import {
  ACCENT_STRIP_RANGES,
  BLANK_LETTERS,
  NOISE_LETTERS,
  ENCLOSED_WITHOUT_DECOMPOSITION,
  GLUE_RANGES,
  INVISIBLE_RANGES,
  LINE_BREAKS,
  SENTENCE_PUNCTUATION,
  inRanges,
} from './char-sets.js';
import {
  C_DIGIT,
  C_EXPAND,
  C_EXPAND_LETTERS,
  C_GLUE,
  C_HARD,
  C_HIGH,
  C_INVISIBLE,
  C_MARK,
  C_LEET,
  C_LETTER,
  C_LONE,
  C_PAIR,
  C_SOFT,
  C_SPACE,
  C_UNIT,
  LEET_LETTER_CODES,
  entryClass,
  packEntry,
} from './entry.js';
import { LATIN_LOOKALIKES, STROKED_LATIN } from './lookalikes.js';
import { buildTraditionalTables } from './traditional.js';
import { EV_CASE, EV_LOOKALIKE, EV_TRADITIONAL, EV_WIDTH } from './types.js';
import type { FolderOptions } from './types.js';
import {
  GC_CONTROL,
  GC_FORMAT,
  GC_LETTER,
  GC_MARK,
  GC_NUMBER,
  GC_OTHER,
  GC_PUNCTUATION,
  GC_SEPARATOR,
  GC_SYMBOL,
  categoryOf,
  isUpper,
  readPlane,
} from './unicode-data.js';
import type { PlaneData } from './unicode-data.js';

export interface FoldTables {
  /** Entry per BMP code unit (surrogates: C_HIGH / C_LONE). */
  readonly bmp: Int32Array;
  /** Entry per plane-1 code point (U+10000..U+1FFFF: emoji, mathematical alphanumerics, enclosed…). */
  readonly plane1: Int32Array;
  /** Entries for planes 2..16 that are not "keep the pair" (CJK compatibility supplement, tags, VS…). */
  readonly astral: ReadonlyMap<number, number>;
  /** Units of C_EXPAND / C_EXPAND_LETTERS entries, indexed by the entry's code field. */
  readonly expansions: readonly Uint16Array[];
  /** Regional variants traditional folding leaves alone (see TraditionalTables.keptVariants). */
  readonly keptVariants: ReadonlyMap<number, number>;
}

export function buildFoldTables(options: Required<FolderOptions>): FoldTables {
  return new TableBuilder(options).build();
}

/** Longest expansion kept; longer compatibility forms (Arabic ligatures such as ﷺ) stay as they are. */
const MAX_EXPANSION = 4;
const PAIR = packEntry(C_PAIR, 0, 0);
const TAB = 0x09;

/** What leetspeak reads each character as. */
const LEET_OF: Readonly<Record<string, string>> = {
  '4': 'a',
  '@': 'a',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  '5': 's',
  $: 's',
  '7': 't',
};

function leetIndex(ch: string): number {
  return LEET_LETTER_CODES.indexOf(LEET_OF[ch].charCodeAt(0));
}

/** What the loop does with one code point, before packing. */
interface Description {
  cls: number;
  /** Folded UTF-16 units (classes that emit units). */
  units: readonly number[];
  flags: number;
  /** C_LEET: index of the letter in LEET_LETTER_CODES (units[0] is the digit or @ $ ! itself). */
  leetLetter?: number;
}

const GLUE: Description = { cls: C_GLUE, units: [], flags: 0 };
const INVISIBLE: Description = { cls: C_INVISIBLE, units: [], flags: 0 };
const MARK: Description = { cls: C_MARK, units: [], flags: 0 };
const SOFT: Description = { cls: C_SOFT, units: [], flags: 0 };
const SPACE: Description = { cls: C_SPACE, units: [], flags: 0 };
const HARD: Description = { cls: C_HARD, units: [], flags: 0 };

class TableBuilder {
  readonly #options: Required<FolderOptions>;
  readonly #toSimplified: ReadonlyMap<number, number>;
  readonly #keptVariants: ReadonlyMap<number, number>;
  readonly #lookalikes = new Map<number, number>();
  readonly #stroked = new Map<number, number>();
  readonly #expansions: Uint16Array[] = [];
  readonly #expansionIndex = new Map<string, number>();
  readonly #planes: PlaneData[] = [];

  constructor(options: Required<FolderOptions>) {
    this.#options = options;
    const traditional = options.traditional ? buildTraditionalTables() : undefined;
    this.#toSimplified = traditional?.toSimplified ?? new Map();
    this.#keptVariants = traditional?.keptVariants ?? new Map();
    if (options.lookalike) {
      for (const [from, to] of Object.entries(LATIN_LOOKALIKES)) {
        this.#lookalikes.set(from.codePointAt(0)!, to.charCodeAt(0));
      }
    }
    if (options.width) {
      for (const [from, to] of Object.entries(STROKED_LATIN))
        this.#stroked.set(from.codePointAt(0)!, to.charCodeAt(0));
    }
  }

  build(): FoldTables {
    this.#planes.push(readPlane(0), readPlane(1));
    const bmp = new Int32Array(0x10000);
    const plane1 = new Int32Array(0x10000);
    const [plane0Data, plane1Data] = this.#planes;
    for (let cp = 0; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdbff) bmp[cp] = packEntry(C_HIGH, cp, 0);
      else if (cp >= 0xdc00 && cp <= 0xdfff) bmp[cp] = packEntry(C_LONE, cp, 0);
      else if (isIdeographOrHangul(cp) && !this.#toSimplified.has(cp))
        bmp[cp] = packEntry(C_UNIT, cp, 0); // half the BMP
      else bmp[cp] = this.#entry(cp, plane0Data.category[cp]);
    }
    for (let k = 0; k < 0x10000; k++) {
      const gc = plane1Data.category[k];
      // Over half of plane 1 is unassigned.
      plane1[k] = gc === GC_OTHER && !isEnclosedRange(0x10000 + k) ? PAIR : this.#entry(0x10000 + k, gc);
    }

    const astral = new Map<number, number>();
    const candidates: number[] = [];
    for (let cp = 0x2f800; cp <= 0x2fa1f; cp++) candidates.push(cp); // CJK compatibility ideographs supplement
    for (let cp = 0xe0000; cp <= 0xe01ef; cp++) candidates.push(cp); // tags, variation selectors supplement
    for (const cp of this.#toSimplified.keys()) if (cp >= 0x20000) candidates.push(cp);
    for (const cp of candidates) {
      const entry = this.#entry(cp, categoryOf(cp));
      if (entryClass(entry) !== C_PAIR) astral.set(cp, entry);
    }
    this.#planes.length = 0;
    return { bmp, plane1, astral, expansions: this.#expansions, keptVariants: this.#keptVariants };
  }

  #category(cp: number): number {
    const plane = this.#planes[cp >> 16];
    return plane === undefined ? categoryOf(cp) : plane.category[cp & 0xffff];
  }

  #isUpper(cp: number): boolean {
    const plane = this.#planes[cp >> 16];
    return plane === undefined ? isUpper(cp) : plane.upper[cp & 0xffff] === 1;
  }

  #nfkc(cp: number): string {
    const plane = this.#planes[cp >> 16];
    return plane === undefined ? String.fromCodePoint(cp).normalize('NFKC') : plane.nfkc(cp & 0xffff);
  }

  #nfkcUnchanged(cp: number): boolean {
    const plane = this.#planes[cp >> 16];
    return plane === undefined
      ? String.fromCodePoint(cp).normalize('NFKC') === String.fromCodePoint(cp)
      : plane.nfkcUnchanged(cp & 0xffff);
  }

  /** The table entry of one code point. */
  #entry(cp: number, gc: number): number {
    // Most letters need nothing: no compatibility form, no case, no accent, not a look-alike, not
    // traditional. Deciding that cheaply keeps construction fast (a third of the BMP is CJK).
    if (gc === GC_LETTER && cp > 0x7f && this.#unchangedLetter(cp))
      return cp > 0xffff ? PAIR : packEntry(C_UNIT, cp, 0);
    // Unassigned and private-use code points have no Unicode data to fold by: keep them.
    if (gc === GC_OTHER && enclosedValue(cp) === undefined)
      return cp > 0xffff ? PAIR : packEntry(C_UNIT, cp, 0);
    return this.#pack(cp, this.#describe(cp, gc));
  }

  #unchangedLetter(cp: number): boolean {
    if (inRanges(cp, BLANK_LETTERS) || inRanges(cp, NOISE_LETTERS)) return false;
    if (this.#toSimplified.has(cp) || this.#lookalikes.has(cp) || this.#stroked.has(cp)) return false;
    if (this.#options.case && this.#isUpper(cp)) return false;
    if (!this.#options.width) return true;
    if (inRanges(cp, ACCENT_STRIP_RANGES)) return false;
    return this.#nfkcUnchanged(cp);
  }

  #describe(cp: number, gc: number): Description {
    const o = this.#options;
    if (inRanges(cp, GLUE_RANGES)) return GLUE;
    // Marks (variation selectors and the grapheme joiner included) attach to the character before them.
    if (gc === GC_MARK) return MARK;
    if (inRanges(cp, INVISIBLE_RANGES)) return INVISIBLE;
    if (inRanges(cp, LINE_BREAKS)) return HARD;
    if (inRanges(cp, BLANK_LETTERS)) return SPACE;
    if (inRanges(cp, NOISE_LETTERS)) return SOFT;
    if (gc === GC_SEPARATOR || cp === TAB) return SPACE;
    if (gc === GC_FORMAT || gc === GC_CONTROL) return INVISIBLE;

    const ch = String.fromCodePoint(cp);
    // A listed look-alike is taken as the letter it passes for BEFORE compatibility folding: NFKC turns some
    // of them into other letters that are not look-alikes (lunate sigma ϲ → final sigma ς, Ϲ → Σ).
    if (this.#lookalikes.has(cp)) return this.#fold(cp, [ch], false);
    const enclosed = o.width ? enclosedValue(cp) : undefined;
    const nf = enclosed ?? (!o.width || this.#nfkcUnchanged(cp) ? ch : this.#nfkc(cp));
    if (nf === ch && (gc === GC_PUNCTUATION || gc === GC_SYMBOL)) return this.#separator(ch, ch);

    const core = this.#alphanumericCore(nf);
    // A symbol that folds to several letters (™ → TM, ㎏ → kg) stays a symbol; a letter or number that
    // does (ﬁ → fi, ⑩ → 10) or an enclosed alphanumeric expands.
    if (
      core !== undefined &&
      (core.length === 1 || gc === GC_LETTER || gc === GC_NUMBER || enclosed !== undefined)
    ) {
      return this.#fold(cp, core, nf !== ch);
    }
    if (gc === GC_PUNCTUATION || gc === GC_SYMBOL) return this.#separator(ch, nf);
    if (nf.length > 0 && Array.from(nf).every((c) => this.#category(c.codePointAt(0)!) === GC_SEPARATOR))
      return SPACE;
    return this.#identity(cp);
  }

  /** Punctuation and symbols: leet candidates, sentence punctuation (hard gap), or noise (soft gap). */
  #separator(ch: string, nf: string): Description {
    if (nf === '!' || nf === '@' || nf === '$') {
      if (this.#options.leet) {
        return {
          cls: C_LEET,
          units: [nf.charCodeAt(0)],
          flags: nf !== ch ? EV_WIDTH : 0,
          leetLetter: leetIndex(nf),
        };
      }
      return nf === '!' ? HARD : SOFT;
    }
    for (const c of nf) if (!SENTENCE_PUNCTUATION.has(c)) return SOFT;
    return HARD;
  }

  /**
   * The letters and digits a compatibility form stands for, marks dropped: "(a)" → [a], "1." → [1],
   * "ﬁ" → [f, i]. Undefined when it holds anything else ("1⁄2", "...", "°C").
   */
  #alphanumericCore(nf: string): string[] | undefined {
    const core: string[] = [];
    for (const c of unwrapEnclosed(nf)) {
      const gc = this.#category(c.codePointAt(0)!);
      if (gc === GC_MARK) continue;
      if (gc !== GC_LETTER && gc !== GC_NUMBER) return undefined;
      core.push(c);
    }
    return core.length > 0 ? core : undefined;
  }

  /** Letters and digits: accents, look-alikes, case, traditional → simplified, then classify. */
  #fold(cp: number, core: readonly string[], compatibility: boolean): Description {
    const o = this.#options;
    let flags = compatibility ? EV_WIDTH : 0;
    const out: number[] = [];
    for (const c of core) {
      let x = c.codePointAt(0)!;
      if (o.width && inRanges(x, ACCENT_STRIP_RANGES)) {
        const base = stripMarks(String.fromCodePoint(x).normalize('NFD'));
        if (base !== undefined && base !== x) {
          x = base;
          flags |= EV_WIDTH;
        }
      }
      const stroked = this.#stroked.get(x);
      if (stroked !== undefined) {
        x = stroked;
        flags |= EV_WIDTH;
      }
      let lookalike = this.#lookalikes.get(x);
      if (lookalike !== undefined) {
        x = lookalike;
        flags |= EV_LOOKALIKE;
      }
      if (o.case && this.#isUpper(x)) {
        const lower = String.fromCodePoint(x).toLowerCase();
        const lx = lower.codePointAt(0)!;
        if (lower.length === (lx > 0xffff ? 2 : 1) && lx !== x) {
          x = lx;
          flags |= EV_CASE;
        }
      }
      lookalike = this.#lookalikes.get(x);
      if (lookalike !== undefined) {
        x = lookalike;
        flags |= EV_LOOKALIKE;
      }
      const simplified = this.#toSimplified.get(x);
      if (simplified !== undefined) {
        x = simplified;
        flags |= EV_TRADITIONAL;
      }
      out.push(x);
    }
    return this.#classify(cp, out, flags);
  }

  /** The class of a character that folds to the code points `out`. */
  #classify(cp: number, out: readonly number[], flags: number): Description {
    if (cp > 0xffff && out.length === 1 && out[0] === cp) return this.#identity(cp);
    const units = unitsOf(out);
    if (units.length === 1) {
      const u = units[0];
      if (isAsciiLetter(u)) return { cls: C_LETTER, units, flags };
      if (isAsciiDigit(u)) {
        const ch = String.fromCharCode(u);
        if (this.#options.leet && LEET_OF[ch] !== undefined) {
          return { cls: C_LEET, units, flags, leetLetter: leetIndex(ch) };
        }
        return { cls: C_DIGIT, units, flags };
      }
      return { cls: C_UNIT, units, flags };
    }
    if (units.length > MAX_EXPANSION) return this.#identity(cp);
    return { cls: units.every(isAsciiLetter) ? C_EXPAND_LETTERS : C_EXPAND, units, flags };
  }

  /** Keeps a character as it is (an astral one as its surrogate pair). */
  #identity(cp: number): Description {
    return cp > 0xffff ? { cls: C_PAIR, units: [], flags: 0 } : { cls: C_UNIT, units: [cp], flags: 0 };
  }

  #pack(cp: number, d: Description): number {
    switch (d.cls) {
      case C_UNIT:
      case C_LETTER:
      case C_DIGIT:
        return packEntry(d.cls, d.units[0], d.flags);
      case C_LEET:
        return packEntry(C_LEET, d.units[0], d.flags, d.leetLetter);
      case C_EXPAND:
      case C_EXPAND_LETTERS: {
        const key = d.units.join(',');
        let index = this.#expansionIndex.get(key);
        if (index === undefined) {
          index = this.#expansions.length;
          this.#expansions.push(Uint16Array.from(d.units));
          this.#expansionIndex.set(key, index);
        }
        return packEntry(d.cls, index, d.flags);
      }
      case C_PAIR:
        return PAIR;
      default:
        return packEntry(d.cls, cp > 0xffff ? 0 : cp, 0);
    }
  }
}

/** Compatibility forms like "(a)", "〔S〕", "1.", "1," (parenthesised / full-stop / comma alphanumerics). */
function unwrapEnclosed(nf: string): string {
  if (nf.length < 2) return nf;
  const first = nf[0];
  const last = nf[nf.length - 1];
  if ((first === '(' && last === ')') || (first === '〔' && last === '〕')) return nf.slice(1, -1);
  if (last === '.' || last === ',') return nf.slice(0, -1);
  return nf;
}

function isEnclosedRange(cp: number): boolean {
  return (cp >= 0x24eb && cp <= 0x2793) || (cp >= 0x1f10b && cp <= 0x1f189);
}

/** CJK unified ideographs and Hangul syllables: no compatibility form, no case, no accents. */
function isIdeographOrHangul(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xac00 && cp <= 0xd7a3);
}

function enclosedValue(cp: number): string | undefined {
  if (!isEnclosedRange(cp)) return undefined;
  for (const [first, last, value] of ENCLOSED_WITHOUT_DECOMPOSITION) {
    if (cp < first || cp > last) continue;
    const offset = cp - first;
    if (value >= 'a' && value <= 'z') return String.fromCharCode(value.charCodeAt(0) + offset);
    return String(Number(value) + offset);
  }
  return undefined;
}

/** The base letter of an NFD form (one starter followed only by marks), else undefined. */
function stripMarks(nfd: string): number | undefined {
  const base = nfd.codePointAt(0);
  if (base === undefined) return undefined;
  for (let k = base > 0xffff ? 2 : 1; k < nfd.length; k++) {
    const u = nfd.charCodeAt(k);
    // Combining marks used by Latin, Greek and Cyrillic decompositions.
    if (!((u >= 0x0300 && u <= 0x036f) || (u >= 0x0483 && u <= 0x0489) || (u >= 0x1dc0 && u <= 0x1dff))) {
      return undefined;
    }
  }
  return base;
}

function unitsOf(codePoints: readonly number[]): number[] {
  const units: number[] = [];
  for (const cp of codePoints) {
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      units.push(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else units.push(cp);
  }
  return units;
}

function isAsciiLetter(u: number): boolean {
  return (u >= 0x61 && u <= 0x7a) || (u >= 0x41 && u <= 0x5a);
}

function isAsciiDigit(u: number): boolean {
  return u >= 0x30 && u <= 0x39;
}
