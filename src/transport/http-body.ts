import type { IncomingMessage } from 'node:http';

/** A request whose client went away (or whose stream failed) before its body ended. */
export class BodyAbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('request closed before its body ended', options);
    this.name = 'BodyAbortedError';
  }
}

/**
 * Reads a request body whole. Answers null as soon as it passes `limit` bytes (declared or actual), so an
 * oversize body is refused without being buffered; with `reserve`, 'refused' as soon as `reserve(total)`
 * (asked before each chunk is kept, with the bytes read so far including it) says no, e.g. because a byte
 * budget shared by queued requests is spent. Either way the rest of the body is read and discarded, never
 * held. A request that goes away before its end rejects with BodyAbortedError. Shared by the embedded API
 * and the chat adapters.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null>;
export function readBody(
  req: IncomingMessage,
  limit: number,
  reserve: (total: number) => boolean,
): Promise<Buffer | null | 'refused'>;
export function readBody(
  req: IncomingMessage,
  limit: number,
  reserve?: (total: number) => boolean,
): Promise<Buffer | null | 'refused'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    req.on('error', () => {});
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (answer: null | 'refused') => {
      done = true;
      chunks.length = 0;
      resolve(answer);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      if (size + c.length > limit) return stop(null);
      if (reserve !== undefined && !reserve(size + c.length)) return stop('refused');
      size += c.length;
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(new BodyAbortedError({ cause: e }));
    });
    req.on('close', () => {
      if (done) return;
      done = true;
      reject(new BodyAbortedError());
    });
  });
}
