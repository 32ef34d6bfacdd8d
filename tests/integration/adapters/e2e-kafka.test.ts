/**
 * Done-when, Kafka variant: stand-in bot → adapter → Kafka messages topic → the real processor (Kafka
 * mode) → verdicts topic → the enforcer's own consumer group → the bot's API. Member verdicts go to the
 * verdicts topic too; a call the bot keeps failing ends up on the failure topic. Random topic names;
 * under CI=true a missing broker FAILS (requireKafka).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KafkaFailureSink, type EnforcementFailure } from '../../../src/adapters/failures.js';
import { MemoryIdempotencyStore } from '../../../src/adapters/idempotency.js';
import {
  startOneBotAdapter,
  startOneBotEnforcer,
  type OneBotAdapterService,
  type OneBotEnforcerService,
} from '../../../src/adapters/onebot/service.js';
import { KafkaVerdictSource } from '../../../src/adapters/verdict-sources.js';
import { loadConfig } from '../../../src/config/load.js';
import type { Verdict } from '../../../src/contracts/types.js';
import { silentLogger } from '../../../src/log/logger.js';
import { MemoryMemberStore } from '../../../src/members/memory/memory-member-store.js';
import { CompiledMemberRules } from '../../../src/members/rules.js';
import { Engine } from '../../../src/runtime/engine.js';
import { startKafkaMode, type KafkaRunner } from '../../../src/runtime/kafka.js';
import {
  createTopics,
  deleteTopics,
  quietKafka,
  randomPrefix,
  readTopic,
  requireKafka,
  waitFor,
} from '../../helpers/services.js';
import { fixture } from '../../unit/adapters/fixtures.js';
import { StandInBot, postEvent } from './standin-bot.js';

const kafka = await requireKafka();
const SECRET = 'k-secret';
const TOKEN = 'k-token'; // the member API needs it: a secret signs POST bodies only
const GROUP = 905678;

let seq = 5000;
function groupMessage(userId: number, text: string) {
  const base = fixture('events/group-message-array.json');
  return {
    ...base,
    time: Math.floor(Date.now() / 1000),
    message_id: ++seq,
    group_id: GROUP,
    user_id: userId,
    message: [{ type: 'text', data: { text } }],
    sender: { user_id: userId, nickname: 'n', card: '市场部-测试', role: 'member' },
  };
}

describe(
  'end to end (Kafka): bot → adapter → Kafka → processor → Kafka → enforcer → bot API',
  { skip: kafka.skip, timeout: 180_000 },
  () => {
    const prefix = randomPrefix('adapters-e2e');
    const topics = {
      messages: `${prefix}.messages`,
      verdicts: `${prefix}.verdicts`,
      dlq: `${prefix}.dlq`,
      failures: `${prefix}.enforce-failures`,
    };
    let engine: Engine;
    let processor: KafkaRunner;
    let bot: StandInBot;
    let adapter: OneBotAdapterService;
    let enforcer: OneBotEnforcerService;
    let adapterBase = '';

    before(async () => {
      await createTopics(kafka.brokers, [topics.messages, topics.verdicts, topics.dlq, topics.failures], 3);
      const config = loadConfig({
        env: {},
        overrides: {
          mode: 'kafka',
          kafka: {
            brokers: kafka.brokers,
            groupId: `${prefix}-processor`,
            topics: { messages: topics.messages, verdicts: topics.verdicts, dlq: topics.dlq },
          },
          metrics: { enabled: false },
          log: { level: 'silent' },
        },
      });
      engine = await Engine.create({ config, logger: silentLogger() });
      processor = await startKafkaMode({ config, engine, logger: silentLogger(), metrics: null });
      bot = await new StandInBot().start();
      const client = quietKafka(kafka.brokers, `${prefix}-client`);
      adapter = await startOneBotAdapter({
        listen: { host: '127.0.0.1', port: 0 },
        credentials: { secret: SECRET, accessToken: TOKEN },
        output: { kind: 'kafka', kafka: client, topic: topics.messages, verdictsTopic: topics.verdicts },
        members: { store: new MemoryMemberStore(), rules: CompiledMemberRules.defaults() },
      });
      adapterBase = `http://127.0.0.1:${adapter.address!.port}`;
      const source = new KafkaVerdictSource({
        kafka: client,
        topic: topics.verdicts,
        groupId: `${prefix}-enforcer`,
        fromBeginning: true,
      });
      enforcer = await startOneBotEnforcer({
        api: { baseUrl: bot.apiUrl },
        adminUserIds: ['42'],
        sources: [source],
        idempotency: new MemoryIdempotencyStore(),
        failures: new KafkaFailureSink({ kafka: client, topic: topics.failures }),
        retries: 1,
        backoff: { minMs: 10, maxMs: 20 },
      });
      await source.joined();
    });

    after(async () => {
      await enforcer?.close();
      await adapter?.close();
      await processor?.close();
      await engine?.close();
      await bot?.close();
      await deleteTopics(kafka.brokers, Object.values(topics));
    });

    it('severe content is deleted and muted; a repeat is kicked; verdicts are keyed platform:groupId', async () => {
      const first = groupMessage(70007, '网上赌场百家乐');
      assert.equal(await postEvent(`${adapterBase}/`, first, { secret: SECRET }), 204);
      await bot.waitFor(
        () => bot.callsOf('set_group_ban').some((c) => c.params.user_id === 70007),
        'set_group_ban',
        90_000,
      );
      assert.deepEqual(bot.callsOf('set_group_ban').find((c) => c.params.user_id === 70007)!.params, {
        group_id: GROUP,
        user_id: 70007,
        duration: 604800,
      });
      await bot.waitFor(
        () => bot.callsOf('delete_msg').some((c) => c.params.message_id === first.message_id),
        'delete_msg',
        30_000,
      );
      await bot.waitFor(
        () =>
          bot
            .callsOf('send_private_msg')
            .some((c) => c.params.user_id === 42 && String(c.params.message).includes('成员 70007')),
        'admin notice',
        30_000,
      );

      const verdicts = await readTopic(kafka.brokers, topics.verdicts);
      const v = verdicts
        .map((r) => ({ key: r.key, verdict: JSON.parse(r.text) as Verdict }))
        .find((x) => x.verdict.messageId === `qq:${GROUP}:${first.message_id}`)!;
      assert.equal(v.key, `qq:${GROUP}`);
      assert.equal(v.verdict.action, 'mute');
    });

    it('a departed employee (roster update) is kicked; an action the bot keeps failing lands on the failure topic', async () => {
      await postEvent(`${adapterBase}/`, groupMessage(80008, '好的'), { secret: SECRET });
      await adapter.adapter.flush();
      bot.script('set_group_kick', [], { body: fixture('api/failed.json') });
      const res = await fetch(`${adapterBase}/v1/member-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'roster.update',
          id: 'hr-k',
          ts: Date.now(),
          employees: [
            {
              employeeId: 'E80',
              name: '测试',
              department: '市场部',
              status: 'left',
              effectiveDate: '2020-01-01',
              accounts: [{ platform: 'qq', userId: '80008' }],
            },
          ],
        }),
      });
      assert.equal(res.status, 200);
      await bot.waitFor(
        () => bot.callsOf('set_group_kick').filter((c) => c.params.user_id === 80008).length === 2,
        'two kick attempts',
        90_000,
      );
      const failures = await waitFor(
        async () => {
          const records = await readTopic(kafka.brokers, topics.failures);
          return records.length > 0 ? records : null;
        },
        'the failure record',
        { timeoutMs: 30_000 },
      );
      const f = JSON.parse(failures[0].text) as EnforcementFailure;
      assert.equal(failures[0].key, `qq:${GROUP}`);
      assert.equal(f.action, 'set_group_kick');
      assert.equal(f.attempts, 2);
      assert.equal(f.error.retcode, 200);
      assert.match(f.messageId, new RegExp(`^member:qq:${GROUP}:80008:departed-E80-`));
      assert.equal(f.verdict.reasons[0].rule, 'member:departed');
    });
  },
);
