import type { FloodHit, FloodResult } from './types.js';

/** Hit bits, in the order of FloodResult.hits: rate, duplicate, crossGroup. */
export const RATE_BIT = 1;
export const DUPLICATE_BIT = 2;
export const CROSS_GROUP_BIT = 4;

/** One shared, frozen hits list per combination: results allocate no array of their own. */
export const HITS_BY_BITS: readonly FloodHit[][] = Array.from({ length: 8 }, (_, bits) => {
  const hits: FloodHit[] = [];
  if (bits & RATE_BIT) hits.push('rate');
  if (bits & DUPLICATE_BIT) hits.push('duplicate');
  if (bits & CROSS_GROUP_BIT) hits.push('crossGroup');
  return Object.freeze(hits) as FloodHit[];
});

// Interned results: nearly every answer has small counts (a rate under 64, a handful of copies and
// groups), so one frozen object per combination serves them all and a flood check allocates nothing per
// message — at hundreds of thousands of decisions a second the result objects were most of the limiter's
// garbage. 3 + 6 + 3 + 3 bits = 32 768 slots, filled on first use; larger counts get a fresh object.
const RATE_LIMIT = 64;
const SMALL_LIMIT = 8;
const interned: (FloodResult | undefined)[] = new Array<FloodResult | undefined>(1 << 15).fill(undefined);

/** The result for these hit bits and counts (frozen and shared when the counts are small). */
export function floodResult(
  bits: number,
  rateCount: number,
  duplicateCount: number,
  groupCount: number,
): FloodResult {
  if (rateCount < RATE_LIMIT && duplicateCount < SMALL_LIMIT && groupCount < SMALL_LIMIT) {
    const slot = bits | (rateCount << 3) | (duplicateCount << 9) | (groupCount << 12);
    let result = interned[slot];
    if (result === undefined) {
      result = Object.freeze({ hits: HITS_BY_BITS[bits], rateCount, duplicateCount, groupCount });
      interned[slot] = result;
    }
    return result;
  }
  return { hits: HITS_BY_BITS[bits], rateCount, duplicateCount, groupCount };
}
