/**
 * Splits the digits of a text into tokens of digit groups, the unit PII numbers are recognised in:
 * `138 0013 8000`, `6222-0212-3456-7890`, `+86 13800138000` and `110101199003071234` are one token each.
 *
 * A group is a maximal run of digits (ASCII, and full-width when enabled), plus a trailing X/x/Ｘ/ｘ when no
 * letter or digit follows it (the ID check character). Groups of one token are joined by exactly one
 * separator: a space, a dash, or a dash with one space on either side. Whatever sits around the token
 * decides whether its ends are "blocked": glued to a letter (`SN1380…`, `…abc`), or continuing a number
 * through `.` or `:` (`3.14159…`, `12:30`). A blocked end is never the edge of a PII number: that keeps
 * order numbers, serials, decimals and times from being read as phone or ID numbers.
 *
 * One tokenizer is reused across texts: its arrays are allocated once.
 */
import { isAnyWidthLetter } from '../chars.js';

export const SEP_NONE = 0;
export const SEP_SPACE = 1;
/** A bare dash joins the parts of one identifier (`2024-11-24`, `ORD-…`): never the edge of a number. */
export const SEP_DASH = 2;
export const SEP_SPACED_DASH = 3;

/** More groups than this in one token end it: the rest is read as a new, left-blocked token. */
export const MAX_GROUPS = 32;

export class DigitTokenizer {
  /** Start offset of each group. */
  readonly starts = new Int32Array(MAX_GROUPS);
  /** End offset (exclusive) of each group, including an X suffix. */
  readonly ends = new Int32Array(MAX_GROUPS);
  /** Separator kind before each group (SEP_NONE for the first). */
  readonly seps = new Uint8Array(MAX_GROUPS);
  /** 1 when the group ends in an X check character. */
  readonly hasX = new Uint8Array(MAX_GROUPS);
  count = 0;
  /** Digits (and X) in the token: fewer than the shortest PII number means nothing to check. */
  units = 0;
  leftBlocked = false;
  rightBlocked = false;
  /** Offset of a `+` or `＋` right before the first group, else -1. */
  plusAt = -1;
  readonly #fullWidth: boolean;
  /** Kind of the separator last measured by #separator. */
  #sepKind = SEP_NONE;

  constructor(fullWidthDigits: boolean) {
    this.#fullWidth = fullWidthDigits;
  }

  /** The value 0..9 of the digit at `i`, or -1. */
  digitAt(text: string, i: number): number {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (this.#fullWidth && c >= 0xff10 && c <= 0xff19) return c - 0xff10;
    return -1;
  }

  /** Length of the separator at `i` (0 when none), and its kind in `sepKind`. */
  #separator(text: string, i: number): number {
    let k = i;
    if (isGapSpace(text.charCodeAt(k))) k++;
    let dash = false;
    if (isDash(text.charCodeAt(k))) {
      dash = true;
      k++;
      if (isGapSpace(text.charCodeAt(k))) k++;
    }
    const len = k - i;
    if (len === 0 || this.digitAt(text, k) < 0) return 0;
    this.#sepKind = !dash ? SEP_SPACE : len === 1 ? SEP_DASH : SEP_SPACED_DASH;
    return len;
  }

  /**
   * Reads the next token at or after `from` into the arrays. Returns the offset just past it, or -1 when no
   * digit is left.
   */
  next(text: string, from: number): number {
    const n = text.length;
    let i = from;
    while (i < n && this.digitAt(text, i) < 0) i++;
    if (i >= n) return -1;

    this.count = 0;
    this.units = 0;
    this.seps[0] = SEP_NONE;
    this.plusAt = -1;
    this.leftBlocked = this.#blockedBefore(text, i);
    const before = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (before === 0x2b || before === 0xff0b) this.plusAt = i - 1;

    while (true) {
      const g = this.count;
      this.starts[g] = i;
      while (i < n && this.digitAt(text, i) >= 0) i++;
      let x = 0;
      const c = text.charCodeAt(i);
      if ((c === 0x58 || c === 0x78 || c === 0xff38 || c === 0xff58) && !this.#isWordUnit(text, i + 1)) {
        x = 1;
        i++;
      }
      this.ends[g] = i;
      this.hasX[g] = x;
      this.units += i - this.starts[g];
      this.count++;
      if (x === 1) break; // a check character ends the number
      const sepLen = this.#separator(text, i);
      if (sepLen === 0) break;
      if (this.count === MAX_GROUPS) {
        this.rightBlocked = true;
        return i;
      }
      this.seps[this.count] = this.#sepKind;
      i += sepLen;
    }
    this.rightBlocked = this.#blockedAfter(text, i);
    return i;
  }

  #isWordUnit(text: string, i: number): boolean {
    const c = text.charCodeAt(i);
    return isAnyWidthLetter(c) || c === 0x5f || this.digitAt(text, i) >= 0;
  }

  #blockedBefore(text: string, i: number): boolean {
    if (i === 0) return false;
    const c = text.charCodeAt(i - 1);
    if (isAnyWidthLetter(c) || c === 0x5f) return true;
    const digitBefore = i >= 2 && this.digitAt(text, i - 2) >= 0;
    // 3.14159…, 12:30…, or the tail of a token cut at MAX_GROUPS.
    if (isNumberJoint(c) && digitBefore) return true;
    if ((isGapSpace(c) || isDash(c)) && digitBefore) return true;
    // ORD-13800138000, SN-6222…: a dash glued to a word makes one identifier.
    if (isDash(c) && i >= 2 && isAnyWidthLetter(text.charCodeAt(i - 2))) return true;
    return false;
  }

  #blockedAfter(text: string, i: number): boolean {
    if (i >= text.length) return false;
    const c = text.charCodeAt(i);
    if (isAnyWidthLetter(c) || c === 0x5f) return true;
    return isNumberJoint(c) && this.digitAt(text, i + 1) >= 0;
  }
}

/** Spaces that may sit inside a written number. */
function isGapSpace(c: number): boolean {
  return c === 0x20 || c === 0xa0 || c === 0x3000;
}

/** - ‐ ‑ ‒ – − － */
function isDash(c: number): boolean {
  return c === 0x2d || (c >= 0x2010 && c <= 0x2013) || c === 0x2212 || c === 0xff0d;
}

/** Marks that continue a number rather than end it: decimal points, time and ratio colons. */
function isNumberJoint(c: number): boolean {
  return c === 0x2e || c === 0x3a || c === 0xff0e || c === 0xff1a;
}
