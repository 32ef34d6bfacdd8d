import { ConfigError } from '../contracts/errors.js';
import { identityKey, normalizeCard } from './card.js';
import { isTimestamp } from './time.js';
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
  readonly #byName = new Map<string, Employee[]>();

  constructor(employees: Iterable<Employee>, version = 0) {
    this.version = version;
    this.#byId = new Map();
    for (const e of employees) this.#byId.set(e.employeeId, e);
    for (const e of this.#byId.values()) {
      for (const a of e.accounts) this.#byAccount.set(accountKey(a.platform, a.userId), e);
      push(this.#byIdentity, identityOf(e), e);
      push(this.#byName, nameOf(e), e);
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

  /**
   * Everyone with this name, in any department (for formats without a department); compared after NFKC
   * normalisation and trimming, like cards (`Ｔｏｍ` = `Tom`).
   */
  byName(name: string): readonly Employee[] {
    return this.#byName.get(normalizeCard(name)) ?? NONE;
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

/** An employee's name as cards are compared with it (NFKC, trimmed). */
export function nameOf(e: Pick<Employee, 'name'>): string {
  return normalizeCard(e.name);
}

function push(index: Map<string, Employee[]>, key: string, e: Employee): void {
  const list = index.get(key);
  if (list) list.push(e);
  else index.set(key, [e]);
}

/** `+08:00` / `-0530` / `Z` → minutes east of UTC. Throws ConfigError on anything else (`+08:60`, `+15:00`). */
export function parseUtcOffset(offset: string): number {
  if (offset === 'Z' || offset === 'UTC') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m || Number(m[3]) > 59)
    throw new ConfigError(
      'CONFIG_INVALID',
      'utcOffset',
      `must look like +08:00, got ${JSON.stringify(offset)}`,
    );
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) throw new ConfigError('CONFIG_INVALID', 'utcOffset', 'must be within ±14:00');
  return m[1] === '-' ? -minutes : minutes;
}

/** member-event v1's date pattern: a date, optionally a time, optionally a zone. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An effective date as ms since the epoch. A date (`2025-11-24`) is the start of that day, and a date-time
 * without a zone is read, in the roster's UTC offset (HR's calendar, +08:00 by default); a date-time with a
 * zone (`Z`, `+08:00`, `+0800`) or a number of ms is taken as it is. Returns NaN when it cannot be read:
 * anything but those forms, a day or time that does not exist (`2025-13-45`, `2025-02-30`, `24:00`,
 * `10:99`; nothing rolls over into the next month or hour), or a number of ms outside 1970 to 9999.
 */
export function effectiveAtOf(value: string | number | undefined, utcOffsetMinutes: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return isTimestamp(value) ? value : NaN;
  const m = DATE_TIME.exec(value);
  if (!m) return NaN;
  const [year, month, day] = [+m[1], +m[2], +m[3]];
  const [hour, minute, second] = [m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  let offset = utcOffsetMinutes;
  if (m[8] !== undefined) {
    try {
      offset = parseUtcOffset(m[8]);
    } catch {
      return NaN;
    }
  }
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  return d.getTime() - offset * 60_000;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
