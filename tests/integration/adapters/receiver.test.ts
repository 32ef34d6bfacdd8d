import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ChatAdapter } from '../../../src/adapters/adapter.js';
import { AdapterMetrics } from '../../../src/adapters/metrics.js';
import { OneBotEventMapper } from '../../../src/adapters/onebot/map-event.js';
import { OneBotReceiver } from '../../../src/adapters/onebot/receiver.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import type { MessageSink } from '../../../src/adapters/sinks.js';
import { SseVerdictSource } from '../../../src/adapters/verdict-sources.js';
import type { Message, Verdict } from '../../../src/contracts/types.js';
import { MemberEventDecoder } from '../../../src/members/decode.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor } from '../../../src/members/monitor.js';
import { VerdictHub } from '../../../src/transport/embedded/verdict-hub.js';
import { fixture } from '../../unit/adapters/fixtures.js';
import { connectReverse, postEvent } from './standin-bot.js';

const TOKEN = 'tok-123';
const SECRET = 'sec-456';

class CollectingSink implements MessageSink {
  readonly name = 'embedded';
  readonly sent: Message[] = [];
  async send(messages: readonly Message[]): Promise<void> {
    this.sent.push(...messages);
  }
  async close(): Promise<void> {}
}

describe('OneBot receiver: HTTP POST, reverse WebSocket, member events, verdict stream', () => {
  const sink = new CollectingSink();
  const registry = new Registry();
  const metrics = new AdapterMetrics(registry);
  const hub = new VerdictHub();
  const store = new MemoryMemberStore();
  let receiver: OneBotReceiver;
  let base = '';
  let adapter: ChatAdapter;

  before(async () => {
    adapter = new ChatAdapter({
      mapper: new OneBotEventMapper(),
      publisher: new BatchingPublisher({ sink, lingerMs: 1 }),
      members: {
        monitor: new MemberMonitor({ store }),
        deliver: async (vs) => vs.forEach((v) => hub.publish(v)),
      },
      metrics,
      observeLingerMs: 1,
    });
    receiver = new OneBotReceiver({
      adapter,
      credentials: { accessToken: TOKEN, secret: SECRET },
      host: '127.0.0.1',
      port: 0,
      memberEvents: new MemberEventDecoder(),
      verdicts: hub,
      metrics,
      maxBodyBytes: 64 * 1024,
    });
    const addr = await receiver.listen();
    base = `http://127.0.0.1:${addr.port}`;
  });
  after(async () => {
    await receiver.close();
    await adapter.close();
  });

  const waitSent = async (n: number) => {
    for (let i = 0; i < 200 && sink.sent.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sink.sent.length, n);
  };

  it('accepts signed HTTP POST events on any path (204); refuses bad credentials (401/403), counted', async () => {
    const e = fixture('events/group-message-array.json');
    assert.equal(await postEvent(`${base}/`, e, { secret: SECRET }), 204);
    assert.equal(
      await postEvent(`${base}/onebot/event`, { ...e, message_id: 2 }, { secret: SECRET, token: TOKEN }),
      204,
    );
    assert.equal(await postEvent(`${base}/`, { ...e, message_id: 3 }), 401, 'unsigned');
    assert.equal(
      await postEvent(`${base}/`, { ...e, message_id: 4 }, { token: TOKEN }),
      401,
      'a token does not replace the signature when a secret is set',
    );
    const tampered = JSON.stringify({ ...e, message_id: 5 });
    const res = await fetch(`${base}/`, {
      method: 'POST',
      body: tampered.replace('"message_id":5', '"message_id":6'),
      headers: {
        'x-signature': (await import('../../../src/adapters/onebot/auth.js')).signBody(SECRET, tampered),
      },
    });
    assert.equal(res.status, 403);
    assert.equal(await postEvent(`${base}/`, e, { secret: 'wrong' }), 403);
    assert.equal(
      await postEvent(`${base}/`, null, { secret: SECRET, rawBody: '{not json' }),
      204,
      'a bad event is counted, not refused',
    );
    assert.equal(await postEvent(`${base}/`, null, { secret: SECRET, rawBody: 'x'.repeat(70 * 1024) }), 413);
    await waitSent(2);
    assert.deepEqual(
      sink.sent.map((m) => m.id),
      ['qq:901234:55871', 'qq:901234:2'],
    );
    const text = await registry.metrics();
    assert.match(
      text,
      /modstream_adapter_auth_failures_total\{transport="http",reason="signature-missing"\} 2/,
    );
    assert.match(
      text,
      /modstream_adapter_auth_failures_total\{transport="http",reason="signature-wrong"\} 2/,
    );
    assert.match(text, /modstream_adapter_events_total\{transport="http",outcome="bad_json",reason=""\} 1/);
  });

  it('accepts reverse WebSocket connections with the token, on any path; refuses others', async () => {
    sink.sent.length = 0;
    await assert.rejects(
      connectReverse(`${base.replace('http', 'ws')}/`),
      (e: Error & { status?: number }) => e.status === 401,
    );
    await assert.rejects(
      connectReverse(`${base.replace('http', 'ws')}/`, 'nope'),
      (e: Error & { status?: number }) => e.status === 403,
    );
    const ws = await connectReverse(`${base.replace('http', 'ws')}/onebot/v11/ws`, TOKEN);
    assert.equal(receiver.connections, 1);
    ws.send(JSON.stringify(fixture('events/meta-lifecycle.json')));
    ws.send(JSON.stringify({ ...fixture('events/group-message-string.json'), message_id: 77 }));
    ws.send(JSON.stringify({ status: 'ok', retcode: 0, data: null, echo: 'x' }));
    await waitSent(1);
    assert.equal(sink.sent[0].id, 'qq:901234:77');
    const byQuery = await connectReverse(`${base.replace('http', 'ws')}/?access_token=${TOKEN}`);
    byQuery.close();
    ws.close();
    const text = await registry.metrics();
    assert.match(
      text,
      /modstream_adapter_events_total\{transport="ws-reverse",outcome="ignored",reason="api_response"\} 1/,
    );
    assert.match(
      text,
      /modstream_adapter_auth_failures_total\{transport="ws-reverse",reason="token-wrong"\} 1/,
    );
  });

  it('POST /v1/member-events takes roster updates and member events; verdicts stream on /v1/verdicts', async () => {
    const source = new SseVerdictSource({ url: base, accessToken: TOKEN, backoff: { minMs: 10, maxMs: 50 } });
    const streamed: Verdict[] = [];
    await source.start(async (v) => void streamed.push(v));
    await source.connected();
    const post = (body: unknown, token: string | null = TOKEN) =>
      fetch(`${base}/v1/member-events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    assert.equal((await post([], null)).status, 401);
    const bad = await post({ kind: 'member.card', id: 'x', ts: 1 });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /platform is required/);

    const ts = Date.now();
    const ndjson = [
      {
        kind: 'member.joined',
        id: 'j1',
        ts,
        platform: 'qq',
        groupId: '901234',
        userId: '20001',
        userName: '财务部-周九',
      },
      {
        kind: 'member.joined',
        id: 'j2',
        ts,
        platform: 'qq',
        groupId: '905678',
        userId: '20001',
        userName: '财务部-周九',
      },
      { kind: 'nonsense', id: 'n', ts },
      {
        kind: 'roster.update',
        id: 'r1',
        ts,
        employees: [
          {
            employeeId: 'E9',
            name: '周九',
            department: '财务部',
            status: 'left',
            effectiveDate: '2020-01-01',
            accounts: [{ platform: 'qq', userId: '20001' }],
          },
        ],
      },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const res = await post(ndjson);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { accepted: number; errors: { index: number }[]; verdicts: Verdict[] };
    assert.equal(body.accepted, 3);
    assert.deepEqual(
      body.errors.map((e) => e.index),
      [2],
    );
    assert.deepEqual(body.verdicts.map((v) => `${v.groupId}:${v.reasons[0].rule}:${v.action}`).sort(), [
      '901234:member:departed:kick',
      '905678:member:departed:kick',
    ]);
    const departed = () => streamed.filter((v) => v.reasons[0].rule === 'member:departed');
    for (let i = 0; i < 200 && departed().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      departed()
        .map((v) => v.messageId)
        .sort(),
      body.verdicts.map((v) => v.messageId).sort(),
    );
    await source.stop();
  });

  it('GET /healthz; other methods are refused', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/anything`)).status, 405);
  });
});
