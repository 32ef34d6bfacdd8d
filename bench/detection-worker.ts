/**
 * One competitor, one lexicon, in a fresh process (started by detection.bench.ts), so that its build time
 * and RSS are not polluted by the others. Prints one `RESULT {json}` line on stdout.
 *
 * Order matters for clean memory figures: the lexicon terms (small) and the competitor's modules are loaded
 * first, then RSS is sampled after a full GC, then the matcher is built (build time, peak and retained RSS
 * growth), and only then is the corpus loaded and scanned.
 */
import { readFileSync } from 'node:fs';
import { competitorById } from './detection-competitors.js';
import type { BenchLexicon } from './detection-competitors.js';

export interface WorkerTask {
  competitor: string;
  /** JSON file: BenchLexicon. */
  lexiconFile: string;
  /** JSON file: string[] of message texts. Absent = build only. */
  textsFile?: string;
  messages?: number;
  /** Stop scanning after this many seconds (slow matchers); the rate is over what was scanned. */
  timeLimitSeconds: number;
  warmupMessages: number;
  /** Timed passes at most (the best counts). Default 3. */
  passes?: number;
}

export interface WorkerResult {
  competitor: string;
  /** Loading the competitor's modules before the build (Competitor.prepare), wall and CPU ms; 0 when none. */
  loadMs: number;
  loadCpuMs: number;
  buildMs: number;
  /** CPU time of the build: less disturbed than wall time when other jobs share the machine. */
  buildCpuMs: number;
  /** RSS growth during the build, peak (MB). */
  buildPeakMB: number;
  /** RSS growth kept after the build and a full GC (MB). */
  retainedMB: number;
  messages: number;
  totalMessages: number;
  seconds: number;
  cpuSeconds: number;
  messagesPerSecond: number;
  /** Messages per CPU second of the process (JIT/GC threads included). */
  messagesPerCpuSecond: number;
  mbPerSecond: number;
  detections: number;
  /** Timed passes run; the figures are from the fastest. */
  passes?: number;
  /** Peak RSS of the whole process, corpus included (MB). */
  processPeakMB: number;
  error?: string;
}

const MB = 1_000_000;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/** User + system CPU time, in ms (all threads of the process: JIT and GC helpers included). */
const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

async function runTask(task: WorkerTask): Promise<WorkerResult> {
  const competitor = competitorById(task.competitor);
  const lexicon = JSON.parse(readFileSync(task.lexiconFile, 'utf8')) as BenchLexicon;
  // Module loading (under tsx: resolving and transpiling the sources too) is start-up, timed apart.
  let loadMs = 0;
  let loadCpuMs = 0;
  if (competitor.prepare) {
    const loadStarted = performance.now();
    const loadCpuStarted = process.cpuUsage();
    await competitor.prepare();
    loadMs = performance.now() - loadStarted;
    loadCpuMs = cpuMs(process.cpuUsage(loadCpuStarted));
  }
  collectGarbage();
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = peakRss();

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const count = await competitor.build(lexicon);
  const buildMs = performance.now() - started;
  const buildCpuMs = cpuMs(process.cpuUsage(cpuStarted));
  const peakAfterBuild = peakRss();
  collectGarbage();
  const retainedMB = (process.memoryUsage().rss - rssBefore) / MB;
  // When loading the terms peaked above the settled RSS, the build's own peak is only known to be ≤ that.
  const buildPeakMB = (Math.max(peakAfterBuild, peakBefore) - rssBefore) / MB;

  const result: WorkerResult = {
    competitor: competitor.id,
    loadMs,
    loadCpuMs,
    buildMs,
    buildCpuMs,
    buildPeakMB,
    retainedMB,
    messages: 0,
    totalMessages: 0,
    seconds: 0,
    cpuSeconds: 0,
    messagesPerSecond: 0,
    messagesPerCpuSecond: 0,
    mbPerSecond: 0,
    detections: 0,
    processPeakMB: 0,
  };
  if (task.textsFile) {
    let texts = JSON.parse(readFileSync(task.textsFile, 'utf8')) as string[];
    if (task.messages !== undefined && task.messages < texts.length) texts = texts.slice(0, task.messages);
    const bytes = texts.map((t) => Buffer.byteLength(t, 'utf8'));
    result.totalMessages = texts.length;
    // Warm-up: let the JIT settle on the first messages, as a long-running process would have.
    const warmup = Math.min(task.warmupMessages, texts.length);
    const warmupDeadline = performance.now() + (task.timeLimitSeconds * 1000) / 4;
    for (let i = 0; i < warmup && performance.now() < warmupDeadline; i++) count(texts[i]);
    collectGarbage();

    // Timed passes: the first one may stop at the time limit (slow matchers); more full passes follow while
    // they fit in the limit, and the fastest counts, which filters out noise from other jobs on the machine.
    const budgetEnd = performance.now() + task.timeLimitSeconds * 1000;
    let best = Infinity;
    let passes = 0;
    for (let pass = 0; pass < (task.passes ?? 3); pass++) {
      passes++;
      let detections = 0;
      let scannedBytes = 0;
      let i = 0;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (; i < texts.length; i++) {
        detections += count(texts[i]);
        scannedBytes += bytes[i];
        // Checking the clock every 256 messages keeps its cost out of the measurement.
        if (pass === 0 && (i & 255) === 255 && performance.now() > budgetEnd) {
          i++;
          break;
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = cpuMs(process.cpuUsage(cpu0)) / 1000;
      if (seconds < best) {
        best = seconds;
        result.messages = i;
        result.seconds = seconds;
        result.cpuSeconds = cpuSeconds;
        result.messagesPerSecond = i / seconds;
        result.messagesPerCpuSecond = i / cpuSeconds;
        result.mbPerSecond = scannedBytes / MB / seconds;
        result.detections = detections;
      }
      if (i < texts.length || performance.now() + seconds * 1000 > budgetEnd) break;
    }
    result.passes = passes;
  }
  result.processPeakMB = peakRss() / MB;
  return result;
}

const task = JSON.parse(process.argv[2] ?? '{}') as WorkerTask;
runTask(task)
  .then((result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  })
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`RESULT ${JSON.stringify({ competitor: task.competitor, error: message })}\n`);
    process.exitCode = 1;
  });
