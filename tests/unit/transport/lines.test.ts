import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { lineBatches, OVERSIZE_PREFIX_UNITS, type LineBatch } from '../../../src/transport/lines.js';

/** A stream of the given chunks (as Buffers, as stdin delivers them). */
function streamOf(chunks: readonly string[]): Readable {
  return Readable.from(
    chunks.map((c) => Buffer.from(c)),
    { objectMode: false },
  );
}

async function collect(
  chunks: readonly string[],
  maxBatch = 100,
  maxLineUnits?: number,
): Promise<LineBatch[]> {
  const out: LineBatch[] = [];
  for await (const b of lineBatches(streamOf(chunks), maxBatch, maxLineUnits)) out.push(b);
  return out;
}

/** Every line in order with its number, an oversize line as `<oversize N bytes: prefix length>`. */
function flatten(batches: readonly LineBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    b.lines.forEach((line, i) => {
      const bytes = b.oversize?.get(i);
      out.push(
        `${b.firstLine + i}:${bytes === undefined ? line : `<oversize ${bytes} bytes: ${line.length}>`}`,
      );
    });
  }
  return out;
}

describe('lineBatches', () => {
  it('splits lines across chunks, accepts CRLF, numbers lines from 1 and keeps the last unterminated one', async () => {
    const batches = await collect(['a\r\nb', 'c\n\nd\r', '\ne']);
    assert.deepEqual(flatten(batches), ['1:a', '2:bc', '3:', '4:d', '5:e']);
    assert.ok(batches.every((b) => b.oversize === null));
  });

  it('hands out at most maxBatch lines per batch, and what is at hand without waiting for more', async () => {
    const batches = await collect(['1\n2\n3\n4\n5\n', '6\n'], 2);
    assert.deepEqual(
      batches.map((b) => b.lines),
      [['1', '2'], ['3', '4'], ['5'], ['6']],
    );
    assert.deepEqual(
      batches.map((b) => b.firstLine),
      [1, 3, 5, 6],
    );
  });

  it('skips a line longer than maxLineUnits to its newline: counted in UTF-8 bytes, its beginning kept', async () => {
    // 3,000 characters of 3 UTF-8 bytes each, fed in small chunks, between two ordinary lines.
    const long = '消'.repeat(3000);
    const chunks = ['first\n', ...long.match(/.{1,100}/gu)!, '\r\nlast\n'];
    const batches = await collect(chunks, 100, 1000);
    assert.deepEqual(flatten(batches), [
      '1:first',
      `2:<oversize ${3000 * 3} bytes: ${OVERSIZE_PREFIX_UNITS}>`,
      '3:last',
    ]);
    const withLong = batches.find((b) => b.oversize !== null)!;
    assert.equal(
      withLong.lines[withLong.oversize!.keys().next().value!],
      long.slice(0, OVERSIZE_PREFIX_UNITS),
    );
  });

  it('the line that ends a skipped one counts toward maxBatch like any other', async () => {
    const batches = await collect(['x'.repeat(20), 'yy\na\nb\n'], 1, 10);
    assert.ok(batches.every((b) => b.lines.length === 1));
    assert.deepEqual(flatten(batches), [`1:<oversize 22 bytes: 20>`, '2:a', '3:b']);
  });

  it('an over-long line that ends the input without a newline is still one oversize line', async () => {
    const batches = await collect(['ok\n', 'x'.repeat(700), 'x'.repeat(700)], 100, 1000);
    assert.deepEqual(flatten(batches), ['1:ok', `2:<oversize 1400 bytes: ${OVERSIZE_PREFIX_UNITS}>`]);
  });

  it('a line within the limit is whole, however many chunks it spans', async () => {
    const line = 'y'.repeat(999);
    const batches = await collect([...line.match(/.{1,10}/g)!, '\n'], 100, 1000);
    assert.deepEqual(flatten(batches), [`1:${line}`]);
  });

  it('reads a 20 MB line in 16 KB chunks holding at most the limit (no quadratic re-joining)', async () => {
    const chunk = 'z'.repeat(16 * 1024);
    const chunks = Array.from({ length: 1280 }, () => chunk);
    const batches = await collect([...chunks, '\nnext\n'], 100, 1024 * 1024);
    assert.deepEqual(flatten(batches), [
      `1:<oversize ${1280 * 16 * 1024} bytes: ${OVERSIZE_PREFIX_UNITS}>`,
      '2:next',
    ]);
  });
});
