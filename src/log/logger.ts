import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /**
   * Redact message text, user and card names, raw records and matched text (default true; config
   * `log.redact: false` turns it off, e.g. on a developer's machine).
   */
  redact?: boolean;
  /** Where lines go; default stderr so stdout stays free for verdicts in CLI modes. */
  destination?: DestinationStream | number;
  name?: string;
}

/** Fields that carry chat content or personal names. */
const CONTENT_FIELDS = ['text', 'userName', 'card', 'nickname', 'raw', 'match'];

/**
 * Paths that may carry chat content or personal names anywhere we log: the field itself, one and two levels
 * down (`{ message: { text } }`, `{ event: { sender: { card } } }`), and the matched text of verdict reasons.
 */
export const REDACT_PATHS = [
  ...CONTENT_FIELDS,
  ...CONTENT_FIELDS.map((f) => `*.${f}`),
  ...CONTENT_FIELDS.map((f) => `*.*.${f}`),
  'reasons[*].match',
  '*.reasons[*].match',
  '*.*.reasons[*].match',
];

const CENSOR = '[redacted]';

/**
 * V8's JSON.parse errors quote the start of the input (`Unexpected token 'x', "加微信…" is not valid JSON`),
 * so a BAD_JSON error message can carry chat text into a log line. With redaction on, the quote goes.
 */
const JSON_SNIPPET = /Unexpected token '[\s\S]*?', "[\s\S]*?"(?:\.\.\.)? is not valid JSON/g;

/** An error message with any quoted input removed (see JSON_SNIPPET). */
export function scrubContent(message: string): string {
  return message.includes(' is not valid JSON')
    ? message.replace(JSON_SNIPPET, `Unexpected token in JSON (input ${CENSOR})`)
    : message;
}

/**
 * The code an error carries: a modstream error's catalogue code (STORE_UNAVAILABLE, KAFKA_ERROR, …), a Node
 * system error's code (ECONNREFUSED, …), or undefined for an error without one.
 */
export function errorCode(e: unknown): string | undefined {
  if (e !== null && typeof e === 'object' && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return undefined;
}

/**
 * JSON logs with levels (pino). Decided once here, for every call site and child logger:
 * - redaction (on by default): chat content and names never reach a line, whatever a call site passes —
 *   including error messages that quote the input;
 * - every line with an `err` also has a top-level `code` (the error's, or "INTERNAL"), so errors can be
 *   counted and searched by code.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: false }) : dest;
  const redact = options.redact !== false;
  const stdErr = pino.stdSerializers.err;
  return pino(
    {
      name: options.name ?? 'modstream',
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: redact ? { paths: REDACT_PATHS, censor: CENSOR } : undefined,
      serializers: {
        err: (e: Error) => {
          const s = stdErr(e) as unknown;
          if (!redact || s === null || typeof s !== 'object') return s;
          const out = s as { message?: unknown; stack?: unknown };
          if (typeof out.message === 'string') out.message = scrubContent(out.message);
          if (typeof out.stack === 'string') out.stack = scrubContent(out.stack);
          return out;
        },
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) =>
          obj.err !== undefined && obj.code === undefined
            ? { ...obj, code: errorCode(obj.err) ?? 'INTERNAL' }
            : obj,
      },
      hooks: redact
        ? {
            logMethod(args, method) {
              for (let i = 0; i < args.length; i++) {
                const a: unknown = args[i];
                if (typeof a === 'string') (args as unknown[])[i] = scrubContent(a);
              }
              return method.apply(this, args);
            },
          }
        : {},
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

/**
 * At most `perSecond` calls pass in each second; the rest are counted and summarised in the next line that
 * passes (`suppressed: N`), so a poison-record storm cannot flood the logs.
 */
export function rateLimited(perSecond: number, now: () => number = Date.now) {
  let windowStart = -Infinity;
  let used = 0;
  let suppressed = 0;
  return function allow(): { ok: boolean; suppressed: number } {
    const t = now();
    if (t - windowStart >= 1000) {
      windowStart = t;
      used = 0;
    }
    if (used < perSecond) {
      used++;
      const s = suppressed;
      suppressed = 0;
      return { ok: true, suppressed: s };
    }
    suppressed++;
    return { ok: false, suppressed };
  };
}

/** What one rejected record's log line may say: its code, why, and where it came from (never the record). */
export interface RejectedRecord {
  code: string;
  message?: string;
  source?: unknown;
}

/**
 * The log side of the DLQ: at most one warning per rejected record and at most `perSecond` lines a second;
 * records over the limit are counted into the next line's `suppressed`. The DLQ itself (or the error
 * output) keeps every record; the metrics count every one.
 */
export function createRejectedRecordLog(
  logger: Logger,
  perSecond = 10,
  now: () => number = Date.now,
): (record: RejectedRecord) => void {
  const allow = rateLimited(perSecond, now);
  return (record) => {
    const gate = allow();
    if (!gate.ok) return;
    logger.warn(
      { code: record.code, source: record.source, suppressed: gate.suppressed || undefined },
      record.message ? `record rejected: ${record.message}` : 'record rejected',
    );
  };
}

/** A logger that drops everything, for tests and library use without logging. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
