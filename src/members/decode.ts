import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from '../contracts/ajv-errors.js';
import { RecordError } from '../contracts/errors.js';
import type { MemberEvent } from './types.js';
import { memberEventProblem } from './validate.js';

/** schemas/member-event.v1.json, read once per process (the path resolves from src/ and dist/ alike). */
const SCHEMA_URL = new URL('../../schemas/member-event.v1.json', import.meta.url);
let schema: object | undefined;

export function memberEventSchema(): object {
  schema ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
  return schema;
}

export type MemberDecodeResult = { ok: true; event: MemberEvent } | { ok: false; error: RecordError };

/**
 * Validates member events against member-event v1, and then what the schema cannot say (validate.ts): a
 * `ts` from 1970 to 9999, no lone UTF-16 surrogates (BAD_ENCODING), roster dates that exist. Never
 * throws: a rejection is a RecordError (BAD_JSON, BAD_MESSAGE, BAD_ENCODING, OVERSIZE) whose message
 * names each field and the rule it broke.
 */
export class MemberEventDecoder {
  readonly #validate: ValidateFunction;
  readonly #maxRecordBytes: number;

  constructor(options: { maxRecordBytes?: number } = {}) {
    this.#validate = new Ajv({ allErrors: true, strict: false }).compile(memberEventSchema());
    // Roster snapshots are large: one employee is ~200 bytes, so 64 MiB holds ~300k.
    this.#maxRecordBytes = options.maxRecordBytes ?? 64 * 1024 * 1024;
  }

  decode(raw: string | Buffer): MemberDecodeResult {
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (size > this.#maxRecordBytes) {
      return fail('OVERSIZE', `record is ${size} bytes, over the ${this.#maxRecordBytes}-byte limit`);
    }
    let value: unknown;
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    } catch (e) {
      return fail('BAD_JSON', `record is not valid JSON: ${(e as Error).message}`);
    }
    return this.check(value);
  }

  check(value: unknown): MemberDecodeResult {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return fail('BAD_MESSAGE', '(record) must be a JSON object (type)');
    }
    if (!this.#validate(value))
      return fail('BAD_MESSAGE', describeAjvErrors(usefulErrors(this.#validate.errors)));
    const problem = memberEventProblem(value as MemberEvent);
    if (problem) return fail(problem.code, problem.message);
    return { ok: true, event: value as MemberEvent };
  }
}

/** `if`/`oneOf` wrappers repeat what their inner errors already say. */
function usefulErrors(errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  const list = (errors ?? []).filter((e) => e.keyword !== 'if');
  const inner = list.filter((e) => e.keyword !== 'oneOf');
  return inner.length > 0 ? inner : list;
}

function fail(
  code: 'BAD_JSON' | 'BAD_MESSAGE' | 'BAD_ENCODING' | 'OVERSIZE',
  message: string,
): MemberDecodeResult {
  return { ok: false, error: new RecordError(code, message) };
}
