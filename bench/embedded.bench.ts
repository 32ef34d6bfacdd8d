/**
 * Embedded-mode throughput (issue 3): messages/s through the HTTP API (`POST /v1/messages`, NDJSON batches
 * and single messages) and through `modstream run --stdin`, each a real `modstream run` process on the built
 * CLI (`npm run build` first), with the built-in lexicons and policy and in-memory state.
 *
 *   npm run build && npm run bench -- embedded [--messages 50000] [--batch 500] [--concurrency 4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generateCorpus, generateLexicon, toMessageJsonl } from './corpus.js';

const CLI = 'dist/cli/main.js';

function startHttp(): Promise<{ child: ChildProcess; base: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /on (http:\/\/[\d.]+:\d+)/.exec(err);
      if (m) resolve({ child, base: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`run exited ${code}: ${err}`)));
  });
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: false,
  });
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const count = Number(values.messages ?? 50_000);
  const batch = Number(values.batch ?? 500);
  const concurrency = Number(values.concurrency ?? 4);
  const seed = Number(values.seed ?? 1);
  const texts = generateCorpus({ count, seed, plant: generateLexicon(2_000, seed).slice(0, 400) });
  const jsonl = toMessageJsonl(texts, seed);
  const lines = jsonl.trim().split('\n');
  const rows: string[] = [];

  // 1. stdin: the whole stream piped through one process (start-up included, then excluded by a warm-up line).
  {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'run', '--stdin', '--log-level', 'warn'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      let outLines = 0;
      child.stdout.on('data', (d: Buffer) => {
        for (const b of d) if (b === 10) outLines++;
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 && outLines === lines.length
          ? resolve()
          : reject(new Error(`stdin run: exit ${code}, ${outLines} lines`)),
      );
      child.stdin.end(jsonl);
    });
    const s = (performance.now() - started) / 1000;
    rows.push(
      `| \`run --stdin\` (whole process, start-up included) | ${fmt(count / s)} | ${s.toFixed(2)} s |`,
    );
  }

  // 2. HTTP: NDJSON batches, and single messages.
  const { child, base } = await startHttp();
  try {
    const post = async (body: string, type: string) => {
      const res = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      await res.arrayBuffer();
    };
    const batches: string[] = [];
    for (let i = 0; i < lines.length; i += batch) batches.push(lines.slice(i, i + batch).join('\n'));
    await post(batches[0]!, 'application/x-ndjson'); // warm-up
    let t = performance.now();
    await pool(batches, concurrency, (b) => post(b, 'application/x-ndjson'));
    let s = (performance.now() - t) / 1000;
    rows.push(
      `| HTTP \`POST /v1/messages\`, NDJSON batches of ${batch}, ${concurrency} concurrent | ${fmt(count / s)} | ${s.toFixed(2)} s |`,
    );
    const singles = lines.slice(0, Math.min(lines.length, 10_000));
    t = performance.now();
    await pool(singles, 16, (l) => post(l, 'application/json'));
    s = (performance.now() - t) / 1000;
    rows.push(
      `| HTTP \`POST /v1/messages\`, one message per request, 16 concurrent (${fmt(singles.length)} requests) | ${fmt(singles.length / s)} | ${s.toFixed(2)} s |`,
    );
  } finally {
    child.kill('SIGTERM');
  }
  process.stdout.write(
    `\n### Embedded mode (${fmt(count)} messages, built-in lexicons and policy, in-memory state)\n\n| path | msgs/s | time |\n|---|---:|---:|\n${rows.join('\n')}\n`,
  );
}
