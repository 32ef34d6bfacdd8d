import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors } from './ajv-errors.js';
import { RecordError } from './errors.js';
import { loadSchema } from './schemas.js';
import type { Message, Verdict } from './types.js';

export interface DecoderOptions {
  /** Largest accepted record, in bytes (UTF-8). Default 1 MiB. */
  maxRecordBytes?: number;
  /** Largest accepted `text`, in UTF-8 bytes. Default 64 KiB. */
  maxTextBytes?: number;
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: RecordError };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns raw records into validated messages. The schema is compiled once here; `decode` never throws:
 * every rejection is a RecordError whose message names the field and the rule it broke.
 */
export class MessageDecoder {
  readonly #validate: ValidateFunction;
  readonly #maxRecordBytes: number;
  readonly #maxTextBytes: number;

  constructor(options: DecoderOptions = {}) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    this.#validate = ajv.compile(loadSchema('message.v1'));
    this.#maxRecordBytes = options.maxRecordBytes ?? 1024 * 1024;
    this.#maxTextBytes = options.maxTextBytes ?? 64 * 1024;
  }

  decode(raw: string | Uint8Array): DecodeResult {
    let text: string;
    if (typeof raw === 'string') {
      // A string's UTF-8 size is at most 3 bytes per UTF-16 unit: skip the exact count when clearly small.
      if (raw.length * 3 > this.#maxRecordBytes && Buffer.byteLength(raw) > this.#maxRecordBytes) {
        return this.#oversize(Buffer.byteLength(raw), '');
      }
      text = raw;
    } else {
      if (raw.byteLength > this.#maxRecordBytes) return this.#oversize(raw.byteLength, '');
      try {
        text = fatalUtf8.decode(raw);
      } catch {
        return fail('BAD_ENCODING', 'record is not valid UTF-8');
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      if (text.trim() === '') return fail('BAD_JSON', 'record is empty (a blank line?)');
      return fail('BAD_JSON', `record is not valid JSON: ${(e as Error).message}`);
    }
    return this.check(value);
  }

  /** The rejection of a record a transport did not read in full (IncomingRecord.oversizeBytes). */
  oversize(bytes: number): DecodeResult {
    return this.#oversize(bytes, ' (not read in full)');
  }

  #oversize(bytes: number, note: string): DecodeResult {
    return fail('OVERSIZE', `record is ${bytes} bytes, over the ${this.#maxRecordBytes}-byte limit${note}`);
  }

  /** Validates an already-parsed value (HTTP arrays, tests). */
  check(value: unknown): DecodeResult {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return fail(
        'BAD_MESSAGE',
        `(record) must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value} (type)`,
      );
    }
    if (!this.#validate(value)) {
      return fail('BAD_MESSAGE', describeAjvErrors(this.#validate.errors));
    }
    const message = value as Message;
    const t = message.text;
    if (t.length * 3 > this.#maxTextBytes && Buffer.byteLength(t) > this.#maxTextBytes) {
      return fail(
        'OVERSIZE',
        `text is ${Buffer.byteLength(t)} bytes, over the ${this.#maxTextBytes}-byte limit (maxTextBytes)`,
      );
    }
    if (!t.isWellFormed()) {
      return fail('BAD_ENCODING', 'text contains a lone UTF-16 surrogate (wellFormed)');
    }
    // The ids become Kafka keys, headers and Redis keys, all UTF-8: a lone surrogate would turn into U+FFFD
    // there, and two different ids into one.
    for (const field of ID_FIELDS) {
      if (!message[field].isWellFormed()) {
        return fail('BAD_ENCODING', `${field} contains a lone UTF-16 surrogate (wellFormed)`);
      }
    }
    if (t.length === 0 && !(message.attachments && message.attachments.length > 0)) {
      return fail('BAD_MESSAGE', 'text must not be empty when there are no attachments (minLength)');
    }
    return { ok: true, message };
  }
}

const ID_FIELDS = ['id', 'platform', 'groupId', 'userId'] as const;

function fail(code: ConstructorParameters<typeof RecordError>[0], message: string): DecodeResult {
  return { ok: false, error: new RecordError(code, message) };
}

/** Validator for verdicts: used by tests and by consumers that want to check what they read. */
export class VerdictValidator {
  readonly #validate: ValidateFunction;
  constructor() {
    this.#validate = new Ajv({ allErrors: true, strict: false }).compile(loadSchema('verdict.v1'));
  }
  /** Returns null when valid, else a description naming the fields. */
  check(value: unknown): string | null {
    return this.#validate(value) ? null : describeAjvErrors(this.#validate.errors, '');
  }
  assert(value: unknown): asserts value is Verdict {
    const problem = this.check(value);
    if (problem) throw new RecordError('BAD_MESSAGE', `invalid verdict: ${problem}`);
  }
}
