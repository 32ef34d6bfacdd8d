import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerdictValidator } from '../../src/contracts/decode.js';
import { spawn } from 'node:child_process';
import { CLI, exited, lines, runCli } from './helpers.js';

const validator = new VerdictValidator();

describe('modstream check', () => {
  it('walks the sample stream through the whole ladder, the flood burst and the detectors', async () => {
    const r = await runCli(['check'], readFileSync('examples/messages.jsonl', 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, readFileSync('examples/messages.jsonl', 'utf8').trim().split('\n').length);
    for (const v of out) assert.equal(validator.check(v), null);
    const zhang = out.filter((v) => v.userId === '10001' && v.action !== 'allow');
    assert.deepEqual(
      zhang.map((v) => [v.action, v.muteSeconds, v.notifyAdmins, v.deleteMessage]),
      [
        ['warn', 0, false, true],
        ['mute', 604800, false, true],
        ['kick', 0, true, true],
        ['ban', 0, true, true],
      ],
    );
    assert.deepEqual(zhang[0].reasons[0].evasion, ['separators', 'homophone']);
    const wang = out.filter((v) => v.userId === '10003' && v.action !== 'allow');
    assert.ok(wang.length >= 2);
    assert.ok(
      wang.every((v) => v.action === 'mute' && v.muteSeconds === 600 && v.reasons[0].detector === 'flood'),
    );
    const pii = out.find((v) => v.userId === '10004');
    assert.equal(pii.action, 'review');
    assert.equal(pii.reasons[0].rule, 'pii:cn-id');
    const admin = out.find((v) => v.messageId === 'qq:901234:1021');
    assert.equal(admin.action, 'allow', '@all from an admin is allowed');
    const traps = out.find((v) => v.messageId === 'qq:901234:1023');
    assert.deepEqual(traps.reasons, [], 'class / assessment / Scunthorpe are not hits');
    assert.match(r.stderr, /23 lines, 23 verdicts/);
  });

  it('--text: one verdict per line, span into the original text', async () => {
    const r = await runCli(['check', '--text'], '加我薇信\n今天天气不错\n');
    assert.equal(r.code, 0, r.stderr);
    const [a, b] = lines(r.stdout);
    assert.equal(a.action, 'warn');
    const reason = a.reasons[0];
    assert.equal('加我薇信'.slice(reason.span[0], reason.span[1]), reason.match);
    assert.equal(b.action, 'allow');
  });

  it('each kind of bad line gets its error code in place; the run goes on; exit 0, or 1 with --strict', async () => {
    const good = JSON.stringify({ id: 'a', platform: 'qq', groupId: '1', userId: 'u', text: 'hi', ts: 1 });
    const input = [
      good,
      '{not json',
      JSON.stringify({ id: 'b', platform: 'qq', groupId: '1', userId: 'u', text: 5, ts: 1 }),
      JSON.stringify({ id: 'c', platform: 'qq' }),
      JSON.stringify({
        id: 'd',
        platform: 'qq',
        groupId: '1',
        userId: 'u',
        text: 'x'.repeat(70 * 1024),
        ts: 1,
      }),
      '{"id":"e","platform":"qq","groupId":"1","userId":"u","text":"\\udc00 lone","ts":1}',
      '',
      good.replace('"a"', '"f"'),
    ].join('\n');
    const r = await runCli(['check'], input + '\n');
    assert.equal(r.code, 0);
    const out = lines(r.stdout);
    assert.equal(out.length, 8);
    assert.equal(out[0].messageId, 'a');
    assert.deepEqual(
      out.slice(1, 7).map((o) => [o.error.code, o.line]),
      [
        ['BAD_JSON', 2],
        ['BAD_MESSAGE', 3],
        ['BAD_MESSAGE', 4],
        ['OVERSIZE', 5],
        ['BAD_ENCODING', 6],
        ['BAD_JSON', 7],
      ],
    );
    assert.match(out[2].error.message, /text must be string/);
    assert.match(out[3].error.message, /groupId is required/);
    assert.equal(out[7].messageId, 'f');
    assert.match(r.stderr, /8 lines, 2 verdicts .* 6 errors/);
    const strict = await runCli(['check', '--strict'], input + '\n');
    assert.equal(strict.code, 1);
  });

  it('bytes that are not UTF-8 are BAD_ENCODING for their line only; a leading BOM is dropped; a blank line says so', async () => {
    const good = JSON.stringify({ id: 'a', platform: 'qq', groupId: '1', userId: 'u', text: 'hi', ts: 1 });
    const input = Buffer.concat([
      Buffer.from('\ufeff' + good + '\r\n'), // a file saved by a Windows editor: BOM and CRLF
      Buffer.from('{"id":"b","text":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n   \n' + good.replace('"a"', '"c"') + '\n'),
    ]);
    const r = await runCli(['check'], input);
    const out = lines(r.stdout);
    assert.equal(out.length, 4);
    assert.equal(out[0].messageId, 'a');
    assert.deepEqual(out[1], {
      error: { code: 'BAD_ENCODING', message: 'record is not valid UTF-8' },
      line: 2,
    });
    assert.deepEqual(out[2].error, { code: 'BAD_JSON', message: 'record is empty (a blank line?)' });
    assert.equal(out[3].messageId, 'c');
    // The same bytes with --text: the bad line is still BAD_ENCODING, never text with U+FFFD in it.
    const text = await runCli(['check', '--text'], Buffer.from([0x61, 0xff, 0x0a, 0x62, 0x0a]));
    assert.deepEqual(
      lines(text.stdout).map((o) => o.error?.code ?? o.action),
      ['BAD_ENCODING', 'allow'],
    );
  });

  it('a line over the record limit (limits.maxRecordBytes) is OVERSIZE in its place, read past, not held', async () => {
    const good = JSON.stringify({ id: 'a', platform: 'qq', groupId: '1', userId: 'u', text: 'hi', ts: 1 });
    const input = [good, '{"text":"' + '长'.repeat(50_000), good.replace('"a"', '"b"')].join('\n') + '\n';
    const r = await runCli(['check'], input, { MODSTREAM_MAX_RECORD_BYTES: '4096' });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((o) => o.messageId ?? `${o.error.code}@${o.line}`),
      ['a', 'OVERSIZE@2', 'b'],
    );
    assert.match(out[1].error.message, /record is 150009 bytes, over the 4096-byte limit/);
    // --text: the line is the text; the same bound applies.
    const text = await runCli(['check', '--text'], `短\n${'x'.repeat(10_000)}\n`, {
      MODSTREAM_MAX_RECORD_BYTES: '4096',
    });
    assert.deepEqual(
      lines(text.stdout).map((o) => (o.error ? o.error.code : o.action)),
      ['allow', 'OVERSIZE'],
    );
  });

  it('--lexicon replaces the built-in lexicons, --allow adds phrases, --input/--output use files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-check-'));
    const lex = join(dir, 'lex');
    mkdirSync(lex);
    writeFileSync(join(lex, 'secret.txt'), '# project code names\n青龙计划\n');
    writeFileSync(join(dir, 'allow.txt'), '青龙计划书模板\n');
    const input = join(dir, 'in.txt');
    writeFileSync(input, '青龙计划下周上线\n加微信\n青龙计划书模板在共享盘\n');
    const output = join(dir, 'out.jsonl');
    const r = await runCli([
      'check',
      '--text',
      '--lexicon',
      lex,
      '--allow',
      join(dir, 'allow.txt'),
      '--input',
      input,
      '--output',
      output,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [a, b, c] = lines(readFileSync(output, 'utf8'));
    assert.equal(a.reasons[0].category, 'secret');
    assert.equal(a.action, 'review');
    assert.equal(b.reasons.length, 0, 'built-in terms are gone with --lexicon');
    assert.equal(c.reasons.length, 0, 'allow-listed phrase');
  });

  it('a missing --input or an unwritable --output is a usage error naming the flag, before any work', async () => {
    const missing = await runCli(['check', '--input', '/nonexistent/in.jsonl']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /USAGE: --input cannot be read: ENOENT/);
    const unwritable = await runCli(['check', '--output', '/nonexistent/dir/out.jsonl'], 'x\n');
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /USAGE: --output cannot be written: ENOENT/);
    assert.doesNotMatch(unwritable.stderr, /Unhandled|at emit/);
  });

  it('a write to --output that fails late (a full disk) exits 1 with OUTPUT_FAILED, not 0', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full on this system');
    const full = await runCli(['check', '--text', '--output', '/dev/full'], 'hello\n');
    assert.equal(full.code, 1);
    assert.match(full.stderr, /OUTPUT_FAILED: cannot write the output: ENOSPC/);
  });

  it('stops quietly when the reader closes the output (check | head)', async () => {
    const good = (i: number) =>
      JSON.stringify({ id: `m${i}`, platform: 'qq', groupId: '1', userId: `u${i}`, text: 'hi', ts: i });
    const child = spawn(process.execPath, [...CLI, 'check'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {}); // it stops reading once its output is gone
    child.stdin.end(Array.from({ length: 50_000 }, (_, i) => good(i)).join('\n') + '\n');
    // Read the first line, then close the pipe, as `head -1` does.
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => {
        child.stdout.destroy();
        resolve();
      });
    });
    const code = await exited(child);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopped: the output was closed/);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  });

  it('a bad flag is a usage error naming it', async () => {
    const r = await runCli(['check', '--nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /USAGE.*--nope/);
  });

  it('a bad policy file stops start-up with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-check-'));
    const policy = join(dir, 'p.yaml');
    writeFileSync(
      policy,
      'name: x\nversion: 1\ngroups:\n  "qq:1":\n    ladder:\n      - action: mute\n        muteSeconds: -5\n',
    );
    const r = await runCli(['check', '--policy', policy], '');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /POLICY_INVALID/);
    assert.match(r.stderr, /groups\["qq:1"\]\.ladder\[0\]\.muteSeconds/);
  });
});
