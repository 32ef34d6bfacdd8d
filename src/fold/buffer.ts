/**
 * The reusable typed arrays a Folder writes into. One buffer per consumer (pipeline worker, lexicon
 * compiler…): it grows to the longest text seen and is never shrunk, so folding allocates nothing per
 * message once it has warmed up.
 */
import type { FoldBuffer } from './types.js';

const DEFAULT_CAPACITY = 256;

export function createFoldBuffer(initialCapacity = DEFAULT_CAPACITY): FoldBuffer {
  const capacity = Math.max(16, Math.ceil(initialCapacity));
  return {
    length: 0,
    codes: new Uint16Array(capacity),
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    gap: new Uint8Array(capacity),
    flags: new Uint16Array(capacity),
    run: new Uint16Array(capacity),
    lettersGlued: false,
  };
}

/** Makes room for at least `capacity` units, keeping the first `buf.length` units. */
export function growFoldBuffer(buf: FoldBuffer, capacity: number): void {
  const current = buf.codes.length;
  if (current >= capacity) return;
  const size = Math.max(capacity, current * 2);
  const keep = Math.min(buf.length, current);
  buf.codes = copyInto(new Uint16Array(size), buf.codes, keep);
  buf.start = copyInto(new Int32Array(size), buf.start, keep);
  buf.end = copyInto(new Int32Array(size), buf.end, keep);
  buf.gap = copyInto(new Uint8Array(size), buf.gap, keep);
  buf.flags = copyInto(new Uint16Array(size), buf.flags, keep);
  buf.run = copyInto(new Uint16Array(size), buf.run, keep);
}

function copyInto<T extends Uint16Array | Int32Array | Uint8Array>(target: T, source: T, count: number): T {
  if (count > 0) target.set(source.subarray(0, count) as never);
  return target;
}
