/**
 * What the long-running commands (`modstream adapter onebot`, `modstream enforce onebot`) share: the
 * flags that map onto config keys, start-up (config, logger, metrics registry, Kafka client), the ops
 * server, the start-up banner's metrics line and the signal handling that stops them.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Kafka } from 'kafkajs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '../config/load.js';
import type { ModstreamConfig } from '../config/types.js';
import { ConfigError } from '../contracts/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import { OpsServer } from '../metrics/server.js';
import { createKafkaClient } from '../transport/kafka/client.js';
import { KAFKA_DEFAULTS } from '../transport/kafka/config.js';
import { intFlag, parseFlags, type Flags } from './args.js';

/** Flags every service command takes; the commands add their own. */
export const SERVICE_OPTIONS = {
  config: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  brokers: { type: 'string' },
  platform: { type: 'string' },
  'metrics-port': { type: 'string' },
} as const;

export interface ServiceCommand {
  /** `adapter` or `enforce`, as typed after `modstream`. */
  command: string;
  help: string;
  /** SERVICE_OPTIONS and the command's own. */
  options: NonNullable<ParseArgsConfig['options']>;
}

/**
 * Parses `<command> onebot [flags]`: the flags, or the exit code once the help was printed (asked for:
 * 0; no platform given: 2). OneBot is the only platform so far.
 */
export function parseServiceArgs(argv: string[], cmd: ServiceCommand): Flags | number {
  const { flags, positionals } = parseFlags(argv, cmd.options);
  if (flags.help || positionals.length === 0) {
    process.stdout.write(cmd.help);
    return flags.help ? 0 : 2;
  }
  if (positionals[0] !== 'onebot')
    throw new ConfigError(
      'USAGE',
      '',
      `unknown platform ${JSON.stringify(positionals[0])}: modstream ${cmd.command} onebot`,
    );
  return flags;
}

/** Config file, environment, then the flags that map onto config keys. */
function loadCliConfig(flags: Flags): ModstreamConfig {
  const overrides: Record<string, any> = {};
  if (typeof flags['log-level'] === 'string') overrides.log = { level: flags['log-level'] };
  const mport = intFlag(flags, 'metrics-port');
  if (mport !== undefined) overrides.metrics = { port: mport };
  if (typeof flags.brokers === 'string')
    overrides.kafka = {
      brokers: flags.brokers
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    };
  return loadConfig({ file: str(flags.config) ?? null, overrides });
}

export interface Ops {
  server: OpsServer;
  port: number;
}

export type Readiness = () => { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };

/** A service command's config, logger and metrics registry, and what it builds from them. */
export class ServiceRuntime {
  readonly config: ModstreamConfig;
  readonly logger: Logger;
  /** Holds the process's default metrics; the command registers its own on it. */
  readonly registry: Registry;

  private constructor(config: ModstreamConfig, logger: Logger, registry: Registry) {
    this.config = config;
    this.logger = logger;
    this.registry = registry;
  }

  static start(flags: Flags, loggerName: string): ServiceRuntime {
    const config = loadCliConfig(flags);
    const logger = createLogger({ level: config.log.level, redact: config.log.redact, name: loggerName });
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'modstream_' });
    return new ServiceRuntime(config, logger, registry);
  }

  /** The Kafka client of Kafka mode, the one left when no --embedded URL was given. */
  kafka(clientIdSuffix: string): Kafka {
    const { config } = this;
    if (config.kafka.brokers.length === 0)
      throw new ConfigError(
        'USAGE',
        '',
        'give --embedded URL, or Kafka brokers (--brokers, KAFKA_BROKERS or kafka.brokers)',
      );
    return createKafkaClient(
      {
        ...KAFKA_DEFAULTS,
        brokers: config.kafka.brokers,
        clientId: `${config.kafka.clientId}-${clientIdSuffix}`,
        ssl: config.kafka.ssl,
        sasl: config.kafka.sasl,
      },
      this.logger.child({ component: 'kafka' }),
    );
  }

  /** /metrics, /healthz and /readyz, unless metrics.enabled is false. */
  async startOps(readiness: Readiness): Promise<Ops | null> {
    const { config, registry } = this;
    if (!config.metrics.enabled) return null;
    const server = new OpsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
      readiness,
    });
    const addr = await server.listen();
    return { server, port: addr.port };
  }

  /** The start-up banner's line for the ops server ('' without one). */
  metricsLine(ops: Ops | null): string {
    return ops ? `  metrics on http://${this.config.metrics.host}:${ops.port}/metrics\n` : '';
  }

  /** Resolves with 0 after SIGINT/SIGTERM and a clean stop; SIGHUP calls `onHup`. */
  untilStopped(stop: () => Promise<void>, onHup?: () => Promise<void>): Promise<number> {
    const logger = this.logger;
    return new Promise((resolve) => {
      let stopping = false;
      const hup = () => void onHup?.();
      if (onHup) process.on('SIGHUP', hup);
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => {
          logger.error('shutdown took too long; exiting');
          process.exit(1);
        }, 30_000);
        force.unref();
        stop()
          .catch((e: unknown) => logger.error({ err: e }, 'error while shutting down'))
          .finally(() => {
            process.off('SIGHUP', hup);
            resolve(0);
          });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
  }
}

/** A string flag's value; an empty one counts as absent. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
