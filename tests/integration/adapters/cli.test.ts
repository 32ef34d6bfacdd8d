/**
 * The commands as an operator runs them: `modstream run` (embedded), `modstream adapter onebot` and
 * `modstream enforce onebot` as separate processes around the stand-in bot; SIGTERM stops each cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixture } from '../../unit/adapters/fixtures.js';
import { StandInBot, postEvent } from './standin-bot.js';

const MAIN = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'modstream-cli-'));

interface Proc {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp, what: string, timeoutMs?: number) => Promise<RegExpMatchArray>;
  stop: () => Promise<number | null>;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}): Proc {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('MODSTREAM_') && k !== 'KAFKA_BROKERS' && k !== 'REDIS_URL',
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    async waitFor(re, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null)
          throw new Error(`${what}: the process exited (${child.exitCode}):\n${out}`);
        if (Date.now() > deadline) throw new Error(`${what}: timed out:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('CLI: modstream run + adapter onebot + enforce onebot', { timeout: 180_000 }, () => {
  const procs: Proc[] = [];
  let bot: StandInBot;
  after(async () => {
    for (const p of procs) await p.stop();
    await bot?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a signed event posted to the adapter process ends in delete_msg at the bot; SIGTERM exits 0', async () => {
    bot = await new StandInBot({ accessToken: 'cli-token' }).start();
    const run = start(['run', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'], {
      MODSTREAM_METRICS_ENABLED: 'false',
    });
    procs.push(run);
    const runnerUrl = (await run.waitFor(/running \(embedded mode\) on (http:\/\/\S+)/, 'the runner'))[1];

    const adapter = start(
      [
        'adapter',
        'onebot',
        '--listen',
        '127.0.0.1:0',
        '--embedded',
        runnerUrl,
        '--secret',
        'cli-secret',
        '--metrics-port',
        '0',
        '--log-level',
        'info',
      ],
      { ONEBOT_ACCESS_TOKEN: 'cli-token' },
    );
    procs.push(adapter);
    const adapterUrl = (await adapter.waitFor(/listening on (http:\/\/\S+)/, 'the adapter'))[1];
    const metricsUrl = (
      await adapter.waitFor(/metrics on http:\/\/[^:]+:(\d+)\/metrics/, 'the adapter metrics')
    )[1];

    const failures = join(dir, 'failures.jsonl');
    const enforce = start(
      [
        'enforce',
        'onebot',
        '--api',
        bot.apiUrl,
        '--embedded',
        runnerUrl,
        '--embedded',
        adapterUrl,
        '--admin-group',
        '777',
        '--failures',
        failures,
        '--metrics-port',
        '0',
        '--log-level',
        'info',
      ],
      { ONEBOT_ACCESS_TOKEN: 'cli-token' },
    );
    procs.push(enforce);
    await enforce.waitFor(/verdict stream connected[\s\S]*verdict stream connected/, 'both verdict streams');

    const e = {
      ...fixture('events/group-message-array.json'),
      time: Math.floor(Date.now() / 1000),
      message_id: 31337,
    };
    assert.equal(await postEvent(`${adapterUrl}/`, e, { secret: 'cli-secret' }), 204);
    assert.equal(await postEvent(`${adapterUrl}/`, e), 401);
    await bot.waitFor(
      () => bot.callsOf('delete_msg').some((c) => c.params.message_id === 31337),
      'delete_msg from the enforcer process',
      60_000,
    );
    assert.equal(bot.callsOf('delete_msg')[0].authorization, 'Bearer cli-token');

    const metrics = await (await fetch(`http://127.0.0.1:${metricsUrl}/metrics`)).text();
    assert.match(metrics, /modstream_adapter_events_total\{transport="http",outcome="message",reason=""\} 1/);
    assert.match(
      metrics,
      /modstream_adapter_auth_failures_total\{transport="http",reason="signature-missing"\} 1/,
    );

    for (const p of [enforce, adapter, run]) assert.equal(await p.stop(), 0, p.output());
    assert.equal(existsSync(failures) ? readFileSync(failures, 'utf8') : '', '', 'no failures');
  });

  it('usage errors exit 2 and name the flag', async () => {
    const p = start(['enforce', 'onebot', '--embedded', 'http://127.0.0.1:1']);
    assert.equal(await p.exited, 2);
    assert.match(p.output(), /--api is required/);
    const q = start(['adapter', 'onebot', '--listen', 'nope', '--embedded', 'http://x']);
    assert.equal(await q.exited, 2);
    assert.match(q.output(), /--listen must be HOST:PORT/);
  });
});
