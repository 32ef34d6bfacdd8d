import { ConfigError } from '../contracts/errors.js';
import { identityKey } from './card.js';
import type { Employee, EmployeeInput } from './types.js';

/**
 * The roster in memory, indexed for the lookups member rules make: by employee id, by chat account and by
 * identity (department + name). Immutable: an update builds a new Roster (rosters change a few times a
 * day; lookups happen for every card checked).
 */
export class Roster {
  readonly version: number;
  readonly #byId: Map<string, Employee>;
  readonly #byAccount = new Map<string, Employee>();
  readonly #byIdentity = new Map<string, Employee[]>();

  constructor(employees: Iterable<Employee>, version = 0) {
    this.version = version;
    this.#byId = new Map();
    for (const e of employees) this.#byId.set(e.employeeId, e);
    for (const e of this.#byId.values()) {
      for (const a of e.accounts) this.#byAccount.set(accountKey(a.platform, a.userId), e);
      const id = identityOf(e);
      const list = this.#byIdentity.get(id);
      if (list) list.push(e);
      else this.#byIdentity.set(id, [e]);
    }
  }

  static empty(): Roster {
    return new Roster([], 0);
  }

  get size(): number {
    return this.#byId.size;
  }

  byId(employeeId: string): Employee | undefined {
    return this.#byId.get(employeeId);
  }

  byAccount(platform: string, userId: string): Employee | undefined {
    return this.#byAccount.get(accountKey(platform, userId));
  }

  /** Everyone with this department and name (namesakes included). */
  byIdentity(identity: string): readonly Employee[] {
    return this.#byIdentity.get(identity) ?? NONE;
  }

  /** Active employees with this name, in any department (for formats without a department). */
  byName(name: string): Employee[] {
    const out: Employee[] = [];
    for (const list of this.#byIdentity.values()) for (const e of list) if (e.name === name) out.push(e);
    return out;
  }

  /** Employees whose departure is effective at `now` (status left, effective date reached). */
  departedBy(now: number): Employee[] {
    const out: Employee[] = [];
    for (const e of this.#byId.values()) if (e.status === 'left' && e.effectiveAt <= now) out.push(e);
    return out;
  }

  /** True when `employee` left at `now`. A future departure date still counts as active. */
  static hasLeft(employee: Employee, now: number): boolean {
    return employee.status === 'left' && employee.effectiveAt <= now;
  }

  all(): IterableIterator<Employee> {
    return this.#byId.values();
  }
}

const NONE: readonly Employee[] = Object.freeze([]);

export function accountKey(platform: string, userId: string): string {
  return platform + '\u0000' + userId;
}

export function identityOf(e: Pick<Employee, 'department' | 'name'>): string {
  return identityKey(e.department, e.name);
}

/** `+08:00` / `-0530` / `Z` → minutes east of UTC. */
export function parseUtcOffset(offset: string): number {
  if (offset === 'Z' || offset === 'UTC') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m)
    throw new ConfigError(
      'CONFIG_INVALID',
      'utcOffset',
      `must look like +08:00, got ${JSON.stringify(offset)}`,
    );
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) throw new ConfigError('CONFIG_INVALID', 'utcOffset', 'must be within ±14:00');
  return m[1] === '-' ? -minutes : minutes;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/**
 * An effective date as ms since the epoch. A date (`2025-11-24`) is the start of that day, and a date-time
 * without a zone is read, in the roster's UTC offset (HR's calendar, +08:00 by default); a date-time with a
 * zone or a number is taken as it is. Returns NaN when it cannot be read.
 */
export function effectiveAtOf(value: string | number | undefined, utcOffsetMinutes: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const d = DATE_ONLY.exec(value);
  if (d) return Date.UTC(+d[1], +d[2] - 1, +d[3]) - utcOffsetMinutes * 60_000;
  const l = LOCAL_DATE_TIME.exec(value);
  if (l) {
    const ms = l[7] ? Math.round(Number(l[7]) * 1000) : 0;
    return Date.UTC(+l[1], +l[2] - 1, +l[3], +l[4], +l[5], l[6] ? +l[6] : 0, ms) - utcOffsetMinutes * 60_000;
  }
  return Date.parse(value);
}

/** A roster entry as HR sent it → the form the rules use. Throws RangeError on an unreadable date. */
export function normalizeEmployee(input: EmployeeInput, utcOffsetMinutes: number): Employee {
  const effectiveAt = effectiveAtOf(input.effectiveDate, utcOffsetMinutes);
  if (!Number.isFinite(effectiveAt)) {
    throw new RangeError(
      `employee ${input.employeeId}: effectiveDate ${JSON.stringify(input.effectiveDate)} is not a date`,
    );
  }
  return {
    employeeId: input.employeeId,
    name: input.name.trim(),
    department: input.department.trim(),
    status: input.status,
    effectiveAt,
    accounts: (input.accounts ?? []).map((a) => ({ platform: a.platform, userId: String(a.userId) })),
  };
}
