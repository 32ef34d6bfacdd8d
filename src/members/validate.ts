import { effectiveAtOf } from './roster.js';
import { isTimestamp } from './time.js';
import type { MemberEvent } from './types.js';

export { MAX_TS_MS, isTimestamp } from './time.js';

/**
 * Checks member input beyond its JSON schema: what the schema cannot say (a time that is a number but no
 * date, a string with a lone UTF-16 surrogate, a calendar date that does not exist) and what would
 * otherwise break a store write for a whole batch (Redis' cjson refuses lone surrogates; a time of
 * Infinity has no decimal form).
 */

/** The string with every lone surrogate replaced by U+FFFD (the string itself when there is none). */
export function wellFormed(s: string): string {
  return s.isWellFormed() ? s : s.toWellFormed();
}

/** The path of the first string under `value` that holds a lone surrogate, or null. */
export function loneSurrogateAt(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path || '(record)';
  if (value === null || typeof value !== 'object' || depth > 16) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = loneSurrogateAt(value[i], `${path}[${i}]`, depth + 1);
      if (at !== null) return at;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = loneSurrogateAt(v, path ? `${path}.${k}` : k, depth + 1);
    if (at !== null) return at;
  }
  return null;
}

export interface MemberInputProblem {
  code: 'BAD_MESSAGE' | 'BAD_ENCODING';
  /** Names the field and the rule, like schema errors do. */
  message: string;
}

/**
 * Why a (schema-valid) member event cannot be applied, or null: `ts` out of range, a string with a lone
 * surrogate (BAD_ENCODING), a roster date that is not a real date (2025-13-45, 2025-02-30, 24:99), or
 * a number of ms outside 1970 to 9999.
 */
export function memberEventProblem(e: MemberEvent): MemberInputProblem | null {
  if (!isTimestamp(e.ts))
    return { code: 'BAD_MESSAGE', message: 'ts must be a time from 1970 to 9999 in ms (range)' };
  const at = loneSurrogateAt(e);
  if (at !== null)
    return { code: 'BAD_ENCODING', message: `${at} contains a lone UTF-16 surrogate (wellFormed)` };
  if (e.kind === 'roster.update') {
    for (let i = 0; i < e.employees.length; i++) {
      const date = e.employees[i].effectiveDate;
      if (date !== undefined && !Number.isFinite(effectiveAtOf(date, 0)))
        return {
          code: 'BAD_MESSAGE',
          message: `employees[${i}].effectiveDate ${JSON.stringify(date)} is not a date (date)`,
        };
    }
  }
  return null;
}
