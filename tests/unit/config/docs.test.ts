/**
 * The documentation states the configured defaults (src/config/defaults.ts), not the library classes' own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../../../src/config/index.js';

/** 1000000 → "1 000 000", as the docs write numbers. */
const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

describe('docs and the configured defaults', () => {
  it('docs/policy.md gives the in-memory stores the configured state.maxKeys default', () => {
    const paragraphs = readFileSync('docs/policy.md', 'utf8')
      .split(/\n\s*\n/)
      .filter((p) => p.includes('`state.maxKeys`'));
    assert.ok(paragraphs.length >= 2, 'the strike store and the flood limiter paragraphs');
    for (const p of paragraphs) {
      assert.ok(
        p.includes(`default ${spaced(DEFAULT_CONFIG.state.maxKeys)}`),
        `states the default of ${DEFAULT_CONFIG.state.maxKeys}:\n${p}`,
      );
    }
  });
});
