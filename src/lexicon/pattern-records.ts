/**
 * The compiler's pattern tables (LexiconTables, one typed array per field) repacked for the matcher's
 * per-hit work. Verifying one automaton hit used to read a dozen arrays at the pattern's and its term's index
 * (kind, owner, left, right, offset, codes, run, mark, termFlags, termCjk, termCategoryIndex…): on a large
 * lexicon each of them is a cache miss of its own, and those misses cost more than the checks. Here
 * everything a hit needs sits in one 16-byte record per pattern plus one word per pattern unit. (Copying
 * the units of short patterns into the record as well, to save the second cache line, measured no faster.)
 *
 *   record[4p + R_UNITS]  offset of the pattern's first unit in `units`
 *   record[4p + R_OWNER]  term index (TERM, PINYIN, ALIAS), allow phrase index (ALLOW) or word index (WORD)
 *   record[4p + R_SHAPE]  kind | left boundary << 4 | right boundary << 6 | length << 8
 *   record[4p + R_TERM]   the owning term's category index | severity << 8 | TERM_* flags << 16 | CJK count << 24
 *   units[u]              code unit | MARK_* bits << 16 | run requirement << 18 (RUN_SATURATED: read `runs`)
 */
import { KIND_ALLOW, KIND_WORD } from './kinds.js';
import type { LexiconTables } from './matcher.js';

export const R_UNITS = 0;
export const R_OWNER = 1;
export const R_SHAPE = 2;
export const R_TERM = 3;
export const RECORD_WORDS = 4;

export const SHAPE_KIND_MASK = 0xf;
export const SHAPE_LEFT_SHIFT = 4;
export const SHAPE_RIGHT_SHIFT = 6;
export const SHAPE_BOUNDARY_MASK = 0x3;
export const SHAPE_LENGTH_SHIFT = 8;

export const TERM_SEVERITY_SHIFT = 8;
export const TERM_FLAGS_SHIFT = 16;
export const TERM_CJK_SHIFT = 24;

export const UNIT_CODE_MASK = 0xffff;
export const UNIT_MARK_SHIFT = 16;
export const UNIT_MARK_MASK = 0x3;
export const UNIT_RUN_SHIFT = 18;
/** A packed run this large means "look the exact requirement up in `runs`" (terms with absurdly long runs). */
export const RUN_SATURATED = 0x3fff;

export interface PatternRecords {
  readonly record: Int32Array;
  readonly units: Int32Array;
  /** Exact run requirement per unit when some unit's run saturated (else empty: never read). */
  readonly runs: Uint16Array;
}

export function packPatternRecords(t: LexiconTables): PatternRecords {
  const record = packRecords(t);
  const { units, saturated } = packUnits(t.codes, t.mark, t.run);
  // The exact runs are only ever read for a saturated unit: keep them only when there is one.
  return { record, units, runs: saturated ? t.run.slice() : new Uint16Array(0) };
}

// Two functions, tables read into locals: each loop is compiled on its own (it runs once per compile, over
// every pattern and every unit).

function packRecords(t: LexiconTables): Int32Array {
  const { kind, owner, offset, left, right, termCategoryIndex, termSeverity, termFlags, termCjk } = t;
  const patterns = kind.length;
  const record = new Int32Array(patterns * RECORD_WORDS);
  for (let p = 0; p < patterns; p++) {
    const at = p * RECORD_WORDS;
    const k = kind[p];
    const o = owner[p];
    record[at + R_UNITS] = offset[p];
    record[at + R_OWNER] = o;
    record[at + R_SHAPE] =
      k |
      (left[p] << SHAPE_LEFT_SHIFT) |
      (right[p] << SHAPE_RIGHT_SHIFT) |
      ((offset[p + 1] - offset[p]) << SHAPE_LENGTH_SHIFT);
    // Allow phrases and words have no term: their owner indexes other lists.
    record[at + R_TERM] =
      k === KIND_ALLOW || k === KIND_WORD
        ? 0
        : termCategoryIndex[o] |
          (termSeverity[o] << TERM_SEVERITY_SHIFT) |
          (termFlags[o] << TERM_FLAGS_SHIFT) |
          (termCjk[o] << TERM_CJK_SHIFT);
  }
  return record;
}

function packUnits(
  codes: Uint16Array,
  mark: Uint8Array,
  run: Uint16Array,
): { units: Int32Array; saturated: boolean } {
  const unitCount = codes.length;
  const units = new Int32Array(unitCount);
  let saturated = false;
  for (let u = 0; u < unitCount; u++) {
    const r = run[u] < RUN_SATURATED ? run[u] : RUN_SATURATED;
    if (r === RUN_SATURATED) saturated = true;
    units[u] = codes[u] | ((mark[u] & UNIT_MARK_MASK) << UNIT_MARK_SHIFT) | (r << UNIT_RUN_SHIFT);
  }
  return { units, saturated };
}
