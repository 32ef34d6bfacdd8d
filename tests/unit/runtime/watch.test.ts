import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.js';
import { ReloadWatcher } from '../../../src/runtime/watch.js';

describe('ReloadWatcher', () => {
  it('reloads the lexicon when an --allow file given apart changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-watch-allow-'));
    const allow = join(dir, 'extra-allow.txt');
    writeFileSync(allow, '操作\n');
    const changes: string[] = [];
    const watcher = new ReloadWatcher({
      lexiconDirs: [],
      allowFiles: [allow],
      policyFile: null,
      watchLexicons: true,
      watchPolicy: false,
      onChange: (what) => changes.push(what.lexicon ? 'lexicon' : 'other'),
      logger: silentLogger(),
      debounceMs: 20,
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      writeFileSync(allow, '操作\n体操\n');
      for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(changes, ['lexicon']);
    } finally {
      watcher.close();
    }
  });

  it('sees a Kubernetes ConfigMap update of the policy (the ..data symlink swapped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-watch-'));
    mkdirSync(join(dir, '..2025_01'));
    writeFileSync(join(dir, '..2025_01', 'policy.yaml'), 'name: a\nversion: 1\n');
    symlinkSync('..2025_01', join(dir, '..data'));
    symlinkSync(join('..data', 'policy.yaml'), join(dir, 'policy.yaml'));
    const changes: string[] = [];
    const watcher = new ReloadWatcher({
      lexiconDirs: [],
      policyFile: join(dir, 'policy.yaml'),
      watchLexicons: false,
      watchPolicy: true,
      onChange: (what) => changes.push(what.policy ? 'policy' : 'other'),
      logger: silentLogger(),
      debounceMs: 20,
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      // What kubelet does: a new directory, a new symlink beside, renamed over ..data.
      mkdirSync(join(dir, '..2025_02'));
      writeFileSync(join(dir, '..2025_02', 'policy.yaml'), 'name: a\nversion: 2\n');
      symlinkSync('..2025_02', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(changes, ['policy']);
    } finally {
      watcher.close();
    }
  });
});
