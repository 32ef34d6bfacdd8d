/** The latest time member events, observations and roster dates may carry: 9999-12-31T23:59:59.999Z. */
export const MAX_TS_MS = 253_402_300_799_999;

/** Milliseconds since the epoch, from 1970 to the year 9999. */
export function isTimestamp(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TS_MS;
}

/** The latest unix second accepted: 9999-12-31T23:59:59Z. */
const MAX_UNIX_S = Math.floor(MAX_TS_MS / 1000);

/**
 * Unix seconds (a number, or a string of digits as some OneBot implementations send) as ms; null unless a
 * time from 1970 to 9999.
 */
export function unixSecondsToMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_UNIX_S) return Math.round(v * 1000);
  if (typeof v === 'string' && /^\d{1,12}$/.test(v) && Number(v) <= MAX_UNIX_S) return Number(v) * 1000;
  return null;
}
