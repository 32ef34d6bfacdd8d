import type { Reason } from '../contracts/types.js';
import type { FloodResult } from './types.js';

/**
 * Turns a flood limiter answer into verdict reasons, and hashes folded text into the `textHash` the limiter
 * keys duplicates on. Both sit here so the memory and Redis limiters, and the pipeline, agree on them.
 */

/** Stable rule ids of the flood limiter's reasons. */
export const FLOOD_RULE_RATE = 'flood:rate';
export const FLOOD_RULE_DUPLICATE = 'flood:duplicate';
/** Cross-group spam is reported as advertising (DESIGN.md), found by the flood detector. */
export const FLOOD_RULE_CROSS_GROUP = 'ads:cross-group';

/** Severity on the reasons' 0–5 scale: flooding is a nuisance, cross-group spam is deliberate. */
const RATE_SEVERITY = 2;
const DUPLICATE_SEVERITY = 2;
const CROSS_GROUP_SEVERITY = 3;

/**
 * Appends one reason per limit the message broke (in the order rate, duplicate, cross-group) and returns
 * how many it appended. `match` is left out: a flood is about the message as a whole, not a span of it.
 */
export function floodReasons(result: FloodResult, out: Reason[]): number {
  const hits = result.hits;
  for (let i = 0; i < hits.length; i++) {
    switch (hits[i]) {
      case 'rate':
        out.push({ detector: 'flood', category: 'flood', rule: FLOOD_RULE_RATE, severity: RATE_SEVERITY });
        break;
      case 'duplicate':
        out.push({
          detector: 'flood',
          category: 'flood',
          rule: FLOOD_RULE_DUPLICATE,
          severity: DUPLICATE_SEVERITY,
        });
        break;
      case 'crossGroup':
        out.push({
          detector: 'flood',
          category: 'ads',
          rule: FLOOD_RULE_CROSS_GROUP,
          severity: CROSS_GROUP_SEVERITY,
        });
        break;
    }
  }
  return hits.length;
}

// FNV-1a, 64-bit, over UTF-16 code units. 64 bits keep accidental collisions between two different texts of
// one user out of reach (~1e-19 per pair); the hash is not a defence against a chosen collision, nor needs
// to be: colliding on purpose only gets a spammer's own messages flagged as duplicates.
// The 64-bit state lives in two uint32 halves; the prime is 2^40 + 0x1b3, so state * prime splits into
// state * 0x1b3 plus the low word shifted into the high word by 8 bits (40 - 32).
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3;
const TWO_32 = 0x100000000;

/** Hex digits of the hash, built without intermediate strings per unit. */
function toHex64(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/**
 * The flood key of a folded text: 16 hex digits (FNV-1a 64 over its UTF-16 code units). The empty text
 * hashes to '' so that attachment-only messages count for the rate limit alone.
 */
export function floodTextHash(foldedText: string): string {
  const n = foldedText.length;
  if (n === 0) return '';
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < n; i++) {
    lo ^= foldedText.charCodeAt(i);
    lo >>>= 0;
    const low = lo * PRIME_LO; // < 2^41: exact in a double
    hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + Math.floor(low / TWO_32)) >>> 0;
    lo = low >>> 0;
  }
  return toHex64(hi, lo);
}

/**
 * The same hash straight from a fold buffer's code units (`FoldBuffer.codes`, `FoldBuffer.length`), so the
 * hot path never builds the folded string. `floodHashUnits(codes, n)` equals `floodTextHash` of those units.
 */
export function floodHashUnits(codes: Uint16Array, length: number): string {
  if (length <= 0) return '';
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < length; i++) {
    lo ^= codes[i];
    lo >>>= 0;
    const low = lo * PRIME_LO;
    hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + Math.floor(low / TWO_32)) >>> 0;
    lo = low >>> 0;
  }
  return toHex64(hi, lo);
}
