import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reason } from '../../../src/contracts/types.js';
import { floodHashUnits, floodReasons, floodTextHash } from '../../../src/flood/index.js';

/** FNV-1a 64 over UTF-16 code units, the slow obvious way. */
function reference(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

describe('floodTextHash', () => {
  it('is FNV-1a 64 (published vectors for ASCII)', () => {
    assert.equal(floodTextHash('a'), 'af63dc4c8601ec8c');
    assert.equal(floodTextHash('foobar'), '85944171f73967e8');
  });

  it('matches the reference over Chinese, astral and extreme code units', () => {
    for (const text of ['加微信领取免费礼品', '😀😀', '\uffff\u0000\ud800', 'x'.repeat(4096), '加 薇 信']) {
      assert.equal(floodTextHash(text), reference(text), JSON.stringify(text.slice(0, 12)));
    }
  });

  it('is 16 hex digits, and empty for empty text (rate only)', () => {
    assert.match(floodTextHash('hello'), /^[0-9a-f]{16}$/);
    assert.equal(floodTextHash(''), '');
  });

  it('hashes fold-buffer code units to the same value without building a string', () => {
    const text = '加微信 vx 123';
    const codes = new Uint16Array(64);
    for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
    assert.equal(floodHashUnits(codes, text.length), floodTextHash(text));
    assert.equal(floodHashUnits(codes, 0), '');
  });

  it('tells apart texts that differ in one unit', () => {
    assert.notEqual(floodTextHash('加微信'), floodTextHash('加薇信'));
    assert.notEqual(floodTextHash('ab'), floodTextHash('ba'));
  });
});

describe('floodReasons', () => {
  it('maps each hit to its reason, cross-group as ads', () => {
    const out: Reason[] = [];
    const n = floodReasons(
      { hits: ['rate', 'duplicate', 'crossGroup'], rateCount: 11, duplicateCount: 3, groupCount: 5 },
      out,
    );
    assert.equal(n, 3);
    assert.deepEqual(
      out.map((r) => [r.detector, r.category, r.rule]),
      [
        ['flood', 'flood', 'flood:rate'],
        ['flood', 'flood', 'flood:duplicate'],
        ['flood', 'ads', 'ads:cross-group'],
      ],
    );
    for (const r of out) assert.ok(Number.isInteger(r.severity) && r.severity >= 0 && r.severity <= 5);
  });

  it('appends nothing for a clean result', () => {
    const out: Reason[] = [];
    assert.equal(floodReasons({ hits: [], rateCount: 1, duplicateCount: 1, groupCount: 1 }, out), 0);
    assert.equal(out.length, 0);
  });
});
