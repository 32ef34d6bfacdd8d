import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  lineBatches,
  OVERSIZE_PREFIX_UNITS,
  watchOutput,
  writeWithBackpressure,
  type LineBatch,
} from '../../../src/transport/lines.js';

/** A stream of the given chunks (as Buffers, as stdin delivers them). */
function streamOf(chunks: readonly (string | Buffer)[]): Readable {
  return Readable.from(
    chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
    { objectMode: false },
  );
}

async function collect(
  chunks: readonly (string | Buffer)[],
  maxBatch = 100,
  maxLineBytes?: number,
): Promise<LineBatch[]> {
  const out: LineBatch[] = [];
  for await (const b of lineBatches(streamOf(chunks), maxBatch, maxLineBytes)) out.push(b);
  return out;
}

/** Every line in order with its number, an oversize line as `<oversize N bytes: prefix length>`. */
function flatten(batches: readonly LineBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    b.lines.forEach((line, i) => {
      const bytes = b.oversize?.get(i);
      out.push(
        `${b.firstLine + i}:${
          typeof line !== 'string'
            ? `<bytes ${line.toString('hex')}>`
            : bytes === undefined
              ? line
              : `<oversize ${bytes} bytes: ${line.length}>`
        }`,
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

  it('skips a line longer than maxLineBytes to its newline: counted in UTF-8 bytes, its beginning kept', async () => {
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

  it('hands out a line that is not valid UTF-8 as its bytes, its neighbours decoded as usual', async () => {
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // {, two bytes that are never UTF-8, }
    const batches = await collect(['ok\n', Buffer.concat([bad, Buffer.from('\r\n加')]), '微信\n']);
    assert.deepEqual(flatten(batches), ['1:ok', '2:<bytes 7bfffe7d>', '3:加微信']);
  });

  it('keeps a character split across chunks whole', async () => {
    const bytes = Buffer.from('加微信\n');
    const batches = await collect([bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8)]);
    assert.deepEqual(flatten(batches), ['1:加微信']);
  });

  it('drops a byte order mark opening the stream, and only there', async () => {
    const batches = await collect(['\ufeff{"a":1}\r\n\ufeffx\n']);
    assert.deepEqual(flatten(batches), ['1:{"a":1}', '2:\ufeffx']);
  });

  it('counts an over-long line exactly when its CRLF is split across chunks, or it fits one chunk', async () => {
    const split = await collect(['x'.repeat(30) + '\r', '\nnext\n'], 100, 10);
    assert.deepEqual(flatten(split), ['1:<oversize 30 bytes: 30>', '2:next']);
    const whole = await collect(['x'.repeat(30) + '\nnext\n'], 100, 10);
    assert.deepEqual(flatten(whole), ['1:<oversize 30 bytes: 30>', '2:next']);
  });

  it('gives the same lines however the bytes are cut into chunks (property)', async () => {
    // Lines of any text, some with bytes that are not UTF-8, some ending in CR; cut anywhere.
    const lineArb = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((t) => Buffer.from(t.replace(/[\r\n]/g, ''))),
      fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b.filter((x) => x !== 0x0a && x !== 0x0d))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(lineArb, fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (lines, cuts) => {
          const whole = Buffer.concat(
            lines.map(([bytes, crlf]) => Buffer.concat([bytes, Buffer.from(crlf ? '\r\n' : '\n')])),
          );
          const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of [...points, whole.length]) {
            if (p > at) chunks.push(whole.subarray(at, p));
            at = p;
          }
          const got = flatten(await collect(chunks, 5, 1 << 20));
          const want = lines.map(([bytes], i) => {
            const skip = i === 0 && bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
            const line = bytes.subarray(skip);
            const valid = Buffer.from(line.toString('utf8')).equals(line);
            return `${i + 1}:${valid ? line.toString('utf8') : `<bytes ${line.toString('hex')}>`}`;
          });
          assert.deepEqual(got, want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the line that ends a skipped one counts toward maxBatch like any other', async () => {
    const batches = await collect(['x'.repeat(20), 'yy\na\nb\n'], 1, 10);
    assert.ok(batches.every((b) => b.lines.length === 1));
    assert.deepEqual(flatten(batches), [`1:<oversize 22 bytes: 22>`, '2:a', '3:b']); // the whole line is within the kept prefix
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

describe('writing output', () => {
  it('an output that fails ends the wait for drain, and its error is kept for the writer, not thrown', async () => {
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        setImmediate(() => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      },
    });
    const watch = watchOutput(broken);
    const wait = writeWithBackpressure(broken, 'a verdict\n');
    assert.ok(wait, 'a full buffer makes the writer wait');
    await wait; // resolves although 'drain' never comes
    assert.equal(watch.failed()?.code, 'EPIPE');
    watch.dispose();
    broken.emit('error', new Error('late')); // after dispose: still no unhandled 'error'
  });
});
