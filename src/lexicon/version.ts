/**
 * The lexicon version carried by every verdict: `sha256:<hex>` over the normalised content of every term
 * (category, term, attributes) and allow phrase. Lines are de-duplicated and put in a canonical order first,
 * so the version does not depend on the order directories, files or lines were loaded in, on line endings,
 * BOMs, comments or blank lines — only on what the matcher will actually match.
 */
import { createHash } from 'node:crypto';
import type { AllowSource, TermSource } from './types.js';

/** Entry indices fit in the low 21 bits of a sort key whose high bits are a 32-bit line hash. */
const INDEX_BITS = 2 ** 21;
const FNV_OFFSET = 0x811c9dc5;

export function lexiconVersion(
  terms: readonly TermSource[],
  allow: readonly (string | AllowSource)[] = [],
): string {
  const n = terms.length + allow.length;
  const lineOf = (i: number): string => {
    if (i < terms.length) {
      const t = terms[i];
      return `T\t${t.category}\t${t.term}\t${normalisedAttributes(t)}\n`;
    }
    const a = allow[i - terms.length];
    return `A\t${typeof a === 'string' ? a : a.phrase}\n`;
  };
  const hashOf = (i: number): number => {
    if (i < terms.length) {
      const t = terms[i];
      let h = fnv(FNV_OFFSET, 'T\t');
      h = fnv(h, t.category);
      h = fnv(h, '\t');
      h = fnv(h, t.term);
      h = fnv(h, '\t');
      return fnv(h, normalisedAttributes(t)) >>> 0;
    }
    const a = allow[i - terms.length];
    return fnv(fnv(FNV_OFFSET, 'A\t'), typeof a === 'string' ? a : a.phrase) >>> 0;
  };

  const hash = createHash('sha256');
  let chunk = '';
  let previous: string | undefined;
  for (const index of canonicalOrder(n, hashOf, lineOf)) {
    const line = lineOf(index);
    if (line === previous) continue;
    previous = line;
    chunk += line;
    if (chunk.length >= 65536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Entry indices ordered by (32-bit FNV-1a hash of the line, line text). Sorting numbers is several times
 * faster than sorting 100k strings; equal lines end up next to each other, and ties between different lines
 * with the same hash are broken by the text, so the order depends on the content alone.
 */
function canonicalOrder(n: number, hashOf: (i: number) => number, lineOf: (i: number) => string): Int32Array {
  const byText = (a: number, b: number): number => {
    const x = lineOf(a);
    const y = lineOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  if (n >= INDEX_BITS) return Int32Array.from({ length: n }, (_, i) => i).sort(byText);
  const hashes = new Uint32Array(n);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    hashes[i] = hashOf(i);
    keys[i] = hashes[i] * INDEX_BITS + i;
  }
  keys.sort();
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = keys[i] % INDEX_BITS;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && hashes[order[j]] === hashes[order[i]]) j++;
    if (j - i > 1) order.set(Array.from(order.subarray(i, j)).sort(byText), i);
    i = j;
  }
  return order;
}

function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

function normalisedAttributes(t: TermSource): string {
  if (
    t.severity === undefined &&
    t.phonetic === undefined &&
    t.plain === undefined &&
    t.boundary === undefined
  ) {
    if (!t.dryRun) return '';
  }
  const parts: string[] = [];
  if (t.severity !== undefined) parts.push(`severity=${t.severity}`);
  if (t.phonetic !== undefined) parts.push(`phonetic=${t.phonetic ? 'on' : 'off'}`);
  if (t.plain !== undefined) parts.push(`plain=${t.plain ? 'on' : 'off'}`);
  if (t.boundary !== undefined) parts.push(`boundary=${t.boundary}`);
  if (t.dryRun) parts.push('dryRun');
  return parts.join(',');
}
