import type { ModstreamConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { ModstreamMetrics } from '../metrics/metrics.js';
import { createRedisState } from '../redis/state.js';
import type { StateStores } from './engine.js';

/**
 * Production state: the Redis flood limiter and strike store on one client, with the configured fail mode.
 * Start-up waits briefly for the connection, but an unreachable Redis never blocks start: the fail mode
 * answers (open: from memory, counted; closed: review verdicts) until Redis is back.
 */
export async function createRedisStores(
  config: ModstreamConfig,
  logger: Logger,
  metrics: ModstreamMetrics | null,
): Promise<StateStores> {
  const log = logger.child({ component: 'redis' });
  const state = createRedisState({
    url: config.redis.url ?? undefined,
    keyPrefix: config.redis.keyPrefix,
    failMode: config.redis.failMode,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    fallbackMaxKeys: config.state.maxKeys,
    // Off: a locally answered flooder's messages reach Redis only when the block lifts, so a crash or a
    // rebalance (the partition moves to another instance) would drop them from the rate and duplicate
    // windows after their offsets were committed, and later messages would be judged on short counts.
    // Every message's flood state is in Redis before its offset is committed (tests/integration/e2e).
    localBlock: false,
    logger: log,
    metrics: metrics?.redis ?? null,
  });
  const ok = await state.waitUntilReady(3000);
  if (ok)
    log.info({ failMode: config.redis.failMode, keyPrefix: config.redis.keyPrefix }, 'redis state ready');
  else
    log.warn(
      { failMode: config.redis.failMode },
      `redis not reachable at start-up; failMode ${config.redis.failMode} applies until it is`,
    );
  return {
    strikes: state.strikes,
    flood: state.flood,
    ready: () => state.ready(),
    close: () => state.close(),
  };
}
