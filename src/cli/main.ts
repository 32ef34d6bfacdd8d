#!/usr/bin/env node
import { loadConfig } from '../config/load.js';
import type { ModstreamConfig } from '../config/types.js';
import type { TransportExit } from '../transport/types.js';
import { isModstreamError } from '../contracts/errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import { ModstreamMetrics } from '../metrics/metrics.js';
import { Engine } from '../runtime/engine.js';
import { intFlag, listFlag, parseFlags, type Flags } from './args.js';
import { finishOutput } from '../transport/lines.js';
import { formatSummary, openAppend, openInput, openOutput, runCheck } from './check.js';
import { HELP, VERSION } from './help.js';

/** Flags shared by check and run that map onto config keys. */
function overridesFrom(flags: Flags): Record<string, unknown> {
  const o: Record<string, any> = {};
  const lex = listFlag(flags, 'lexicon');
  const allow = listFlag(flags, 'allow');
  if (lex || allow) o.lexicons = { ...(lex ? { dirs: lex } : {}), ...(allow ? { allow } : {}) };
  if (typeof flags.policy === 'string') o.policy = { file: flags.policy };
  const port = intFlag(flags, 'port');
  if (port !== undefined || typeof flags.host === 'string')
    o.http = {
      ...(port !== undefined ? { port } : {}),
      ...(typeof flags.host === 'string' ? { host: flags.host } : {}),
    };
  const mport = intFlag(flags, 'metrics-port');
  if (mport !== undefined) o.metrics = { port: mport };
  if (typeof flags['log-level'] === 'string') o.log = { level: flags['log-level'] };
  if (flags.classifier !== undefined)
    o.classifier = {
      enabled: true,
      ...(typeof flags.classifier === 'string' ? { dir: flags.classifier } : {}),
    };
  return o;
}

const COMMON = {
  config: { type: 'string' },
  lexicon: { type: 'string', multiple: true },
  allow: { type: 'string', multiple: true },
  policy: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function buildEngine(
  config: ModstreamConfig,
  logger: Logger,
  metrics: ModstreamMetrics | null,
): Promise<Engine> {
  let classifier = null;
  if (config.classifier.enabled) {
    const { createClassifierFromConfig } = await import('../runtime/classifier.js');
    classifier = await createClassifierFromConfig(config, logger, metrics);
  }
  let stores;
  if (config.redis.url) {
    const { createRedisStores } = await import('../runtime/redis.js');
    stores = await createRedisStores(config, logger, metrics);
  }
  return Engine.create({ config, logger, metrics, stores, classifier });
}

async function cmdCheck(argv: string[]): Promise<number> {
  const { flags } = parseFlags(
    argv,
    {
      ...COMMON,
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      text: { type: 'boolean' },
      strict: { type: 'boolean' },
    },
    ['classifier'],
  );
  if (flags.help) return help('check');
  const config = loadConfig({
    file: (flags.config as string) ?? null,
    overrides: {
      ...overridesFrom(flags),
      log: { level: (flags['log-level'] as string) ?? 'warn' },
      metrics: { enabled: false },
    },
  });
  const logger = createLogger({ level: config.log.level, redact: config.log.redact });
  // Files first: a bad path fails before the lexicons and policy are built.
  const input = await openInput(flags.input as string | undefined);
  const output = await openOutput(flags.output as string | undefined);
  const engine = await buildEngine(config, logger, null);
  try {
    const summary = await runCheck({
      input,
      output,
      textMode: flags.text === true,
      batchSize: config.limits.batchSize,
      maxLineBytes: config.limits.maxRecordBytes,
      judge: engine.pipeline,
    });
    await finishOutput(output);
    process.stderr.write(formatSummary(summary) + '\n');
    return flags.strict && summary.errors > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}

async function cmdRun(argv: string[]): Promise<number> {
  const { flags } = parseFlags(
    argv,
    {
      ...COMMON,
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      stdin: { type: 'boolean' },
      errors: { type: 'string' },
      'metrics-port': { type: 'string' },
    },
    ['classifier'],
  );
  if (flags.help) return help('run');
  const config = loadConfig({ file: (flags.config as string) ?? null, overrides: overridesFrom(flags) });
  const logger = createLogger({ level: config.log.level, redact: config.log.redact });
  const kafkaMode = config.mode === 'kafka' || (config.mode === 'auto' && config.kafka.brokers.length > 0);
  if (config.mode === 'kafka' && config.kafka.brokers.length === 0) {
    throw new (await import('../contracts/errors.js')).ConfigError(
      'CONFIG_INVALID',
      'kafka.brokers',
      'must be set in kafka mode (KAFKA_BROKERS=host:port,…)',
    );
  }
  const metrics = config.metrics.enabled ? new ModstreamMetrics() : null;
  const engine = await buildEngine(config, logger, metrics);
  const { ReloadWatcher } = await import('../runtime/watch.js');
  const watcher = new ReloadWatcher({
    lexiconDirs: Engine.lexiconDirs(config),
    allowFiles: config.lexicons.allow,
    policyFile: config.policy.file,
    watchLexicons: config.lexicons.watch,
    watchPolicy: config.policy.watch,
    logger,
    onChange: (what) => void engine.reload(what),
  });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading lexicons and policy');
    void engine.reload({ lexicon: true, policy: true });
  });

  const startRunner = async (): Promise<Runner> => {
    if (kafkaMode) {
      const { startKafkaMode } = await import('../runtime/kafka.js');
      return startKafkaMode({ config, engine, logger, metrics });
    }
    const embedded = await import('../runtime/embedded.js');
    if (flags.stdin) {
      const errorsFile = flags.errors as string | undefined;
      return embedded.startEmbeddedStdin({
        config,
        engine,
        logger,
        metrics,
        errorsOutput: errorsFile ? await openAppend(errorsFile, '--errors') : null,
      });
    }
    return embedded.startEmbeddedHttp({ config, engine, logger, metrics });
  };
  let runner: Runner;
  try {
    runner = await startRunner();
  } catch (e) {
    // A failed start releases everything it opened, so the process exits instead of idling half-alive.
    watcher.close();
    await engine.close();
    metrics?.close();
    throw e;
  }
  if (runner.address) {
    const base = `http://${config.http.host}:${runner.address.port}`;
    process.stderr.write(
      `\nmodstream is running (embedded mode) on ${base}\n` +
        `  try:  curl -s ${base}/v1/messages -H 'content-type: application/json' \\\n` +
        `          -d '{"id":"qq:1:1","platform":"qq","groupId":"1","userId":"42","text":"加 薇 信领取免费礼品","ts":${Date.now()}}'\n` +
        `  verdict stream:  curl -N ${base}/v1/verdicts     metrics: ${base}/metrics     stop: Ctrl-C\n\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    watcher.close();
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    await runner.close();
    await engine.close();
    metrics?.close();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const exit = await runner.done;
  await stop('end');
  if (exit?.reason === 'failed') {
    // A fatal transport error (a Kafka consumer that will not restart): exit 1 so a supervisor restarts us.
    const code = isModstreamError(exit.error) ? `${exit.error.code}: ` : '';
    process.stderr.write(`modstream run: stopped after a fatal error: ${code}${exit.error.message}\n`);
    return 1;
  }
  return 0;
}

interface Runner {
  close(): Promise<void>;
  /** Kafka mode says how the processor ended; the embedded runners end only by themselves. */
  done: Promise<TransportExit | void>;
  /** The embedded HTTP API's address (the start-up banner shows it); absent or null otherwise. */
  address?: { port: number } | null;
}

async function cmdProduce(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, {
    config: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    input: { type: 'string', short: 'i' },
    generate: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    groups: { type: 'string' },
    users: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) return help('produce');
  const config = loadConfig({
    file: (flags.config as string) ?? null,
    overrides: typeof flags.brokers === 'string' ? { kafka: { brokers: flags.brokers.split(',') } } : {},
  });
  const { runProduce } = await import('./produce.js');
  return runProduce(config, flags);
}

async function help(topic?: string): Promise<number> {
  // The adapter and enforcer help lives with them; load it only when asked.
  if (topic === 'adapter') process.stdout.write((await import('./adapter.js')).ADAPTER_HELP);
  else if (topic === 'enforce') process.stdout.write((await import('./enforce.js')).ENFORCE_HELP);
  else process.stdout.write((topic && HELP[topic]) || HELP.main!);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check':
        return await cmdCheck(rest);
      case 'run':
        return await cmdRun(rest);
      case 'produce':
        return await cmdProduce(rest);
      case 'adapter':
        return await (await import('./adapter.js')).runAdapter(rest);
      case 'enforce':
        return await (await import('./enforce.js')).runEnforce(rest);
      case 'version':
      case '--version':
      case '-v':
        process.stdout.write(VERSION + '\n');
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return help(rest[0]);
      default:
        process.stderr.write(`modstream: unknown command ${JSON.stringify(cmd)}\n\n${HELP.main}`);
        return 2;
    }
  } catch (e) {
    if (isModstreamError(e)) {
      process.stderr.write(`modstream ${cmd}: ${e.code}: ${e.message}\n`);
      return e.code === 'USAGE' ? 2 : 1;
    }
    process.stderr.write(`modstream ${cmd}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(String(e) + '\n');
    process.exitCode = 1;
  },
);
