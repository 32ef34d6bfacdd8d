/**
 * Micro-benchmark of the fold stage alone, for tuning src/fold/: ns per message over the mixed benchmark
 * corpus (simplified/traditional Chinese, English, emoji, URLs, planted disguised terms).
 *
 *   node --import tsx bench/fold.micro.ts [messages=100000] [rounds=5]
 *
 * Prints the table build time, then per round ns/message, ns/UTF-16 unit and MB/s (UTF-8 bytes), and for
 * scale the same corpus walked by a bare charCodeAt loop (the floor any one-pass folding can reach).
 */
import { createFoldBuffer, createFolder } from '../src/fold/index.js';
import { generateCorpus, generateLexicon } from './corpus.js';

const count = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);

let t = performance.now();
const folder = createFolder();
const buildMs = performance.now() - t;

const texts = generateCorpus({ count, seed: 7, plant: generateLexicon(2_000, 11) });
let units = 0;
let bytes = 0;
for (const text of texts) {
  units += text.length;
  bytes += Buffer.byteLength(text, 'utf8');
}
console.log(
  `fold micro-bench: ${count} messages, ${units} UTF-16 units (${(units / count).toFixed(1)}/message), ` +
    `${(bytes / 1e6).toFixed(1)} MB UTF-8; tables built in ${buildMs.toFixed(0)} ms`,
);

const buf = createFoldBuffer(1024);
let sink = 0;

function foldAll(): number {
  let folded = 0;
  for (let m = 0; m < texts.length; m++) folded += folder.fold(texts[m], buf).length;
  return folded;
}

function walkAll(): number {
  let sum = 0;
  for (let m = 0; m < texts.length; m++) {
    const text = texts[m];
    for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) | 0;
  }
  return sum;
}

function report(label: string, run: () => number): void {
  sink ^= run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    t = performance.now();
    sink ^= run();
    const ms = performance.now() - t;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1e3;
    // CPU time is steadier than wall time on a shared machine; both are shown.
    console.log(
      `${label} round ${r + 1}: ${((ms * 1e6) / count).toFixed(0)} ns/message, ` +
        `${((ms * 1e6) / units).toFixed(2)} ns/unit, ${(bytes / 1e6 / (ms / 1e3)).toFixed(0)} MB/s ` +
        `(cpu ${((cpuMs * 1e6) / count).toFixed(0)} ns/message)`,
    );
  }
}

report('fold    ', foldAll);
report('charCode', walkAll);
console.log(`folded units in the last pass: ${foldAll()} (checksum ${sink & 0xff})`);
