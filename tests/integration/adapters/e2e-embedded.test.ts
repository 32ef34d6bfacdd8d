/**
 * Done-when, embedded variant: a message posted to the stand-in bot flows through the adapter, the
 * embedded runner (the real pipeline) and the enforcer, and the bot's API receives the right
 * delete_msg / set_group_ban / set_group_kick calls. Member rules ride along: a roster update saying an
 * employee left ends in set_group_kick; a bad group card ends in an admin notice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { JsonlFailureSink } from '../../../src/adapters/failures.js';
import { MemoryIdempotencyStore } from '../../../src/adapters/idempotency.js';
import {
  startOneBotAdapter,
  startOneBotEnforcer,
  type OneBotAdapterService,
  type OneBotEnforcerService,
} from '../../../src/adapters/onebot/service.js';
import { SseVerdictSource } from '../../../src/adapters/verdict-sources.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { CompiledMemberRules } from '../../../src/members/rules.js';
import { startEmbeddedHttp, type EmbeddedRunner } from '../../../src/runtime/embedded.js';
import { Engine } from '../../../src/runtime/engine.js';
import { fixture } from '../../unit/adapters/fixtures.js';
import { StandInBot, connectReverse, postEvent } from './standin-bot.js';

const TOKEN = 'e2e-token';
const SECRET = 'e2e-secret';
const GROUP = 901234;
const dir = mkdtempSync(join(tmpdir(), 'modstream-e2e-'));

let seq = 1000;
function groupMessage(userId: number, text: string, card = '市场部-测试') {
  const base = fixture('events/group-message-array.json');
  return {
    ...base,
    time: Math.floor(Date.now() / 1000),
    message_id: ++seq,
    group_id: GROUP,
    user_id: userId,
    message: [{ type: 'text', data: { text } }],
    raw_message: text,
    sender: { user_id: userId, nickname: 'n', card, role: 'member' },
  };
}

describe('end to end (embedded): bot → adapter → runner → enforcer → bot API', () => {
  let engine: Engine;
  let runner: EmbeddedRunner;
  let bot: StandInBot;
  let adapter: OneBotAdapterService;
  let enforcer: OneBotEnforcerService;
  let reverse: WebSocket;
  let adapterBase = '';

  before(async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        http: { host: '127.0.0.1', port: 0 },
        metrics: { enabled: false },
        log: { level: 'silent' },
      },
    });
    engine = await Engine.create({ config, logger: silentLogger() });
    runner = await startEmbeddedHttp({ config, engine, logger: silentLogger(), metrics: null });
    const runnerBase = `http://127.0.0.1:${runner.address!.port}`;
    bot = await new StandInBot({ accessToken: TOKEN }).start();
    const roster = join(dir, 'roster.csv');
    writeFileSync(
      roster,
      'employeeId,name,department,status,effectiveDate,accounts\nE7,钱七,研发部,active,,qq:40004\nE8,孙八,市场部,active,,qq:50005\n',
    );
    adapter = await startOneBotAdapter({
      listen: { host: '127.0.0.1', port: 0 },
      connect: [bot.wsUrl],
      credentials: { accessToken: TOKEN, secret: SECRET },
      output: { kind: 'embedded', url: runnerBase },
      members: { store: new MemoryMemberStore(), rules: CompiledMemberRules.defaults(), rosterFile: roster },
      reconnectBackoff: { minMs: 20, maxMs: 100 },
    });
    adapterBase = `http://127.0.0.1:${adapter.address!.port}`;
    const runnerStream = new SseVerdictSource({ url: runnerBase, backoff: { minMs: 20, maxMs: 100 } });
    const memberStream = new SseVerdictSource({
      url: adapterBase,
      accessToken: TOKEN,
      backoff: { minMs: 20, maxMs: 100 },
    });
    enforcer = await startOneBotEnforcer({
      api: { baseUrl: bot.apiUrl, accessToken: TOKEN },
      adminGroupId: '777',
      sources: [runnerStream, memberStream],
      idempotency: new MemoryIdempotencyStore(),
      failures: new JsonlFailureSink(join(dir, 'failures.jsonl')),
      backoff: { minMs: 10, maxMs: 50 },
    });
    await Promise.all([runnerStream.connected(), memberStream.connected(), adapter.forward[0].waitForOpen()]);
    reverse = await connectReverse(`${adapterBase.replace('http', 'ws')}/onebot/v11/ws`, TOKEN);
  });

  after(async () => {
    reverse?.close();
    await enforcer?.close();
    await adapter?.close();
    await runner?.close();
    await engine?.close();
    await bot?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const calls = (action: string, userId?: number) =>
    bot.callsOf(action).filter((c) => userId === undefined || c.params.user_id === userId);

  it('an ad posted over HTTP POST: the message is deleted and the member warned', async () => {
    const e = groupMessage(10001, '加 薇 信领取免费礼品');
    assert.equal(await postEvent(`${adapterBase}/`, e, { secret: SECRET }), 204);
    await bot.waitFor(
      () =>
        bot.callsOf('delete_msg').some((c) => c.params.message_id === e.message_id) &&
        bot.callsOf('send_group_msg').some((c) => JSON.stringify(c.params).includes('"qq":"10001"')),
      'delete + warn',
    );
    const warn = bot
      .callsOf('send_group_msg')
      .find((c) => JSON.stringify(c.params).includes('"qq":"10001"'))!;
    assert.equal(warn.params.group_id, GROUP);
    assert.equal(warn.authorization, `Bearer ${TOKEN}`);
    assert.equal(calls('set_group_ban', 10001).length + calls('set_group_kick', 10001).length, 0);
  });

  it('gambling over the forward WebSocket (a first severe offence): deleted, muted 7 days, admins told', async () => {
    const e = groupMessage(20002, '网上赌场百家乐');
    bot.push(e);
    await bot.waitFor(() => calls('set_group_ban', 20002).length === 1, 'set_group_ban');
    assert.deepEqual(calls('set_group_ban', 20002)[0].params, {
      group_id: GROUP,
      user_id: 20002,
      duration: 604800,
    });
    await bot.waitFor(
      () => bot.callsOf('delete_msg').some((c) => c.params.message_id === e.message_id),
      'delete_msg',
    );
    await bot.waitFor(
      () =>
        bot
          .callsOf('send_group_msg')
          .some((c) => c.params.group_id === 777 && String(c.params.message).includes('成员 20002')),
      'admin notice',
    );
  });

  it('a repeat offender over the reverse WebSocket: warned, muted, kicked, then banned (kick + reject_add_request)', async () => {
    reverse.send(JSON.stringify(groupMessage(30003, '加 薇 信领取免费礼品')));
    await bot.waitFor(
      () => bot.callsOf('send_group_msg').some((c) => JSON.stringify(c.params).includes('"qq":"30003"')),
      'warn',
    );
    // A severe category enters the ladder at step 2: after a warning that is the mute, not a skip to kick.
    reverse.send(JSON.stringify(groupMessage(30003, '网上赌场百家乐')));
    await bot.waitFor(() => calls('set_group_ban', 30003).length === 1, 'mute');
    reverse.send(JSON.stringify(groupMessage(30003, '网上赌场百家乐')));
    await bot.waitFor(() => calls('set_group_kick', 30003).length === 1, 'kick');
    assert.deepEqual(calls('set_group_kick', 30003)[0].params, {
      group_id: GROUP,
      user_id: 30003,
      reject_add_request: false,
    });
    reverse.send(JSON.stringify(groupMessage(30003, '网上赌场百家乐')));
    await bot.waitFor(() => calls('set_group_kick', 30003).length === 2, 'ban');
    assert.deepEqual(calls('set_group_kick', 30003)[1].params, {
      group_id: GROUP,
      user_id: 30003,
      reject_add_request: true,
    });
  });

  it('a clean message changes nothing; an event the bot sends twice acts once', async () => {
    const before = bot.calls.length;
    const e = groupMessage(10001, '明天上午十点开会');
    assert.equal(await postEvent(`${adapterBase}/`, e, { secret: SECRET }), 204);
    const dup = groupMessage(60006, '网上赌场百家乐');
    bot.push(dup);
    bot.push(dup); // the bot sends the same event twice
    await bot.waitFor(() => calls('set_group_ban', 60006).length >= 1, 'the mute');
    await adapter.adapter.flush();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls('set_group_ban', 60006).length, 1);
    assert.equal(bot.callsOf('delete_msg').filter((c) => c.params.message_id === dup.message_id).length, 1);
    assert.ok(!bot.calls.slice(before).some((c) => c.params.message_id === e.message_id));
  });

  it('a verdict delivered twice (the message re-judged by the runner) is enforced once', async () => {
    const message = {
      id: `qq:${GROUP}:88888`,
      platform: 'qq',
      groupId: String(GROUP),
      userId: '61006',
      text: '网上赌场百家乐',
      ts: Date.now(),
    };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(
        `${runner.address!.address === '::' ? 'http://127.0.0.1' : `http://${runner.address!.address}`}:${runner.address!.port}/v1/messages`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
        },
      );
      assert.equal(res.status, 200);
    }
    await bot.waitFor(() => calls('set_group_ban', 61006).length >= 1, 'the mute');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls('set_group_ban', 61006).length, 1);
    assert.equal(bot.callsOf('delete_msg').filter((c) => c.params.message_id === 88888).length, 1);
  });

  it('departed staff: HR says 钱七 left → kicked from the group the adapter saw them in', async () => {
    bot.push(groupMessage(40004, '收到', '研发部-钱七'));
    await adapter.adapter.flush();
    const res = await fetch(`${adapterBase}/v1/member-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'roster.update',
        id: 'hr-1',
        ts: Date.now(),
        employees: [
          {
            employeeId: 'E7',
            name: '钱七',
            department: '研发部',
            status: 'left',
            effectiveDate: '2020-01-01',
            accounts: [{ platform: 'qq', userId: '40004' }],
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    await bot.waitFor(() => calls('set_group_kick', 40004).length === 1, 'departed kick');
    assert.deepEqual(calls('set_group_kick', 40004)[0].params, {
      group_id: GROUP,
      user_id: 40004,
      reject_add_request: false,
    });
    await bot.waitFor(
      () =>
        bot
          .callsOf('send_group_msg')
          .some((c) => c.params.group_id === 777 && String(c.params.message).includes('已离职')),
      'admin notice',
    );
  });

  it('group cards: a card change to a bad card (notice) is reported to the admins', async () => {
    bot.push({
      ...fixture('events/notice-group-card.json'),
      group_id: GROUP,
      user_id: 50005,
      card_new: '孙八',
      time: Math.floor(Date.now() / 1000),
    });
    await bot.waitFor(
      () =>
        bot
          .callsOf('send_group_msg')
          .some(
            (c) => c.params.group_id === 777 && String(c.params.message).includes('群名片不符合格式：孙八'),
          ),
      'card notice',
    );
    assert.equal(calls('set_group_kick', 50005).length, 0);
  });
});
