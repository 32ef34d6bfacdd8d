/**
 * Benchmark entry point: `npm run bench -- <name> [options]` (`npm run bench` alone runs them all, passing
 * along only options they all know, such as --messages and --seed). Each benchmark is a module exporting
 * `run(argv)`; add new ones to BENCHMARKS.
 */

interface Benchmark {
  run(argv: string[]): Promise<void>;
}

const BENCHMARKS: Readonly<Record<string, () => Promise<Benchmark>>> = {
  detection: () => import('./detection.bench.js'),
  cli: () => import('./cli.bench.js'),
  embedded: () => import('./embedded.bench.js'),
  'redis-flood': () => import('./redis-flood.bench.js'),
  flood: () => import('./flood.bench.js'),
  classifier: () => import('./classifier.bench.js'),
  'metrics-overhead': () => import('./metrics-overhead.bench.js'),
  'kafka-pipe': () => import('./kafka-pipe.bench.js'),
  'kafka-latency': () => import('./kafka-latency.bench.js'),
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(`usage: npm run bench -- [${Object.keys(BENCHMARKS).join('|')}] [options]\n`);
    return;
  }
  if (name === undefined || name.startsWith('-')) {
    for (const load of Object.values(BENCHMARKS)) await (await load()).run(argv);
    return;
  }
  const load = BENCHMARKS[name];
  if (!load) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  await (await load()).run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
