/** The latest time member events, observations and roster dates may carry: 9999-12-31T23:59:59.999Z. */
export const MAX_TS_MS = 253_402_300_799_999;

/** Milliseconds since the epoch, from 1970 to the year 9999. */
export function isTimestamp(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TS_MS;
}
