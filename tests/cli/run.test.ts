import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI, exited, lines, postJson, runCli, startRun } from './helpers.js';

const msg = (i: number, text: string, extra: Record<string, unknown> = {}) => ({
  id: `qq:7:${i}`,
  platform: 'qq',
  groupId: '7',
  userId: `u${i}`,
  text,
  ts: 1764000000000 + i,
  ...extra,
});

describe('modstream run --stdin', () => {
  it('verdicts on stdout in order, error records to --errors FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-run-'));
    const errors = join(dir, 'errors.jsonl');
    const input =
      [JSON.stringify(msg(1, '加微信领红包')), 'garbage', JSON.stringify(msg(2, 'hello'))].join('\n') + '\n';
    const r = await runCli(['run', '--stdin', '--errors', errors, '--log-level', 'silent'], input);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((v) => v.messageId),
      ['qq:7:1', 'qq:7:2'],
    );
    const errs = lines(readFileSync(errors, 'utf8'));
    assert.equal(errs.length, 1);
    assert.equal(errs[0].error.code, 'BAD_JSON');
    assert.equal(errs[0].raw, 'garbage');
    assert.equal(errs[0].source.line, 2);
  });

  it('a line over the record limit is skipped to its newline: an OVERSIZE error record, the next line judged', async () => {
    // 3 MB with no newline for most of it: never held whole (the limit is 1 MiB), counted to its end.
    const input = ['x'.repeat(3_000_000), JSON.stringify(msg(3, 'hello'))].join('\n') + '\n';
    const r = await runCli(['run', '--stdin', '--log-level', 'silent'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      lines(r.stdout).map((v) => v.messageId),
      ['qq:7:3'],
    );
    const [err] = lines(r.stderr);
    assert.equal(err.error.code, 'OVERSIZE');
    assert.match(
      err.error.message,
      /record is 3000000 bytes, over the 1048576-byte limit \(not read in full/,
    );
    assert.equal(err.source.line, 1);
    assert.equal(err.raw, 'x'.repeat(1024), 'the error record holds the beginning of the line');
  });

  it('an --errors file that cannot be written is a usage error naming the flag', async () => {
    const r = await runCli(['run', '--stdin', '--errors', '/nonexistent/dir/e.jsonl'], '{}\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /USAGE: --errors cannot be written: ENOENT/);
  });

  it('an --errors file whose writes fail late (a full disk) exits 1 with OUTPUT_FAILED', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
    const r = await runCli(['run', '--stdin', '--errors', '/dev/full'], '{bad\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OUTPUT_FAILED: cannot write the output: ENOSPC/);
  });

  it('a port that is taken is a configuration error naming the setting, not a stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = await runCli(['run', '--port', String(port), '--log-level', 'silent']);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`CONFIG_INVALID: http.port cannot listen on 127.0.0.1:${port}: EADDRINUSE`),
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('Ctrl-C while stdin is still open ends the run cleanly (exit 0, no stack trace)', async () => {
    const child = spawn(process.execPath, [...CLI, 'run', '--stdin', '--log-level', 'warn'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.write(JSON.stringify(msg(1, 'hi')) + '\n'); // and the input stays open
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stdout.includes('\n')) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGINT');
    assert.equal(await exited(child), 0, stderr);
    assert.doesNotMatch(stderr, /Premature close|\n\s+at /);
    assert.equal(lines(stdout)[0].messageId, 'qq:7:1');
  });

  it('without --errors, error records go to stderr', async () => {
    const r = await runCli(['run', '--stdin', '--log-level', 'silent'], '{"x":1}\n');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /"code":"BAD_MESSAGE"/);
  });
});

describe('modstream run (embedded HTTP)', () => {
  it('serves verdicts, survives bad input, and exits cleanly on SIGTERM', async () => {
    const { child, base } = await startRun(['--log-level', 'warn']);
    try {
      const one = await postJson(`${base}/v1/messages`, msg(1, '兼职刷单日结'));
      assert.equal(one.status, 200);
      assert.equal(one.json.action, 'warn');
      const bad = await postJson(`${base}/v1/messages`, '{"broken');
      assert.equal(bad.status, 400);
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /modstream_verdicts_total\{action="warn",category="ads",platform="qq"\} 1/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited(child), 0);
  });

  it('hot reload under load: SIGHUP and file changes swap the lexicon atomically; a broken policy keeps the old one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-reload-'));
    const lex = join(dir, 'lex');
    mkdirSync(lex);
    writeFileSync(join(lex, 'secret.txt'), '旧代号\n');
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'name: reload\nversion: 1\n');
    const { child, base, stderr } = await startRun([
      '--lexicon',
      lex,
      '--policy',
      policy,
      '--log-level',
      'info',
    ]);
    try {
      const first = await postJson(`${base}/v1/messages`, msg(1, '新代号 旧代号'));
      const v1 = first.json.lexiconVersion;
      assert.deepEqual(
        first.json.reasons.map((r: any) => r.match),
        ['旧代号'],
      );
      // Load: keep posting while the lexicon changes underneath.
      let stop = false;
      const seen = new Set<string>();
      let i = 100;
      const load = (async () => {
        while (!stop) {
          const batch = Array.from({ length: 20 }, () => msg(i++, '新代号 旧代号'));
          const r = await postJson(`${base}/v1/messages`, batch);
          assert.equal(r.status, 200);
          for (const v of r.json.results) {
            seen.add(v.lexiconVersion);
            const matches = v.reasons
              .map((x: any) => x.match)
              .sort()
              .join(',');
            // Every verdict is judged by exactly one version: the old one or the new one, never a mix.
            if (v.lexiconVersion === v1) assert.equal(matches, '旧代号');
            else assert.equal(matches, '新代号');
          }
        }
      })();
      writeFileSync(join(lex, 'secret.txt'), '新代号\n');
      child.kill('SIGHUP');
      let after: any;
      for (let k = 0; k < 100; k++) {
        await new Promise((r) => setTimeout(r, 100));
        after = (await postJson(`${base}/v1/messages`, msg(9999 + k, '新代号 旧代号'))).json;
        if (after.lexiconVersion !== v1) break;
      }
      stop = true;
      await load;
      assert.notEqual(after.lexiconVersion, v1);
      assert.deepEqual(
        after.reasons.map((r: any) => r.match),
        ['新代号'],
      );
      assert.ok(seen.size >= 1);

      // Written as deployment tools do (write aside, then rename) so no reload can see a half-written file.
      writeFileSync(
        policy + '.tmp',
        'name: reload\nversion: 2\ngroups:\n  "qq:7":\n    flood: { rateMax: -1 }\n',
      );
      renameSync(policy + '.tmp', policy);
      child.kill('SIGHUP');
      for (let k = 0; k < 100 && !/policy reload failed/.test(stderr()); k++)
        await new Promise((r) => setTimeout(r, 100));
      assert.match(
        stderr(),
        /policy reload failed, keeping reload@1/,
        stderr()
          .split('\n')
          .map((l) => /"msg":"[^"]*/.exec(l)?.[0])
          .join('\n'),
      );
      assert.match(stderr(), /rateMax/);
      const still = await postJson(`${base}/v1/messages`, msg(5, 'hi'));
      assert.equal(still.json.policy, 'reload@1');
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('a bad configuration stops start-up naming the field', async () => {
    const r = await runCli(['run'], '', { MODSTREAM_HTTP_PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CONFIG_INVALID.*MODSTREAM_HTTP_PORT must be an integer/);
  });

  it('--help lists the options', async () => {
    const child = spawn(process.execPath, [...CLI, 'run', '--help']);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    assert.equal(await exited(child), 0);
    assert.match(out, /--stdin/);
  });
});
