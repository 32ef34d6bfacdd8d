/**
 * What the running processor logs, end to end through the embedded runner: verdicts only at debug, never
 * chat content while redaction is on, one rate-limited line per rejected record, with its code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log/logger.js';
import { Engine } from '../../../src/runtime/engine.js';
import { startEmbeddedHttp } from '../../../src/runtime/embedded.js';

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/x-ndjson' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const SECRET_TEXT = '加 薇 信领取免费礼品';
const SECRET_NAME = '市场部-张三';
const messages = [
  {
    v: 1,
    id: 'qq:9:1',
    platform: 'qq',
    groupId: '9',
    userId: '1',
    userName: SECRET_NAME,
    text: SECRET_TEXT,
    ts: 1764000000000,
  },
  {
    v: 1,
    id: 'qq:9:2',
    platform: 'qq',
    groupId: '9',
    userId: '2',
    userName: '研发部-李四',
    text: '大家好',
    ts: 1764000001000,
  },
];
const BODY = messages.map((m) => JSON.stringify(m)).join('\n') + `\n{"text":"${SECRET_TEXT}" broken\n`;

async function runWith(
  level: string,
  redact: boolean,
): Promise<{ lines: Record<string, any>[]; raw: string }> {
  const raw: string[] = [];
  const logger = createLogger({ level, redact, destination: { write: (s: string) => void raw.push(s) } });
  const config = loadConfig({
    env: {},
    overrides: { http: { host: '127.0.0.1', port: 0 }, log: { level, redact } },
  });
  const engine = await Engine.create({ config, logger, metrics: null });
  const runner = await startEmbeddedHttp({ config, engine, logger, metrics: null });
  try {
    assert.equal(await post(runner.address!.port, BODY), 200);
  } finally {
    await runner.close();
    await engine.close();
  }
  const text = raw.join('');
  return {
    raw: text,
    lines: text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

describe('processor logging (embedded runner)', () => {
  it('at info: no verdict lines, one warning with its code for the bad record, no content', async () => {
    const { lines, raw } = await runWith('info', true);
    assert.equal(lines.filter((l) => l.msg === 'verdict').length, 0);
    const rejected = lines.filter((l) => String(l.msg).startsWith('record rejected'));
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.level, 'warn');
    assert.equal(rejected[0]!.code, 'BAD_JSON');
    assert.ok(!raw.includes('加 薇 信') && !raw.includes(SECRET_NAME), raw);
  });

  it('at debug: one line per verdict, matched text redacted', async () => {
    const { lines, raw } = await runWith('debug', true);
    const verdicts = lines.filter((l) => l.msg === 'verdict');
    assert.equal(verdicts.length, 2);
    assert.equal(verdicts[0]!.level, 'debug');
    assert.equal(verdicts[0]!.verdict.action, 'warn');
    assert.equal(verdicts[0]!.verdict.reasons[0].match, '[redacted]');
    assert.ok(!raw.includes('加 薇 信') && !raw.includes(SECRET_NAME), raw);
  });

  it('with log.redact false the matched text is logged (debugging on a developer machine)', async () => {
    const { lines } = await runWith('debug', false);
    const verdict = lines.find((l) => l.msg === 'verdict' && l.verdict.action === 'warn');
    assert.equal(verdict!.verdict.reasons[0].match, '加 薇 信');
  });
});
