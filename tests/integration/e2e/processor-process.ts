/**
 * The REAL processor as a child process: `node --import tsx src/cli/main.ts run` in Kafka mode, configured
 * only through the environment (and an optional YAML file), exactly as it is deployed. The ops port
 * (/readyz, /metrics) tells the test when it has joined the group, which partitions it owns and what it
 * counted; its output is kept (last lines only) so a failing test can show what the process said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../redis/redis-server.js';
import { waitFor } from '../../helpers/services.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(PROJECT_ROOT, 'src/cli/main.ts');
const KEPT_OUTPUT_LINES = 60;

export interface ProcessorSpec {
  brokers: readonly string[];
  groupId: string;
  topics: { messages: string; verdicts: string; dlq: string };
  /** Partitions when the processor creates the topics (tests usually create them first). */
  partitions: number;
  redisUrl: string;
  redisKeyPrefix: string;
  /** More MODSTREAM_* variables (fail mode, limits, …). */
  env?: Record<string, string>;
  /**
   * Config-file keys the environment cannot set (e.g. kafka.sessionTimeoutMs), written as a YAML (JSON is
   * YAML) file passed with --config.
   */
  configFile?: Record<string, unknown>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Readiness {
  status: number;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export class ProcessorProcess {
  readonly name: string;
  readonly metricsPort: number;
  readonly #child: ChildProcess;
  readonly #exited: Promise<ExitStatus>;
  readonly #output: string[] = [];
  readonly #tmpDir: string | null;
  #exit: ExitStatus | null = null;

  private constructor(name: string, metricsPort: number, child: ChildProcess, tmpDir: string | null) {
    this.name = name;
    this.metricsPort = metricsPort;
    this.#child = child;
    this.#tmpDir = tmpDir;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.#output.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
        if (this.#output.length > KEPT_OUTPUT_LINES) this.#output.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        if (this.#tmpDir) rmSync(this.#tmpDir, { recursive: true, force: true });
        resolveExit(this.#exit);
      });
    });
  }

  /** Spawns the processor; call ready() to wait until it has joined the group. */
  static async spawn(name: string, spec: ProcessorSpec): Promise<ProcessorProcess> {
    const metricsPort = await freePort();
    let tmpDir: string | null = null;
    const args = [
      '--import',
      'tsx',
      CLI,
      'run',
      '--metrics-port',
      String(metricsPort),
      '--log-level',
      'warn',
    ];
    if (spec.configFile) {
      tmpDir = mkdtempSync(join(tmpdir(), 'modstream-e2e-'));
      const file = join(tmpDir, 'config.yaml');
      writeFileSync(file, JSON.stringify(spec.configFile, null, 2));
      args.push('--config', file);
    }
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      env: processorEnv(spec),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ProcessorProcess(name, metricsPort, child, tmpDir);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === null;
  }

  /** Settles when the process has exited. */
  get exited(): Promise<ExitStatus> {
    return this.#exited;
  }

  /** The last lines the process printed (for failure messages). */
  output(): string {
    return this.#output.map((l) => `    [${this.name}] ${l}`).join('\n');
  }

  /** Waits until /readyz answers 200 (engine, state and Kafka ready, partitions assigned). */
  async ready(timeoutMs = 45_000): Promise<void> {
    await this.#waitUnlessExited(
      async () => (await this.readiness())?.status === 200,
      'to be ready',
      timeoutMs,
    );
  }

  async readiness(): Promise<Readiness | null> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`);
      const body = (await res.json()) as { checks: Readiness['checks'] };
      return { status: res.status, checks: body.checks };
    } catch {
      return null;
    }
  }

  /** Partitions of the messages topic this instance owns, from /readyz ("running, partitions [0,2]"). */
  async assigned(): Promise<number[]> {
    const detail = (await this.readiness())?.checks.kafka?.detail ?? '';
    const inside = /partitions \[([^\]]*)\]/.exec(detail)?.[1] ?? '';
    return inside === '' ? [] : inside.split(',').map(Number);
  }

  async waitAssigned(count: number, timeoutMs = 45_000): Promise<number[]> {
    let last: number[] = [];
    await this.#waitUnlessExited(
      async () => {
        last = await this.assigned();
        return last.length === count;
      },
      `to own ${count} partitions`,
      timeoutMs,
    );
    return last;
  }

  /** The Prometheus exposition of /metrics. */
  async metricsText(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** Sum of a metric's samples whose labels include every given label (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumSamples(await this.metricsText(), name, labels);
  }

  /** SIGTERM and wait for the exit (graceful shutdown). */
  async terminate(timeoutMs = 40_000): Promise<ExitStatus> {
    if (this.#exit) return this.#exit;
    this.#child.kill('SIGTERM');
    return this.#exitWithin(timeoutMs, 'after SIGTERM');
  }

  /** SIGKILL and wait for the exit: no shutdown at all, whatever was in flight is lost. */
  async kill(): Promise<ExitStatus> {
    if (this.#exit) return this.#exit;
    this.#child.kill('SIGKILL');
    return this.#exited;
  }

  /** For after() hooks: make sure nothing is left running. */
  async dispose(): Promise<void> {
    if (this.#exit) return;
    await this.kill();
  }

  async #exitWithin(timeoutMs: number, what: string): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms ${what}\n${this.output()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // Like waitFor, but a process that died meanwhile fails at once, with its output.
  async #waitUnlessExited(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
    try {
      await waitFor(
        async () => {
          if (this.#exit) throw new ExitedError(this.#exit);
          return condition();
        },
        `${this.name} ${what}`,
        { timeoutMs, intervalMs: 200 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${this.output()}`, { cause: e });
    }
  }
}

class ExitedError extends Error {
  constructor(exit: ExitStatus) {
    super(`the process exited (code ${exit.code}, signal ${exit.signal})`);
  }
}

/**
 * The child's environment: the parent's minus every MODSTREAM_* variable (an unknown one would stop the
 * processor, and none of the parent's settings may leak in), plus the deployment variables.
 */
function processorEnv(spec: ProcessorSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('MODSTREAM_') || k === 'KAFKA_BROKERS' || k === 'REDIS_URL') continue;
    env[k] = v;
  }
  return {
    ...env,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    KAFKA_BROKERS: spec.brokers.join(','),
    REDIS_URL: spec.redisUrl,
    MODSTREAM_KAFKA_GROUP_ID: spec.groupId,
    MODSTREAM_KAFKA_CLIENT_ID: spec.groupId,
    MODSTREAM_KAFKA_TOPIC_MESSAGES: spec.topics.messages,
    MODSTREAM_KAFKA_TOPIC_VERDICTS: spec.topics.verdicts,
    MODSTREAM_KAFKA_TOPIC_DLQ: spec.topics.dlq,
    MODSTREAM_KAFKA_PARTITIONS: String(spec.partitions),
    MODSTREAM_REDIS_KEY_PREFIX: spec.redisKeyPrefix,
    MODSTREAM_METRICS_HOST: '127.0.0.1',
    // Tests never edit lexicons or policies; no file watchers.
    MODSTREAM_LEXICON_WATCH: 'false',
    MODSTREAM_POLICY_WATCH: 'false',
    ...spec.env,
  };
}

/** Sums the samples of `name` (exact metric name) whose label set includes `labels`. */
export function sumSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    const matches = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (!matches) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}
