import type { Readable } from 'node:stream';

/** Characters of an over-long line kept for its error record. */
export const OVERSIZE_PREFIX_UNITS = 1024;

export interface LineBatch {
  lines: string[];
  /** The 1-based line number of lines[0]. */
  firstLine: number;
  /**
   * Lines longer than the limit, by index in `lines` → their length in UTF-8 bytes (newline excluded);
   * `lines` holds only their first OVERSIZE_PREFIX_UNITS characters. Null when there are none.
   */
  oversize: Map<number, number> | null;
}

/**
 * Splits a byte stream into lines and hands them out in batches of at most `maxBatch`, without waiting for
 * more input when some is already at hand (so an interactive stdin gets answers line by line, while a file
 * is processed in large batches). Lines keep their 1-based number for error records. `\r\n` is accepted.
 *
 * A line is never held past `maxLineUnits` UTF-16 units: beyond that it is skipped to its newline, only
 * counted, and handed out as an oversize line (see LineBatch.oversize). Without the bound a stream with no
 * newline grew one string until the process ran out of memory, and re-joining it chunk by chunk made the
 * read quadratic (100 MB on stdin took 33 s).
 */
export async function* lineBatches(
  input: Readable,
  maxBatch: number,
  maxLineUnits = 1024 * 1024,
): AsyncGenerator<LineBatch> {
  let pending = '';
  let lineNo = 1;
  let batch: string[] = [];
  let oversize: Map<number, number> | null = null;
  let first = 1;
  // While skipping an over-long line: its UTF-8 bytes so far and its first characters; else -1.
  let skipped = -1;
  let skippedPrefix = '';
  const push = (line: string, bytes: number) => {
    if (batch.length === 0) first = lineNo;
    if (bytes >= 0) (oversize ??= new Map()).set(batch.length, bytes);
    batch.push(line);
    lineNo++;
  };
  const take = (): LineBatch => {
    const out = { lines: batch, firstLine: first, oversize };
    batch = [];
    oversize = null;
    return out;
  };
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    let start = 0;
    let data = chunk;
    if (skipped >= 0) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        skipped += Buffer.byteLength(chunk);
        continue;
      }
      const end = nl > 0 && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      push(skippedPrefix, skipped + Buffer.byteLength(chunk.slice(0, end)));
      skipped = -1;
      skippedPrefix = '';
      start = nl + 1;
      if (batch.length >= maxBatch) yield take();
    } else if (pending.length > 0) {
      data = pending + chunk;
    }
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && data.charCodeAt(end - 1) === 13) end--;
      push(data.slice(start, end), -1);
      start = nl + 1;
      if (batch.length >= maxBatch) yield take();
    }
    if (data.length - start > maxLineUnits) {
      skipped = Buffer.byteLength(data.slice(start));
      skippedPrefix = data.slice(start, start + OVERSIZE_PREFIX_UNITS);
      pending = '';
    } else {
      pending = data.slice(start);
    }
    if (batch.length > 0) yield take();
  }
  if (skipped >= 0) {
    // The input ended inside an over-long line.
    push(skippedPrefix, skipped);
  } else if (pending.length > 0) {
    if (pending.charCodeAt(pending.length - 1) === 13) pending = pending.slice(0, -1);
    push(pending, -1);
  }
  if (batch.length > 0) yield take();
}

/** Writes and waits for 'drain' when the stream's buffer is full (backpressure for large outputs). */
export function writeWithBackpressure(
  out: NodeJS.WritableStream,
  data: string | Uint8Array,
): Promise<void> | undefined {
  if (out.write(data)) return undefined;
  return new Promise((resolve) => out.once('drain', resolve));
}
