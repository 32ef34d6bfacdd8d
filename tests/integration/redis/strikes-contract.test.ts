/**
 * The strike store contract (tests/contract/strikes.contract.ts) against the Redis store and a real Redis,
 * fail-closed so that a Redis problem fails the test instead of being answered from memory.
 */
import { after, before, describe } from 'node:test';
import type { RedisClient } from '../../../src/redis/client.js';
import { createRedisStrikeStore } from '../../../src/strikes/redis/index.js';
import { strikeStoreContract } from '../../contract/strikes.contract.js';
import { requireRedis } from '../../helpers/services.js';
import { deleteKeysAndClose, keyPrefix, readyClient } from './kit.js';

const redis = await requireRedis();

describe('Redis strike store', { skip: redis.skip }, () => {
  let client: RedisClient;
  const prefix = keyPrefix('strikes-contract');
  before(async () => {
    client = await readyClient(redis.url);
  });
  // Closes the client even when the clean-up fails (a client left open keeps the file from exiting).
  after(() => deleteKeysAndClose(client, prefix));

  strikeStoreContract('redis, one call per batch', async (clock) =>
    createRedisStrikeStore({ client, keyPrefix: prefix, failMode: 'closed', clock }),
  );
  strikeStoreContract('redis, one call per hash tag (Cluster layout)', async (clock) =>
    createRedisStrikeStore({ client, keyPrefix: prefix, failMode: 'closed', clock, callPerTag: true }),
  );
});
