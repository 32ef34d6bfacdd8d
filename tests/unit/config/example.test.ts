import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, DEFAULT_CONFIG } from '../../../src/config/index.js';

it('examples/config.yaml is valid and equals the defaults', () => {
  assert.deepEqual(loadConfig({ file: 'examples/config.yaml', env: {} }), DEFAULT_CONFIG);
});
