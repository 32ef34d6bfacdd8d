/**
 * The folding tables for the default options, precomputed (tables-snapshot.ts) so that a process does not
 * spend ~0.2 s of CPU (and as much again compiling the builder's code) deciding 130k code points at start-up.
 *
 * Everything the tables are built from is either this package's code and lists, or data that comes with the
 * runtime and opencc-js. The snapshot records a fingerprint of the latter — the JS engine's Unicode and ICU
 * versions (property escapes, NFKC, case mapping, the GBK decoder) and a hash of OpenCC's dictionaries — and
 * is only used when the running process has the same; anything else builds the tables as before. The former
 * is guarded by tests/unit/fold/tables-snapshot.test.ts, which builds the tables and compares them with the
 * snapshot entry by entry. After changing the folding code or lists, regenerate with
 *
 *   node --import tsx scripts/fold-snapshot.ts
 *
 * Format: deflate-raw of little-endian 32-bit words, stored byte-plane by byte-plane (all low bytes first…),
 * which compresses the mostly-identity entries about 10x:
 *   FORMAT | 65536 × (bmp entry XOR identity) | 65536 × (plane-1 entry XOR PAIR)
 *   | n, n × (code point, entry) astral | n, n × (length, units…) expansions | n, n × (variant, target) kept
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { C_PAIR, packEntry } from './entry.js';
import { resolveFolderOptions } from './options.js';
import type { FoldTables } from './tables.js';
import { FOLD_TABLES_SNAPSHOT } from './tables-snapshot.js';
import { traditionalSourceFingerprint } from './traditional.js';
import type { FolderOptions } from './types.js';

const FORMAT = 1;
const PLANE = 0x10000;
const PAIR = packEntry(C_PAIR, 0, 0);

export interface FoldTablesSnapshot {
  /** runtimeFingerprint() of the process that wrote it. */
  readonly runtime: string;
  /** The encoded tables, base64. */
  readonly data: string;
}

/** What the tables depend on besides this package's own code: Unicode/ICU data and OpenCC's dictionaries. */
export function runtimeFingerprint(): string {
  const { unicode, icu } = process.versions;
  return `format ${FORMAT}; unicode ${unicode ?? '-'}; icu ${icu ?? '-'}; opencc ${traditionalSourceFingerprint()}`;
}

/** The snapshot's tables when it applies to these options and this runtime, else undefined. */
export function snapshotTables(
  options: Required<FolderOptions>,
  snapshot: FoldTablesSnapshot = FOLD_TABLES_SNAPSHOT,
): FoldTables | undefined {
  if (!isDefault(options) || snapshot.data === '' || snapshot.runtime !== runtimeFingerprint())
    return undefined;
  return decodeFoldTables(snapshot.data);
}

const DEFAULTS = resolveFolderOptions({});
const OPTION_NAMES = Object.keys(DEFAULTS) as (keyof FolderOptions)[];

function isDefault(o: Required<FolderOptions>): boolean {
  return OPTION_NAMES.every((k) => o[k] === DEFAULTS[k]);
}

export function encodeFoldTables(tables: FoldTables): string {
  const words: number[] = [FORMAT];
  for (let cp = 0; cp < PLANE; cp++) words.push((tables.bmp[cp] ^ cp) >>> 0);
  for (let k = 0; k < PLANE; k++) words.push((tables.plane1[k] ^ PAIR) >>> 0);
  words.push(tables.astral.size);
  for (const [cp, entry] of tables.astral) words.push(cp, entry >>> 0);
  words.push(tables.expansions.length);
  for (const units of tables.expansions) words.push(units.length, ...units);
  words.push(tables.keptVariants.size);
  for (const [variant, target] of tables.keptVariants) words.push(variant, target);
  const n = words.length;
  const planes = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const w = words[i];
    planes[i] = w & 0xff;
    planes[n + i] = (w >>> 8) & 0xff;
    planes[2 * n + i] = (w >>> 16) & 0xff;
    planes[3 * n + i] = w >>> 24;
  }
  return deflateRawSync(planes, { level: 9 }).toString('base64');
}

export function decodeFoldTables(data: string): FoldTables {
  const planes = inflateRawSync(Buffer.from(data, 'base64'));
  const n = planes.length >>> 2;
  const word = (i: number): number =>
    (planes[i] | (planes[n + i] << 8) | (planes[2 * n + i] << 16) | (planes[3 * n + i] << 24)) >>> 0;
  if (word(0) !== FORMAT) throw new Error(`fold tables snapshot has format ${word(0)}, expected ${FORMAT}`);
  const bmp = new Int32Array(PLANE);
  const plane1 = new Int32Array(PLANE);
  decodePlane(planes, n, 1, bmp, -1);
  decodePlane(planes, n, 1 + PLANE, plane1, PAIR);
  let at = 1 + 2 * PLANE;
  const astral = new Map<number, number>();
  for (let k = word(at++); k > 0; k--, at += 2) astral.set(word(at), word(at + 1));
  const expansions: Uint16Array[] = [];
  for (let k = word(at++); k > 0; k--) {
    const length = word(at++);
    const units = new Uint16Array(length);
    for (let u = 0; u < length; u++) units[u] = word(at++);
    expansions.push(units);
  }
  const keptVariants = new Map<number, number>();
  for (let k = word(at++); k > 0; k--, at += 2) keptVariants.set(word(at), word(at + 1));
  if (at !== n) throw new Error(`fold tables snapshot has ${n - at} words too many`);
  return { bmp, plane1, astral, expansions, keptVariants };
}

/** One plane of entries, XORed back with `base` (-1: the code point itself, what a C_UNIT identity entry is). */
function decodePlane(planes: Uint8Array, n: number, from: number, into: Int32Array, base: number): void {
  for (let k = 0; k < PLANE; k++) {
    const i = from + k;
    const w = planes[i] | (planes[n + i] << 8) | (planes[2 * n + i] << 16) | (planes[3 * n + i] << 24);
    into[k] = w ^ (base === -1 ? k : base);
  }
}
