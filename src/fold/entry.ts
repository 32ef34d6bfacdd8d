/**
 * The layout of one folding-table entry. Every code point (BMP: one Uint32Array(65536); plane 1: a second
 * one; other astral planes: a small Map) maps to ONE 32-bit entry, so the hot loop does a single lookup per
 * character and never branches on Unicode properties:
 *
 *   bits  0..15  folded UTF-16 code unit (C_UNIT / C_LETTER / C_DIGIT / C_LEET), or an expansion index
 *   bits 16..23  evasion bits the folding itself sets (EV_WIDTH, EV_CASE, EV_TRADITIONAL, EV_LOOKALIKE)
 *   bits 24..27  class: what the loop does with the character (C_*)
 *   bits 28..31  leet letter (index into LEET_LETTER_CODES) for C_LEET entries
 */

export const CODE_MASK = 0xffff;
export const FLAG_SHIFT = 16;
export const FLAG_MASK = 0xff;
export const CLASS_SHIFT = 24;
export const CLASS_MASK = 0xf;
export const LEET_SHIFT = 28;

/** A folded unit that is not an ASCII letter or digit (CJK, other scripts, folded look-alikes of those). */
export const C_UNIT = 0;
/** Folds to an ASCII letter: counts as a "real letter" for leetspeak decisions. */
export const C_LETTER = 1;
/** An ASCII digit that is not a leet letter (2 6 8 9): always a digit; makes its digit group a number. */
export const C_DIGIT = 2;
/** 4 3 1 0 5 7 @ $ ! (after width folding): a letter inside a Latin word, else a digit or a separator. */
export const C_LEET = 3;
/** Dropped without a gap; sets EV_INVISIBLE on the next unit (zero-width, bidi and other format characters). */
export const C_INVISIBLE = 4;
/** Emoji glue (ZWJ, VS15/16, keycap, tags): invisible, but not an evasion right after a dropped symbol. */
export const C_GLUE = 5;
/** Dropped, recorded as GAP_SOFT (symbols, emoji, ASCII punctuation used as noise). */
export const C_SOFT = 6;
/** Dropped, recorded as GAP_SPACE (white space). */
export const C_SPACE = 7;
/** Dropped, recorded as GAP_HARD (sentence punctuation, line breaks). */
export const C_HARD = 8;
/** A high surrogate: the loop combines it with the next unit and looks the code point up again. */
export const C_HIGH = 9;
/** A lone surrogate (malformed text): kept verbatim as one unit, never collapsed. */
export const C_LONE = 10;
/** An astral character kept as its two code units (both units map to the pair's range). */
export const C_PAIR = 11;
/** One character folding to several units (⑩ → 1 0, BMP traditional → astral simplified…). */
export const C_EXPAND = 12;
/** Like C_EXPAND, but every unit is an ASCII letter (ﬁ → f i): counts as a real letter. */
export const C_EXPAND_LETTERS = 13;
/**
 * A combining mark or variation selector: dropped like C_INVISIBLE, but it belongs to the character before
 * it, so right after a unit it extends that unit's range (and sets FLAG_MARKED on it) instead of flagging
 * the next unit: a span over `f̶u̶c̶k̶` ends after the last mark.
 */
export const C_MARK = 14;

/** The letters leetspeak stands for; C_LEET entries carry (index + 1) in bits 28..31. */
export const LEET_LETTER_CODES: readonly number[] = [0, 0x61, 0x65, 0x69, 0x6f, 0x73, 0x74]; // - a e i o s t

export function packEntry(cls: number, code: number, flags: number, leet = 0): number {
  return (
    ((leet << LEET_SHIFT) |
      (cls << CLASS_SHIFT) |
      ((flags & FLAG_MASK) << FLAG_SHIFT) |
      (code & CODE_MASK)) >>>
    0
  );
}

export function entryClass(entry: number): number {
  return (entry >>> CLASS_SHIFT) & CLASS_MASK;
}
