import type { Readable } from 'node:stream';

/**
 * Splits a byte stream into lines and hands them out in batches of at most `maxBatch`, without waiting for
 * more input when some is already at hand (so an interactive stdin gets answers line by line, while a file
 * is processed in large batches). Lines keep their 1-based number for error records. `\r\n` is accepted.
 */
export async function* lineBatches(
  input: Readable,
  maxBatch: number,
): AsyncGenerator<{ lines: string[]; firstLine: number }> {
  let pending = '';
  let lineNo = 1;
  let batch: string[] = [];
  let first = 1;
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    let start = 0;
    const data = pending.length > 0 ? pending + chunk : chunk;
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && data.charCodeAt(end - 1) === 13) end--;
      if (batch.length === 0) first = lineNo;
      batch.push(data.slice(start, end));
      lineNo++;
      start = nl + 1;
      if (batch.length >= maxBatch) {
        yield { lines: batch, firstLine: first };
        batch = [];
      }
    }
    pending = data.slice(start);
    if (batch.length > 0) {
      yield { lines: batch, firstLine: first };
      batch = [];
    }
  }
  if (pending.length > 0) {
    if (pending.charCodeAt(pending.length - 1) === 13) pending = pending.slice(0, -1);
    yield { lines: [pending], firstLine: lineNo };
  }
}

/** Writes and waits for 'drain' when the stream's buffer is full (backpressure for large outputs). */
export function writeWithBackpressure(
  out: NodeJS.WritableStream,
  data: string | Uint8Array,
): Promise<void> | undefined {
  if (out.write(data)) return undefined;
  return new Promise((resolve) => out.once('drain', resolve));
}
