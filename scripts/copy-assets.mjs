#!/usr/bin/env node
// tsc copies no non-TS files: the Lua scripts live beside their TypeScript and are read at start-up.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.lua')) {
      const dest = join('dist', p.slice('src/'.length));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(p, dest);
    }
  }
}
walk('src');
