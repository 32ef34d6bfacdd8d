import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../contracts/errors.js';

export type Flags = Record<string, string | boolean | string[] | undefined>;

/**
 * node:util parseArgs with our conventions: unknown flags are usage errors naming the flag, and an
 * optional-value flag (`--classifier [DIR]`) takes the next word only when it is not another flag.
 */
export function parseFlags(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  optionalValue: string[] = [],
): { flags: Flags; positionals: string[] } {
  const args = [...argv];
  const extra: Flags = {};
  for (const name of optionalValue) {
    const i = args.indexOf(`--${name}`);
    if (i < 0) continue;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      extra[name] = next;
      args.splice(i, 2);
    } else {
      extra[name] = true;
      args.splice(i, 1);
    }
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { flags: { ...(values as Flags), ...extra }, positionals };
  } catch (e) {
    throw new ConfigError('USAGE', '', (e as Error).message);
  }
}

export function intFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v))
    throw new ConfigError('USAGE', `--${name}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function listFlag(flags: Flags, name: string): string[] | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [String(v)];
}
