import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { instrumentHttpServer, routeLabel } from '../../../src/metrics/http.js';
import { ModstreamMetrics } from '../../../src/metrics/metrics.js';
import { OpsServer } from '../../../src/metrics/server.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EmbeddedHttpServer } from '../../../src/transport/embedded/http-server.js';
import { SerialExecutor } from '../../../src/transport/embedded/serial.js';
import { VerdictHub } from '../../../src/transport/embedded/verdict-hub.js';
import { parseExposition, value } from './exposition.js';

function call(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('OpsServer (Kafka mode: /metrics, /healthz, /readyz on their own port)', () => {
  const metrics = new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
  let ready = false;
  let ops: OpsServer;
  let port = 0;
  before(async () => {
    metrics.pipeline.received(5);
    ops = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: () => metrics.expose(),
      readiness: () => ({
        ready,
        checks: {
          kafka: { ok: ready, detail: ready ? 'running, partitions [0,1]' : 'starting' },
          lexicon: { ok: true },
        },
      }),
    });
    port = (await ops.listen()).port;
  });
  after(() => ops.close());

  it('/metrics serves the registry in the Prometheus text format', async () => {
    const r = await call(port, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(value(parseExposition(r.body), 'modstream_messages_total'), 5);
  });

  it('/healthz answers while the process is alive, ready or not', async () => {
    const r = await call(port, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: 'ok' });
  });

  it('/readyz is 503 with the failing check until ready, then 200', async () => {
    ready = false;
    let r = await call(port, 'GET', '/readyz');
    assert.equal(r.status, 503);
    assert.equal(JSON.parse(r.body).checks.kafka.ok, false);
    ready = true;
    r = await call(port, 'GET', '/readyz');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).status, 'ready');
  });

  it('unknown paths are 404, other methods 405', async () => {
    assert.equal((await call(port, 'GET', '/nope')).status, 404);
    assert.equal((await call(port, 'POST', '/metrics')).status, 405);
  });

  it('a failing metrics source is a 500, not a crash', async () => {
    const broken = new OpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: () => Promise.reject(new Error('collector failed')),
      readiness: () => ({ ready: true, checks: {} }),
    });
    const p = (await broken.listen()).port;
    try {
      const r = await call(p, 'GET', '/metrics');
      assert.equal(r.status, 500);
      assert.match(r.body, /collector failed/);
    } finally {
      await broken.close();
    }
  });
});

describe('instrumentHttpServer', () => {
  const metrics = new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/v1/messages') res.writeHead(413).end();
      else if (req.url?.startsWith('/healthz')) res.writeHead(200).end('ok');
      else res.writeHead(404).end();
    });
    instrumentHttpServer(server, metrics.http);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('counts and times each request by bounded route and status', async () => {
    await call(port, 'GET', '/healthz?verbose=1');
    await call(port, 'POST', '/v1/messages');
    await call(port, 'GET', '/user/12345/secret-path');
    const e = parseExposition((await metrics.expose()).body);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/healthz', code: '200' }), 1);
    assert.equal(value(e, 'modstream_http_requests_total', { route: '/v1/messages', code: '413' }), 1);
    assert.equal(value(e, 'modstream_http_requests_total', { route: 'other', code: '404' }), 1);
    assert.equal(value(e, 'modstream_http_request_duration_seconds_count', { route: '/healthz' }), 1);
    assert.equal(value(e, 'modstream_stage_errors_total', { stage: 'ingest' }), 1);
  });

  it('counts the embedded API refusing requests for backpressure (503 with Retry-After)', async () => {
    const m = new ModstreamMetrics({ registry: new Registry(), processMetrics: false });
    let gate!: () => void;
    const judged = new Promise<void>((r) => (gate = r));
    const api = new EmbeddedHttpServer({
      host: '127.0.0.1',
      port: 0,
      judge: {
        judge: async (records) => {
          await judged;
          return records.map(() => ({
            kind: 'error' as const,
            error: { error: { code: 'BAD_JSON', message: 'x' }, raw: '', source: {} },
          }));
        },
      },
      executor: new SerialExecutor(),
      hub: new VerdictHub(),
      logger: silentLogger(),
      maxBodyBytes: 1024,
      requestTimeoutMs: 5000,
      sseMaxClients: 1,
      sseBufferVerdicts: 1,
      readiness: () => ({ ready: true, checks: {} }),
      maxPendingRequests: 1,
    });
    instrumentHttpServer(api.server, m.http);
    const p = (await api.listen()).port;
    try {
      const overload = { route: '/v1/messages', code: '503' };
      const post = () =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: p, method: 'POST', path: '/v1/messages' }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end('{"id":"x"}');
        });
      const first = post();
      for (let i = 0; i < 500 && api.backlog().requests === 0; i++)
        await new Promise((r) => setTimeout(r, 5));
      assert.equal(api.backlog().requests, 1);
      assert.equal(await post(), 503);
      assert.equal(await post(), 503);
      gate();
      assert.equal(await first, 400);
      const e = parseExposition((await m.expose()).body);
      assert.equal(value(e, 'modstream_http_requests_total', overload), 2, 'refusals counted');
      assert.equal(value(e, 'modstream_stage_errors_total', { stage: 'ingest' }), 1, 'only the 400');
    } finally {
      gate();
      await api.close();
    }
  });

  it('routeLabel keeps known paths and folds everything else into "other"', () => {
    assert.equal(routeLabel('/metrics'), '/metrics');
    assert.equal(routeLabel('/v1/messages?x=1'), '/v1/messages');
    assert.equal(routeLabel('/v1/messages/123'), 'other');
    assert.equal(routeLabel(undefined), 'other');
  });
});
