/**
 * Redis Cluster for real: three private redis-server nodes in cluster mode, the Cluster client, and both
 * contracts. A script call whose keys spanned slots would fail here with CROSSSLOT, so passing proves the
 * hash tags and the one-call-per-tag batching.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createRedisFloodLimiter } from '../../../src/flood/redis/index.js';
import { createRedisClient, whenReady, type RedisClient } from '../../../src/redis/client.js';
import { createRedisStrikeStore } from '../../../src/strikes/redis/index.js';
import { floodLimiterContract } from '../../contract/flood.contract.js';
import { strikeStoreContract } from '../../contract/strikes.contract.js';
import { waitFor } from '../../helpers/services.js';
import { TEST_COMMAND_TIMEOUT_MS, closeAll, keyPrefix } from './kit.js';
import { RedisServer, requireRedisServerBinary } from './redis-server.js';

const binary = requireRedisServerBinary();

describe('Redis Cluster (3 private nodes)', { skip: binary.skip }, () => {
  const nodes: RedisServer[] = [];
  let client: RedisClient;
  const prefix = keyPrefix('cluster');

  before(async () => {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await RedisServer.start([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
        ]),
      );
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(create.status, 0, `redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
    await waitFor(
      () =>
        nodes.every((n) => {
          const info = spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], {
            encoding: 'utf8',
            timeout: 5000,
          });
          return /cluster_state:ok/.test(info.stdout);
        }),
      'the cluster to be ok',
    );
    client = createRedisClient({
      clusterNodes: nodes.map((n) => `127.0.0.1:${n.port}`),
      commandTimeoutMs: TEST_COMMAND_TIMEOUT_MS,
    });
    await whenReady(client, 10_000);
  });

  // Every node and the client are closed even when one of them fails to (nothing left to hold the file open).
  after(() => closeAll(() => client?.disconnect(), ...nodes.map((n) => () => n.dispose())));

  floodLimiterContract('redis cluster', async (clock) =>
    createRedisFloodLimiter({ client, keyPrefix: prefix, failMode: 'closed', clock }),
  );
  strikeStoreContract('redis cluster', async (clock) =>
    createRedisStrikeStore({ client, keyPrefix: prefix, failMode: 'closed', clock }),
  );

  it('spreads one batch over many slots and nodes in one go', async () => {
    const limiter = createRedisFloodLimiter({ client, keyPrefix: prefix, failMode: 'closed' });
    const batch = Array.from({ length: 60 }, (_, i) => ({
      platform: 'qq',
      groupId: `spread-${i % 20}`,
      userId: `u${i % 7}`,
      messageId: `spread:${i}`,
      textHash: `t${i % 3}`,
      ts: 1_764_000_000_000 + i,
      limits: {
        rateMax: 10,
        rateWindowMs: 10_000,
        duplicateMax: 3,
        duplicateWindowMs: 60_000,
        crossGroupMin: 5,
        crossGroupWindowMs: 60_000,
      },
    }));
    const results = await limiter.check(batch);
    assert.equal(results.length, 60);
    assert.equal(limiter.failOpenCount, 0);
    const masters = (client as import('ioredis').Cluster).nodes('master');
    const perNode = await Promise.all(masters.map(async (m) => (await m.keys(`${prefix}*`)).length));
    assert.ok(perNode.filter((k) => k > 0).length >= 2, `keys on several nodes: ${perNode.join(',')}`);
    await limiter.close();
  });
});
