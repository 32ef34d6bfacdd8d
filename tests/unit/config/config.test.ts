import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, DEFAULT_CONFIG, validateConfig } from '../../../src/config/index.js';
import { CONFIG_SCHEMA, INT32_MAX } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/contracts/errors.js';

describe('loadConfig', () => {
  it('defaults with an empty environment', () => {
    const c = loadConfig({ env: {} });
    assert.deepEqual(c, DEFAULT_CONFIG);
  });

  it('file ← env ← overrides, in that order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'http:\n  port: 9000\n  host: 0.0.0.0\nkafka:\n  brokers: ["a:1"]\n');
    const c = loadConfig({
      file,
      env: { MODSTREAM_HTTP_PORT: '9100', KAFKA_BROKERS: 'b:2, c:3', REDIS_URL: 'redis://127.0.0.1:6379' },
      overrides: { http: { port: 9200 } },
    });
    assert.equal(c.http.port, 9200);
    assert.equal(c.http.host, '0.0.0.0');
    assert.deepEqual(c.kafka.brokers, ['b:2', 'c:3']);
    assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(c.kafka.groupId, 'modstream');
  });

  it('lets MODSTREAM_KAFKA_BROKERS and MODSTREAM_REDIS_URL win over KAFKA_BROKERS and REDIS_URL, in any order', () => {
    const orders = [
      {
        KAFKA_BROKERS: 'a:1',
        MODSTREAM_KAFKA_BROKERS: 'b:2',
        REDIS_URL: 'redis://a',
        MODSTREAM_REDIS_URL: 'redis://b',
      },
      {
        MODSTREAM_KAFKA_BROKERS: 'b:2',
        KAFKA_BROKERS: 'a:1',
        MODSTREAM_REDIS_URL: 'redis://b',
        REDIS_URL: 'redis://a',
      },
    ];
    for (const env of orders) {
      const c = loadConfig({ env });
      assert.deepEqual(c.kafka.brokers, ['b:2'], Object.keys(env).join(','));
      assert.equal(c.redis.url, 'redis://b', Object.keys(env).join(','));
    }
    // The short names alone still work; set-but-empty MODSTREAM_REDIS_URL still wins (no Redis).
    assert.deepEqual(loadConfig({ env: { KAFKA_BROKERS: 'a:1' } }).kafka.brokers, ['a:1']);
    assert.equal(loadConfig({ env: { REDIS_URL: 'redis://a' } }).redis.url, 'redis://a');
    assert.equal(loadConfig({ env: { REDIS_URL: 'redis://a', MODSTREAM_REDIS_URL: '' } }).redis.url, null);
    // Other variables are none of our business, whatever their names.
    assert.deepEqual(loadConfig({ env: { constructor: 'x', toString: 'y' } }), DEFAULT_CONFIG);
  });

  it('names the bad field from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'http:\n  port: -1\nkafka:\n  brokers: ["no-port"]\nredis:\n  failMode: maybe\n');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, 'CONFIG_INVALID');
        assert.match(e.message, /http\.port must be >= 0/);
        assert.match(e.message, /kafka\.brokers\[0\] must be host:port/);
        assert.match(e.message, /redis\.failMode must be one of "open", "closed"/);
        return true;
      },
    );
  });

  it('says what a broker address must look like, without taking a typo for IPv6', () => {
    for (const broker of ['PLAINTEXT://kafka:9092', 'kafka:9092:1', 'kafka']) {
      assert.throws(
        () => loadConfig({ env: {}, overrides: { kafka: { brokers: [broker] } } }),
        /kafka\.brokers\[0\] must be host:port, e\.g\. "kafka-1:9092"/,
        broker,
      );
    }
    assert.throws(() => validateConfig(null), ConfigError);
  });

  it('says why an IPv6 broker address is refused', () => {
    for (const broker of ['[::1]:9092', '2001:db8::1:9092']) {
      assert.throws(
        () => loadConfig({ env: {}, overrides: { kafka: { brokers: ['ok:9092', broker] } } }),
        /kafka\.brokers\[1\] is an IPv6 address: the Kafka client \(kafkajs\) cannot connect to IPv6 literals/,
        broker,
      );
    }
  });

  it('rejects unknown keys and unknown MODSTREAM_* variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'htp:\n  port: 1\n');
    assert.throws(() => loadConfig({ file, env: {} }), /htp is not allowed/);
    assert.throws(
      () => loadConfig({ env: { MODSTREAM_HTTP_PROT: '1' } }),
      /MODSTREAM_HTTP_PROT is not a known setting/,
    );
    assert.throws(
      () => loadConfig({ env: { MODSTREAM_HTTP_PORT: 'eighty' } }),
      /MODSTREAM_HTTP_PORT must be an integer/,
    );
  });

  it('reads a section left empty (YAML null) as an empty one: the defaults apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      [
        'http:',
        '  # port: 9000',
        'kafka:',
        '  topics:',
        'detectors:',
        'classifier:',
        '  groups:',
        '    "qq:1":',
        '  labels:',
        '    spam: null',
        'redis:',
        '  url: redis://127.0.0.1:6379',
        '',
      ].join('\n'),
    );
    const c = loadConfig({ file, env: {} });
    assert.deepEqual(c.http, DEFAULT_CONFIG.http);
    assert.deepEqual(c.kafka, DEFAULT_CONFIG.kafka);
    assert.deepEqual(c.detectors, {});
    assert.deepEqual(c.classifier.groups, { 'qq:1': {} });
    assert.deepEqual(c.classifier.labels, { spam: null }, 'null for a label still means: ignore it');
    assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
  });

  it('keeps null where it is a value: kafka.sasl, policy.file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'kafka:\n  sasl:\npolicy:\n  file:\n');
    const c = loadConfig({ file, env: {} });
    assert.equal(c.kafka.sasl, null);
    assert.equal(c.policy.file, null);
    writeFileSync(file, 'http: 5\n');
    assert.throws(() => loadConfig({ file, env: {} }), /http must be object/);
  });

  it('rejects infinite and not-a-number values, naming each field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      'state:\n  maxKeys: .inf\nredis:\n  commandTimeoutMs: .inf\nclassifier:\n  timeoutMs: .nan\n  batchWindowMs: -.inf\n',
    );
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, 'CONFIG_INVALID');
        for (const field of [
          'state.maxKeys',
          'redis.commandTimeoutMs',
          'classifier.timeoutMs',
          'classifier.batchWindowMs',
        ]) {
          assert.match(e.message, new RegExp(`${field.replace('.', '\\.')} must be integer`), field);
        }
        return true;
      },
    );
  });

  it('caps millisecond settings (and every integer) at 2147483647, naming the field', () => {
    assert.throws(
      () => loadConfig({ env: { MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: '3000000000' } }),
      /redis\.commandTimeoutMs must be <= 2147483647/,
    );
    assert.equal(
      loadConfig({ env: { MODSTREAM_REDIS_COMMAND_TIMEOUT_MS: '2147483647' } }).redis.commandTimeoutMs,
      INT32_MAX,
    );
    assert.throws(
      () =>
        loadConfig({
          env: {},
          overrides: { kafka: { sessionTimeoutMs: 1e12 }, http: { requestTimeoutMs: 1.5e9 * 2 } },
        }),
      (e: unknown) => {
        assert.match(String(e), /kafka\.sessionTimeoutMs must be <= 2147483647/);
        assert.match(String(e), /http\.requestTimeoutMs must be <= 2147483647/);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ env: { MODSTREAM_STATE_MAX_KEYS: '99999999999999999999' } }),
      /state\.maxKeys must be <= 2147483647/,
    );
    // The schema itself: every integer has a maximum within int32, every *Ms setting is an integer.
    const walk = (schema: Record<string, unknown>, path: string): void => {
      const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, child] of Object.entries(props ?? {})) {
        const at = path ? `${path}.${key}` : key;
        if (key.endsWith('Ms')) assert.equal(child.type, 'integer', `${at} is an integer`);
        if (child.type === 'integer') {
          assert.ok(typeof child.maximum === 'number' && child.maximum <= INT32_MAX, `${at} has a maximum`);
        }
        walk(child, at);
      }
    };
    walk(CONFIG_SCHEMA as unknown as Record<string, unknown>, '');
  });

  it('reads MODSTREAM_CLASSIFIER_TIMEOUT_MS as a decimal integer', () => {
    assert.equal(loadConfig({ env: { MODSTREAM_CLASSIFIER_TIMEOUT_MS: '75' } }).classifier.timeoutMs, 75);
    for (const raw of ['Infinity', '0x20', '1e3', '2.5']) {
      assert.throws(
        () => loadConfig({ env: { MODSTREAM_CLASSIFIER_TIMEOUT_MS: raw } }),
        /MODSTREAM_CLASSIFIER_TIMEOUT_MS must be an integer/,
        raw,
      );
    }
  });

  it('reports unreadable and non-YAML files clearly', () => {
    assert.throws(
      () => loadConfig({ file: '/nonexistent/modstream.yaml', env: {} }),
      /cannot read config file/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'ms-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'http: [unclosed\n');
    assert.throws(() => loadConfig({ file, env: {} }), /not valid YAML/);
  });
});
