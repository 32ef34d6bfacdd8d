/**
 * The shipped JavaScript for benchmarks that run `modstream` as a process: they measure `dist/`, as
 * deployments run it (the Dockerfile, `npm start`), never a TypeScript loader, whose compile-on-load
 * would show as start-up and warm-up time the product does not have.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** dist/cli/main.js, the CLI entry point `npm run build` writes. */
export const BUILT_CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** `npm run build`; on failure says so and goes on with dist/ as it is. */
export function buildDist(): void {
  process.stderr.write('building dist/ (npm run build)…\n');
  const result = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    process.stderr.write(`npm run build exited with ${result.status}; using dist/ as it is\n`);
}
