/**
 * Environment variables, each mapped to one config path and parsed to that key's type. The table is the
 * documentation (docs/configuration.md lists the same rows): an unknown MODSTREAM_* variable is an error,
 * so a typo never silently falls back to a default.
 */
type Kind = 'string' | 'int' | 'bool' | 'list' | 'nullable';

export const ENV_VARS: Readonly<Record<string, readonly [path: string, kind: Kind]>> = {
  MODSTREAM_MODE: ['mode', 'string'],
  MODSTREAM_HTTP_HOST: ['http.host', 'string'],
  MODSTREAM_HTTP_PORT: ['http.port', 'int'],
  MODSTREAM_HTTP_MAX_BODY_BYTES: ['http.maxBodyBytes', 'int'],
  MODSTREAM_LEXICON_DIRS: ['lexicons.dirs', 'list'],
  MODSTREAM_ALLOW_FILES: ['lexicons.allow', 'list'],
  MODSTREAM_LEXICON_WATCH: ['lexicons.watch', 'bool'],
  MODSTREAM_POLICY_FILE: ['policy.file', 'nullable'],
  MODSTREAM_POLICY_WATCH: ['policy.watch', 'bool'],
  MODSTREAM_MAX_RECORD_BYTES: ['limits.maxRecordBytes', 'int'],
  MODSTREAM_MAX_TEXT_BYTES: ['limits.maxTextBytes', 'int'],
  MODSTREAM_BATCH_SIZE: ['limits.batchSize', 'int'],
  MODSTREAM_STATE_MAX_KEYS: ['state.maxKeys', 'int'],
  MODSTREAM_KAFKA_BROKERS: ['kafka.brokers', 'list'],
  MODSTREAM_KAFKA_CLIENT_ID: ['kafka.clientId', 'string'],
  MODSTREAM_KAFKA_GROUP_ID: ['kafka.groupId', 'string'],
  MODSTREAM_KAFKA_TOPIC_MESSAGES: ['kafka.topics.messages', 'string'],
  MODSTREAM_KAFKA_TOPIC_VERDICTS: ['kafka.topics.verdicts', 'string'],
  MODSTREAM_KAFKA_TOPIC_DLQ: ['kafka.topics.dlq', 'string'],
  MODSTREAM_KAFKA_PARTITIONS: ['kafka.partitions', 'int'],
  MODSTREAM_KAFKA_SSL: ['kafka.ssl', 'bool'],
  MODSTREAM_KAFKA_SASL_MECHANISM: ['kafka.sasl.mechanism', 'string'],
  MODSTREAM_KAFKA_SASL_USERNAME: ['kafka.sasl.username', 'string'],
  MODSTREAM_KAFKA_SASL_PASSWORD: ['kafka.sasl.password', 'string'],
  MODSTREAM_KAFKA_COMPRESSION: ['kafka.compression', 'string'],
  MODSTREAM_KAFKA_MAX_BATCH_RECORDS: ['kafka.maxBatchRecords', 'int'],
  MODSTREAM_KAFKA_PARTITIONS_CONCURRENTLY: ['kafka.partitionsConsumedConcurrently', 'int'],
  MODSTREAM_REDIS_URL: ['redis.url', 'nullable'],
  MODSTREAM_REDIS_KEY_PREFIX: ['redis.keyPrefix', 'string'],
  MODSTREAM_REDIS_FAIL_MODE: ['redis.failMode', 'string'],
  MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: ['redis.commandTimeoutMs', 'int'],
  MODSTREAM_METRICS_ENABLED: ['metrics.enabled', 'bool'],
  MODSTREAM_METRICS_PORT: ['metrics.port', 'int'],
  MODSTREAM_METRICS_HOST: ['metrics.host', 'string'],
  MODSTREAM_LOG_LEVEL: ['log.level', 'string'],
  MODSTREAM_LOG_REDACT: ['log.redact', 'bool'],
  MODSTREAM_CLASSIFIER_ENABLED: ['classifier.enabled', 'bool'],
  MODSTREAM_CLASSIFIER_DIR: ['classifier.dir', 'nullable'],
  MODSTREAM_CLASSIFIER_WORKERS: ['classifier.workers', 'int'],
  MODSTREAM_CLASSIFIER_TIMEOUT_MS: ['classifier.timeoutMs', 'int'],
};

/**
 * Conventional names also read (without our prefix), each the alias of a MODSTREAM_* variable for the same
 * setting. When both are set the MODSTREAM_* one wins — always, whatever order the environment lists them
 * in; the alias is then ignored (not even parsed).
 */
const ALIASES: Readonly<Record<string, string>> = {
  KAFKA_BROKERS: 'MODSTREAM_KAFKA_BROKERS',
  REDIS_URL: 'MODSTREAM_REDIS_URL',
};

export interface EnvProblem {
  variable: string;
  message: string;
}

/** Reads the table above into a nested override object; problems name the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv): {
  value: Record<string, unknown>;
  problems: EnvProblem[];
} {
  const value: Record<string, unknown> = {};
  const problems: EnvProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    const preferred = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
    if (preferred !== undefined && env[preferred] !== undefined) continue; // the MODSTREAM_* name wins
    const setting = preferred ?? name;
    const entry = Object.hasOwn(ENV_VARS, setting) ? ENV_VARS[setting] : undefined;
    if (!entry) {
      // Only our own prefix is reserved (an alias reads its MODSTREAM_* name's row).
      if (name.startsWith('MODSTREAM_') && !IGNORED.has(name)) {
        problems.push({ variable: name, message: 'is not a known setting (see docs/configuration.md)' });
      }
      continue;
    }
    const [path, kind] = entry;
    const parsed = parse(raw, kind);
    if (parsed instanceof Error) problems.push({ variable: name, message: parsed.message });
    else setPath(value, path, parsed);
  }
  return { value, problems };
}

/** Variables with our prefix that belong to tooling, not to the processor. */
const IGNORED = new Set([
  'MODSTREAM_CONFIG',
  'MODSTREAM_TEST_KAFKA',
  'MODSTREAM_TEST_REDIS',
  'MODSTREAM_BENCH',
]);

function parse(raw: string, kind: Kind): unknown {
  const s = raw.trim();
  switch (kind) {
    case 'string':
      return s;
    case 'nullable':
      return s === '' ? null : s;
    case 'int': {
      if (!/^-?\d+$/.test(s)) return new Error(`must be an integer, got ${JSON.stringify(raw)}`);
      return Number(s);
    }
    case 'bool': {
      if (/^(1|true|yes|on)$/i.test(s)) return true;
      if (/^(0|false|no|off)$/i.test(s)) return false;
      return new Error(`must be true or false, got ${JSON.stringify(raw)}`);
    }
    case 'list':
      return s === ''
        ? []
        : s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
  }
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}
