import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModstreamError, StoreError } from '../../../src/contracts/errors.js';
import {
  createLogger,
  createRejectedRecordLog,
  errorCode,
  rateLimited,
  scrubContent,
  type LoggerOptions,
} from '../../../src/log/logger.js';

/** A logger writing into an array: every line parsed as JSON (pino writes synchronously to such a stream). */
function captured(options: Omit<LoggerOptions, 'destination'> = {}) {
  const raw: string[] = [];
  const logger = createLogger({ ...options, destination: { write: (s: string) => void raw.push(s) } });
  return {
    logger,
    raw,
    lines: () =>
      raw
        .flatMap((chunk) => chunk.split('\n').filter(Boolean))
        .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

const BAD_JSON_TEXT = '加微信领取免费礼品 秘密项目';
function badJsonMessage(): string {
  try {
    JSON.parse(BAD_JSON_TEXT);
  } catch (e) {
    return `record is not valid JSON: ${(e as Error).message}`;
  }
  throw new Error('unreachable');
}

describe('createLogger: JSON lines with levels', () => {
  it('writes one JSON object per line with a level name, time, pid and message', () => {
    const { logger, lines } = captured({ level: 'info' });
    logger.info({ port: 8080 }, 'listening');
    logger.warn('careful');
    const [a, b] = lines();
    assert.equal(a!.level, 'info');
    assert.equal(a!.msg, 'listening');
    assert.equal(a!.port, 8080);
    assert.equal(a!.name, 'modstream');
    assert.equal(typeof a!.pid, 'number');
    assert.match(a!.time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(b!.level, 'warn');
  });

  it('drops lines below the configured level: verdict-level debug lines are off at info', () => {
    const { logger, lines } = captured({ level: 'info' });
    logger.debug({ verdict: { action: 'warn' } }, 'verdict');
    logger.trace('very chatty');
    assert.equal(lines().length, 0);
    assert.equal(logger.isLevelEnabled('debug'), false);
    const dbg = captured({ level: 'debug' });
    dbg.logger.debug({ verdict: { action: 'warn' } }, 'verdict');
    assert.equal(dbg.lines()[0]!.level, 'debug');
  });
});

describe('createLogger: redaction', () => {
  const sensitive = {
    text: '加微信领取免费礼品',
    userName: '市场部-张三',
    message: { text: '代开发票', userName: '李四', card: '研发部-李四' },
    event: { sender: { card: '财务-王五', nickname: '小王' } },
    record: { raw: '{"text":"客户名单"}' },
    verdict: { action: 'warn', reasons: [{ category: 'ads', match: '加 薇 信', span: [0, 5] }] },
  };
  const secrets = [
    '加微信领取免费礼品',
    '市场部-张三',
    '代开发票',
    '李四',
    '研发部-李四',
    '财务-王五',
    '小王',
    '客户名单',
    '加 薇 信',
  ];

  it('redacts message text, user names, card names, raw records and matched text by default', () => {
    const { logger, raw, lines } = captured();
    logger.info(sensitive, 'with content');
    logger.child({ message: { text: '秘密项目代号' } }).warn('child bindings too');
    const all = raw.join('');
    for (const s of [...secrets, '秘密项目代号']) assert.ok(!all.includes(s), `"${s}" leaked: ${all}`);
    const [line] = lines();
    assert.equal(line!.text, '[redacted]');
    assert.equal(line!.message.card, '[redacted]');
    assert.equal(line!.event.sender.nickname, '[redacted]');
    assert.equal(line!.verdict.reasons[0].match, '[redacted]');
    // Non-sensitive fields stay readable.
    assert.equal(line!.verdict.action, 'warn');
    assert.deepEqual(line!.verdict.reasons[0].span, [0, 5]);
  });

  it('keeps content when redaction is turned off (log.redact: false)', () => {
    const { logger, raw } = captured({ redact: false });
    logger.info(sensitive, 'with content');
    const all = raw.join('');
    for (const s of secrets) assert.ok(all.includes(s), `"${s}" missing`);
  });

  it('removes the input that JSON.parse errors quote, from messages and from errors', () => {
    const message = badJsonMessage();
    assert.ok(message.includes('加微信'), 'precondition: V8 quotes the input');
    const { logger, raw, lines } = captured();
    logger.warn({ code: 'BAD_JSON' }, `record rejected: ${message}`);
    logger.error({ err: new ModstreamError('BAD_JSON', message) }, 'decode failed');
    assert.ok(!raw.join('').includes('加微信'), raw.join(''));
    assert.match(
      lines()[0]!.msg,
      /^record rejected: record is not valid JSON: Unexpected token in JSON \(input \[redacted\]\)$/,
    );
    assert.equal(lines()[1]!.err.code, 'BAD_JSON');

    const open = captured({ redact: false });
    open.logger.warn(`record rejected: ${message}`);
    assert.ok(open.raw.join('').includes('加微信'));
  });

  it('scrubContent leaves messages without quoted input alone', () => {
    assert.equal(scrubContent('id is required (required)'), 'id is required (required)');
    assert.equal(
      scrubContent('Unexpected non-whitespace character after JSON at position 7'),
      'Unexpected non-whitespace character after JSON at position 7',
    );
    assert.equal(
      scrubContent(`x: Unexpected token 'a', "aaaaaaaaaa"... is not valid JSON; more`),
      'x: Unexpected token in JSON (input [redacted]); more',
    );
  });
});

describe('createLogger: errors carry their codes', () => {
  it('a line with err gets the error’s code at top level and in err', () => {
    const { logger, lines } = captured();
    logger.error({ err: new StoreError('redis timed out', { unavailable: true }) }, 'state store failed');
    const sys = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    logger.warn({ err: sys }, 'redis down');
    logger.error(new ModstreamError('KAFKA_ERROR', 'broker gone'), 'kafka failed');
    logger.error({ err: new Error('bug') }, 'unexpected');
    logger.error(
      { err: new ModstreamError('KAFKA_ERROR', 'x'), code: 'POLICY_INVALID' },
      'explicit code wins',
    );
    const [a, b, c, d, e] = lines();
    assert.equal(a!.code, 'STORE_UNAVAILABLE');
    assert.equal(a!.err.code, 'STORE_UNAVAILABLE');
    assert.equal(a!.err.message, 'redis timed out');
    assert.equal(a!.level, 'error');
    assert.equal(b!.code, 'ECONNREFUSED');
    assert.equal(c!.code, 'KAFKA_ERROR');
    assert.equal(d!.code, 'INTERNAL');
    assert.equal(e!.code, 'POLICY_INVALID');
  });

  it('errorCode reads string codes only', () => {
    assert.equal(errorCode(new ModstreamError('USAGE', 'x')), 'USAGE');
    assert.equal(errorCode(Object.assign(new Error('x'), { code: 42 })), undefined);
    assert.equal(errorCode('plain string'), undefined);
    assert.equal(errorCode(null), undefined);
  });
});

describe('rateLimited', () => {
  it('lets perSecond calls through per second and reports how many it suppressed', () => {
    let t = 5_000;
    const allow = rateLimited(3, () => t);
    const results = Array.from({ length: 10 }, () => allow());
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, false, false, false, false, false, false, false],
    );
    assert.equal(results[9]!.suppressed, 7);
    t += 999; // same window
    assert.equal(allow().ok, false);
    t += 1; // next window: the first line carries the count of what was dropped
    assert.deepEqual(allow(), { ok: true, suppressed: 8 });
    assert.deepEqual(allow(), { ok: true, suppressed: 0 });
  });

  it('works from a clock starting at zero', () => {
    const allow = rateLimited(1, () => 0);
    assert.equal(allow().ok, true);
    assert.equal(allow().ok, false);
  });
});

describe('createRejectedRecordLog', () => {
  it('at most one line per rejected record, at most N lines a second, the rest summarised', () => {
    let t = 0;
    const { logger, lines } = captured();
    const log = createRejectedRecordLog(logger, 10, () => t);
    for (let i = 0; i < 100; i++)
      log({
        code: 'BAD_JSON',
        message: badJsonMessage(),
        source: { topic: 'm', partition: 0, offset: String(i) },
      });
    assert.equal(lines().length, 10);
    t = 1000;
    log({ code: 'BAD_MESSAGE', message: 'id is required (required)' });
    const all = lines();
    assert.equal(all.length, 11);
    assert.equal(all[10]!.suppressed, 90);
    assert.equal(all[10]!.code, 'BAD_MESSAGE');
    assert.equal(all[0]!.level, 'warn');
    assert.equal(all[0]!.code, 'BAD_JSON');
    assert.deepEqual(all[0]!.source, { topic: 'm', partition: 0, offset: '0' });
    assert.equal(all[0]!.suppressed, undefined);
    for (const l of all) assert.ok(!JSON.stringify(l).includes('加微信'));
  });

  it('one line for one record, never more', () => {
    const { logger, lines } = captured();
    const log = createRejectedRecordLog(logger);
    log({ code: 'OVERSIZE' });
    assert.equal(lines().length, 1);
    assert.equal(lines()[0]!.msg, 'record rejected');
  });
});
