/**
 * The folded view of a text that the matcher scans. Produced in one pass by `Folder.fold`, reused across
 * messages (typed arrays grow, never shrink) so the hot path allocates nothing per message.
 *
 * Unit i of the folded text came from original UTF-16 range [start[i], end[i]). A match over folded units
 * [a, b) maps back to the original span [start[a], end[b-1]).
 */
export interface FoldBuffer {
  /** Number of folded units written by the last `fold` call. */
  length: number;
  /** Folded UTF-16 code units (lower-cased, width-folded, simplified, look-alikes and leet resolved). */
  codes: Uint16Array;
  /** Original start offset (UTF-16) of each unit. */
  start: Int32Array;
  /** Original end offset (exclusive) of each unit, including any repeats collapsed into it. */
  end: Int32Array;
  /**
   * What was dropped between unit i-1 and unit i: GAP_NONE, GAP_SOFT (symbols, emoji, ASCII punctuation used
   * as noise), GAP_SPACE (white space) or GAP_HARD (sentence punctuation such as ，。！？；、 or a newline).
   * gap[0] describes what precedes the first unit.
   */
  gap: Uint8Array;
  /** Bit set of EVASION_BIT_* foldings applied to unit i (and invisible characters dropped just before it). */
  flags: Uint16Array;
  /** How many identical folded units were collapsed into unit i (1 = no repeat). */
  run: Uint16Array;
  /**
   * A Latin letter is glued to a character of another script somewhere (`约pao`, `ok吗`): a cheap hint, set
   * while folding, that lets the lexicon matcher skip its mixed-pinyin reading (src/lexicon/respell.ts) for
   * nearly every text. A glued character that only leetspeak makes a letter (`是5b`) is not noticed, nor anything by a
   * Folder other than this package's (a custom LexiconFolder leaves it false: no mixed-pinyin reading).
   */
  lettersGlued: boolean;
}

export const GAP_NONE = 0;
export const GAP_SOFT = 1;
export const GAP_SPACE = 2;
export const GAP_HARD = 3;

// Evasion bits, in the order of EVASIONS in contracts/types.ts (bit i ↔ EVASIONS[i]).
export const EV_WIDTH = 1 << 0;
export const EV_CASE = 1 << 1;
export const EV_TRADITIONAL = 1 << 2;
export const EV_INVISIBLE = 1 << 3;
export const EV_SEPARATORS = 1 << 4;
export const EV_REPEATS = 1 << 5;
export const EV_LOOKALIKE = 1 << 6;
export const EV_LEET = 1 << 7;
export const EV_PINYIN = 1 << 8;
export const EV_HOMOPHONE = 1 << 9;
/**
 * Not an evasion of its own: unit i's range ends with combining marks or variation selectors that were
 * dropped (`u̶`). Read as EV_INVISIBLE wherever the unit is inside a match — unlike EV_INVISIBLE on a unit,
 * which stands for invisibles dropped BEFORE it and so lies outside a match that starts there.
 */
export const FLAG_MARKED = 1 << 10;
/**
 * Never set by the Folder: the lexicon matcher's respelled view (src/lexicon/respell.ts) marks a unit that
 * stands for a Latin pinyin syllable (`pao` in `约pao`) rather than for a character of the text.
 */
export const FLAG_SPELLED = 1 << 11;

/*
 * Units that share a source character. Two consecutive units have the same [start, end) when they came from
 * ONE original character: an astral character kept as its surrogate pair (CJK Ext-B…), or a character that
 * folds to several units (⑩ → "10", ﬁ → "fi", a traditional character whose simplified form is astral).
 * Otherwise start is strictly increasing and end[i] <= start[i + 1]. Either way a span [start[a], end[b-1])
 * never splits a surrogate pair.
 */

/** Which foldings a Folder applies. Everything is on by default; settled once, at construction. */
export interface FolderOptions {
  /** Compatibility (NFKC: full-width, circled, mathematical, superscript…) and accent folding. */
  width?: boolean;
  /** Lower-casing. */
  case?: boolean;
  /** Traditional (incl. Hong Kong / Taiwan variants) → simplified Chinese, from OpenCC's data. */
  traditional?: boolean;
  /** Cyrillic / Greek look-alikes → Latin letters. */
  lookalike?: boolean;
  /** 4 @ 3 1 ! 0 5 $ 7 → a a e i i o s s t inside Latin words. */
  leet?: boolean;
  /** Collapse repeated identical units into one (`run` counts them). */
  repeats?: boolean;
}

/** A lexicon term folded exactly like text (`Folder.foldTerm`), trimmed to its length. */
export interface FoldedTerm {
  /** The folded units as a string (handy as a map key or automaton pattern). */
  readonly text: string;
  readonly length: number;
  readonly codes: Uint16Array;
  readonly run: Uint16Array;
  readonly flags: Uint16Array;
  readonly gap: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

export interface Folder {
  /** The options in force (defaults filled in). */
  readonly options: Readonly<Required<FolderOptions>>;
  /**
   * Folds `text` into `buf` in one pass (growing its arrays when needed) and returns `buf`.
   * Allocation-free once `buf` is large enough.
   */
  fold(text: string, buf: FoldBuffer): FoldBuffer;
  /** The same folding applied to a lexicon term, copied out of the folder's scratch buffer. */
  foldTerm(term: string): FoldedTerm;
  /**
   * Every folded spelling under which `term` can show up in folded text; compile all of them. Usually just
   * `[foldTerm(term)]`; a term with digits that fold as leet when glued to letters (`betfast74` →
   * `betfasta`) also gets its literal spelling (`betfast74`), which is how it folds once separators or
   * spaces split the digits off (`b*e*t*f*a*s*t*7*4`).
   */
  foldTermForms(term: string): FoldedTerm[];
  /** The folded units of `text` as a string (tests, debugging, allow-list keys). */
  foldToString(text: string): string;
  /**
   * Regional variant characters that traditional folding leaves as they are because simplified text uses
   * them too, each with the simplified character it stands for in regional traditional text (著 → 着: Taiwan
   * writes 躺著 for 躺着, while 著名 is 著名 everywhere). Empty when `traditional` is off. The lexicon
   * compiler also spells a term with these, so both readings of the text are matched.
   */
  readonly keptVariants: ReadonlyMap<number, number>;
}
