/**
 * Look-alike spellings of allow-listed domains, and homograph IDN hosts.
 *
 * A host is a look-alike of an allowed domain when, after folding homoglyphs to one "skeleton" spelling
 * (Cyrillic/Greek/Armenian letters that look Latin, accents, 0→o, 1→l, I→l, rn→m, vv→w), its registrable
 * domain
 *   - equals the allowed one's (аpple.com, xn--pple-43d.com, paypa1.com, rnicrosoft.com), or
 *   - is one edit away (insert, delete, substitute, swap two neighbours: compnay.com, company.co), for names
 *     of at least `minEditLength` characters, or
 *   - contains it as whole labels/hyphen-separated parts (company.com.evil.io, company-com.io,
 *     login-companycom.xyz).
 * A host with the same registrable domain as the allowed one (another subdomain of the same owner) is never
 * a look-alike.
 */
import { registrableDomain } from './host.js';
import type { HostForms } from './host.js';

// Letters of other scripts (lower-case) that render like a Latin letter, and Latin letters that render like
// another one. After NFD, so accented forms reach here as their base letter.
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic
    а: 'a',
    в: 'b',
    г: 'r',
    е: 'e',
    з: '3',
    і: 'i',
    ј: 'j',
    к: 'k',
    м: 'm',
    н: 'h',
    о: 'o',
    п: 'n',
    р: 'p',
    с: 'c',
    т: 't',
    у: 'y',
    х: 'x',
    ш: 'w',
    ѕ: 's',
    ԁ: 'd',
    ԛ: 'q',
    ԝ: 'w',
    ӏ: 'l',
    һ: 'h',
    ү: 'y',
    ь: 'b',
    ɡ: 'g',
    // Greek
    α: 'a',
    β: 'b',
    γ: 'y',
    ε: 'e',
    ζ: 'z',
    η: 'n',
    ι: 'i',
    κ: 'k',
    μ: 'u',
    ν: 'v',
    ο: 'o',
    ρ: 'p',
    τ: 't',
    υ: 'u',
    χ: 'x',
    ω: 'w',
    ϲ: 'c',
    ϳ: 'j',
    // Armenian
    օ: 'o',
    ս: 'u',
    ո: 'n',
    հ: 'h',
    ց: 'g',
    զ: 'q',
    // Latin variants
    ı: 'i',
    ł: 'l',
    ɑ: 'a',
    ɩ: 'i',
    ʟ: 'l',
    ᴏ: 'o',
    ø: 'o',
    đ: 'd',
    ħ: 'h',
    ŀ: 'l',
    ſ: 's',
  }),
);

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/**
 * The homoglyph-folded spelling of a host (`cased` is its Unicode form with the sender's letter case: a
 * capital I among lower-case letters is read as l, as in `paypaI.com`).
 */
export function skeleton(cased: string): string {
  let s = /[a-z]/.test(cased) ? cased.replace(/I/g, 'l') : cased;
  s = s.toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
  let out = '';
  for (const ch of s) out += CONFUSABLES.get(ch) ?? ch;
  return out.replace(/0/g, 'o').replace(/1/g, 'l').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** Whether `a` and `b` differ by exactly one insertion, deletion, substitution or neighbour swap. */
export function isOneEditApart(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (a === b || Math.abs(la - lb) > 1) return false;
  let i = 0;
  const min = Math.min(la, lb);
  while (i < min && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (tailEquals(a, i + 1, b, i + 1)) return true; // substitution
    return (
      i + 1 < la &&
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      tailEquals(a, i + 2, b, i + 2)
    );
  }
  return la < lb ? tailEquals(a, i, b, i + 1) : tailEquals(a, i + 1, b, i);
}

function tailEquals(a: string, ia: number, b: string, ib: number): boolean {
  if (a.length - ia !== b.length - ib) return false;
  while (ia < a.length) if (a.charCodeAt(ia++) !== b.charCodeAt(ib++)) return false;
  return true;
}

/** Whether `needle` occurs in `hay` starting and ending at a label or hyphen boundary. */
function containsAtBoundaries(hay: string, needle: string): boolean {
  let from = 0;
  while (true) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return false;
    const end = at + needle.length;
    const before = at === 0 ? 0x2e : hay.charCodeAt(at - 1);
    const after = end === hay.length ? 0x2e : hay.charCodeAt(end);
    if ((before === 0x2e || before === 0x2d) && (after === 0x2e || after === 0x2d)) return true;
    from = at + 1;
  }
}

interface AllowedShape {
  /** The allow-list entry, as configured (normalised ASCII): named in the rule. */
  readonly domain: string;
  readonly registrable: string;
  readonly skeleton: string;
  /** `company.com`, `company-com`, `companycom` (skeletons), searched for inside other hosts. */
  readonly embedded: readonly string[];
  /** Length of the name in front of the public suffix (`company`). */
  readonly nameLength: number;
}

export class LookalikeMatcher {
  readonly #allowed: readonly AllowedShape[];
  readonly #minEditLength: number;

  /** `allowed`: normalised ASCII allow-list domains, with `unicode` giving their Unicode spelling. */
  constructor(allowed: readonly { ascii: string; unicode: string }[], minEditLength: number) {
    this.#minEditLength = minEditLength;
    const seen = new Set<string>();
    const shapes: AllowedShape[] = [];
    for (const a of allowed) {
      const registrable = registrableDomain(a.ascii);
      if (seen.has(registrable)) continue;
      seen.add(registrable);
      const skel = skeleton(registrableDomain(a.unicode.toLowerCase()));
      const firstDot = skel.indexOf('.');
      // A single-label entry (an intranet name) has nothing to be embedded or mistyped against.
      if (firstDot < 0) continue;
      shapes.push({
        domain: a.ascii,
        registrable,
        skeleton: skel,
        embedded: [skel, skel.replace(/\./g, '-'), skel.replace(/\./g, '')],
        nameLength: firstDot,
      });
    }
    this.#allowed = shapes;
  }

  get size(): number {
    return this.#allowed.length;
  }

  /** The allowed domain `host` imitates, or undefined. `host` must not itself be allow-listed. */
  match(host: HostForms): string | undefined {
    if (this.#allowed.length === 0) return undefined;
    const registrable = registrableDomain(host.ascii);
    const skel = skeleton(host.unicode);
    const skelRegistrable = registrableDomain(skel);
    for (const a of this.#allowed) {
      if (registrable === a.registrable) continue; // same owner, another subdomain
      if (skelRegistrable === a.skeleton) return a.domain;
      if (a.nameLength >= this.#minEditLength && isOneEditApart(skelRegistrable, a.skeleton)) return a.domain;
      for (const e of a.embedded) {
        if (e !== skelRegistrable && containsAtBoundaries(skel, e)) return a.domain;
      }
    }
    return undefined;
  }
}

// Script bits of the letters a host label may mix.
const NO_SCRIPT = 0;
const LATIN = 1;
const CYRILLIC = 2;
const GREEK = 4;
const ARMENIAN = 8;

function scriptOf(c: number): number {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return LATIN;
  if (c < 0xc0) return NO_SCRIPT;
  if ((c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff)) return LATIN;
  if ((c >= 0x370 && c <= 0x3ff) || (c >= 0x1f00 && c <= 0x1fff)) return GREEK;
  if (c >= 0x400 && c <= 0x52f) return CYRILLIC;
  if (c >= 0x530 && c <= 0x58f) return ARMENIAN;
  return NO_SCRIPT;
}

/**
 * Whether an IDN host spells something Latin-looking with other scripts: a label mixing Latin with
 * Cyrillic/Greek/Armenian letters (`pаypal`), or — under an ASCII TLD — a label written wholly in letters
 * that each look Latin (`аррӏе.com`). Real Cyrillic/Greek words use letters with no Latin twin (сайт) and
 * pass; Chinese IDN hosts pass.
 */
export function isHomograph(unicodeHost: string): boolean {
  const labels = unicodeHost.toLowerCase().normalize('NFC').split('.');
  const tld = labels[labels.length - 1];
  const asciiTld = /^[a-z]+$/.test(tld);
  for (let l = 0; l < labels.length - 1; l++) {
    const label = labels[l];
    let scripts = 0;
    let allLookLatin = true;
    let letters = 0;
    for (const ch of label) {
      const s = scriptOf(ch.codePointAt(0) ?? 0);
      if (s === NO_SCRIPT) continue;
      letters++;
      scripts |= s;
      if (s !== LATIN && !CONFUSABLES.has(ch.normalize('NFD').charAt(0))) allLookLatin = false;
    }
    if (letters === 0) continue;
    // More than one script bit set: a mixed-script label, never legitimate in a host name.
    if ((scripts & (scripts - 1)) !== 0) return true;
    if (asciiTld && scripts !== LATIN && allLookLatin) return true;
  }
  return false;
}
