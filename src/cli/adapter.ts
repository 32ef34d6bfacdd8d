import type { ModstreamConfig } from '../config/types.js';
import { ConfigError } from '../contracts/errors.js';
import type { Logger } from '../log/logger.js';
import { AdapterMetrics } from '../adapters/metrics.js';
import { OneBotApiClient } from '../adapters/onebot/api-client.js';
import { redactUrl } from '../adapters/onebot/forward-ws.js';
import {
  startOneBotAdapter,
  type AdapterOutput,
  type OneBotAdapterService,
} from '../adapters/onebot/service.js';
import { CompiledMemberRules, loadMemberRulesFile } from '../members/rules.js';
import type { MemberStore } from '../members/store.js';
import { ensureTopics } from '../transport/kafka/topics.js';
import { intFlag, listFlag, type Flags } from './args.js';
import { parseServiceArgs, ServiceRuntime, SERVICE_OPTIONS, str } from './service.js';

export const ADAPTER_HELP = `Usage: modstream adapter onebot [options]

Receives OneBot v11 events from a QQ bot (NapCat, Lagrange, LLOneBot, go-cqhttp) and feeds modstream:
group messages become message v1 (to Kafka, or to an embedded runner with --embedded); member notices
(join, card change, leave), message senders and the HR roster feed the member rules (docs/member-events.md).

Receiving (at least one):
      --listen HOST:PORT     HTTP POST event push (any path) and reverse WebSocket (the bot connects to us);
                             also POST /v1/member-events (roster / member events) and GET /v1/verdicts
                             (member verdicts as Server-Sent Events)
      --connect URL          forward WebSocket: we connect to the bot, e.g. ws://127.0.0.1:3001 (repeatable)
Credentials (or the environment variables ONEBOT_ACCESS_TOKEN / ONEBOT_SECRET, kept out of ps):
      --access-token TOKEN   required from the bot (Authorization: Bearer / ?access_token=); sent when we connect
      --secret SECRET        HTTP POST bodies must carry X-Signature: sha1=HMAC-SHA1(secret, body)
Delivering (one):
      --embedded URL         POST messages to an embedded runner (modstream run), e.g. http://127.0.0.1:8080
      --brokers LIST         Kafka brokers (default: KAFKA_BROKERS / kafka.brokers in the config)
      --topic NAME           messages topic (default kafka.topics.messages)
      --verdicts-topic NAME  where member verdicts go in Kafka mode (default kafka.topics.verdicts)
Member rules:
      --members on|off       default on; state in Redis when REDIS_URL / redis.url is set, else in memory
      --member-rules FILE    card format per group, departed-staff deadline, inactivity days (YAML)
      --roster FILE          HR roster export (CSV, JSON, JSON Lines, YAML); reloaded when it changes and on SIGHUP
      --sweep-interval SEC   departures and inactivity are checked this often (default 900)
      --api URL              the bot's HTTP API, for --sync-members
      --sync-members         read every group's member list from the bot at start and daily
Other:
      --platform NAME        platform name in messages and verdicts (default qq)
      --metrics-port N       Prometheus /metrics, /healthz, /readyz (default 9464; metrics.enabled=false turns it off)
      --config FILE          configuration YAML (kafka, redis, metrics, log sections)
      --log-level LEVEL      default info
`;

const OPTIONS = {
  ...SERVICE_OPTIONS,
  listen: { type: 'string' },
  connect: { type: 'string', multiple: true },
  'access-token': { type: 'string' },
  secret: { type: 'string' },
  embedded: { type: 'string' },
  topic: { type: 'string' },
  'verdicts-topic': { type: 'string' },
  members: { type: 'string' },
  'member-rules': { type: 'string' },
  roster: { type: 'string' },
  'sweep-interval': { type: 'string' },
  api: { type: 'string' },
  'sync-members': { type: 'boolean' },
} as const;

/** `modstream adapter onebot …`; resolves with the exit code once stopped (SIGINT/SIGTERM). */
export async function runAdapter(argv: string[]): Promise<number> {
  const flags = parseServiceArgs(argv, { command: 'adapter', help: ADAPTER_HELP, options: OPTIONS });
  if (typeof flags === 'number') return flags;
  const runtime = ServiceRuntime.start(flags, 'modstream-adapter');
  const { config, logger, registry } = runtime;
  const env = process.env;
  const accessToken = str(flags['access-token']) ?? env.ONEBOT_ACCESS_TOKEN ?? null;
  const secret = str(flags.secret) ?? env.ONEBOT_SECRET ?? null;
  const listen = flags.listen !== undefined ? parseHostPort(String(flags.listen), '--listen') : null;
  const connect = listFlag(flags, 'connect') ?? [];
  for (const url of connect)
    if (!/^wss?:\/\//.test(url))
      throw new ConfigError(
        'USAGE',
        '--connect',
        `must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`,
      );
  if (!listen && connect.length === 0)
    throw new ConfigError('USAGE', '', 'give --listen HOST:PORT and/or --connect URL');
  const platform = str(flags.platform) ?? 'qq';

  const output = await resolveOutput(flags, runtime);
  const membersOn = (str(flags.members) ?? 'on') !== 'off';
  const metrics = new AdapterMetrics(registry);

  let members = null;
  if (membersOn) {
    const rules =
      typeof flags['member-rules'] === 'string'
        ? loadMemberRulesFile(flags['member-rules'])
        : CompiledMemberRules.defaults();
    const apiUrl = str(flags.api);
    if (flags['sync-members'] && !apiUrl)
      throw new ConfigError('USAGE', '--sync-members', 'needs --api URL (the bot HTTP API)');
    members = {
      store: await memberStore(config, logger),
      rules,
      rosterFile: str(flags.roster) ?? null,
      sweepIntervalMs: (intFlag(flags, 'sweep-interval') ?? 900) * 1000,
      sync:
        flags['sync-members'] && apiUrl
          ? { api: new OneBotApiClient({ baseUrl: apiUrl, accessToken }) }
          : null,
    };
  }

  const service = await startOneBotAdapter({
    platform,
    listen,
    connect,
    credentials: { accessToken, secret },
    output: output.output,
    members,
    metrics,
    logger,
  });
  const ops = await runtime.startOps(() => ({
    ready: service.receiver !== null || service.forward.some((f) => f.connected),
    checks: {
      listen: {
        ok: true,
        detail: service.address ? `${service.address.address}:${service.address.port}` : 'off',
      },
      forward: {
        ok: service.forward.length === 0 || service.forward.some((f) => f.connected),
        detail: `${service.forward.filter((f) => f.connected).length}/${service.forward.length} connected`,
      },
    },
  }));
  process.stderr.write(
    `\nmodstream adapter onebot → ${output.describe}\n` +
      (service.address
        ? `  listening on http://${service.address.address}:${service.address.port} (HTTP POST events, reverse WebSocket${members ? ', /v1/member-events, /v1/verdicts' : ''})\n`
        : '') +
      connect.map((u) => `  connecting to ${redactUrl(u)} (forward WebSocket)\n`).join('') +
      runtime.metricsLine(ops) +
      (accessToken
        ? ''
        : secret
          ? '  NOTE: no --access-token: the reverse WebSocket, /v1/member-events and /v1/verdicts refuse every connection (a secret signs HTTP POST bodies only)\n'
          : '  WARNING: no --access-token or --secret: anyone who can reach these ports can post events\n') +
      '\n',
  );
  return runtime.untilStopped(
    async () => {
      await service.close();
      await ops?.server.close();
      await output.close();
    },
    () => reload(service, logger),
  );
}

async function reload(service: OneBotAdapterService, logger: Logger): Promise<void> {
  logger.info('SIGHUP: reloading the roster file');
  await service
    .reloadRoster()
    .catch((e: unknown) => logger.error({ err: e }, 'roster reload failed; keeping the previous roster'));
}

async function resolveOutput(
  flags: Flags,
  runtime: ServiceRuntime,
): Promise<{ output: AdapterOutput; describe: string; close(): Promise<void> }> {
  const embedded = str(flags.embedded);
  if (embedded) {
    if (!/^https?:\/\//.test(embedded))
      throw new ConfigError('USAGE', '--embedded', `must be an http(s) URL, got ${JSON.stringify(embedded)}`);
    return {
      output: { kind: 'embedded', url: embedded },
      describe: `embedded runner ${embedded}`,
      close: async () => {},
    };
  }
  const kafka = runtime.kafka('adapter');
  const { config, logger } = runtime;
  const topic = str(flags.topic) ?? config.kafka.topics.messages;
  const verdictsTopic = str(flags['verdicts-topic']) ?? config.kafka.topics.verdicts;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      [topic, verdictsTopic].map((t) => ({
        topic: t,
        partitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
      })),
      logger,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
  return {
    output: { kind: 'kafka', kafka, topic, verdictsTopic },
    describe: `Kafka ${config.kafka.brokers.join(',')} topic ${topic}`,
    close: async () => {},
  };
}

async function memberStore(config: ModstreamConfig, logger: Logger): Promise<MemberStore> {
  if (!config.redis.url) {
    const { MemoryMemberStore } = await import('../members/memory/memory-member-store.js');
    logger.info('membership state in memory (set REDIS_URL to share it and keep it across restarts)');
    return new MemoryMemberStore({ maxMembers: config.state.maxKeys });
  }
  const { RedisMemberStore } = await import('../members/redis/redis-member-store.js');
  return new RedisMemberStore({
    connection: {
      url: config.redis.url,
      commandTimeoutMs: Math.max(2000, config.redis.commandTimeoutMs),
      onError: (e) => logger.debug({ err: e.message }, 'redis connection error'),
    },
    keyPrefix: config.redis.keyPrefix,
  });
}

export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError('USAGE', flag, `must be HOST:PORT, got ${JSON.stringify(value)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
