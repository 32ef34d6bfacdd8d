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
