import { ConfigError } from '../contracts/errors.js';
import type { Logger } from '../log/logger.js';
import { JsonlFailureSink, KafkaFailureSink, type FailureSink } from '../adapters/failures.js';
import {
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type IdempotencyStore,
} from '../adapters/idempotency.js';
import { EnforcerMetrics } from '../adapters/metrics.js';
import { startOneBotEnforcer } from '../adapters/onebot/service.js';
import { KafkaVerdictSource, SseVerdictSource, type VerdictSource } from '../adapters/verdict-sources.js';
import type { ModstreamConfig } from '../config/types.js';
import { closeRedisClient, createRedisClient } from '../redis/client.js';
import { intFlag, listFlag, type Flags } from './args.js';
import { parseServiceArgs, ServiceRuntime, SERVICE_OPTIONS, str } from './service.js';

export const ENFORCE_HELP = `Usage: modstream enforce onebot --api URL [options]

Consumes verdicts and acts on them through a QQ bot's OneBot v11 HTTP API (POST URL/<action>):
delete_msg for deleteMessage, set_group_ban for mutes, set_group_kick for kick (and for ban, with
reject_add_request), a notice @-ing the member for warn, and admin notifications for notifyAdmins and
review. Idempotent on messageId; dryRun verdicts are only logged; failed calls are retried with backoff,
then recorded (failure topic or JSON Lines file), never dropped.

Bot:
      --api URL              the bot's HTTP API, e.g. http://127.0.0.1:3000 (required)
      --access-token TOKEN   sent as Authorization: Bearer (or ONEBOT_ACCESS_TOKEN)
Verdicts (one):
      --embedded URL         an embedded runner's verdict stream (GET URL/v1/verdicts); repeat it to also read
                             an adapter's member verdicts, e.g. --embedded http://127.0.0.1:8080 --embedded http://127.0.0.1:5700
      --brokers LIST         Kafka (default: KAFKA_BROKERS / kafka.brokers): the verdicts topic in a consumer group
      --topic NAME           verdicts topic (default kafka.topics.verdicts)
      --group-id ID          consumer group (default modstream-enforcer-onebot, with --dry-run …-dry-run)
      --from-beginning       a new group starts at the earliest verdict (default: the latest)
Actions:
      --admin-group ID       admin notifications go to this group
      --admin USERID         … and privately to this account (repeatable)
      --warn-notice on|off   post a notice @-ing the member for warn verdicts (default on)
      --notify-on-review on|off  notify admins of review verdicts (default on)
      --card-format-label S  how the card format is named in rename notices (default 部门-姓名)
      --dry-run              log what would be called, call nothing (its own group and marks: a real enforcer
                             running beside it is unaffected)
Reliability:
      --retries N            retries per failed call (default 3), backoff from --retry-backoff MS (default 500) doubling to 10 s
      --failures FILE        record failures as JSON Lines here (default in embedded mode: modstream-enforce-failures.jsonl)
      --failure-topic NAME   Kafka mode: record failures to this topic (default modstream.enforce-failures)
      --dedupe-ttl SEC       how long an enforced messageId is remembered (default 604800); in Redis when REDIS_URL is set
Other:
      --platform NAME        verdicts of this platform are enforced, others ignored (default qq)
      --metrics-port N       Prometheus /metrics (default 9464)
      --config FILE          configuration YAML (kafka, redis, metrics, log sections)
      --log-level LEVEL      default info
`;

const OPTIONS = {
  ...SERVICE_OPTIONS,
  api: { type: 'string' },
  'access-token': { type: 'string' },
  embedded: { type: 'string', multiple: true },
  topic: { type: 'string' },
  'group-id': { type: 'string' },
  'from-beginning': { type: 'boolean' },
  'admin-group': { type: 'string' },
  admin: { type: 'string', multiple: true },
  'warn-notice': { type: 'string' },
  'notify-on-review': { type: 'string' },
  'card-format-label': { type: 'string' },
  'dry-run': { type: 'boolean' },
  retries: { type: 'string' },
  'retry-backoff': { type: 'string' },
  failures: { type: 'string' },
  'failure-topic': { type: 'string' },
  'dedupe-ttl': { type: 'string' },
} as const;

/** `modstream enforce onebot …`; resolves with the exit code once stopped (SIGINT/SIGTERM). */
export async function runEnforce(argv: string[]): Promise<number> {
  const flags = parseServiceArgs(argv, { command: 'enforce', help: ENFORCE_HELP, options: OPTIONS });
  if (typeof flags === 'number') return flags;
  const api = str(flags.api);
  if (!api || !/^https?:\/\//.test(api))
    throw new ConfigError('USAGE', '--api', 'is required: the bot HTTP API URL, e.g. http://127.0.0.1:3000');
  const runtime = ServiceRuntime.start(flags, 'modstream-enforce');
  const { config, logger } = runtime;
  const accessToken = str(flags['access-token']) ?? process.env.ONEBOT_ACCESS_TOKEN ?? null;
  const metrics = new EnforcerMetrics(runtime.registry);
  const dryRun = flags['dry-run'] === true;
  const { groupId, marks } = enforcerIdentity(str(flags['group-id']), dryRun);

  const embedded = listFlag(flags, 'embedded') ?? [];
  for (const url of embedded)
    if (!/^https?:\/\//.test(url))
      throw new ConfigError('USAGE', '--embedded', `must be an http(s) URL, got ${JSON.stringify(url)}`);
  let sources: VerdictSource[];
  let failures: FailureSink;
  let describe: string;
  if (embedded.length > 0) {
    sources = embedded.map(
      (url) =>
        new SseVerdictSource({ url, accessToken, logger: logger.child({ component: 'sse' }), metrics }),
    );
    failures = new JsonlFailureSink(str(flags.failures) ?? 'modstream-enforce-failures.jsonl');
    describe = `verdict streams ${embedded.join(', ')}`;
  } else {
    const kafka = runtime.kafka('enforcer');
    const topic = str(flags.topic) ?? config.kafka.topics.verdicts;
    sources = [
      new KafkaVerdictSource({
        kafka,
        topic,
        groupId,
        fromBeginning: flags['from-beginning'] === true,
        logger: logger.child({ component: 'kafka' }),
        metrics,
      }),
    ];
    failures = str(flags.failures)
      ? new JsonlFailureSink(str(flags.failures)!)
      : new KafkaFailureSink({ kafka, topic: str(flags['failure-topic']) ?? 'modstream.enforce-failures' });
    describe = `Kafka ${config.kafka.brokers.join(',')} topic ${topic} (group ${groupId})`;
  }
  const idem = await idempotencyStore(
    config,
    marks,
    (intFlag(flags, 'dedupe-ttl') ?? 7 * 86_400) * 1000,
    logger,
  );
  const backoffMs = intFlag(flags, 'retry-backoff') ?? 500;
  const service = await startOneBotEnforcer({
    api: { baseUrl: api, accessToken },
    platform: str(flags.platform) ?? 'qq',
    adminGroupId: str(flags['admin-group']) ?? null,
    adminUserIds: listFlag(flags, 'admin') ?? [],
    warnNotice: onOff(flags, 'warn-notice', true),
    notifyOnReview: onOff(flags, 'notify-on-review', true),
    cardFormatLabel: str(flags['card-format-label']),
    sources,
    idempotency: idem.store,
    failures,
    retries: intFlag(flags, 'retries') ?? 3,
    backoff: { minMs: backoffMs, maxMs: Math.max(backoffMs, 10_000) },
    dryRun,
    metrics,
    logger,
  });
  const ops = await runtime.startOps(() => ({
    ready: true,
    checks: { enforcer: { ok: true, detail: describe } },
  }));
  process.stderr.write(
    `\nmodstream enforce onebot: ${describe} → ${api}${flags['dry-run'] ? ' (dry run: nothing is called)' : ''}\n` +
      `  failures → ${failures instanceof JsonlFailureSink ? failures.path : `topic ${str(flags['failure-topic']) ?? 'modstream.enforce-failures'}`}\n` +
      runtime.metricsLine(ops) +
      (str(flags['admin-group']) || (listFlag(flags, 'admin') ?? []).length > 0
        ? ''
        : '  NOTE: no --admin-group or --admin: admin notifications and review verdicts reach nobody\n') +
      '\n',
  );
  if (!str(flags['admin-group']) && (listFlag(flags, 'admin') ?? []).length === 0)
    logger.warn('no --admin-group or --admin: admin notifications and review verdicts reach nobody');
  return runtime.untilStopped(async () => {
    await service.close();
    await idem.close();
    await ops?.server.close();
  });
}

/**
 * The consumer group and the idempotency-mark namespace of an enforcer. A dry run has its own of both:
 * sharing a real enforcer's, it would take some partitions' verdicts from it (Kafka) and mark verdicts
 * done that the real one then skips as duplicates.
 */
export function enforcerIdentity(
  groupIdFlag: string | undefined,
  dryRun: boolean,
): { groupId: string; marks: string } {
  const groupId = groupIdFlag ?? `modstream-enforcer-onebot${dryRun ? '-dry-run' : ''}`;
  return { groupId, marks: dryRun ? `${groupId}.dry-run` : groupId };
}

async function idempotencyStore(
  config: ModstreamConfig,
  name: string,
  doneTtlMs: number,
  logger: Logger,
): Promise<{ store: IdempotencyStore; close(): Promise<void> }> {
  if (!config.redis.url) return { store: new MemoryIdempotencyStore({ doneTtlMs }), close: async () => {} };
  const client = createRedisClient({
    url: config.redis.url,
    commandTimeoutMs: Math.max(1000, config.redis.commandTimeoutMs),
    connectionName: 'modstream-enforcer',
    onError: (e) => logger.debug({ err: e.message }, 'redis connection error'),
  });
  return {
    store: new RedisIdempotencyStore({ client, keyPrefix: config.redis.keyPrefix, name, doneTtlMs }),
    close: () => closeRedisClient(client),
  };
}

function onOff(flags: Flags, name: string, dflt: boolean): boolean {
  const v = flags[name];
  if (v === undefined) return dflt;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new ConfigError('USAGE', `--${name}`, `must be on or off, got ${JSON.stringify(v)}`);
}
