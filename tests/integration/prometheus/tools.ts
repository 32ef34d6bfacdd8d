/**
 * Helpers for the tests against a real Prometheus: finding the `prometheus` and `promtool` binaries (Debian's
 * `prometheus` package; override with PROMETHEUS_BIN / PROMTOOL_BIN), free ports, child processes that are
 * always killed, and Prometheus's HTTP API.
 *
 * Like tests/helpers/services.ts: a missing binary SKIPS locally with a clear message, but under CI=true it
 * FAILS (a failing test says what is missing and how to install it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const INSTALL_HINT =
  'install it with `apt-get install -y prometheus` (Debian/Ubuntu; brings prometheus and promtool)';

export interface ToolGate {
  prometheus: string;
  promtool: string;
  /** For `describe(name, { skip })`: false when both are there, else the reason. */
  skip: string | false;
}

/** The first executable called `name` on PATH, or null. */
export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Locates prometheus and promtool; registers a failing test under CI when one is missing. */
export function requirePrometheusTools(needs: { prometheus?: boolean } = { prometheus: true }): ToolGate {
  const prometheus = process.env.PROMETHEUS_BIN ?? which('prometheus');
  const promtool = process.env.PROMTOOL_BIN ?? which('promtool');
  const missing = [
    needs.prometheus !== false && !prometheus ? 'prometheus' : null,
    !promtool ? 'promtool' : null,
  ].filter((x): x is string => x !== null);
  if (missing.length === 0) return { prometheus: prometheus ?? '', promtool: promtool!, skip: false };
  const what = missing.join(' and ');
  if (IN_CI) {
    test(`${what} available (required under CI=true)`, () => {
      throw new Error(`${what} not found on PATH but required under CI=true; ${INSTALL_HINT}`);
    });
    return { prometheus: '', promtool: '', skip: `${what} missing: see the failing test above` };
  }
  return { prometheus: '', promtool: '', skip: `${what} not found on PATH; ${INSTALL_HINT}` };
}

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/** A child process whose output is kept (for failure messages) and that stop() always ends. */
export class Managed {
  readonly child: ChildProcess;
  #output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.#output = (this.#output + b.toString('utf8')).slice(-20_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((r) => {
      this.child.once('exit', (code) => r(code));
      this.child.once('error', (e) => {
        this.#output += `\nspawn error: ${e.message}`;
        r(null);
      });
    });
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs a command to completion with optional stdin; returns its status and output. */
export function runTool(command: string, args: string[], input?: string, cwd = PROJECT_ROOT) {
  const r = spawnSync(command, args, {
    cwd,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    output: `${r.stdout ?? ''}${r.stderr ?? ''}`,
  };
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through Prometheus's HTTP API; rejects on an API error. */
export async function promQuery(base: string, query: string): Promise<PromSample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    status: string;
    data?: { resultType: string; result: PromSample[] };
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error ?? res.status}`);
  if (body.data!.resultType !== 'vector')
    throw new Error(`query ${query} returned a ${body.data!.resultType}`);
  return body.data!.result;
}

/** The values of a query's series, keyed by the given label (or "" for a single unlabelled series). */
export async function promValues(base: string, query: string, by?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await promQuery(base, query)) out[by ? (s.metric[by] ?? '') : ''] = Number(s.value[1]);
  return out;
}

/** Polls until `condition` is truthy; a guard against hanging tests, not a timing assertion. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
