/**
 * One catalogue of error codes. Every error modstream raises or records carries one of these codes; the
 * codes are stable (documented in docs/errors.md) so that DLQ consumers and alerts can key on them.
 */

export const ERROR_CODES = {
  // Input records (DLQ / error output)
  BAD_JSON: 'Record is not valid JSON',
  BAD_MESSAGE: 'Record does not match message v1',
  OVERSIZE: 'Record or text exceeds the size limit',
  BAD_ENCODING: 'Record has invalid UTF-8 or lone surrogates',
  PROCESSING_FAILED: 'The pipeline threw while judging the record',
  // Configuration and start-up
  CONFIG_INVALID: 'Configuration is invalid',
  POLICY_INVALID: 'Policy file is invalid',
  LEXICON_INVALID: 'Lexicon cannot be loaded',
  MODEL_INVALID: 'Classifier model cannot be loaded',
  // Runtime state
  STORE_UNAVAILABLE: 'State store (Redis) unavailable',
  STORE_ERROR: 'State store command failed',
  KAFKA_ERROR: 'Kafka operation failed',
  CLASSIFIER_TIMEOUT: 'Classifier did not answer within its budget',
  CLASSIFIER_FAILED: 'Classifier worker failed',
  USAGE: 'Command-line usage error',
  OUTPUT_FAILED: 'The output could not be written (a full disk, a closed file)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ModstreamError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ModstreamError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** Configuration or policy rejected at start-up; `path` names the bad field. */
export class ConfigError extends ModstreamError {
  readonly path: string;
  constructor(
    code: 'CONFIG_INVALID' | 'POLICY_INVALID' | 'LEXICON_INVALID' | 'MODEL_INVALID' | 'USAGE',
    path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, path ? `${path} ${message}` : message, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** A record that cannot be judged. Carries the code written to the DLQ. */
export class RecordError extends ModstreamError {
  constructor(
    code: 'BAD_JSON' | 'BAD_MESSAGE' | 'OVERSIZE' | 'BAD_ENCODING' | 'PROCESSING_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'RecordError';
  }
}

/** The state store failed (Redis down, timeout): never to be confused with "limited". */
export class StoreError extends ModstreamError {
  constructor(message: string, options?: { cause?: unknown; unavailable?: boolean }) {
    super(options?.unavailable ? 'STORE_UNAVAILABLE' : 'STORE_ERROR', message, options);
    this.name = 'StoreError';
  }
}

export function isModstreamError(e: unknown): e is ModstreamError {
  return e instanceof ModstreamError;
}
