import type { SenderRole } from '../contracts/types.js';
import { effectiveAtOf } from './roster.js';
import { isTimestamp } from './time.js';
import type { MemberEvent } from './types.js';

export { MAX_TS_MS, isTimestamp } from './time.js';

/** The sender roles message v1 and member observations know. */
export const SENDER_ROLES: ReadonlySet<unknown> = new Set<SenderRole>(['owner', 'admin', 'member']);

export function isSenderRole(v: unknown): v is SenderRole {
  return SENDER_ROLES.has(v);
}

/**
 * Checks member input beyond its JSON schema: what the schema cannot say (a time that is a number but no
 * date, a string with a lone UTF-16 surrogate, a calendar date that does not exist) and what would
 * otherwise break a store write for a whole batch (Redis' cjson refuses lone surrogates; a time of
 * Infinity has no decimal form).
 */

type Key = string | number;

/** `sender.card`, `message[0].data.text`: the path of the keys walked down to a value ('' for the root). */
function pathOf(keys: readonly Key[]): string {
  let path = '';
  for (const k of keys) path = typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : k;
  return path;
}

/**
 * The one walk over the strings of a value (objects and arrays, 16 levels deep) for lone UTF-16
 * surrogates. Each bad string's path goes to `fields`, built only then (the walk itself keeps a stack of
 * keys). `repair`: answers the value with each bad string replaced by U+FFFD (copied only along the way
 * to one: the value itself when there is none); otherwise stops at the first and answers the value.
 */
function walk(v: unknown, repair: boolean, keys: Key[], fields: string[]): unknown {
  if (typeof v === 'string') {
    if (v.isWellFormed()) return v;
    fields.push(pathOf(keys));
    return repair ? v.toWellFormed() : v;
  }
  if (v === null || typeof v !== 'object' || keys.length > 16) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      keys.push(i);
      const r = walk(v[i], repair, keys, fields);
      keys.pop();
      if (!repair && fields.length > 0) return v;
      if (r !== v[i]) (copy ??= v.slice())[i] = r;
    }
    return copy ?? v;
  }
  const o = v as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    const x = o[k];
    keys.push(k);
    const r = walk(x, repair, keys, fields);
    keys.pop();
    if (!repair && fields.length > 0) return v;
    if (r !== x) (copy ??= { ...o })[k] = r;
  }
  return copy ?? v;
}

/** The path of the first string under `value` that holds a lone surrogate ('(record)': the value itself), or null. */
function loneSurrogateAt(value: unknown): string | null {
  const fields: string[] = [];
  walk(value, false, [], fields);
  return fields.length === 0 ? null : fields[0] || '(record)';
}

/**
 * `value` with every lone surrogate in its strings replaced by U+FFFD, each place named in `fields`
 * (e.g. `sender.card`); `value` itself (not a copy) when there is none, which is nearly always.
 */
export function repairLoneSurrogates(value: unknown, fields: string[]): unknown {
  return walk(value, true, [], fields);
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
