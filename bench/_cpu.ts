// Redis CPU per decision (INFO cpu deltas on a private Redis), for the bench stream.
import { createRedisFloodLimiter } from '../src/flood/redis/index.js';
import { floodTextHash } from '../src/flood/reasons.js';
import { createRedisClient, whenReady } from '../src/redis/client.js';
const url = process.argv[2] ?? 'redis://127.0.0.1:6390';
const client = createRedisClient({ url, commandTimeoutMs: 10000 }); await whenReady(client);
const L = { rateMax: 10, rateWindowMs: 10_000, duplicateMax: 3, duplicateWindowMs: 60_000, crossGroupMin: 5, crossGroupWindowMs: 60_000 };
function prng(seed: number) { let a = seed >>> 0; return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const N = 100_000; const rand = prng(42);
const texts = Array.from({ length: 5000 }, (_, i) => floodTextHash(`message text ${i}`)); const spam = Array.from({ length: 20 }, (_, i) => floodTextHash(`spam ${i}`));
const S: any[] = [];
for (let i = 0; i < N; i++) { if (rand() < 0.08) { const s = Math.floor(rand() * 20); S.push([`g${Math.floor(rand() * 2000)}`, `spammer${s}`, spam[s]]); } else { const u = Math.floor(rand() * 50000); S.push([`g${u % 2000}`, `u${u}`, texts[Math.floor(rand() * 5000)]]); } }
const cpu = async () => { const i = await client.info('cpu'); return Number(/used_cpu_user_main_thread:([\d.]+)/.exec(i)![1]) + Number(/used_cpu_sys_main_thread:([\d.]+)/.exec(i)![1]); };
for (const mode of ['rate', 'full', 'full-nospam']) {
  const lim = createRedisFloodLimiter({ client, keyPrefix: `cpu${Date.now()}${mode}:`, failMode: 'closed', localBlock: false });
  const c0 = await cpu(); const t0 = performance.now();
  let decisions = 0;
  for (let i = 0; i < N; i += 64) {
    const reqs = [];
    for (let j = i; j < Math.min(N, i + 64); j++) { if (mode === 'full-nospam' && S[j][1].startsWith('spam')) continue; reqs.push({ platform: 'qq', groupId: S[j][0], userId: S[j][1], messageId: `m${j}`, textHash: mode === 'rate' ? '' : S[j][2], ts: Date.now(), limits: L }); }
    decisions += reqs.length;
    await lim.check(reqs);
  }
  const secs = (performance.now() - t0) / 1000; const c1 = await cpu();
  console.log(mode.padEnd(12), 'redis CPU us/decision', ((c1 - c0) * 1e6 / decisions).toFixed(2), ' decisions/s', Math.round(decisions / secs));
}
await client.flushall(); await client.quit();
