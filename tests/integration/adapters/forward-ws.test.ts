import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ChatAdapter } from '../../../src/adapters/adapter.js';
import { AdapterMetrics } from '../../../src/adapters/metrics.js';
import { ForwardWebSocket, redactUrl } from '../../../src/adapters/onebot/forward-ws.js';
import { OneBotEventMapper } from '../../../src/adapters/onebot/map-event.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import type { MessageSink } from '../../../src/adapters/sinks.js';
import type { Message } from '../../../src/contracts/types.js';
import { fixture } from '../../unit/adapters/fixtures.js';
import { StandInBot } from './standin-bot.js';

class CollectingSink implements MessageSink {
  readonly name = 'embedded';
  readonly sent: Message[] = [];
  async send(messages: readonly Message[]): Promise<void> {
    this.sent.push(...messages);
  }
  async close(): Promise<void> {}
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

describe('forward WebSocket (we connect to the bot)', () => {
  it('receives pushed events, sends the token, and reconnects after the bot drops the connection', async () => {
    const bot = await new StandInBot({ accessToken: 'tok' }).start();
    const sink = new CollectingSink();
    const registry = new Registry();
    const metrics = new AdapterMetrics(registry);
    const adapter = new ChatAdapter({
      mapper: new OneBotEventMapper(),
      publisher: new BatchingPublisher({ sink, lingerMs: 1 }),
      metrics,
    });
    const fw = new ForwardWebSocket({
      url: bot.wsUrl,
      accessToken: 'tok',
      adapter,
      metrics,
      backoff: { minMs: 20, maxMs: 100 },
      pingIntervalMs: 60_000,
    });
    try {
      fw.start();
      await fw.waitForOpen();
      await until(() => bot.clients === 1, 'the bot to see the connection');
      assert.equal(bot.wsAuth[0], 'Bearer tok');
      bot.push(fixture('events/group-message-array.json'));
      await until(() => sink.sent.length === 1, 'the first message');

      bot.dropClients(); // the bot restarts
      await fw.waitForOpen(1);
      await until(() => bot.clients === 1, 'the reconnection');
      assert.equal(fw.opens, 2);
      bot.push({ ...fixture('events/group-message-array.json'), message_id: 2 });
      await until(() => sink.sent.length === 2, 'the message after the reconnection');
      assert.deepEqual(
        sink.sent.map((m) => m.id),
        ['qq:901234:55871', 'qq:901234:2'],
      );
      const text = await registry.metrics();
      assert.match(text, /modstream_adapter_ws_reconnects_total [1-9]/);
      assert.match(text, /modstream_adapter_ws_connections\{transport="ws-forward"\} 1/);
      assert.match(
        text,
        /modstream_adapter_events_total\{transport="ws-forward",outcome="ignored",reason="meta"\} 2/,
        'lifecycle events on each connect',
      );
    } finally {
      await fw.stop();
      await adapter.close();
      await bot.close();
    }
  });

  it('keeps retrying a bot that refuses the token, and connects once it accepts', async () => {
    const bot = await new StandInBot({ accessToken: 'right' }).start();
    const adapter = new ChatAdapter({
      mapper: new OneBotEventMapper(),
      publisher: new BatchingPublisher({ sink: new CollectingSink() }),
    });
    const fw = new ForwardWebSocket({
      url: bot.wsUrl,
      accessToken: 'wrong',
      adapter,
      backoff: { minMs: 10, maxMs: 40 },
    });
    try {
      fw.start();
      await until(() => bot.wsAuth.length >= 3, 'several attempts');
      assert.equal(fw.connected, false);
      bot.accessToken = 'wrong';
      await fw.waitForOpen();
      assert.equal(fw.connected, true);
    } finally {
      await fw.stop();
      await adapter.close();
      await bot.close();
    }
  });

  it('reconnects to a bot that was not up yet', async () => {
    const probe = await new StandInBot().start();
    const port = probe.port;
    await probe.close();
    const adapter = new ChatAdapter({
      mapper: new OneBotEventMapper(),
      publisher: new BatchingPublisher({ sink: new CollectingSink() }),
    });
    const fw = new ForwardWebSocket({
      url: `ws://127.0.0.1:${port}/`,
      adapter,
      backoff: { minMs: 20, maxMs: 50 },
    });
    const bot = new StandInBot();
    try {
      fw.start();
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(fw.connected, false);
      await bot.start(port);
      await fw.waitForOpen();
      assert.equal(fw.connected, true);
    } finally {
      await fw.stop();
      await adapter.close();
      await bot.close();
    }
  });

  it('never logs the access token in URLs', () => {
    assert.equal(redactUrl('ws://h:1/?access_token=abc&x=1'), 'ws://h:1/?access_token=[redacted]&x=1');
  });
});
