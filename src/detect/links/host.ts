/**
 * Host names as the link rules compare them: one spelling (lower-case ASCII, punycode for IDN) for list
 * look-ups, one in Unicode for homoglyph checks, plus the registrable domain ("who owns it").
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { CN_PROVINCE_SUFFIXES, SECOND_LEVEL_SUFFIXES, TLDS } from './tlds.js';

export interface HostForms {
  /** Lower-case ASCII (IDN labels in punycode): what allow/deny/shortener lists are matched against. */
  readonly ascii: string;
  /** Unicode, case preserved (punycode decoded): what homoglyph checks look at. */
  readonly unicode: string;
  /** Whether any label is non-ASCII or punycode (`xn--`). */
  readonly idn: boolean;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The two spellings of a host written with plain dots and ASCII-folded widths (`cased` keeps the letter
 * case the sender used; it matters for `I` vs `l`). Hosts node:url refuses (e.g. `a_b.com`) keep their
 * lower-cased spelling: they are still compared, they just cannot be IDN.
 */
export function hostForms(cased: string): HostForms {
  const lower = cased.toLowerCase();
  if (isAscii(lower)) {
    if (!lower.includes('xn--')) return { ascii: lower, unicode: cased, idn: false };
    const unicode = domainToUnicode(lower);
    return { ascii: lower, unicode: unicode || cased, idn: true };
  }
  const ascii = domainToASCII(lower);
  return { ascii: ascii || lower, unicode: cased, idn: true };
}

/** Normalises a configured domain (`Company.COM`, `*.company.com`, `.company.com`, `例子.中国`) to ASCII. */
export function normaliseListedDomain(entry: string): string | undefined {
  let d = entry.trim().toLowerCase();
  if (d.startsWith('*.')) d = d.slice(2);
  else if (d.startsWith('.')) d = d.slice(1);
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d === '' || /[\s/\\@:?#]/.test(d)) return undefined;
  const ascii = isAscii(d) ? d : domainToASCII(d);
  if (!ascii || ascii.includes('..')) return undefined;
  return ascii;
}

/** Whether `label` (lower-case, any script) is a TLD we know, including punycode spellings of IDN TLDs. */
export function isKnownTld(label: string): boolean {
  if (TLDS.has(label)) return true;
  if (label.startsWith('xn--')) {
    const u = domainToUnicode(label);
    return u !== '' && TLDS.has(u);
  }
  return false;
}

/**
 * The registrable domain of a lower-case host: its last two labels, or three under a public second-level
 * suffix (`company.com.cn`, `bbc.co.uk`, `company.bj.cn`). A heuristic, not the Public Suffix List: it only
 * needs to tell "the same owner" from "someone else" for look-alike checks.
 */
export function registrableDomain(host: string): string {
  const last = host.lastIndexOf('.');
  if (last <= 0) return host;
  const second = host.lastIndexOf('.', last - 1);
  if (second < 0) return host;
  const tld = host.slice(last + 1);
  const sld = host.slice(second + 1, last);
  const publicSecond =
    tld.length === 2 && (SECOND_LEVEL_SUFFIXES.has(sld) || (tld === 'cn' && CN_PROVINCE_SUFFIXES.has(sld)));
  if (!publicSecond) return host.slice(second + 1);
  const third = host.lastIndexOf('.', second - 1);
  return host.slice(third + 1);
}

/** Dotted-quad IPv4 (`192.168.1.1`) → 32-bit value, or -1. */
export function parseIPv4(host: string): number {
  let value = 0;
  let parts = 0;
  let i = 0;
  const n = host.length;
  while (i <= n) {
    let j = i;
    let octet = 0;
    while (j < n && host.charCodeAt(j) >= 0x30 && host.charCodeAt(j) <= 0x39) {
      octet = octet * 10 + (host.charCodeAt(j) - 0x30);
      j++;
    }
    if (j === i || j - i > 3 || octet > 255) return -1;
    value = value * 256 + octet;
    parts++;
    if (j === n) break;
    if (host.charCodeAt(j) !== 0x2e || parts === 4) return -1;
    i = j + 1;
  }
  return parts === 4 ? value : -1;
}

/** Host written as one decimal or hex number (`http://3232235777/`, `http://0xC0A80101/`) → IPv4, or -1. */
export function parseNumericHost(host: string): number {
  if (/^[0-9]{1,10}$/.test(host)) {
    const v = Number(host);
    return v <= 0xffffffff ? v : -1;
  }
  if (/^0x[0-9a-f]{1,8}$/.test(host)) return parseInt(host.slice(2), 16);
  return -1;
}

/** Private, loopback, link-local, CGNAT and "this network" IPv4 ranges: intranet links, not the internet. */
export function isPrivateIPv4(ip: number): boolean {
  const a = Math.floor(ip / 0x1000000);
  const b = Math.floor(ip / 0x10000) & 0xff;
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** Loopback (::1), unique-local (fc00::/7) and link-local (fe80::/10) IPv6, given the text inside [ ]. */
export function isPrivateIPv6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === '::1' || h === '::') return true;
  return /^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h);
}
