/**
 * E-mail addresses, found from each `@` (or full-width `＠`) outwards: a local part of up to 64 units
 * (letters, digits, . _ % + -) to the left, a domain of at least two labels ending in a known TLD to the
 * right. Dots in the domain may be full-width (．) or ideographic (。), a common way to dodge filters.
 */
import { foldWidth, isAsciiDigit, isAsciiLetter, isFullWidthDigit, isFullWidthLetter } from '../chars.js';
import { isKnownTld } from '../links/host.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

function isAlnumAnyWidth(c: number): boolean {
  return isAsciiLetter(c) || isAsciiDigit(c) || isFullWidthLetter(c) || isFullWidthDigit(c);
}

function isLocalUnit(c: number): boolean {
  return isAlnumAnyWidth(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

function isDomainDot(c: number): boolean {
  return c === 0x2e || c === 0xff0e || c === 0x3002 || c === 0xff61;
}

function isLabelUnit(c: number): boolean {
  return isAlnumAnyWidth(c) || c === 0x2d || c === 0xff0d;
}

/** Calls `visit(start, end)` for every e-mail address in `text`, left to right. */
export function scanEmails(text: string, visit: (start: number, end: number) => void): void {
  let from = 0;
  while (from < text.length) {
    const at = nextAt(text, from);
    if (at < 0) return;
    from = at + 1;

    // Local part, walking left.
    let start = at;
    while (start > 0 && at - start < MAX_LOCAL && isLocalUnit(text.charCodeAt(start - 1))) start--;
    if (start > 0 && isLocalUnit(text.charCodeAt(start - 1))) continue; // longer than any real local part
    while (start < at && !isAlnumAnyWidth(text.charCodeAt(start))) start++;
    if (start === at || text.charCodeAt(at - 1) === 0x2e) continue;

    // Domain, walking right label by label.
    let i = at + 1;
    let labels = 0;
    let lastLabelStart = i;
    let end = -1;
    let tldEnd = -1;
    while (i < text.length && i - at <= MAX_DOMAIN) {
      const labelStart = i;
      while (i < text.length && isLabelUnit(text.charCodeAt(i))) i++;
      if (i === labelStart) break;
      const first = text.charCodeAt(labelStart);
      const last = text.charCodeAt(i - 1);
      if (first === 0x2d || first === 0xff0d || last === 0x2d || last === 0xff0d) break;
      labels++;
      lastLabelStart = labelStart;
      if (labels >= 2 && isKnownTld(foldedLower(text, labelStart, i))) tldEnd = i;
      end = i;
      if (!isDomainDot(text.charCodeAt(i)) || !isLabelUnit(text.charCodeAt(i + 1))) break;
      i++;
    }
    // Either the whole domain ends in a TLD, or a capitalised word after it is the next sentence
    // (a@b.com.Thanks); anything else (a@b.c, user@localhost) is not an address.
    if (tldEnd < 0) continue;
    if (tldEnd !== end && !isCapitalised(text, lastLabelStart, end)) continue;
    const after = text.charCodeAt(tldEnd);
    if (after === 0x40 || after === 0xff20 || after === 0x5f) continue;
    visit(start, tldEnd);
    from = tldEnd;
  }
}

function nextAt(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x40 || c === 0xff20) return i;
  }
  return -1;
}

function foldedLower(text: string, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(foldWidth(text.charCodeAt(i)));
  return s.toLowerCase();
}

function isCapitalised(text: string, start: number, end: number): boolean {
  const c = foldWidth(text.charCodeAt(start));
  return c >= 0x41 && c <= 0x5a && end - start > 1;
}
