/**
 * Character tests on UTF-16 code units, shared by the detectors. Plain functions on numbers so the scanners
 * never build strings while they look.
 */

export function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

export function isAsciiAlnum(c: number): boolean {
  return isAsciiDigit(c) || isAsciiLetter(c);
}

export function isFullWidthDigit(c: number): boolean {
  return c >= 0xff10 && c <= 0xff19;
}

export function isFullWidthLetter(c: number): boolean {
  return (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
}

/** A letter of any width (ASCII or full-width Latin). */
export function isAnyWidthLetter(c: number): boolean {
  return isAsciiLetter(c) || isFullWidthLetter(c);
}

/** Folds a full-width ASCII variant (U+FF01..FF5E) to ASCII; other units unchanged. */
export function foldWidth(c: number): number {
  return c >= 0xff01 && c <= 0xff5e ? c - 0xfee0 : c;
}

/** CJK ideographs (BMP blocks) — the script Chinese chat text is written in. */
export function isCjk(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

export function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0xa0 ||
    c === 0x3000 ||
    c === 0x0b ||
    c === 0x0c
  );
}
