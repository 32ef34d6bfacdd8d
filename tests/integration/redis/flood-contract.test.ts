/**
 * The flood limiter contract (tests/contract/flood.contract.ts) against the Redis limiter and a real Redis,
 * fail-closed so that a Redis problem fails the test instead of being answered from memory.
 */
import { after, before, describe } from 'node:test';
import { createRedisFloodLimiter } from '../../../src/flood/redis/index.js';
import type { RedisClient } from '../../../src/redis/client.js';
import { floodLimiterContract } from '../../contract/flood.contract.js';
import { requireRedis } from '../../helpers/services.js';
import { deleteKeysAndClose, keyPrefix, readyClient } from './kit.js';

const redis = await requireRedis();

describe('Redis flood limiter', { skip: redis.skip }, () => {
  let client: RedisClient;
  const prefix = keyPrefix('flood-contract');
  before(async () => {
    client = await readyClient(redis.url);
  });
  // Closes the client even when the clean-up fails (a client left open keeps the file from exiting).
  after(() => deleteKeysAndClose(client, prefix));

  floodLimiterContract('redis, one call per batch, block list on', async (clock) =>
    createRedisFloodLimiter({ client, keyPrefix: prefix, failMode: 'closed', clock }),
  );
  floodLimiterContract('redis, one call per hash tag (Cluster layout), block list off', async (clock) =>
    createRedisFloodLimiter({
      client,
      keyPrefix: prefix,
      failMode: 'closed',
      clock,
      callPerTag: true,
      localBlock: false,
    }),
  );
});
