import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ChatAdapter } from '../../../src/adapters/adapter.js';
import { AdapterMetrics } from '../../../src/adapters/metrics.js';
import { OneBotEventMapper } from '../../../src/adapters/onebot/map-event.js';
import { BatchingPublisher } from '../../../src/adapters/publisher.js';
import type { MessageSink } from '../../../src/adapters/sinks.js';
import type { Message, Verdict } from '../../../src/contracts/types.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { MemberMonitor } from '../../../src/members/monitor.js';
import { fixture, fixtureText } from './fixtures.js';

class CollectingSink implements MessageSink {
  readonly name = 'embedded';
  readonly sent: Message[] = [];
  async send(messages: readonly Message[]): Promise<void> {
    this.sent.push(...messages);
  }
  async close(): Promise<void> {}
}

function setup(withMembers = true) {
  const sink = new CollectingSink();
  const registry = new Registry();
  const metrics = new AdapterMetrics(registry);
  const store = new MemoryMemberStore();
  const delivered: Verdict[] = [];
  const adapter = new ChatAdapter({
    mapper: new OneBotEventMapper(),
    publisher: new BatchingPublisher({ sink, lingerMs: 1 }),
    members: withMembers
      ? {
          monitor: new MemberMonitor({ store, clock: () => 1764000000000 }),
          deliver: async (v) => void delivered.push(...v),
        }
      : null,
    metrics,
    observeLingerMs: 1,
  });
  return { sink, registry, store, delivered, adapter };
}

describe('ChatAdapter', () => {
  it('routes messages to the publisher and their senders to the member rules; counts every outcome', async () => {
    const { adapter, sink, store, delivered, registry } = setup();
    assert.equal(adapter.ingest(fixtureText('events/group-message-array.json'), 'http'), 'message');
    assert.equal(
      adapter.ingest(Buffer.from(fixtureText('events/group-message-string.json')), 'ws-forward'),
      'message',
    );
    assert.equal(adapter.ingest(fixture('events/meta-heartbeat.json'), 'ws-reverse'), 'ignored');
    assert.equal(adapter.ingest('{"post_type":', 'http'), 'bad_json');
    assert.equal(adapter.ingest(fixtureText('events/malformed-no-group.json'), 'http'), 'malformed');
    assert.equal(adapter.ingest(fixtureText('events/unknown-post-type.json'), 'http'), 'unknown');
    await adapter.flush();
    assert.deepEqual(
      sink.sent.map((m) => m.id),
      ['qq:901234:55871', 'qq:901234:-2147000001'],
    );
    assert.equal((await store.get('qq', '901234', '10001'))?.card, '市场部-张三');
    // 10003 spoke with no card: reported.
    assert.deepEqual(
      delivered.map((v) => `${v.userId}:${v.reasons[0].rule}`),
      ['10003:member:card-format'],
    );
    const text = await registry.metrics();
    assert.match(text, /modstream_adapter_events_total\{transport="http",outcome="message",reason=""\} 1/);
    assert.match(
      text,
      /modstream_adapter_events_total\{transport="ws-forward",outcome="message",reason=""\} 1/,
    );
    assert.match(
      text,
      /modstream_adapter_events_total\{transport="ws-reverse",outcome="ignored",reason="meta"\} 1/,
    );
    assert.match(text, /modstream_adapter_events_total\{transport="http",outcome="bad_json",reason=""\} 1/);
    assert.match(
      text,
      /modstream_adapter_events_total\{transport="http",outcome="malformed",reason="group_id"\} 1/,
    );
    assert.match(
      text,
      /modstream_adapter_events_total\{transport="http",outcome="unknown",reason="post_type"\} 1/,
    );
    await adapter.close();
  });

  it('member notices are applied in order with the messages around them', async () => {
    const { adapter, store } = setup();
    adapter.ingest(fixture('events/notice-group-increase.json'), 'http');
    adapter.ingest(
      {
        ...fixture('events/group-message-array.json'),
        user_id: 10006,
        sender: { card: '市场部-孙八', role: 'member' },
      },
      'http',
    );
    adapter.ingest(fixture('events/notice-group-card.json'), 'http');
    await adapter.flush();
    assert.equal((await store.get('qq', '901234', '10006'))?.card, '张三丰');
    adapter.ingest(fixture('events/notice-group-decrease-leave.json'), 'http');
    await adapter.flush();
    assert.equal(await store.get('qq', '901234', '10006'), null);
  });

  it('without member rules, notices are counted and ignored', async () => {
    const { adapter, sink } = setup(false);
    assert.equal(adapter.ingest(fixture('events/notice-group-increase.json'), 'http'), 'member');
    await adapter.flush();
    assert.equal(sink.sent.length, 0);
    await assert.rejects(adapter.handleMemberEvents([]), /member rules are off/);
  });

  it('a failing membership store never stops messages', async () => {
    const sink = new CollectingSink();
    const registry = new Registry();
    const broken = new MemoryMemberStore();
    broken.touch = async () => Promise.reject(new Error('redis down'));
    const adapter = new ChatAdapter({
      mapper: new OneBotEventMapper(),
      publisher: new BatchingPublisher({ sink, lingerMs: 1 }),
      members: { monitor: new MemberMonitor({ store: broken }), deliver: async () => {} },
      metrics: new AdapterMetrics(registry),
      observeLingerMs: 1,
    });
    adapter.ingest(fixture('events/group-message-array.json'), 'http');
    await adapter.flush();
    assert.equal(sink.sent.length, 1);
    assert.match(await registry.metrics(), /modstream_member_errors_total\{op="observe"\} 1/);
  });
});

describe('ChatAdapter: repeats', () => {
  it('drops a message id seen recently (two connections, or a re-push), counted as ignored/duplicate', async () => {
    const { adapter, sink, registry } = setup(false);
    const e = fixture('events/group-message-array.json');
    assert.equal(adapter.ingest(e, 'http'), 'message');
    assert.equal(adapter.ingest(e, 'ws-reverse'), 'ignored');
    assert.equal(adapter.ingest({ ...e, message_id: 2 }, 'ws-reverse'), 'message');
    await adapter.flush();
    assert.deepEqual(
      sink.sent.map((m) => m.id),
      ['qq:901234:55871', 'qq:901234:2'],
    );
    assert.match(
      await registry.metrics(),
      /modstream_adapter_events_total\{transport="ws-reverse",outcome="ignored",reason="duplicate"\} 1/,
    );
  });
});
