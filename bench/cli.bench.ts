/**
 * CLI benchmark (issue 2, "Performance"): `modstream check` as a whole process over the generated corpus
 * (JSON in, verdicts out) against a bare pipe doing only JSON parse + @monyone/aho-corasick/fast match +
 * one JSON line out per message (bench/bare-pipe.ts). Both read the same JSONL file, use the same lexicon
 * directory and write to a file; the figure is wall-clock time of the whole process, start-up included.
 *
 *   npm run bench -- cli [--messages N] [--seed S] [--lexicon-size N] [--lexicon DIR] [--repeat K]
 *
 * Both sides run as plain JavaScript on plain `node`, so neither pays for a TypeScript loader: modstream from
 * dist/ (rebuilt first with `npm run build` unless --skip-build), the bare pipe transpiled once to
 * bench/out/bare-pipe.mjs. Each process also reports its own CPU time (user + system, all threads), which is
 * steadier than wall time on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { BENCH_OUT, PROJECT_ROOT, describeCorpus, prepareBenchInputs } from './corpus.js';
import { BUILT_CLI, buildDist } from './dist.js';

interface Timing {
  seconds: number;
  /** CPU seconds of the process (user + system), as it reported them at exit. */
  cpuSeconds: number;
  lines: number;
  status: number | null;
  stderrTail: string;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '200000' },
      seed: { type: 'string', default: '1' },
      'lexicon-size': { type: 'string', default: '20000' },
      lexicon: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'skip-build': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const messages = Number(values.messages);
  const seed = Number(values.seed);
  const repeat = Math.max(1, Number(values.repeat));
  const inputs = prepareBenchInputs(messages, seed, Number(values['lexicon-size']));
  const lexiconDir = values.lexicon ?? inputs.lexiconDir;
  const corpus = describeCorpus(inputs.texts);
  const loadAtStart = loadavg()[0];

  const built = BUILT_CLI;
  if (!values['skip-build']) buildDist();
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build`);
  const cliArgs = [built];
  const barePipe = transpileBarePipe();
  const checkOut = join(BENCH_OUT, 'cli-check.out.jsonl');
  const bareOut = join(BENCH_OUT, 'cli-bare.out.jsonl');

  let bare: Timing | undefined;
  let check: Timing | undefined;
  for (let k = 0; k < repeat; k++) {
    process.stderr.write(`bare pipe, run ${k + 1}/${repeat}…\n`);
    const b = timeProcess([barePipe, '--lexicon', lexiconDir], inputs.corpusJsonl, bareOut);
    if (!bare || b.seconds < bare.seconds) bare = b;
    process.stderr.write(`modstream check, run ${k + 1}/${repeat}…\n`);
    const c = timeProcess([...cliArgs, 'check', '--lexicon', lexiconDir], inputs.corpusJsonl, checkOut);
    if (!check || c.seconds < check.seconds) check = c;
  }
  if (!bare || !check) return;

  const row = (name: string, t: Timing): string =>
    `| ${name} | ${t.seconds.toFixed(2)} | ${t.cpuSeconds.toFixed(2)} | ` +
    `${Math.round(corpus.messages / t.seconds).toLocaleString('en-US')} | ` +
    `${t.lines} | ${t.status === 0 ? 'ok' : `exit ${t.status}: ${t.stderrTail}`} |`;
  const report = [
    `### CLI run ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Command: \`${`npm run bench -- cli ${argv.join(' ')}`.trim()}\`; modstream via \`node ${cliArgs.join(' ').replace(PROJECT_ROOT + '/', '')}\`.`,
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, load average ` +
      `${loadAtStart.toFixed(1)} at start. Corpus: ${corpus.messages} messages ` +
      `(\`${inputs.corpusJsonl.replace(PROJECT_ROOT + '/', '')}\`), lexicon \`${lexiconDir.replace(PROJECT_ROOT + '/', '')}\`. ` +
      `Best of ${repeat} (by wall time); whole processes, start-up included, both on plain node.`,
    '',
    '| process | seconds | CPU seconds | msgs/s | lines out | status |',
    '|---|--:|--:|--:|--:|---|',
    row('bare pipe (JSON.parse + @monyone/aho-corasick/fast + JSON line)', bare),
    row('modstream check', check),
    '',
    `- modstream check vs bare pipe: **${(bare.seconds / check.seconds).toFixed(2)}×** the speed by wall time, ` +
      `${(bare.cpuSeconds / check.cpuSeconds).toFixed(2)}× by CPU time (≥ 1 means check is at least as fast).`,
    '',
  ].join('\n');
  process.stdout.write(report + '\n');
}

/** Preloaded into each timed process: prints its own CPU time on exit (spawnSync has no child rusage). */
const CPU_REPORT =
  'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();' +
  'process.stderr.write("\\nCPU_USAGE_US "+(u.user+u.system)+"\\n")})';

function timeProcess(args: string[], input: string, output: string): Timing {
  rmSync(output, { force: true });
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', CPU_REPORT, ...args, '--input', input, '--output', output],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  let lines = 0;
  if (existsSync(output)) {
    const text = readFileSync(output, 'utf8');
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  }
  const stderr = (child.stderr ?? '').trim().split('\n');
  const cpuLine = stderr.findLast((l) => l.startsWith('CPU_USAGE_US '));
  const cpuSeconds = cpuLine ? Number(cpuLine.slice('CPU_USAGE_US '.length)) / 1e6 : NaN;
  const stderrTail =
    stderr
      .filter((l) => l.length > 0 && !l.startsWith('CPU_USAGE_US '))
      .slice(-1)[0]
      ?.slice(0, 160) ?? '';
  return { seconds, cpuSeconds, lines, status: child.status, stderrTail };
}

/** bench/bare-pipe.ts as plain JavaScript (TypeScript's own transpiler), so the baseline runs on plain node too. */
function transpileBarePipe(): string {
  const source = join(PROJECT_ROOT, 'bench', 'bare-pipe.ts');
  const target = join(BENCH_OUT, 'bare-pipe.mjs');
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: source,
  });
  writeFileSync(target, outputText);
  return target;
}
