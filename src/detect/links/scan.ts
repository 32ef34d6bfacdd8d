/**
 * Finds link candidates in the original text: scheme URLs (`https://…`, also with a full-width colon or
 * slashes, and the defanged `hxxp://`), `www.` hosts and bare domains (`example.com/path`, `abc.xyz`,
 * `example。com`, `example．com`, `evil[.]com`, `abc点com`), each with the exact span it covers.
 *
 * A bare dotted run counts only when its last label is a known TLD; that alone rules out version numbers
 * (1.2.3), decimals (3.14) and most file names (report.pdf). What remains ambiguous (README.md, ok.so,
 * user.name) is flagged `ambiguous` for the rules that report unknown links. Runs glued to an `@` are
 * e-mail addresses (personal data, not links) and are skipped.
 */
import { foldWidth, isAsciiDigit, isAsciiLetter, isCjk } from '../chars.js';
import { isKnownTld, parseIPv4, parseNumericHost } from './host.js';
import { AMBIGUOUS_BARE_TLDS, TLDS } from './tlds.js';

export const HOST_DOMAIN = 0;
export const HOST_IPV4 = 1;
export const HOST_IPV6 = 2;

export interface LinkCandidate {
  /** [start, end) of the whole link in the original text (scheme, host, port, path). */
  start: number;
  end: number;
  /** The host with plain dots and ASCII-folded widths, in the sender's letter case (IPv6: inside [ ]). */
  host: string;
  kind: typeof HOST_DOMAIN | typeof HOST_IPV4 | typeof HOST_IPV6;
  /** HOST_IPV4: the address as a 32-bit number. */
  ipv4: number;
  /** The last label is a TLD we know (always true for bare domains; scheme URLs may name intranet hosts). */
  tldKnown: boolean;
  /** Written unmistakably as a link: a scheme, `www.`, a port or path, or a disguised dot (点, [.]). */
  explicit: boolean;
  /** A bare name whose TLD doubles as a file extension or word, a capitalised TLD, or a `。` dot. */
  ambiguous: boolean;
  /** Something follows the host (`/…`, `?…`, `#…`). */
  hasPath: boolean;
  /** Scheme URLs: what precedes `@` in the authority (`http://company.com@evil.io`), else ''. */
  userinfo: string;
}

// Units that may make up a host label in running text: ASCII letters/digits, hyphen, Latin-with-accents,
// Greek, Cyrillic, Armenian (homographs), and the full-width ASCII forms (evasion).
const LABEL_CLASS =
  '0-9A-Za-z\\-\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u0370-\\u03FF\\u0400-\\u052F\\u0530-\\u058F' +
  '\\u1E00-\\u1FFF\\uFF0D\\uFF10-\\uFF19\\uFF21-\\uFF3A\\uFF41-\\uFF5A';

export function isLabelUnit(c: number): boolean {
  if (c < 0x80) return isAsciiLetter(c) || isAsciiDigit(c) || c === 0x2d;
  return (
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    (c >= 0x370 && c <= 0x58f) ||
    (c >= 0x1e00 && c <= 0x1fff) ||
    c === 0xff0d ||
    (c >= 0xff10 && c <= 0xff19) ||
    (c >= 0xff21 && c <= 0xff3a) ||
    (c >= 0xff41 && c <= 0xff5a)
  );
}

const CJK_TLDS = [...TLDS].filter((t) => isCjk(t.charCodeAt(0))).sort((a, b) => b.length - a.length);

const SCHEME = '(?<![A-Za-z])(?:https?|ftp|wss?|hxxps?)[:\\uFF1A](?:\\/\\/|\\uFF0F\\uFF0F)';
const DOT = '(?:[.\\u3002\\uFF0E\\uFF61\\u70B9\\u9EDE]|\\[\\.\\]|\\(\\.\\))';
// The look-behind makes every attempt start at the beginning of a label run, which keeps the scan linear
// on long runs of letters with no dot.
const RUN = `(?<![${LABEL_CLASS}])[${LABEL_CLASS}]+(?:${DOT}(?:[${LABEL_CLASS}]+|${CJK_TLDS.join('|')}))+`;

/** One regex for both kinds of start; group 1 is set when a scheme matched. */
export function createLinkRegex(): RegExp {
  return new RegExp(`(${SCHEME})|${RUN}`, 'gi');
}

// Dot kinds, from weakest evidence of a link to strongest.
const DOT_PLAIN = 0;
const DOT_SENTENCE = 1; // 。 ｡ — also how Chinese sentences end
const DOT_BRACKET = 2; // [.] (.) — defanged
const DOT_CJK_WORD = 3; // 点 點 — "abc点com"

function dotAt(text: string, i: number): { kind: number; length: number } | undefined {
  const c = text.charCodeAt(i);
  if (c === 0x2e || c === 0xff0e) return { kind: DOT_PLAIN, length: 1 };
  if (c === 0x3002 || c === 0xff61) return { kind: DOT_SENTENCE, length: 1 };
  if (c === 0x70b9 || c === 0x9ede) return { kind: DOT_CJK_WORD, length: 1 };
  if ((c === 0x5b || c === 0x28) && text.charCodeAt(i + 1) === 0x2e) return { kind: DOT_BRACKET, length: 3 };
  return undefined;
}

function isHostDot(c: number): boolean {
  return c === 0x2e || c === 0xff0e || c === 0x3002 || c === 0xff61;
}

/** The label text with full-width forms folded to ASCII, letter case kept. */
function foldLabel(text: string, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(foldWidth(text.charCodeAt(i)));
  return s;
}

function isHyphen(c: number): boolean {
  return c === 0x2d || c === 0xff0d;
}

// Classes of ASCII units for the URL scanners, one table look-up per unit.
const PATH_UNIT = 1; // may appear raw in a path, query or fragment
const TRAILING = 2; // sentence punctuation that a link does not end with
const AUTHORITY_EXTRA = 4; // : @ [ ] % _ ~ ! $ & + = inside an authority, besides labels and dots
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++)
  if (!'<>"`{}|\\^'.includes(String.fromCharCode(c))) ASCII_CLASS[c] |= PATH_UNIT;
for (const ch of '.,;:!?\'"*') ASCII_CLASS[ch.charCodeAt(0)] |= TRAILING;
for (const ch of ':@[]%_~!$&+=') ASCII_CLASS[ch.charCodeAt(0)] |= AUTHORITY_EXTRA;

/**
 * End of the path/query/fragment starting at `from`: printable ASCII up to white space, a character never
 * left raw in a URL, or any non-ASCII (Chinese text usually follows a link without a space). Trailing
 * sentence punctuation and unbalanced closing brackets belong to the sentence, not the link.
 */
export function pathEnd(text: string, from: number): number {
  let i = from;
  let open = 0;
  let close = 0;
  let openSq = 0;
  let closeSq = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || (ASCII_CLASS[c] & PATH_UNIT) === 0) break;
    if (c === 0x28) open++;
    else if (c === 0x29) close++;
    else if (c === 0x5b) openSq++;
    else if (c === 0x5d) closeSq++;
    i++;
  }
  while (i > from) {
    const c = text.charCodeAt(i - 1);
    if ((ASCII_CLASS[c] & TRAILING) !== 0) i--;
    else if (c === 0x29 && close > open) {
      close--;
      i--;
    } else if (c === 0x5d && closeSq > openSq) {
      closeSq--;
      i--;
    } else break;
  }
  return i;
}

/** `:1234` at `i` followed by a non-alphanumeric: the index after the port, else `i`. */
function portEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x3a) return i;
  let j = i + 1;
  while (j < text.length && j - i <= 5 && isAsciiDigit(text.charCodeAt(j))) j++;
  if (j === i + 1 || j - i > 6) return i;
  const after = text.charCodeAt(j);
  if (isAsciiLetter(after) || isAsciiDigit(after)) return i;
  return j;
}

function isTldCapitalised(tld: string): boolean {
  const first = tld.charCodeAt(0);
  return first >= 0x41 && first <= 0x5a && /[a-z]/.test(tld);
}

/**
 * Most dotted runs in chat are versions, decimals and file names (v2.3.1, 12.5, main.c): rejected on their
 * last label alone, before anything is allocated. Only plain ASCII endings after a plain dot are judged
 * here; everything else takes the full path.
 */
function quickReject(text: string, start: number, end: number): boolean {
  let k = end;
  let digitsOnly = true;
  while (k > start) {
    const c = text.charCodeAt(k - 1);
    if (isAsciiLetter(c)) digitsOnly = false;
    else if (!isAsciiDigit(c)) break;
    k--;
  }
  if (k === end || k === start || text.charCodeAt(k - 1) !== 0x2e) return false;
  if (digitsOnly) {
    // Maybe an IPv4 address; a link only with a port or path after it.
    const after = text.charCodeAt(end);
    return after !== 0x3a && after !== 0x2f;
  }
  const first = text.charCodeAt(k);
  if (first >= 0x41 && first <= 0x5a) return false; // a capitalised word: maybe a glued sentence
  return !TLDS.has(text.slice(k, end).toLowerCase());
}

/**
 * A bare dotted run [start, end) matched by the regex → a candidate, or undefined when it is not a link.
 * `candidate.end` may reach past `end` (port and path).
 */
export function bareCandidate(text: string, start: number, end: number): LinkCandidate | undefined {
  if (quickReject(text, start, end)) return undefined;
  // Split into labels; remember how each was separated from the previous one.
  const starts: number[] = [];
  const ends: number[] = [];
  const dots: number[] = [];
  let labelStart = start;
  let i = start;
  let dotKind = -1;
  while (i < end) {
    // The regex guarantees a non-empty label between two dots.
    const dot = dotAt(text, i);
    if (dot === undefined) {
      i++;
      continue;
    }
    starts.push(labelStart);
    ends.push(i);
    dots.push(dotKind);
    dotKind = dot.kind;
    i += dot.length;
    labelStart = i;
  }
  starts.push(labelStart);
  ends.push(end);
  dots.push(dotKind);

  // 点/點 is a dot only right before the TLD ("abc点com"); before that it is just a Chinese character
  // ("3点abc.com" is the domain abc.com).
  let first = 0;
  for (let l = 1; l < starts.length - 1; l++) if (dots[l] === DOT_CJK_WORD) first = l;
  // Leading hyphens are ASCII art or a list dash, not part of the host.
  while (starts[first] < ends[first] && isHyphen(text.charCodeAt(starts[first]))) starts[first]++;
  let last = starts.length - 1;
  while (ends[last] > starts[last] && isHyphen(text.charCodeAt(ends[last] - 1))) ends[last]--;

  let tld = foldLabel(text, starts[last], ends[last]).toLowerCase();
  let tldKnown = isKnownTld(tld);
  // "example.com.Thanks" / "example.com。然后": a sentence glued to the domain.
  if (
    !tldKnown &&
    last - first >= 2 &&
    (dots[last] === DOT_SENTENCE || isTldCapitalised(foldLabel(text, starts[last], ends[last])))
  ) {
    last--;
    tld = foldLabel(text, starts[last], ends[last]).toLowerCase();
    tldKnown = isKnownTld(tld);
  }
  if (last - first < 1) return undefined;

  const labels: string[] = [];
  let obfuscated = false;
  let sentenceDot = false;
  for (let l = first; l <= last; l++) {
    if (starts[l] >= ends[l]) return undefined;
    if (isHyphen(text.charCodeAt(starts[l])) || isHyphen(text.charCodeAt(ends[l] - 1))) return undefined;
    labels.push(foldLabel(text, starts[l], ends[l]));
    if (l > first) {
      if (dots[l] === DOT_BRACKET || dots[l] === DOT_CJK_WORD) obfuscated = true;
      if (dots[l] === DOT_SENTENCE) sentenceDot = true;
    }
  }
  if (dots[last] === DOT_CJK_WORD) {
    // "abc点com": the TLD must be ASCII and the name must hold a letter (not "今晚8点vip").
    if (!/^[a-z]+$/.test(tld) || !/[a-z]/i.test(labels[labels.length - 2])) return undefined;
  }
  for (let l = first + 1; l < last; l++) if (dots[l] === DOT_CJK_WORD) return undefined;
  if (isCjk(tld.charCodeAt(0))) {
    // "1.中国人民", "e.g.中国", "好的ok。中国": list numbers, abbreviations and sentence ends before a Chinese
    // word. A Chinese TLD needs a plain dot and a name of two or more characters holding a Latin letter.
    const name = labels[labels.length - 2];
    if (dots[last] !== DOT_PLAIN || name.length < 2 || !/[a-z]/i.test(name)) return undefined;
  }

  const hostStart = starts[first];
  const hostEnd = ends[last];
  const before = hostStart > 0 ? text.charCodeAt(hostStart - 1) : 0;
  const after = hostEnd < text.length ? text.charCodeAt(hostEnd) : 0;
  // Glued to an @: part of an e-mail address. After / \ _ $ ~: a file path or an identifier.
  if (before === 0x40 || before === 0xff20 || after === 0x40 || after === 0xff20) return undefined;
  if (before === 0x2f || before === 0x5c || before === 0x5f || before === 0x24 || before === 0x7e)
    return undefined;
  if (after === 0x5f) return undefined;

  const host = labels.join('.');
  let kind: LinkCandidate['kind'] = HOST_DOMAIN;
  let ipv4 = -1;
  if (!tldKnown) {
    ipv4 = parseIPv4(host);
    if (ipv4 < 0) return undefined;
    kind = HOST_IPV4;
  }

  let linkEnd = portEnd(text, hostEnd);
  const hasPort = linkEnd > hostEnd;
  let hasPath = false;
  const next = text.charCodeAt(linkEnd);
  if (next === 0x2f || (hasPort && (next === 0x3f || next === 0x23))) {
    const p = pathEnd(text, linkEnd);
    hasPath = p > linkEnd + 1;
    linkEnd = p;
  }
  const explicit = hasPort || hasPath || obfuscated || labels[0].toLowerCase() === 'www';
  // An IP address with nothing after it is a number being talked about (a DNS server, a version), not a link.
  if (kind === HOST_IPV4 && !explicit) return undefined;
  const ambiguous =
    !explicit && (AMBIGUOUS_BARE_TLDS.has(tld) || isTldCapitalised(labels[labels.length - 1]) || sentenceDot);
  return {
    start: hostStart,
    end: linkEnd,
    host,
    kind,
    ipv4,
    tldKnown,
    explicit,
    ambiguous,
    hasPath,
    userinfo: '',
  };
}

/**
 * A scheme URL whose scheme ends at `from` (just after `//`), starting at `start` → a candidate, or
 * undefined when no host follows.
 */
export function schemeCandidate(text: string, start: number, from: number): LinkCandidate | undefined {
  // The authority: up to a path delimiter, white space or anything that cannot be in a host. A label is
  // either Latin-ish or CJK: "http://example.com看看" ends at 看.
  let i = from;
  let labelKind = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isHostDot(c) || (c < 0x80 && (ASCII_CLASS[c] & AUTHORITY_EXTRA) !== 0)) {
      labelKind = 0;
      i++;
      continue;
    }
    const kind = isLabelUnit(c) ? 1 : isCjk(c) ? 2 : 0;
    if (kind === 0 || (labelKind !== 0 && kind !== labelKind)) break;
    labelKind = kind;
    i++;
  }
  let authorityEnd = i;
  while (authorityEnd > from) {
    const c = text.charCodeAt(authorityEnd - 1);
    if (isHostDot(c) || c === 0x3a || c === 0x40) authorityEnd--;
    else break;
  }
  if (authorityEnd === from) return undefined;

  const authority = text.slice(from, authorityEnd);
  const at = authority.lastIndexOf('@') >= 0 ? authority.lastIndexOf('@') : authority.lastIndexOf('＠');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;

  let host: string;
  let kind: LinkCandidate['kind'] = HOST_DOMAIN;
  let ipv4 = -1;
  let tldKnown = false;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return undefined;
    host = hostPort.slice(1, close);
    if (!/^[0-9a-fA-F:.]+$/.test(host)) return undefined;
    kind = HOST_IPV6;
  } else {
    const colon = hostPort.indexOf(':');
    const raw = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    const labels = raw.split(/[.\u3002\uFF0E\uFF61]/);
    for (const label of labels) if (label === '') return undefined;
    host = labels.map((l) => foldLabel(l, 0, l.length)).join('.');
    const lower = host.toLowerCase();
    ipv4 = parseIPv4(lower);
    if (ipv4 < 0) ipv4 = parseNumericHost(lower);
    if (ipv4 >= 0) kind = HOST_IPV4;
    else tldKnown = labels.length > 1 && isKnownTld(lower.slice(lower.lastIndexOf('.') + 1));
  }

  let end = authorityEnd;
  let hasPath = false;
  const next = text.charCodeAt(end);
  if (next === 0x2f || next === 0x3f || next === 0x23) {
    const p = pathEnd(text, end);
    hasPath = p > end + 1;
    end = p;
  }
  return { start, end, host, kind, ipv4, tldKnown, explicit: true, ambiguous: false, hasPath, userinfo };
}
