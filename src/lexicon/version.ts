/**
 * The lexicon version carried by every verdict: `sha256:<hex>` over the normalised content of every term
 * (category, term, attributes) and allow phrase. Lines are de-duplicated and put in a canonical order first,
 * so the version does not depend on the order directories, files or lines were loaded in, on line endings,
 * BOMs, comments or blank lines — only on what the matcher will actually match.
 */
import { createHash } from 'node:crypto';
import type { AllowSource, TermSource } from './types.js';

const FNV_OFFSET = 0x811c9dc5;

export function lexiconVersion(
  terms: readonly TermSource[],
  allow: readonly (string | AllowSource)[] = [],
): string {
  const n = terms.length + allow.length;
  // Each line is made once; its hash covers the line without its newline.
  const lines: string[] = new Array(n);
  const hashes = new Uint32Array(n);
  // `T\t<category>\t` and `\t<attributes>\n` are shared by many lines: two concatenations per line.
  const prefixes = new Map<string, string>();
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    let prefix = prefixes.get(t.category);
    if (prefix === undefined) prefixes.set(t.category, (prefix = `T\t${t.category}\t`));
    const attributes = normalisedAttributes(t);
    const line = prefix + t.term + (attributes === '' ? '\t\n' : `\t${attributes}\n`);
    lines[i] = line;
    hashes[i] = fnvLine(line);
  }
  for (let k = 0; k < allow.length; k++) {
    const a = allow[k];
    const line = `A\t${typeof a === 'string' ? a : a.phrase}\n`;
    lines[terms.length + k] = line;
    hashes[terms.length + k] = fnvLine(line);
  }
  const hash = createHash('sha256');
  const order = canonicalOrder(hashes, (i) => lines[i]);
  const chunk: string[] = [];
  let previous: string | undefined;
  // Equal lines were sorted next to each other.
  for (let k = 0; k < n; k++) {
    const line = lines[order[k]];
    if (line === previous) continue;
    previous = line;
    chunk.push(line);
    if (chunk.length === CHUNK_LINES) {
      hash.update(chunk.join(''));
      chunk.length = 0;
    }
  }
  hash.update(chunk.join(''));
  return `sha256:${hash.digest('hex')}`;
}
/** Lines hashed per update call: few native calls, no huge string. */
const CHUNK_LINES = 2048;

/** 32-bit FNV-1a of a line without its final newline. */
function fnvLine(line: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < line.length - 1; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Entry indices ordered by (32-bit FNV-1a hash of the line, line text). Sorting numbers is several times
 * faster than sorting 100k strings; equal lines end up next to each other, and ties between different lines
 * with the same hash are broken by the text, so the order depends on the content alone.
 */
function canonicalOrder(hashes: Uint32Array, lineOf: (i: number) => string): Int32Array {
  const n = hashes.length;
  const byText = (a: number, b: number): number => {
    const x = lineOf(a);
    const y = lineOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const order = sortByHash(hashes);
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && hashes[order[j]] === hashes[order[i]]) j++;
    if (j - i > 1) order.set(Array.from(order.subarray(i, j)).sort(byText), i);
    i = j;
  }
  return order;
}

/** Indices 0..n-1 ordered by hash, equal hashes in index order: a stable two-pass radix sort on 16-bit halves. */
function sortByHash(hashes: Uint32Array): Int32Array {
  const n = hashes.length;
  const low = new Int32Array(n);
  const count = new Int32Array(0x10001);
  for (let i = 0; i < n; i++) count[(hashes[i] & 0xffff) + 1]++;
  for (let b = 0; b < 0x10000; b++) count[b + 1] += count[b];
  for (let i = 0; i < n; i++) low[count[hashes[i] & 0xffff]++] = i;
  count.fill(0);
  for (let i = 0; i < n; i++) count[(hashes[i] >>> 16) + 1]++;
  for (let b = 0; b < 0x10000; b++) count[b + 1] += count[b];
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = low[k];
    order[count[hashes[i] >>> 16]++] = i;
  }
  return order;
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
