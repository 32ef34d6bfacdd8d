import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonLinesEncoder } from '../../../src/transport/json-lines.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

function encode(values: unknown[], options?: ConstructorParameters<typeof JsonLinesEncoder>[0]): string {
  const encoder = new JsonLinesEncoder(options);
  for (const v of values) encoder.writeLine(v);
  return decoder.decode(encoder.take());
}

const expected = (values: unknown[]): string => values.map((v) => JSON.stringify(v) + '\n').join('');

describe('JsonLinesEncoder', () => {
  it('writes exactly what JSON.stringify writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (values) => {
        assert.equal(encode(values), expected(values));
      }),
      { numRuns: 300 },
    );
  });

  it('matches JSON.stringify on strings with escapes, astral characters and lone surrogates', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }), (strings) => {
        const values = [strings, { s: strings.join('') }];
        assert.equal(encode(values, { repeatedValueKeys: ['s'] }), expected(values));
      }),
      { numRuns: 300 },
    );
    const tricky = ['"\\\n\t\u0000\u001f', '加\ud83d\ude00微', 'a\ud800', '\udc00b', '\u2028\u2029', 'é'];
    assert.equal(encode(tricky), expected(tricky));
  });

  it('skips undefined, functions and symbols in objects and writes them as null in arrays', () => {
    const values = [
      { a: undefined, b: () => 1, c: Symbol('x'), d: 1 },
      [undefined, () => 1, Symbol('x'), 2],
      [Number.NaN, Infinity, -Infinity, -0, 1e21, 0.1 + 0.2, -5, 2 ** 31, 1764000000007, 0.21],
    ];
    assert.equal(encode(values), expected(values));
  });

  it('leaves toJSON, class instances and dictionaries without a prototype to JSON.stringify semantics', () => {
    class Point {
      x = 1;
      y = 2;
      get sum(): number {
        return this.x + this.y;
      }
    }
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    const values = [{ when: new Date(0), p: new Point(), bare, map: new Map([[1, 2]]) }];
    assert.equal(encode(values), expected(values));
  });

  it('keeps key order, integer-like keys first, as JSON.stringify does', () => {
    const values = [{ b: 1, 2: 'two', a: [1, { z: 0, y: 1 }], 1: 'one' }];
    assert.equal(encode(values), expected(values));
  });

  it('caches repeated strings and frozen string arrays without changing the output', () => {
    const evasion = Object.freeze(['traditional', 'separators']);
    const verdicts = Array.from({ length: 50 }, (_, i) => ({
      v: 1,
      messageId: `qq:1:${i}`,
      action: i % 2 === 0 ? 'warn' : 'allow',
      reasons: [
        {
          detector: 'lexicon',
          category: 'ads',
          rule: 'ads:加微信',
          match: '加 薇 信',
          span: [0, 5],
          evasion,
        },
        { detector: 'pii', category: 'privacy', rule: 'pii:mobile', severity: 3 },
      ],
      lexiconVersion: 'sha256:abc',
    }));
    const options = { repeatedValueKeys: ['action', 'detector', 'category', 'rule', 'lexiconVersion'] };
    assert.equal(encode(verdicts, options), expected(verdicts));
    // Shapes that change from line to line reuse no stale key.
    const mixed = [{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1 }, { c: 'x', a: 1, b: 2 }];
    assert.equal(encode(mixed, options), expected(mixed));
  });

  it('hands out each batch as its own buffer and starts over', () => {
    const encoder = new JsonLinesEncoder();
    encoder.writeLine({ a: '第一' });
    const first = encoder.take();
    encoder.writeLine({ b: 2 });
    assert.equal(decoder.decode(first), '{"a":"第一"}\n');
    assert.equal(decoder.decode(encoder.take()), '{"b":2}\n');
    assert.equal(encoder.length, 0);
  });

  it('grows past its initial buffer', () => {
    const big = { text: '长'.repeat(100_000), n: Array.from({ length: 10_000 }, (_, i) => i) };
    assert.equal(encode([big]), expected([big]));
  });

  it('throws on a bigint like JSON.stringify', () => {
    assert.throws(() => new JsonLinesEncoder().writeLine({ n: 1n }), TypeError);
  });
});
