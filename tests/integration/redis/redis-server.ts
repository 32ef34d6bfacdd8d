/**
 * A private redis-server for tests that stop, pause or flush Redis: never the machine's Redis on 6379.
 * Started as a child process on a free port (`--save '' --appendonly no`: nothing on disk), stopped by
 * its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { IN_CI } from '../../helpers/services.js';

/** Is redis-server installed? Skips locally, fails under CI (like requireRedis). */
export function requireRedisServerBinary(): { skip: string | false } {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return { skip: false };
  const message =
    'redis-server is not installed (needed to start private Redis servers); run `npm run services:up` or install Redis 7';
  if (IN_CI) {
    test('redis-server is installed (required under CI=true)', () => {
      throw new Error(message);
    });
    return { skip: 'redis-server missing: see the failing test above' };
  }
  return { skip: message };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  readonly port: number;
  readonly extraArgs: readonly string[];
  readonly dir: string;
  #child: ChildProcess | null = null;

  private constructor(port: number, extraArgs: readonly string[]) {
    this.port = port;
    this.extraArgs = extraArgs;
    this.dir = mkdtempSync(join(tmpdir(), 'modstream-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** A started server; when it does not come up, nothing is left behind (no process, no directory). */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs);
    try {
      await server.restart();
    } catch (e) {
      await server.dispose();
      throw e;
    }
    return server;
  }

  /**
   * Starts the server (again, on the same port) and waits until it answers PING. When it does not answer,
   * the process is stopped before the error is thrown: a running child keeps the test file from exiting.
   */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('redis-server already running');
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
    try {
      await waitForPing(this.port, 10_000);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) {
      this.#child = null;
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.#child = null;
  }

  /** SIGSTOP / SIGCONT: a hung server (accepts bytes, answers nothing) and its recovery. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      // Each attempt is bounded (ioredis waits for a reply forever by default); the loop has the deadline.
      connectTimeout: 2000,
      commandTimeout: 2000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
