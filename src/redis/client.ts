import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { ConfigError } from '../contracts/errors.js';

/** A standalone client or a Cluster client: the stores work with either. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Default redis://127.0.0.1:6379. */
  url?: string;
  /**
   * Redis Cluster seed nodes (`redis://host:port` or `host:port`); when set, a Cluster client is made and
   * `url` only lends its credentials and TLS setting.
   */
  clusterNodes?: readonly string[];
  /** A command without a reply after this long fails (the stream never stalls on Redis). Default 200. */
  commandTimeoutMs?: number;
  /** Connecting (TCP + handshake) gives up after this long and the reconnect strategy takes over. Default 1000. */
  connectTimeoutMs?: number;
  /**
   * How often a command caught in a dropped connection is retried after reconnecting. Default 0: the
   * caller's fail mode decides instead (fail-open / fail-closed), immediately.
   */
  maxRetriesPerRequest?: number;
  /** Reconnect back-off: the first delay, doubled per attempt up to the maximum, ±20 % jitter. */
  reconnectMinDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** CLIENT SETNAME, to find modstream in CLIENT LIST. Default 'modstream'. */
  connectionName?: string;
  /** Connection errors (refused, reset, …). ioredis reports each reconnect attempt; default: ignored, the
   *  stores' fail-mode guard logs outages once. */
  onError?: (error: Error) => void;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 200;

/**
 * A client configured so that an outage never stalls the stream:
 *   - `enableOfflineQueue: false`: while disconnected, commands fail at once instead of queueing;
 *   - `commandTimeout`: a hung server fails a command after `commandTimeoutMs`;
 *   - `maxRetriesPerRequest` 0: no silent retries; the fail mode decides;
 *   - reconnects forever with capped exponential back-off, so Redis mode returns by itself.
 */
export function createRedisClient(options: RedisConnectionOptions = {}): RedisClient {
  checkTimes(options);
  const min = options.reconnectMinDelayMs ?? 50;
  const max = options.reconnectMaxDelayMs ?? 2000;
  const common: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 0,
    retryStrategy: (attempt: number) => reconnectDelay(attempt, min, max),
    connectionName: options.connectionName ?? 'modstream',
    // CLIENT SETINFO is unknown before Redis 7.2; skipping it keeps older servers' logs quiet.
    disableClientInfo: true,
  };
  const onError = options.onError ?? (() => {});
  const url = options.url ?? 'redis://127.0.0.1:6379';

  if (options.clusterNodes && options.clusterNodes.length > 0) {
    const auth = credentialsOf(url);
    const cluster = new Cluster(options.clusterNodes.map(toClusterNode), {
      enableOfflineQueue: false,
      enableReadyCheck: true,
      clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt, min, max),
      redisOptions: { ...common, ...auth },
    });
    cluster.on('error', onError);
    return cluster;
  }
  const redis = new Redis(url, common);
  redis.on('error', onError);
  return redis;
}

/** Largest delay Node's timers take: a longer one (or Infinity) fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The times are checked here as well as in the config schema, because a library user builds clients
 * directly: ioredis hands commandTimeout to setTimeout, where Infinity or NaN means 1 ms, so every command
 * would time out at once.
 */
function checkTimes(options: RedisConnectionOptions): void {
  const times: [keyof RedisConnectionOptions, number][] = [
    ['commandTimeoutMs', 1],
    ['connectTimeoutMs', 1],
    ['reconnectMinDelayMs', 0],
    ['reconnectMaxDelayMs', 0],
    ['maxRetriesPerRequest', 0],
  ];
  for (const [field, min] of times) {
    const v = options[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_TIMER_MS) {
      throw new ConfigError(
        'CONFIG_INVALID',
        field,
        `must be an integer from ${min} to ${MAX_TIMER_MS}, got ${String(v)}`,
      );
    }
  }
}

/** Capped exponential back-off with ±20 % jitter (so many instances do not reconnect in lock-step). */
export function reconnectDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

function toClusterNode(node: string): ClusterNode {
  const u = new URL(node.includes('://') ? node : `redis://${node}`);
  return { host: u.hostname, port: u.port ? Number(u.port) : 6379 };
}

function credentialsOf(url: string): Partial<RedisOptions> {
  const u = new URL(url);
  const out: Partial<RedisOptions> = {};
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') out.tls = {};
  return out;
}

/** Closes a client: QUIT when connected (replies in flight are delivered), otherwise just disconnects. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: the connection is going anyway
    }
  }
  client.disconnect();
}

/**
 * Resolves once the client is ready (connected, and for a cluster, slots known); rejects after
 * `timeoutMs`. For start-up: with the offline queue off, commands sent before this fail (and the fail
 * mode answers them), so a process that wants Redis from its first batch waits here first.
 */
export function whenReady(client: RedisClient, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
