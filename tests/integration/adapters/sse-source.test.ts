import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { EnforcerMetrics } from '../../../src/adapters/metrics.js';
import { SseVerdictSource } from '../../../src/adapters/verdict-sources.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { verdict } from '../../unit/adapters/helpers.js';

describe('SSE verdict source', () => {
  it('parses verdict frames (CRLF too), skips comments and bad records, and reconnects when the stream ends', async () => {
    const clients: ServerResponse[] = [];
    const auth: (string | undefined)[] = [];
    const lastIds: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      lastIds.push(req.headers['last-event-id'] as string | undefined);
      assert.equal(req.url, '/v1/verdicts');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
      clients.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const registry = new Registry();
    const source = new SseVerdictSource({
      url: base + '/',
      accessToken: 't',
      metrics: new EnforcerMetrics(registry),
      backoff: { minMs: 10, maxMs: 30 },
    });
    const got: Verdict[] = [];
    await source.start(async (v) => {
      await new Promise((r) => setTimeout(r, 5)); // a slow enforcer: frames queue, order kept
      got.push(v);
    });
    try {
      await source.connected(1);
      const frame = (v: Verdict) => `event: verdict\nid: ${v.messageId}\ndata: ${JSON.stringify(v)}\n\n`;
      clients[0].write(frame(verdict({ messageId: 'qq:1:1' })) + frame(verdict({ messageId: 'qq:1:2' })));
      clients[0].write('event: verdict\ndata: {"not":"a verdict"}\n\n');
      clients[0].write(`event: other\ndata: ${JSON.stringify(verdict({ messageId: 'qq:1:x' }))}\n\n`);
      const crlf = `event: verdict\r\ndata: ${JSON.stringify(verdict({ messageId: 'qq:1:3' }))}\r\n\r\n`;
      clients[0].write(crlf.slice(0, 20));
      clients[0].write(crlf.slice(20));
      for (let i = 0; i < 300 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      clients[0].end(); // the runner restarts
      await source.connected(2);
      clients[1].write(frame(verdict({ messageId: 'qq:1:4' })));
      for (let i = 0; i < 300 && got.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(
        got.map((v) => v.messageId),
        ['qq:1:1', 'qq:1:2', 'qq:1:3', 'qq:1:4'],
      );
      assert.deepEqual(auth, ['Bearer t', 'Bearer t']);
      // Reconnecting, it names the last verdict it got (the CRLF frame had no id): the server replays after it.
      assert.deepEqual(lastIds, [undefined, 'qq:1:2']);
      assert.match(await registry.metrics(), /modstream_enforcer_verdicts_total\{outcome="malformed"\} 1/);
    } finally {
      await source.stop();
      for (const c of clients) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
