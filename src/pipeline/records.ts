import { performance } from 'node:perf_hooks';
import type { ErrorRecord, RecordSource } from '../contracts/types.js';

/** Wall-clock milliseconds with sub-millisecond resolution (verdict latency is usually well under 1 ms). */
export const hrNow = (): number => performance.timeOrigin + performance.now();

/** Builds the DLQ / error-output record; bytes that are not UTF-8 travel as base64. */
export function errorRecord(
  code: string,
  message: string,
  raw: string | Uint8Array,
  source: RecordSource,
): ErrorRecord {
  if (typeof raw === 'string') return { error: { code, message }, raw, source };
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return { error: { code, message }, raw: text, source };
  } catch {
    return {
      error: { code, message },
      raw: buf.toString('base64'),
      rawEncoding: 'base64',
      source,
    } as ErrorRecord;
  }
}
