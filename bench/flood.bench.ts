/**
 * Flood limiter benchmark: decisions/s of modstream's in-memory flood limiter against rate-limiter-flexible's
 * RateLimiterMemory, in one run, on the same message stream.
 *
 *   node --import tsx bench/flood.bench.ts [--messages N] [--batch B] [--rounds R] [--rate MSGS_PER_S]
 *
 * Semantics compared: 10 messages per 10 s per user+group. RateLimiterMemory({ points: 10, duration: 10 })
 * is the closest it has: a fixed window that opens at a key's first hit (ours is an exact sliding window,
 * so the "limited" counts differ a little; they are printed so a speed-up is never bought by skipping).
 * rate-limiter-flexible has no duplicate-text or cross-group check, so it is compared with our rate check
 * alone (no texts sent, every window 10 s: configured as a rate limiter) AND with our full check.
 *
 * The stream is generated from a seed: 50 000 users in 1 000 groups chatting at --rate messages/s of event
 * time (default 2 000/s, a busy deployment), plus flooders (bursts of the same few texts in their group) and
 * spammers (one text into many groups). Both limiters see the stream's event time: ours through each
 * request's ts and its clock, RateLimiterMemory through Date.now, which is pointed at the simulated clock
 * while it runs (its timers still use real time; the run is far shorter than their 10 s). Without that,
 * a benchmark pushing 100k+ messages/s would squeeze minutes of traffic into one window and make every
 * user a flooder.
 * Each run is a fresh process (see runChild). Both sides get the same batches: RateLimiterMemory one consume() per message, all of a batch in flight
 * together (as a pipeline judging a batch would); ours one check() per batch.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { MemoryFloodLimiter } from '../src/flood/memory/memory-flood-limiter.js';
import { floodTextHash } from '../src/flood/reasons.js';
import type { FloodLimits, FloodRequest } from '../src/flood/types.js';

const LIMITS: FloodLimits = {
  rateMax: 10,
  rateWindowMs: 10_000,
  duplicateMax: 3,
  duplicateWindowMs: 60_000,
  crossGroupMin: 5,
  crossGroupWindowMs: 60_000,
};

/**
 * Our limiter configured for the rate check alone (no texts are sent, and no window is longer than the
 * rate's, so it keeps 10 s of history like a rate limiter would, not the 60 s the text checks need).
 */
const RATE_ONLY: FloodLimits = { ...LIMITS, duplicateWindowMs: 10_000, crossGroupWindowMs: 10_000 };

interface Options {
  messages: number;
  batch: number;
  rounds: number;
  /** Event-time messages per second of the simulated stream. */
  rate: number;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { messages: 300_000, batch: 64, rounds: 3, rate: 2_000 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--messages') opts.messages = value;
    else if (argv[i] === '--batch') opts.batch = value;
    else if (argv[i] === '--rounds') opts.rounds = value;
    else if (argv[i] === '--rate') opts.rate = value;
    else continue;
    i++;
  }
  return opts;
}

/** Mulberry32: a small seeded PRNG, so every run sees the same stream. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = 1_764_000_000_000;

interface Stream {
  /** `platform:groupId:userId`, the rate-limiter-flexible key. */
  keys: string[];
  platform: string[];
  groupId: string[];
  userId: string[];
  textHash: string[];
  /** Message ids (as a pipeline has them). */
  ids: string[];
  /** Event time (ms). */
  ts: number[];
}

/** The seeded stream described in the header. */
export function makeStream(n: number, rate: number): Stream {
  const rand = prng(42);
  const texts = Array.from({ length: 50_000 }, (_, i) => floodTextHash(`message text ${i} 你好 ${i * 7}`));
  const floods = Array.from({ length: 3 }, (_, i) => floodTextHash(`刷屏 ${i}`));
  const spam = Array.from({ length: 20 }, (_, i) => floodTextHash(`加微信 领取免费礼品 ${i}`));
  const s: Stream = { keys: [], platform: [], groupId: [], userId: [], textHash: [], ids: [], ts: [] };
  for (let i = 0; i < n; i++) {
    let user: string;
    let group: string;
    let hash: string;
    const kind = rand();
    if (kind < 0.03) {
      const spammer = Math.floor(rand() * 20);
      user = `spammer${spammer}`;
      group = `g${Math.floor(rand() * 1_000)}`;
      hash = spam[spammer];
    } else if (kind < 0.06) {
      const flooder = Math.floor(rand() * 50);
      user = `flooder${flooder}`;
      group = `g${(flooder * 13) % 1_000}`;
      hash = floods[Math.floor(rand() * floods.length)];
    } else {
      const u = Math.floor(50_000 * rand() ** 1.2); // mildly skewed: some users talk more
      user = `u${u}`;
      group = rand() < 0.9 ? `g${u % 1_000}` : `g${(u * 7 + 3) % 1_000}`;
      hash = texts[Math.floor(rand() * texts.length)];
    }
    s.platform.push('qq');
    s.groupId.push(group);
    s.userId.push(user);
    s.textHash.push(hash);
    s.keys.push(`qq:${group}:${user}`);
    s.ids.push(`qq:${group}:${i}`);
    s.ts.push(T0 + Math.floor((i * 1000) / rate));
  }
  return s;
}

interface Measured {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of the process (user + system, GC threads included): steadier on a shared machine. */
  cpuSeconds: number;
  limited: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One run; a fresh limiter per run, so runs never share state. */
export async function runRateLimiterFlexible(stream: Stream, batch: number): Promise<Measured> {
  const limiter = new RateLimiterMemory({ points: LIMITS.rateMax, duration: LIMITS.rateWindowMs / 1000 });
  const keys = stream.keys;
  const times = stream.ts;
  let limited = 0;
  const allowed = () => 0;
  const refused = () => 1;
  const inFlight: Promise<number>[] = new Array(batch);
  const realNow = Date.now;
  let simulated = times[0];
  Date.now = () => simulated;
  const cpuStarted = cpuNow();
  const started = performance.now();
  try {
    for (let i = 0; i < keys.length; i += batch) {
      const end = Math.min(i + batch, keys.length);
      inFlight.length = end - i;
      for (let j = i; j < end; j++) {
        simulated = times[j]; // consume() reads the clock synchronously
        inFlight[j - i] = limiter.consume(keys[j]).then(allowed, refused);
      }
      const results = await Promise.all(inFlight);
      for (const r of results) limited += r;
    }
  } finally {
    Date.now = realNow;
  }
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuNow() - cpuStarted, limited };
}

/**
 * The stream as our limiter's requests, one array per batch, built before the clock starts: the
 * rate-limiter-flexible side gets its keys ready-made too, so neither side is timed building its input.
 */
export function makeRequests(stream: Stream, batch: number, withText: boolean): FloodRequest[][] {
  const batches: FloodRequest[][] = [];
  for (let i = 0; i < stream.keys.length; i += batch) {
    const end = Math.min(i + batch, stream.keys.length);
    const requests: FloodRequest[] = [];
    for (let j = i; j < end; j++) {
      requests.push({
        platform: stream.platform[j],
        groupId: stream.groupId[j],
        userId: stream.userId[j],
        messageId: stream.ids[j],
        textHash: withText ? stream.textHash[j] : '',
        ts: stream.ts[j],
        limits: withText ? LIMITS : RATE_ONLY,
      });
    }
    batches.push(requests);
  }
  return batches;
}

/** One run over prepared batches (makeRequests); a fresh limiter per run. */
export async function runOurs(batches: readonly FloodRequest[][]): Promise<Measured> {
  let simulated = batches[0][0].ts;
  const limiter = new MemoryFloodLimiter({ clock: () => simulated });
  let limited = 0;
  const cpuStarted = cpuNow();
  const started = performance.now();
  for (const requests of batches) {
    simulated = requests[requests.length - 1].ts;
    const results = await limiter.check(requests);
    for (const r of results) if (r.hits.length > 0) limited++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuNow() - cpuStarted;
  await limiter.close();
  return { seconds, cpuSeconds, limited };
}

/** A full garbage collection: the measured run starts from a collected heap. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Contender {
  name: string;
  check: string;
  /** Prepares the input (not timed) and returns the measured run. */
  prepare: (stream: Stream, opts: Options) => () => Promise<Measured>;
}

const CONTENDERS: Contender[] = [
  {
    name: 'rate-limiter-flexible RateLimiterMemory',
    check: 'rate',
    prepare: (stream, opts) => () => runRateLimiterFlexible(stream, opts.batch),
  },
  {
    name: 'modstream MemoryFloodLimiter',
    check: 'rate',
    prepare: (stream, opts) => {
      const batches = makeRequests(stream, opts.batch, false);
      return () => runOurs(batches);
    },
  },
  {
    name: 'modstream MemoryFloodLimiter',
    check: 'rate + duplicate + cross-group',
    prepare: (stream, opts) => {
      const batches = makeRequests(stream, opts.batch, true);
      return () => runOurs(batches);
    },
  },
];

/**
 * One measured run of one contender, in this (child) process: the stream, a warm-up (JIT) on a slice of
 * it, a full GC, then the run. Each contender runs in a process of its own so that none pays for the
 * garbage another left behind (in one process, rate-limiter-flexible's promises and timers and our logs
 * moved every ratio by ±25 % between otherwise identical runs).
 */
async function runChild(index: number, opts: Options): Promise<Measured> {
  const contender = CONTENDERS[index];
  const warm = makeStream(Math.min(20_000, opts.messages), opts.rate);
  const warmRun = contender.prepare(warm, opts);
  await warmRun();
  await warmRun();
  const run = contender.prepare(makeStream(opts.messages, opts.rate), opts);
  collectGarbage();
  return run();
}

function spawnChild(index: number, opts: Options): Measured {
  const args = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--child',
    String(index),
    '--messages',
    String(opts.messages),
    '--batch',
    String(opts.batch),
    '--rate',
    String(opts.rate),
  ];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as Measured;
}

export async function runFloodBench(opts: Options): Promise<string> {
  // Rounds interleaved so machine noise hits every contender alike; a fresh process per run.
  const wall: number[][] = CONTENDERS.map(() => []);
  const cpu: number[][] = CONTENDERS.map(() => []);
  const limited: number[] = CONTENDERS.map(() => 0);
  for (let round = 0; round < opts.rounds; round++) {
    for (let c = 0; c < CONTENDERS.length; c++) {
      const m = spawnChild(c, opts);
      wall[c].push(opts.messages / m.seconds);
      cpu[c].push(opts.messages / m.cpuSeconds);
      limited[c] = m.limited;
    }
  }
  const baseWall = median(wall[0]);
  const baseCpu = median(cpu[0]);
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  const lines = [
    `Flood limiter, ${opts.messages.toLocaleString('en')} messages at ${opts.rate.toLocaleString('en')}/s ` +
      `of event time, batches of ${opts.batch}, median of ${opts.rounds} rounds, each run in a fresh ` +
      `process (node ${process.version}).`,
    'Wall: decisions per second of elapsed time. CPU: per second of process CPU time (user + system, GC',
    'helper threads included), steadier on a shared machine.',
    '',
    '| limiter | check | decisions/s (wall) | vs RLF (wall) | decisions/s (CPU) | vs RLF (CPU) | limited |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  CONTENDERS.forEach((c, i) => {
    const w = median(wall[i]);
    const u = median(cpu[i]);
    lines.push(
      `| ${c.name} | ${c.check} | ${fmt(w)} | ${(w / baseWall).toFixed(2)}x | ${fmt(u)} | ` +
        `${(u / baseCpu).toFixed(2)}x | ${fmt(limited[i])} |`,
    );
  });
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const child = argv.indexOf('--child');
  const work =
    child >= 0
      ? runChild(Number(argv[child + 1]), parseArgs(argv)).then((m) => JSON.stringify(m))
      : runFloodBench(parseArgs(argv));
  work.then(
    (text) => console.log(text),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

/** Entry for `npm run bench -- flood [--rounds N] …` (bench/run.ts). */
export async function run(argv: string[]): Promise<void> {
  console.log(await runFloodBench(parseArgs(argv)));
}
