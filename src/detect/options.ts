/**
 * Validation helpers shared by the detectors' option resolvers. Options may come straight from a YAML
 * config (`detectors:` is passed through untyped), so every value is checked and every unknown key is an
 * error: a typo must never silently fall back to a default. Errors are ConfigError('CONFIG_INVALID') with
 * the dotted path of the bad field.
 */
import { CATEGORIES, type Category } from '../contracts/types.js';
import { ConfigError } from '../contracts/errors.js';

export const MIN_SEVERITY = 0;
export const MAX_SEVERITY = 5;

/** A rule after resolution: everything decided, nothing optional. */
export interface ResolvedRule {
  readonly enabled: boolean;
  readonly category: Category;
  readonly severity: number;
}

export function fail(path: string, message: string): never {
  throw new ConfigError('CONFIG_INVALID', path, message);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `value` as an object with only `allowed` keys (`undefined` → empty object). */
export function objectOf(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail(path, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      fail(path ? `${path}.${key}` : key, `is not a known option (known: ${allowed.join(', ')})`);
  }
  return value;
}

export function booleanOf(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

export function integerOf(value: unknown, path: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function categoryOf(value: unknown, path: string, fallback: Category): Category {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(CATEGORIES as readonly string[]).includes(value)) {
    fail(path, `must be one of ${CATEGORIES.join(', ')}`);
  }
  return value as Category;
}

export function enumOf<T extends string>(value: unknown, path: string, fallback: T, values: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    fail(path, `must be one of ${values.join(', ')}`);
  }
  return value as T;
}

export function stringListOf(value: unknown, path: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'must be a list of strings');
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v.trim() === '') fail(`${path}[${i}]`, 'must be a non-empty string');
  });
  return value as string[];
}

const RULE_KEYS = ['enabled', 'category', 'severity'] as const;

/**
 * Resolves a `boolean | RuleSetting`-shaped option. `extraKeys` are the rule's own settings (returned in
 * `raw` for the caller to read); `defaults` is what an absent field means.
 */
export function ruleOf(
  value: unknown,
  path: string,
  defaults: ResolvedRule,
  extraKeys: readonly string[] = [],
): { rule: ResolvedRule; raw: Record<string, unknown> } {
  if (value === undefined) return { rule: defaults, raw: {} };
  if (typeof value === 'boolean') return { rule: { ...defaults, enabled: value }, raw: {} };
  const raw = objectOf(value, path, [...RULE_KEYS, ...extraKeys]);
  return {
    rule: {
      // An object without `enabled` means "on, with these settings".
      enabled: booleanOf(raw.enabled, `${path}.enabled`, true),
      category: categoryOf(raw.category, `${path}.category`, defaults.category),
      severity: integerOf(raw.severity, `${path}.severity`, defaults.severity, MIN_SEVERITY, MAX_SEVERITY),
    },
    raw,
  };
}

/** A detector's top-level option: `false` → off, `true`/absent → defaults, object → validated keys. */
export function detectorOf(
  value: unknown,
  path: string,
  allowed: readonly string[],
): { enabled: boolean; raw: Record<string, unknown> } {
  if (value === undefined || value === true) return { enabled: true, raw: {} };
  if (value === false) return { enabled: false, raw: {} };
  const raw = objectOf(value, path, ['enabled', ...allowed]);
  return { enabled: booleanOf(raw.enabled, `${path}.enabled`, true), raw };
}
