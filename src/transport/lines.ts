import { isUtf8 } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ModstreamError } from '../contracts/errors.js';

/** Characters of an over-long line kept for its error record. */
export const OVERSIZE_PREFIX_UNITS = 1024;

export interface LineBatch {
  /**
   * The lines, decoded; a line whose bytes are not valid UTF-8 is handed out as those bytes, so the
   * decoder rejects it as BAD_ENCODING and its error record keeps it exactly (base64), instead of its
   * invalid bytes turning silently into U+FFFD.
   */
  lines: (string | Buffer)[];
  /** The 1-based line number of lines[0]. */
  firstLine: number;
  /**
   * Lines longer than the limit, by index in `lines` → their length in UTF-8 bytes (newline excluded);
   * `lines` holds only their first OVERSIZE_PREFIX_UNITS characters. Null when there are none.
   */
  oversize: Map<number, number> | null;
}

/** Bytes kept of an over-long line: enough for OVERSIZE_PREFIX_UNITS characters of any script. */
const OVERSIZE_PREFIX_BYTES = OVERSIZE_PREFIX_UNITS * 4;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits a byte stream into lines and hands them out in batches of at most `maxBatch`, without waiting for
 * more input when some is already at hand (so an interactive stdin gets answers line by line, while a file
 * is processed in large batches). Lines keep their 1-based number for error records. `\r\n` is accepted, and
 * a UTF-8 byte order mark opening the stream is dropped (files saved by Windows editors start with one).
 *
 * Lines are split on bytes and each is checked as UTF-8 on its own (simdutf, a few GB/s), so one bad line
 * is reported as such and never spoils its neighbours (see LineBatch.lines).
 *
 * A line is never held past `maxLineBytes` bytes: beyond that it is skipped to its newline, only counted,
 * and handed out as an oversize line (see LineBatch.oversize). Without the bound a stream with no newline
 * grew one line until the process ran out of memory, and re-joining it chunk by chunk made the read
 * quadratic (100 MB on stdin took 33 s).
 */
export async function* lineBatches(
  input: Readable,
  maxBatch: number,
  maxLineBytes = 1024 * 1024,
): AsyncGenerator<LineBatch> {
  // The start of an unfinished line: chunks (or their tails) not yet ended by a newline.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 1;
  let batch: (string | Buffer)[] = [];
  let oversize: Map<number, number> | null = null;
  let first = 1;
  // While skipping an over-long line: its bytes so far and its first bytes; else -1.
  let skipped = -1;
  let skippedPrefix: Buffer[] = [];
  let skippedPrefixBytes = 0;
  let skippedEndsInCr = false; // its last byte counted so far is a CR (of a CRLF split across chunks)
  const push = (line: string | Buffer, bytes: number) => {
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
  const pushLine = (bytes: Buffer) => {
    if (bytes.length > maxLineBytes + 1) {
      // Over the limit within one chunk: reported like one read past.
      skipped = 0;
      pushSkipped(bytes);
      return;
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    const from = lineNo === 1 && end >= 3 && bytes.subarray(0, 3).equals(BOM) ? 3 : 0;
    const line = bytes.subarray(from, end);
    push(isUtf8(line) ? line.toString('utf8') : Buffer.from(line), -1);
  };
  /** A line of an already decoded (valid) text: text[from, to). */
  const pushText = (text: string, from: number, to: number) => {
    let end = to;
    if (end > from && text.charCodeAt(end - 1) === CARRIAGE_RETURN) end--;
    if (lineNo === 1 && end > from && text.charCodeAt(from) === 0xfeff) from++;
    // Up to 3 UTF-8 bytes per UTF-16 unit: count exactly only when the line could be over the limit.
    if ((end - from) * 3 > maxLineBytes) {
      const bytes = Buffer.byteLength(text.slice(from, end));
      if (bytes > maxLineBytes) {
        push(text.slice(from, Math.min(end, from + OVERSIZE_PREFIX_UNITS)), bytes);
        return;
      }
    }
    push(text.slice(from, end), -1);
  };
  const keepPrefix = (bytes: Buffer) => {
    if (skippedPrefixBytes >= OVERSIZE_PREFIX_BYTES) return;
    const part = bytes.subarray(0, OVERSIZE_PREFIX_BYTES - skippedPrefixBytes);
    skippedPrefix.push(Buffer.from(part));
    skippedPrefixBytes += part.length;
  };
  const pushSkipped = (tail: Buffer) => {
    let end = tail.length;
    let total = skipped;
    if (end > 0 && tail[end - 1] === CARRIAGE_RETURN) end--;
    else if (end === 0 && skippedEndsInCr) total--;
    keepPrefix(tail.subarray(0, end));
    // toString replaces a sequence cut at the end (or invalid bytes) with U+FFFD: fine for a preview.
    let prefix = Buffer.concat(skippedPrefix).toString('utf8');
    if (end === 0 && skippedEndsInCr && prefix.endsWith('\r')) prefix = prefix.slice(0, -1);
    prefix = prefix.slice(0, OVERSIZE_PREFIX_UNITS);
    push(prefix, total + end);
    skipped = -1;
    skippedPrefix = [];
    skippedPrefixBytes = 0;
    skippedEndsInCr = false;
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      // Fast path, nearly every chunk: its complete lines are all valid UTF-8, so decode them in one go and
      // split the string (slices share its memory) rather than decode line by line.
      if (skipped < 0 && pendingBytes === 0) {
        const last = data.lastIndexOf(NEWLINE);
        if (last > start && isUtf8(data.subarray(start, last))) {
          const text = data.toString('utf8', start, last);
          start = last + 1;
          let from = 0;
          for (;;) {
            const nl = text.indexOf('\n', from);
            const stop = nl < 0 ? text.length : nl;
            pushText(text, from, stop);
            if (batch.length >= maxBatch) yield take();
            if (nl < 0) break;
            from = nl + 1;
          }
          continue;
        }
      }
      const nl = data.indexOf(NEWLINE, start);
      if (nl < 0) break;
      if (skipped >= 0) {
        pushSkipped(data.subarray(start, nl));
      } else if (pendingBytes > 0) {
        pending.push(data.subarray(start, nl));
        pushLine(Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      } else {
        pushLine(data.subarray(start, nl));
      }
      start = nl + 1;
      if (batch.length >= maxBatch) yield take();
    }
    const rest = data.length - start;
    if (skipped >= 0) {
      keepPrefix(data.subarray(start));
      skipped += rest;
      if (rest > 0) skippedEndsInCr = data[data.length - 1] === CARRIAGE_RETURN;
    } else if (pendingBytes + rest > maxLineBytes + 1) {
      // Too long already (a CR before its newline aside): keep its beginning, count the rest.
      for (const part of pending) keepPrefix(part);
      keepPrefix(data.subarray(start));
      skipped = pendingBytes + rest;
      skippedEndsInCr = data[data.length - 1] === CARRIAGE_RETURN;
      pending = [];
      pendingBytes = 0;
    } else if (rest > 0) {
      // A copy: the stream may reuse its chunk's memory once we yield.
      pending.push(Buffer.from(data.subarray(start)));
      pendingBytes += rest;
    }
    if (batch.length > 0) yield take();
  }
  if (skipped >= 0) {
    // The input ended inside an over-long line.
    pushSkipped(Buffer.alloc(0));
  } else if (pendingBytes > 0) {
    pushLine(Buffer.concat(pending));
  }
  if (batch.length > 0) yield take();
}

/**
 * Writes and waits for 'drain' when the stream's buffer is full (backpressure for large outputs). A stream
 * that fails or closes instead never drains: the wait ends then too (see watchOutput for the error).
 */
export function writeWithBackpressure(
  out: NodeJS.WritableStream,
  data: string | Uint8Array,
): Promise<void> | undefined {
  if (out.write(data)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('error', done);
    out.once('close', done);
  });
}

export interface OutputWatch {
  /** The output's first error (EPIPE when the reader went away, ENOSPC…), or null. */
  failed(): NodeJS.ErrnoException | null;
  dispose(): void;
}

/**
 * Keeps an output stream's errors from becoming an unhandled 'error' event (a stack trace and exit 1 for
 * `modstream check | head`): they are recorded for the writer to stop on and report.
 */
export function watchOutput(out: NodeJS.WritableStream): OutputWatch {
  let error: NodeJS.ErrnoException | null = null;
  const onError = (e: NodeJS.ErrnoException) => {
    error ??= e;
  };
  out.on('error', onError);
  return {
    failed: () => error,
    dispose: () => {
      out.off('error', onError);
      // Late errors (a write still in flight) must not crash the process either.
      if (error) out.on('error', () => {});
    },
  };
}

/**
 * Ends an output file (`check --output`, `run --stdin --errors`) and waits until its bytes are written:
 * a write that fails late (a full disk, `/dev/full`) is an error here, not an exit 0 with lines missing.
 * Standard output is left open.
 */
export async function finishOutput(out: Writable): Promise<void> {
  if (out === process.stdout) return;
  out.end();
  try {
    await finished(out);
  } catch (e) {
    throw new ModstreamError('OUTPUT_FAILED', `cannot write the output: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
