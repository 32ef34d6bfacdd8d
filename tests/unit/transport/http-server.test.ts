import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { MessageDecoder } from '../../../src/contracts/decode.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { createLogger, silentLogger } from '../../../src/log/logger.js';
import { errorRecord } from '../../../src/pipeline/records.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../../src/pipeline/types.js';
import { EmbeddedHttpServer } from '../../../src/transport/embedded/http-server.js';
import { SerialExecutor } from '../../../src/transport/embedded/serial.js';
import { VerdictHub } from '../../../src/transport/embedded/verdict-hub.js';

/** A judge that decodes for real and answers `allow` (unit test: the HTTP layer, not the pipeline). */
class FakeJudge implements BatchJudge {
  decoder = new MessageDecoder();
  async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    return records.map((r) => {
      const d = this.decoder.decode(r.raw);
      if (!d.ok) return { kind: 'error', error: errorRecord(d.error.code, d.error.message, r.raw, r.source) };
      const m = d.message;
      const verdict: Verdict = {
        v: 1,
        messageId: m.id,
        platform: m.platform,
        groupId: m.groupId,
        userId: m.userId,
        action: 'allow',
        deleteMessage: false,
        muteSeconds: 0,
        notifyAdmins: false,
        reasons: [],
        strikes: 0,
        dryRun: false,
        policy: 'test@1',
        lexiconVersion: 'sha256:' + '0'.repeat(64),
        ts: Date.now(),
        latencyMs: 0,
      };
      return { kind: 'verdict', verdict };
    });
  }
}

/** One request; `agent: false` for a connection of its own (requests held open side by side). */
function call(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string | number> = {},
  agent?: Agent | false,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const msg = (i: number) => ({
  id: `qq:1:${i}`,
  platform: 'qq',
  groupId: '1',
  userId: 'u',
  text: `hello ${i}`,
  ts: 1,
});

describe('EmbeddedHttpServer', () => {
  let server: EmbeddedHttpServer;
  let port = 0;
  const hub = new VerdictHub();
  let ready = true;
  before(async () => {
    server = new EmbeddedHttpServer({
      host: '127.0.0.1',
      port: 0,
      judge: new FakeJudge(),
      executor: new SerialExecutor(),
      hub,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 5000,
      sseMaxClients: 4,
      sseBufferVerdicts: 16,
      readiness: () => ({ ready, checks: { lexicon: { ok: true }, policy: { ok: ready } } }),
      metrics: async () => ({ contentType: 'text/plain', body: 'modstream_up 1\n' }),
    });
    port = (await server.listen()).port;
  });
  after(async () => server.close());

  it('one message → its verdict', async () => {
    const r = await call(port, 'POST', '/v1/messages', JSON.stringify(msg(1)), {
      'content-type': 'application/json',
    });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).messageId, 'qq:1:1');
  });

  it('a JSON array → results in order, bad items get per-item errors with 200', async () => {
    const r = await call(port, 'POST', '/v1/messages', JSON.stringify([msg(1), { id: 'bad' }, msg(3)]));
    assert.equal(r.status, 200);
    const b = JSON.parse(r.body);
    assert.equal(b.results.length, 3);
    assert.equal(b.results[0].messageId, 'qq:1:1');
    assert.equal(b.results[1].index, 1);
    assert.equal(b.results[1].error.code, 'BAD_MESSAGE');
    assert.equal(b.results[2].messageId, 'qq:1:3');
  });

  it('NDJSON → results in order', async () => {
    const body = [msg(1), msg(2)].map((m) => JSON.stringify(m)).join('\n') + '\n';
    const r = await call(port, 'POST', '/v1/messages', body, { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    assert.deepEqual(
      JSON.parse(r.body).results.map((v: Verdict) => v.messageId),
      ['qq:1:1', 'qq:1:2'],
    );
  });

  it('malformed bodies → 400 with the error codes', async () => {
    const notJson = await call(port, 'POST', '/v1/messages', '{"id":');
    assert.equal(notJson.status, 400);
    assert.equal(JSON.parse(notJson.body).error.code, 'BAD_JSON');
    const single = await call(port, 'POST', '/v1/messages', JSON.stringify({ id: 'x' }));
    assert.equal(single.status, 400);
    assert.equal(JSON.parse(single.body).error.code, 'BAD_MESSAGE');
    const empty = await call(port, 'POST', '/v1/messages', '');
    assert.equal(empty.status, 400);
    const allBad = await call(port, 'POST', '/v1/messages', JSON.stringify([{}, 5]));
    assert.equal(allBad.status, 400);
    assert.deepEqual(JSON.parse(allBad.body).error.codes, ['BAD_MESSAGE']);
    const badUtf8 = await call(port, 'POST', '/v1/messages', Buffer.from([0x7b, 0xff, 0x7d]));
    assert.equal(badUtf8.status, 400);
    assert.equal(JSON.parse(badUtf8.body).error.code, 'BAD_ENCODING');
  });

  it('oversize body → 413, and the server keeps serving', async () => {
    const big = JSON.stringify({ ...msg(1), text: 'x'.repeat(100 * 1024) });
    const r = await call(port, 'POST', '/v1/messages', big);
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).error.code, 'OVERSIZE');
    const after = await call(port, 'GET', '/healthz');
    assert.equal(after.status, 200);
  });

  it('health, readiness, metrics, 404 and 405', async () => {
    assert.equal((await call(port, 'GET', '/healthz')).status, 200);
    assert.equal((await call(port, 'GET', '/readyz')).status, 200);
    ready = false;
    const nr = await call(port, 'GET', '/readyz');
    assert.equal(nr.status, 503);
    assert.equal(JSON.parse(nr.body).checks.policy.ok, false);
    ready = true;
    assert.match((await call(port, 'GET', '/metrics')).body, /modstream_up/);
    assert.equal((await call(port, 'GET', '/nope')).status, 404);
    const wrong = await call(port, 'GET', '/v1/messages');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST');
    assert.equal((await call(port, 'POST', '/healthz', '{}')).headers.allow, 'GET');
  });

  it('GET /v1/verdicts streams every verdict as SSE', async () => {
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/verdicts' }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          got.push(c);
          if (got.join('').includes('qq:1:42')) {
            req.destroy();
            resolve();
          }
        });
        void call(port, 'POST', '/v1/messages', JSON.stringify(msg(42)));
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    assert.match(got.join(''), /event: verdict\nid: qq:1:42\ndata: \{/);
  });

  it('a slow (never reading) SSE client does not block others', async () => {
    // A client that connects and never reads: its socket buffer fills, it gets dropped; POSTs keep answering.
    const stalled = request({ host: '127.0.0.1', port, path: '/v1/verdicts' }, (res) => res.pause());
    stalled.on('error', () => {});
    stalled.end();
    await new Promise((r) => setTimeout(r, 50));
    const bigBatch = Array.from({ length: 300 }, (_, i) => ({ ...msg(i), text: 'y'.repeat(2000) }));
    for (let k = 0; k < 12; k++) {
      const r = await call(port, 'POST', '/v1/messages', JSON.stringify(bigBatch.slice(k * 25, k * 25 + 25)));
      assert.equal(r.status, 200);
    }
    stalled.destroy();
  });

  it('a client reconnecting with Last-Event-ID first gets the verdicts it missed', async () => {
    await call(port, 'POST', '/v1/messages', JSON.stringify([msg(70_001), msg(70_002), msg(70_003)]));
    const got = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/v1/verdicts', headers: { 'last-event-id': 'qq:1:70001' } },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (c: string) => {
            text += c;
            if (text.includes('id: qq:1:70003')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    const replayed = [...got.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(replayed, ['qq:1:70002', 'qq:1:70003']);
  });

  it('a client that reads gets every verdict of a batch larger than its buffer (one burst is not lag)', async () => {
    const n = 200; // ~60 KB of frames in one turn, over the 16 KiB buffer
    const batch = Array.from({ length: n }, (_, i) => msg(10_000 + i));
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/verdicts' }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => {
          text += c;
          seen = (text.match(/event: verdict/g) ?? []).length;
          if (seen >= n) {
            req.destroy();
            resolve();
          }
        });
        res.on('close', () =>
          seen < n ? reject(new Error(`stream closed after ${seen} verdicts`)) : undefined,
        );
        void call(port, 'POST', '/v1/messages', JSON.stringify(batch));
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    assert.equal(seen, n);
  });
});

/** A judge that holds every batch until released: requests pile up behind it as behind a slow pipeline. */
class GatedJudge extends FakeJudge {
  #gates: (() => void)[] = [];
  calls = 0;
  override async judge(records: readonly IncomingRecord[]): Promise<Outcome[]> {
    this.calls++;
    await new Promise<void>((resolve) => this.#gates.push(resolve));
    return super.judge(records);
  }
  release(): void {
    for (const open of this.#gates.splice(0)) open();
  }
  get waiting(): number {
    return this.#gates.length;
  }
}

/** POST /v1/messages on a connection of its own (held open beside others). */
function post(port: number, body: Buffer | string, headers: Record<string, string | number> = {}) {
  return call(port, 'POST', '/v1/messages', body, headers, false);
}

/** A POST /v1/messages written by hand (in chunks, or left mid-body), on a connection of its own. */
function openPost(
  port: number,
  headers: Record<string, string | number>,
  onResponse?: (res: IncomingMessage) => void,
): ClientRequest {
  return request(
    { host: '127.0.0.1', port, method: 'POST', path: '/v1/messages', agent: false, headers },
    onResponse,
  );
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

describe('EmbeddedHttpServer backpressure', () => {
  async function start(judge: BatchJudge, over: Record<string, number>, logger = silentLogger()) {
    const server = new EmbeddedHttpServer({
      host: '127.0.0.1',
      port: 0,
      judge,
      executor: new SerialExecutor(),
      hub: new VerdictHub(),
      logger,
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 5000,
      sseMaxClients: 4,
      sseBufferVerdicts: 16,
      readiness: () => ({ ready: true, checks: {} }),
      ...over,
    });
    return { server, port: (await server.listen()).port };
  }

  it('close() lets the answers being judged finish before it closes their connections', async () => {
    const judge = new GatedJudge();
    const { server, port } = await start(judge, {});
    const answer = post(port, JSON.stringify([msg(1), msg(2)]));
    await until(() => judge.waiting === 1, 'the batch is being judged');
    let closedAt = 0;
    const closed = server.close().then(() => (closedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closedAt, 0, 'not closed while an answer is pending');
    const answeredAt = Date.now();
    judge.release();
    const r = await answer;
    await closed;
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { verdicts: number }).verdicts, 2);
    assert.ok(closedAt >= answeredAt);
  });

  it('refuses requests beyond maxPendingRequests with 503 + Retry-After, and recovers', async () => {
    const judge = new GatedJudge();
    const { server, port } = await start(judge, { maxPendingRequests: 2, retryAfterSeconds: 3 });
    try {
      const body = JSON.stringify(msg(1));
      const held = [post(port, body), post(port, body)];
      await until(() => server.backlog().requests === 2, 'two requests admitted');
      const refused = await post(port, body);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers['retry-after'], '3');
      assert.equal(JSON.parse(refused.body).error.code, 'OVERLOADED');
      judge.release();
      await until(() => judge.waiting === 1, 'the second request reached the judge');
      judge.release();
      for (const r of await Promise.all(held)) assert.equal(r.status, 200);
      assert.deepEqual(server.backlog(), { requests: 0, bytes: 0 });
      const again = post(port, body);
      await until(() => judge.waiting === 1, 'admitted again');
      judge.release();
      assert.equal((await again).status, 200);
    } finally {
      judge.release();
      await server.close();
    }
  });

  it('bounds the body bytes held: by content-length at admission, by the bytes read without one', async () => {
    const judge = new GatedJudge();
    const { server, port } = await start(judge, { maxQueuedBytes: 20_000 });
    try {
      const batch = (n: number, size: number) =>
        Array.from({ length: n }, (_, i) => JSON.stringify({ ...msg(i), text: 'x'.repeat(size) })).join('\n');
      const twelveK = batch(4, 3000);
      const first = post(port, twelveK, { 'content-type': 'application/x-ndjson' });
      await until(() => judge.waiting === 1, 'the first body is being judged');
      assert.equal(server.backlog().bytes, Buffer.byteLength(twelveK));
      // Declared: 12 KB more would pass 20 000 bytes, refused before the body is read.
      const declared = await post(port, twelveK, { 'content-type': 'application/x-ndjson' });
      assert.equal(declared.status, 503);
      assert.equal(declared.headers['retry-after'], '1');
      // Chunked (no content-length): refused once its bytes pass the budget.
      const chunked = await new Promise<{ status: number; retry: unknown }>((resolve, reject) => {
        const headers = { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' };
        const req = openPost(port, headers, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retry: res.headers['retry-after'] }));
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
        for (let i = 0; i < 4; i++) req.write(batch(1, 3000) + '\n');
        req.end();
      });
      assert.equal(chunked.status, 503);
      assert.equal(chunked.retry, '1');
      // A small one still fits.
      const small = post(port, JSON.stringify(msg(9)));
      await until(() => server.backlog().requests === 2, 'the small request admitted');
      judge.release();
      await until(() => judge.waiting === 1, 'the small request judged');
      judge.release();
      assert.equal((await first).status, 200);
      assert.equal((await small).status, 200);
      assert.deepEqual(server.backlog(), { requests: 0, bytes: 0 });
    } finally {
      judge.release();
      await server.close();
    }
  });

  it('a client that goes away mid-body frees its place (and is no error of the server)', async () => {
    const judge = new GatedJudge();
    const lines: { level: string; msg: string }[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: {
        write: (line: string) => void lines.push(JSON.parse(line) as { level: string; msg: string }),
      },
    });
    const { server, port } = await start(judge, { maxPendingRequests: 1 }, logger);
    try {
      const req = openPost(port, { 'content-length': 1000 });
      req.on('error', () => {});
      req.write('{"id":');
      await until(() => server.backlog().requests === 1, 'admitted');
      req.destroy();
      await until(() => server.backlog().requests === 0, 'released after the client left');
      assert.equal(server.backlog().bytes, 0);
      await until(() => lines.length > 0, 'logged');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg]),
        [['debug', 'http client left before its body ended']],
        'at debug level, not as a failed handler',
      );
    } finally {
      judge.release();
      await server.close();
    }
  });
});

describe('SSE frames', () => {
  it('keep CR and LF of a message id out of the id line (no forged fields or events)', async () => {
    const hub = new VerdictHub();
    const server = new EmbeddedHttpServer({
      host: '127.0.0.1',
      port: 0,
      judge: new FakeJudge(),
      executor: new SerialExecutor(),
      hub,
      logger: silentLogger(),
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 5000,
      sseMaxClients: 4,
      sseBufferVerdicts: 16,
      readiness: () => ({ ready: true, checks: {} }),
    });
    const { port } = await server.listen();
    try {
      const forged = '7\r\n\r\ndata: {"action":"ban"}\n\nevent: verdict\nid: x';
      let raw = '';
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/verdicts' }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            raw += c;
            if (raw.includes('qq:1:after')) {
              req.destroy();
              resolve();
            }
          });
          void (async () => {
            await call(port, 'POST', '/v1/messages', JSON.stringify({ ...msg(1), id: forged }));
            await call(port, 'POST', '/v1/messages', JSON.stringify({ ...msg(2), id: 'qq:1:after' }));
          })();
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
        req.end();
      });
      // Parse the stream as an SSE client does: events end at a blank line, fields are per line.
      const events = raw
        .split(/\r\n\r\n|\n\n|\r\r/)
        .filter((block) => !block.startsWith(':') && block.trim() !== '')
        .map((block) => block.split(/\r\n|\n|\r/));
      assert.equal(events.length, 2, JSON.stringify(raw));
      const [first, second] = events;
      assert.deepEqual(
        first.map((l) => l.slice(0, l.indexOf(':'))),
        ['event', 'id', 'data'],
      );
      assert.equal(first[1], 'id: 7data: {"action":"ban"}event: verdictid: x');
      assert.equal(JSON.parse(first[2].slice('data: '.length)).messageId, forged);
      assert.equal(second[1], 'id: qq:1:after');
    } finally {
      await server.close();
    }
  });
});
