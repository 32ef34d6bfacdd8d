import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Redact message text, user and card names and matched text (default true). */
  redact?: boolean;
  /** Where lines go; default stderr so stdout stays free for verdicts in CLI modes. */
  destination?: DestinationStream | number;
  name?: string;
}

/** Paths that may carry chat content or personal names anywhere we log. */
export const REDACT_PATHS = [
  'text',
  'userName',
  'card',
  'raw',
  'match',
  '*.text',
  '*.userName',
  '*.card',
  '*.raw',
  '*.match',
  'reasons[*].match',
  '*.reasons[*].match',
  'sender.card',
  'sender.nickname',
  '*.sender.card',
  '*.sender.nickname',
];

/**
 * JSON logs with levels (pino). Redaction is decided once here: with it on (the default) chat content
 * never reaches a log line, whatever a call site passes.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: false }) : dest;
  return pino(
    {
      name: options.name ?? 'modstream',
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: options.redact === false ? undefined : { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
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
  let windowStart = 0;
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

/** A logger that drops everything, for tests and library use without logging. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
