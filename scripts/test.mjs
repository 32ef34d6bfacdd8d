#!/usr/bin/env node
// Runs every tests/**/*.test.ts with Node's own test runner (through tsx), so CI reads its summary.
// Usage: node scripts/test.mjs [dir-or-file ...]   (default: tests/)
// --test-force-exit: a file whose tests are done exits even if a client left a handle open (never a hang).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  return out;
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = (roots.length ? roots : ['tests']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', ...passthrough, ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
