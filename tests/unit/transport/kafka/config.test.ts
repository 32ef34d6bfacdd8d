import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { DEFAULT_CONFIG } from '../../../../src/config/defaults.js';
import type { ModstreamConfig } from '../../../../src/config/types.js';
import { ConfigError } from '../../../../src/contracts/errors.js';
import {
  KAFKA_DEFAULTS,
  resolveKafkaSettings,
  type KafkaSettingsInput,
  type TransportLogger,
} from '../../../../src/transport/kafka/index.js';

// Compile-time: the config module's kafka section and a pino logger plug straight in.
const _fromConfig: (c: ModstreamConfig['kafka']) => KafkaSettingsInput = (c) => c;
const _fromPino: (l: Logger) => TransportLogger = (l) => l;

function configError(fn: () => unknown, path: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, 'a ConfigError');
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.path, path);
    return true;
  });
}

describe('resolveKafkaSettings', () => {
  it('fills every default from brokers alone', () => {
    const s = resolveKafkaSettings({ brokers: ['127.0.0.1:9092'] });
    assert.deepEqual(s.brokers, ['127.0.0.1:9092']);
    assert.deepEqual(s.topics, {
      messages: 'modstream.messages',
      verdicts: 'modstream.verdicts',
      dlq: 'modstream.dlq',
    });
    assert.equal(s.groupId, 'modstream');
    assert.equal(s.retries, KAFKA_DEFAULTS.retries);
    assert.equal(s.maxInFlight, KAFKA_DEFAULTS.partitionsConsumedConcurrently);
    assert.equal(s.heartbeatIntervalMs, 3000);
    assert.equal(s.fromBeginning, true);
  });

  it('keeps what is given, topics merged field by field', () => {
    const s = resolveKafkaSettings({
      brokers: ['a:1', 'b:2'],
      topics: { verdicts: 'v' },
      partitionsConsumedConcurrently: 4,
      sessionTimeoutMs: 6000,
      compression: 'gzip',
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    assert.equal(s.topics.verdicts, 'v');
    assert.equal(s.topics.messages, 'modstream.messages');
    assert.equal(s.maxInFlight, 4, 'maxInFlight follows the partition concurrency unless set');
    assert.equal(s.heartbeatIntervalMs, 2000, 'heartbeat at a third of a short session');
    assert.equal(s.compression, 'gzip');
  });

  it('accepts the config module defaults as they are', () => {
    const fromConfig: ModstreamConfig['kafka'] = {
      ...DEFAULT_CONFIG.kafka,
      brokers: ['127.0.0.1:9092'],
      topics: { messages: 'm', verdicts: 'v', dlq: 'd' },
    };
    assert.equal(resolveKafkaSettings(fromConfig).topics.dlq, 'd');
  });

  it('names the bad field', () => {
    configError(() => resolveKafkaSettings({ brokers: [] }), 'kafka.brokers');
    configError(() => resolveKafkaSettings({ brokers: ['localhost'] }), 'kafka.brokers[0]');
    configError(
      () => resolveKafkaSettings({ brokers: ['a:1'], topics: { dlq: 'has space' } }),
      'kafka.topics.dlq',
    );
    configError(
      () => resolveKafkaSettings({ brokers: ['a:1'], topics: { verdicts: 'modstream.messages' } }),
      'kafka.topics',
    );
    configError(
      () => resolveKafkaSettings({ brokers: ['a:1'], maxBatchRecords: 0 }),
      'kafka.maxBatchRecords',
    );
    configError(() => resolveKafkaSettings({ brokers: ['a:1'], retries: 1.5 }), 'kafka.retries');
    configError(() => resolveKafkaSettings({ brokers: ['a:1'], retries: 99 }), 'kafka.retries');
    configError(
      () => resolveKafkaSettings({ brokers: ['a:1'], compression: 'zstd' as 'gzip' }),
      'kafka.compression',
    );
    configError(
      () =>
        resolveKafkaSettings({
          brokers: ['a:1'],
          sasl: { mechanism: 'oauth' as 'plain', username: 'u', password: 'p' },
        }),
      'kafka.sasl.mechanism',
    );
    configError(
      () => resolveKafkaSettings({ brokers: ['a:1'], sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }),
      'kafka.heartbeatIntervalMs',
    );
  });
});
