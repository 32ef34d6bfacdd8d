import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/index.js';
import { kafkaSettingsFrom } from '../../../src/runtime/kafka.js';
import { resolveKafkaSettings } from '../../../src/transport/kafka/config.js';

describe('kafka settings from the configuration file', () => {
  it('passes every documented setting through to the transport', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-kafka-cfg-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'kafka:',
        '  brokers: ["127.0.0.1:9092"]',
        '  createTopics: false',
        '  maxBytes: 2097152',
        '  maxDlqValueBytes: 100000',
        '  clientRetries: 2',
        '  retryBackoffMs: 50',
        '  retryBackoffMaxMs: 500',
        '',
      ].join('\n'),
    );
    const settings = resolveKafkaSettings(kafkaSettingsFrom(loadConfig({ file, env: {} })));
    assert.equal(settings.createTopics, false);
    assert.equal(settings.maxBytes, 2097152);
    assert.equal(settings.maxDlqValueBytes, 100000);
    assert.equal(settings.clientRetries, 2);
    assert.equal(settings.retryBackoffMs, 50);
    assert.equal(settings.retryBackoffMaxMs, 500);
  });

  it('keeps the transport defaults when nothing is set', () => {
    const settings = resolveKafkaSettings(
      kafkaSettingsFrom(loadConfig({ env: { KAFKA_BROKERS: '127.0.0.1:9092' } })),
    );
    assert.equal(settings.createTopics, true);
    assert.equal(settings.maxBytes, 10 * 1024 * 1024);
    assert.equal(settings.maxDlqValueBytes, 900 * 1024);
  });
});
