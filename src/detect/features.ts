/**
 * One pass over a message saying which detectors could find anything in it. Most chat messages hold no
 * digit, no @ and no dot between letters, and then no detector scans at all.
 */
import { isAsciiLetter } from './chars.js';
import { CJK_TLD_INITIALS } from './links/tlds.js';
import { isLabelUnit } from './links/scan.js';

/** A digit, ASCII or full-width (PII numbers). */
export const HAS_DIGIT = 1;
/** An @ or ＠ (e-mail addresses, mentions). */
export const HAS_AT = 2;
/** A dot-like character between a label and a letter (`a.com`, `a。com`, `a[.]com`, `a点com`), or `:/`. */
export const HAS_LINK = 4;
/** A dot between a label and a digit (`1.2.3.4`): a link only with a port or path, see HAS_SLASH. */
export const HAS_NUMERIC_DOT = 8;
/** A slash or colon anywhere. */
export const HAS_SLASH = 16;
const HAS_ALL = HAS_DIGIT | HAS_AT | HAS_LINK | HAS_NUMERIC_DOT | HAS_SLASH;

/** Whether the link detector has anything to look at, given textFeatures. */
export function mayHoldLink(features: number): boolean {
  return (
    (features & HAS_LINK) !== 0 ||
    (features & (HAS_NUMERIC_DOT | HAS_SLASH)) === (HAS_NUMERIC_DOT | HAS_SLASH)
  );
}

/** What follows a dot-like character at `after`: a letter/CJK TLD (HAS_LINK), a digit, or nothing. */
function afterDot(text: string, before: number, after: number, asciiLetterOnly: boolean): number {
  if (before < 0 || !isLabelUnit(text.charCodeAt(before))) return 0;
  const c = text.charCodeAt(after);
  if (asciiLetterOnly) return isAsciiLetter(c) ? HAS_LINK : 0;
  if (c >= 0x30 && c <= 0x39) return HAS_NUMERIC_DOT;
  if ((isLabelUnit(c) && !(c >= 0xff10 && c <= 0xff19)) || CJK_TLD_INITIALS.has(c)) return HAS_LINK;
  return 0;
}

function colonSlash(text: string, i: number): number {
  const c = text.charCodeAt(i + 1);
  return c === 0x2f || c === 0xff0f ? HAS_LINK | HAS_SLASH : HAS_SLASH;
}

export function textFeatures(text: string): number {
  let f = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x30 && c <= 0x39) f |= HAS_DIGIT;
      else if (c === 0x2e) f |= afterDot(text, i - 1, i + 1, false);
      else if (c === 0x40) f |= HAS_AT;
      else if (c === 0x3a) f |= colonSlash(text, i);
      else if (c === 0x2f) f |= HAS_SLASH;
      else if ((c === 0x5b || c === 0x28) && text.charCodeAt(i + 1) === 0x2e)
        f |= afterDot(text, i - 1, i + 3, false);
      else continue;
    } else if (c >= 0xff10 && c <= 0xff19) f |= HAS_DIGIT;
    else if (c === 0x3002 || c === 0xff0e || c === 0xff61) f |= afterDot(text, i - 1, i + 1, false);
    else if (c === 0x70b9 || c === 0x9ede) f |= afterDot(text, i - 1, i + 1, true);
    else if (c === 0xff20) f |= HAS_AT;
    else if (c === 0xff1a) f |= colonSlash(text, i);
    else continue;
    if (f === HAS_ALL) break;
  }
  return f;
}
