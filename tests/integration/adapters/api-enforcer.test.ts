import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Enforcer } from '../../../src/adapters/enforcer.js';
import { JsonlFailureSink, type EnforcementFailure } from '../../../src/adapters/failures.js';
import { MemoryIdempotencyStore } from '../../../src/adapters/idempotency.js';
import { EnforcerMetrics } from '../../../src/adapters/metrics.js';
import { OneBotApiClient } from '../../../src/adapters/onebot/api-client.js';
import { OneBotEnforcement } from '../../../src/adapters/onebot/enforcement.js';
import { ActionError } from '../../../src/adapters/platform.js';
import { fixture } from '../../unit/adapters/fixtures.js';
import { verdict } from '../../unit/adapters/helpers.js';
import { StandInBot } from './standin-bot.js';

const dir = mkdtempSync(join(tmpdir(), 'modstream-enforce-it-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('OneBot HTTP API client against the stand-in bot', () => {
  let bot: StandInBot;
  before(async () => {
    bot = await new StandInBot({ accessToken: 'tok' }).start();
  });
  after(() => bot.close());

  const client = (token: string | null = 'tok', timeoutMs = 2000) =>
    new OneBotApiClient({ baseUrl: bot.apiUrl + '/', accessToken: token, timeoutMs });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ActionError, String(e));
      return {
        kind: e.kind,
        retryable: e.retryable,
        status: e.status,
        retcode: e.retcode,
        message: e.message,
      };
    }
    assert.fail('expected a failure');
  };

  it('POSTs <base>/<action> with a JSON body and the Bearer token; ok and async are successes', async () => {
    bot.script('send_group_msg', [
      { body: fixture('api/send_msg-ok.json') },
      { body: fixture('api/async.json') },
    ]);
    assert.deepEqual(await client().call('send_group_msg', { group_id: 1, message: 'x' }), {
      message_id: 55990,
    });
    assert.equal(await client().call('send_group_msg', { group_id: 1, message: 'y' }), null);
    const call = bot.callsOf('send_group_msg')[0];
    assert.deepEqual(call.params, { group_id: 1, message: 'x' });
    assert.equal(call.authorization, 'Bearer tok');
  });

  it('classifies failures: what a retry may fix, and what it cannot', async () => {
    bot.script('delete_msg', [
      { body: fixture('api/failed.json') },
      { body: fixture('api/failed-bad-params.json') },
      { status: 500, body: 'oops' },
      { status: 404, body: '' },
      { body: 'not json' },
      { delayMs: 500 },
    ]);
    const c = client('tok', 200);
    assert.deepEqual(await failure(c.call('delete_msg', { message_id: 1 })), {
      kind: 'failed',
      retryable: true,
      status: 200,
      retcode: 200,
      message:
        'delete_msg: retcode 200: Timeout: NTEvent serviceAndMethod:NodeIKernelGroupService/kickMember',
    });
    assert.deepEqual(await failure(c.call('delete_msg', { message_id: 1 })), {
      kind: 'failed',
      retryable: false,
      status: 200,
      retcode: 100,
      message: 'delete_msg: retcode 100: 参数错误',
    });
    assert.equal((await failure(c.call('delete_msg', { message_id: 1 }))).retryable, true, '500');
    const notFound = await failure(c.call('delete_msg', { message_id: 1 }));
    assert.equal(notFound.retryable, false);
    assert.match(notFound.message, /does not know this action/);
    assert.equal((await failure(c.call('delete_msg', { message_id: 1 }))).kind, 'bad-response');
    assert.deepEqual(
      (({ kind, retryable }) => ({ kind, retryable }))(
        await failure(c.call('delete_msg', { message_id: 1 })),
      ),
      { kind: 'timeout', retryable: true },
    );
    const unauthorized = await failure(client(null).call('delete_msg', { message_id: 1 }));
    assert.deepEqual([unauthorized.status, unauthorized.retryable], [401, false]);
    assert.match(unauthorized.message, /--access-token/);
    assert.equal((await failure(client('bad').call('delete_msg', { message_id: 1 }))).status, 403);
    const refused = await failure(
      new OneBotApiClient({ baseUrl: 'http://127.0.0.1:1' }).call('delete_msg', {}),
    );
    assert.deepEqual([refused.kind, refused.retryable], ['network', true]);
  });

  it('the enforcer retries a flaky bot, records what still fails to the failure file, and acts once per verdict', async () => {
    const registry = new Registry();
    const metrics = new EnforcerMetrics(registry);
    const file = join(dir, 'failures.jsonl');
    const enforcer = new Enforcer({
      enforcement: new OneBotEnforcement({
        api: new OneBotApiClient({
          baseUrl: bot.apiUrl,
          accessToken: 'tok',
          onCall: (a, s) => metrics.apiCall(a, s),
        }),
        adminGroupId: '777',
      }),
      idempotency: new MemoryIdempotencyStore(),
      failures: new JsonlFailureSink(file),
      metrics,
      retries: 2,
      backoff: { minMs: 5, maxMs: 20 },
    });
    bot.calls.length = 0;
    bot.script('set_group_ban', [{ status: 502, body: '' }, { body: fixture('api/failed.json') }]);
    bot.script('delete_msg', [], { body: fixture('api/failed.json') });
    const v = verdict({
      messageId: 'qq:901234:99',
      action: 'mute',
      deleteMessage: true,
      muteSeconds: 600,
      notifyAdmins: true,
      reasons: [{ detector: 'flood', category: 'flood', rule: 'flood:rate', severity: 2 }],
    });
    assert.equal(await enforcer.enforce(v), 'partial');
    assert.equal(await enforcer.enforce(v), 'duplicate');
    assert.deepEqual(
      bot.calls.map((c) => c.action),
      [
        'delete_msg',
        'delete_msg',
        'delete_msg',
        'set_group_ban',
        'set_group_ban',
        'set_group_ban',
        'send_group_msg',
      ],
    );
    assert.deepEqual(bot.callsOf('set_group_ban')[2].params, {
      group_id: 901234,
      user_id: 10001,
      duration: 600,
    });
    const recorded = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EnforcementFailure);
    assert.deepEqual(
      recorded.map((f) => [f.action, f.attempts, f.error.retcode]),
      [['delete_msg', 3, 200]],
    );
    const text = await registry.metrics();
    assert.match(text, /modstream_enforcer_verdicts_total\{outcome="partial"\} 1/);
    assert.match(text, /modstream_enforcer_verdicts_total\{outcome="duplicate"\} 1/);
    assert.match(text, /modstream_enforcer_actions_total\{action="delete_msg",result="failed"\} 1/);
    assert.match(text, /modstream_enforcer_failures_recorded_total\{sink="file"\} 1/);
    assert.match(text, /modstream_enforcer_api_duration_seconds_count\{action="set_group_ban"\} 3/);
  });
});
