/**
 * Unicode properties of a whole plane at once, read from the JS engine's own Unicode data (property
 * escapes and String.prototype.normalize) in a few bulk calls instead of one regex / normalize call per
 * code point: a plane is laid out as one string, one alternation of category regexes walks it run by run (only
 * about a thousand runs in the BMP), and NFKC is applied to the whole plane in one call.
 */

export const GC_OTHER = 0; // unassigned, private use, surrogates
export const GC_LETTER = 1;
export const GC_NUMBER = 2;
export const GC_MARK = 3; // non-spacing and enclosing marks (Mn, Me)
export const GC_SPACING_MARK = 4; // Mc
export const GC_PUNCTUATION = 5;
export const GC_SYMBOL = 6;
export const GC_FORMAT = 7;
export const GC_CONTROL = 8;
export const GC_SEPARATOR = 9;

// One alternation, capture group g ↔ category g: a single pass over the plane, one match per run.
const CATEGORY_RUNS =
  /(\p{L}+)|(\p{N}+)|([\p{Mn}\p{Me}]+)|(\p{Mc}+)|(\p{P}+)|(\p{S}+)|(\p{Cf}+)|(\p{Cc}+)|(\p{Z}+)/gu;
const UPPER_RUNS = /[\p{Lu}\p{Lt}]+/gu;
const SINGLE_CATEGORY = new RegExp(`^(?:${CATEGORY_RUNS.source.replaceAll('+)', ')')})$`, 'u');

/** Properties of the 65,536 code points of one plane, indexed by (code point − first). */
export interface PlaneData {
  readonly first: number;
  readonly category: Uint8Array;
  /** 1 for upper- and title-case letters (the ones lower-casing can change). */
  readonly upper: Uint8Array;
  /** NFKC form of a code point ('x' stands in for surrogates). */
  nfkc(k: number): string;
  /** Whether NFKC leaves the code point as it is (cheap: no string is made). */
  nfkcUnchanged(k: number): boolean;
}

const PLANE_SIZE = 0x10000;
const CHUNK = 4096;
const SEPARATOR = 0; // U+0000: a starter that composes with nothing, so NFKC never crosses it
const STAND_IN = 0x78; // 'x', for code points that cannot go through normalize() as they are

export function readPlane(plane: number): PlaneData {
  const first = plane * PLANE_SIZE;
  const width = plane === 0 ? 1 : 2; // UTF-16 units per code point in this plane
  // The plane as UTF-16 (for the category runs), and again with U+0000 after each code point (for NFKC).
  const units = new Uint16Array(PLANE_SIZE * width);
  const separated = new Uint16Array(PLANE_SIZE * (width + 1));
  for (let k = 0; k < PLANE_SIZE; k++) {
    const cp = first + k;
    if (width === 1) {
      units[k] = cp;
      separated[2 * k] = cp === SEPARATOR || (cp >= 0xd800 && cp <= 0xdfff) ? STAND_IN : cp;
      separated[2 * k + 1] = SEPARATOR;
    } else {
      const high = 0xd800 + ((cp - 0x10000) >> 10);
      const low = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      units[2 * k] = separated[3 * k] = high;
      units[2 * k + 1] = separated[3 * k + 1] = low;
      separated[3 * k + 2] = SEPARATOR;
    }
  }
  // In the BMP text the surrogates stay as they are: a /u regex sees them as no category at all.
  const text = decode(units);
  const category = new Uint8Array(PLANE_SIZE);
  const runs = new RegExp(CATEGORY_RUNS.source, CATEGORY_RUNS.flags);
  for (let m = runs.exec(text); m !== null; m = runs.exec(text)) {
    let gc = 1;
    while (m[gc] === undefined) gc++;
    category.fill(gc, m.index / width, (m.index + m[0].length) / width);
  }
  const upper = new Uint8Array(PLANE_SIZE);
  const upperRuns = new RegExp(UPPER_RUNS.source, UPPER_RUNS.flags);
  for (let m = upperRuns.exec(text); m !== null; m = upperRuns.exec(text)) {
    upper.fill(1, m.index / width, (m.index + m[0].length) / width);
  }

  const normalized = decode(separated).normalize('NFKC');
  // offsets[k] = where code point k's NFKC form starts; it ends one before offsets[k + 1] (the separator).
  const offsets = new Int32Array(PLANE_SIZE + 1);
  let at = 0;
  for (let k = 0; k < PLANE_SIZE; k++) {
    offsets[k] = at;
    const sep = normalized.indexOf('\0', at);
    if (sep < 0) throw new Error(`NFKC bulk pass lost separators in plane ${plane}`);
    at = sep + 1;
  }
  offsets[PLANE_SIZE] = at;
  if (at !== normalized.length) throw new Error(`NFKC bulk pass gained separators in plane ${plane}`);

  return {
    first,
    category,
    upper,
    nfkc: (k) => normalized.slice(offsets[k], offsets[k + 1] - 1),
    nfkcUnchanged: (k) => {
      const from = offsets[k];
      if (offsets[k + 1] - 1 - from !== width) return false;
      return width === 1
        ? normalized.charCodeAt(from) === units[k]
        : normalized.charCodeAt(from) === units[2 * k] &&
            normalized.charCodeAt(from + 1) === units[2 * k + 1];
    },
  };
}

function decode(units: Uint16Array): string {
  let out = '';
  for (let i = 0; i < units.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, units.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** General category of one code point (for the few astral code points outside planes 0 and 1). */
export function categoryOf(cp: number): number {
  const m = SINGLE_CATEGORY.exec(String.fromCodePoint(cp));
  if (m === null) return GC_OTHER;
  let gc = 1;
  while (m[gc] === undefined) gc++;
  return gc;
}

export function isUpper(cp: number): boolean {
  return /^[\p{Lu}\p{Lt}]$/u.test(String.fromCodePoint(cp));
}
