import type { StrikeRequest } from './types.js';

/**
 * Rejects a strike request a store cannot count with: every number finite. The policy engine only sends
 * values its schema bounded; this guards library callers, and both stores apply it so they agree.
 * Throws a RangeError naming the field and the request's place in the batch.
 */
export function checkStrikeRequest(r: StrikeRequest, index: number): void {
  const fields: [string, number | undefined][] = [
    ['ts', r.ts],
    ['weight', r.weight],
    ['entryStep', r.entryStep],
    ['ttlMs', r.ttlMs],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new RangeError(`strike request [${index}]: ${name} must be a finite number, got ${value}`);
    }
  }
}
