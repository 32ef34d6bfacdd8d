/**
 * Evasion bits ↔ names. FoldBuffer.flags and FoldedTerm.flags carry EV_* bits; a Reason's `evasion` list
 * carries names. Bit i stands for EVASIONS[i] (contracts/types.ts).
 */
import { EVASIONS } from '../contracts/types.js';
import type { Evasion } from '../contracts/types.js';
import { EV_INVISIBLE, FLAG_MARKED } from './types.js';

/** The names of the bits set in `bits`, in EVASIONS order (FLAG_MARKED reads as invisible). */
export function evasionNames(bits: number): Evasion[] {
  const names: Evasion[] = [];
  const evasions = (bits & FLAG_MARKED) !== 0 ? (bits & ~FLAG_MARKED) | EV_INVISIBLE : bits;
  for (let i = 0; i < EVASIONS.length; i++) if ((evasions >>> i) & 1) names.push(EVASIONS[i]);
  return names;
}

/** The bit for one evasion name. */
export function evasionBit(name: Evasion): number {
  return 1 << EVASIONS.indexOf(name);
}
