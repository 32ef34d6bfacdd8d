import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describeAjvError, describeAjvErrors } from '../contracts/ajv-errors.js';
import { ConfigError } from '../contracts/errors.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { isPlainObject, nullSectionsAsEmpty } from './empty-mappings.js';
import { configFromEnv } from './env.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { ModstreamConfig } from './types.js';

export interface LoadConfigOptions {
  /** YAML config file (--config / MODSTREAM_CONFIG). */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Command-line overrides, applied last (already nested: { http: { port: 9000 } }). */
  overrides?: Record<string, unknown>;
}

/**
 * Builds the effective configuration: defaults ← file ← environment ← flags, then validates the result ONCE.
 * Any problem throws a ConfigError whose message names every bad field (`kafka.brokers[0] must match …`).
 */
export function loadConfig(options: LoadConfigOptions = {}): ModstreamConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MODSTREAM_CONFIG ?? null;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError('CONFIG_INVALID', '', `cannot read config file ${file}: ${(e as Error).message}`);
    }
    try {
      const doc = parseYaml(text, { prettyErrors: true }) as unknown;
      if (doc !== null && doc !== undefined) {
        if (typeof doc !== 'object' || Array.isArray(doc)) {
          throw new Error('the top level must be a mapping');
        }
        // `http:` with everything under it commented out (YAML: null) is an empty section: the defaults.
        fromFile = nullSectionsAsEmpty(doc, CONFIG_SCHEMA) as Record<string, unknown>;
      }
    } catch (e) {
      throw new ConfigError(
        'CONFIG_INVALID',
        '',
        `config file ${file} is not valid YAML: ${(e as Error).message}`,
      );
    }
  }
  const { value: fromEnv, problems } = configFromEnv(env);
  if (problems.length) {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `invalid environment: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
    );
  }
  const merged = deepMerge(
    deepMerge(deepMerge(structuredClone(DEFAULT_CONFIG) as never, fromFile), fromEnv),
    options.overrides ?? {},
  );
  validateConfig(merged, file ? `(in ${file} or the environment)` : '');
  return merged as unknown as ModstreamConfig;
}

let compiled: ReturnType<Ajv['compile']> | undefined;

export function validateConfig(value: unknown, where = ''): asserts value is ModstreamConfig {
  // strict (strictNumbers included): YAML's .inf and .nan are not numbers here, and the schema itself is
  // checked for typos.
  compiled ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(CONFIG_SCHEMA);
  if (!compiled(value)) {
    throw new ConfigError(
      'CONFIG_INVALID',
      '',
      `invalid configuration${where ? ' ' + where : ''}: ${describeConfigErrors(compiled.errors, value)}`,
    );
  }
}

/** describeAjvErrors, with the broker address rule said in words (its pattern alone explains nothing). */
function describeConfigErrors(errors: ErrorObject[] | null | undefined, value: unknown): string {
  const brokers = (value as { kafka?: { brokers?: unknown } } | null)?.kafka?.brokers;
  const lines = (errors ?? []).map((e) => {
    const at = /^\/kafka\/brokers\/(\d+)$/.exec(e.instancePath);
    if (e.keyword !== 'pattern' || at === null || !Array.isArray(brokers)) return describeAjvError(e);
    const broker = String(brokers[Number(at[1])]);
    // `[::1]:9092`, or a bare literal (`2001:db8::1:9092`); not a typo such as `PLAINTEXT://kafka:9092`.
    const ipv6 = broker.startsWith('[') || /^[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*$/i.test(broker);
    return ipv6
      ? `kafka.brokers[${at[1]}] is an IPv6 address: the Kafka client (kafkajs) cannot connect to IPv6 literals (tulios/kafkajs#1589); give a host name that resolves to it (pattern)`
      : `kafka.brokers[${at[1]}] must be host:port, e.g. "kafka-1:9092" (pattern)`;
  });
  return lines.length > 0 ? lines.join('; ') : describeAjvErrors(errors);
}

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const cur = base[k];
    base[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge({ ...cur }, v) : v;
  }
  return base;
}
