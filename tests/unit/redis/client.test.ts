import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/contracts/errors.js';
import { createRedisClient, reconnectDelay } from '../../../src/redis/client.js';

describe('createRedisClient: times are checked before a client is made', () => {
  // ioredis hands commandTimeout to setTimeout, where Infinity or NaN fires after 1 ms: every command would
  // time out at once. The config schema checks these too; a library user builds clients directly.
  for (const [field, value] of [
    ['commandTimeoutMs', Infinity],
    ['commandTimeoutMs', Number.NaN],
    ['commandTimeoutMs', 0],
    ['connectTimeoutMs', 2 ** 31],
    ['reconnectMaxDelayMs', 1.5],
    ['maxRetriesPerRequest', -1],
  ] as const) {
    it(`refuses ${field} = ${value}, naming it`, () => {
      assert.throws(
        () => createRedisClient({ url: 'redis://127.0.0.1:1', [field]: value }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.code === 'CONFIG_INVALID' &&
          e.path === field &&
          e.message.includes(field),
      );
    });
  }

  it('reconnect delays double up to the maximum, with jitter within ±20 %', () => {
    assert.equal(
      reconnectDelay(1, 50, 2000, () => 0.5),
      50,
    );
    assert.equal(
      reconnectDelay(20, 50, 2000, () => 0.5),
      2000,
    );
    const low = reconnectDelay(3, 50, 2000, () => 0);
    assert.ok(low >= 160 && low <= 200, String(low));
  });
});
