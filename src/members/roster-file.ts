import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../contracts/errors.js';
import { MemberEventDecoder } from './decode.js';
import type { EmployeeInput, RosterUpdate } from './types.js';

/**
 * Reads a roster export from HR: JSON (an array of employees, or `{ "employees": [...] }`), JSON Lines
 * (one employee per line), YAML (like JSON) or CSV with a header row naming the columns
 * `employeeId,name,department,status,effectiveDate,accounts` (accounts: `qq:10001;wechat:wx_abc`).
 * Every entry is checked against member-event v1 (as the `employees` of a roster.update); a bad entry
 * fails the whole file with a ConfigError naming the line or index, so half a roster is never applied.
 */
export async function readRosterFile(path: string): Promise<EmployeeInput[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', '', `cannot read roster ${path}: ${(e as Error).message}`);
  }
  let text: string;
  try {
    // Strictly: Chinese Excel saves "CSV" in GBK by default, which read loosely gives names of U+FFFD
    // that then match no card and no departed member.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `roster ${path} is not valid UTF-8 (saved as GBK? In Excel choose "CSV UTF-8")`,
    );
  }
  const ext = extname(path).toLowerCase();
  let employees: unknown;
  try {
    if (ext === '.csv') employees = parseCsvRoster(text);
    else if (ext === '.jsonl' || ext === '.ndjson')
      employees = text
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown);
    else {
      const doc = (ext === '.json' ? JSON.parse(text) : parseYaml(text)) as unknown;
      employees = Array.isArray(doc) ? doc : (doc as { employees?: unknown } | null)?.employees;
    }
  } catch (e) {
    throw new ConfigError('CONFIG_INVALID', '', `roster ${path} cannot be parsed: ${(e as Error).message}`);
  }
  if (!Array.isArray(employees))
    throw new ConfigError('CONFIG_INVALID', '', `roster ${path} must hold a list of employees`);
  const event: RosterUpdate = {
    kind: 'roster.update',
    id: `file:${path}`,
    ts: Date.now(),
    employees: employees as EmployeeInput[],
    replace: true,
  };
  const checked = new MemberEventDecoder().check(event);
  if (!checked.ok)
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `roster ${path}: ${checked.error.message.replace(/\bemployees\[/g, 'entry[')}`,
    );
  return employees as EmployeeInput[];
}

/** CSV with a header; quoted fields ("a, b", "say ""hi""") are understood. */
export function parseCsvRoster(text: string): EmployeeInput[] {
  const rows = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ''));
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim());
  for (const required of ['employeeId', 'name', 'department', 'status']) {
    if (!header.includes(required)) throw new Error(`the header row must name the column ${required}`);
  }
  return rows.slice(1).map((cells) => {
    const get = (name: string) => {
      const i = header.indexOf(name);
      return i < 0 ? undefined : (cells[i] ?? '').trim();
    };
    const e: EmployeeInput = {
      employeeId: get('employeeId')!,
      name: get('name')!,
      department: get('department')!,
      status: get('status') as EmployeeInput['status'],
    };
    const date = get('effectiveDate');
    if (date) e.effectiveDate = date;
    const accounts = get('accounts');
    if (accounts) {
      e.accounts = accounts
        .split(/[;\s]+/)
        .filter(Boolean)
        .map((a) => {
          const at = a.indexOf(':');
          if (at <= 0 || at === a.length - 1)
            throw new Error(`account "${a}" of ${e.employeeId} must be platform:userId, e.g. qq:10001`);
          return { platform: a.slice(0, at), userId: a.slice(at + 1) };
        });
    }
    return e;
  });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // Excel writes a BOM
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
