/**
 * Helpers for the Redis integration tests: clients on the test Redis, a key prefix per test file, clean-up
 * of everything under that prefix, and closing that never leaves a handle open (a file whose client stays
 * open never exits).
 */
import {
  closeRedisClient,
  createRedisClient,
  whenReady,
  type RedisClient,
  type RedisConnectionOptions,
} from '../../../src/redis/client.js';
import { randomPrefix } from '../../helpers/services.js';

/**
 * How long a test client waits for a reply. The production default (200 ms, DEFAULT_COMMAND_TIMEOUT_MS)
 * is about keeping the stream moving; on a loaded CI machine (2 cores, load average up to 15) it fails
 * hooks and tests that are not about timeouts at all. Tests about timeouts pass their own.
 */
export const TEST_COMMAND_TIMEOUT_MS = 5000;

/**
 * A ready client with the production settings (offline queue off, no retries), except a generous command
 * timeout unless `options` sets one. Disconnected again when it does not become ready, so a failed
 * `before` hook leaves nothing open.
 */
export async function readyClient(url: string, options: RedisConnectionOptions = {}): Promise<RedisClient> {
  const client = createRedisClient({ url, commandTimeoutMs: TEST_COMMAND_TIMEOUT_MS, ...options });
  try {
    await whenReady(client, 10_000);
  } catch (e) {
    client.disconnect();
    throw e;
  }
  return client;
}

/**
 * For `after` hooks: deletes the keys under `prefix`, then closes the client even when the deletion fails
 * (QUIT, or a plain disconnect when QUIT cannot be sent or is not answered). A client the `before` hook
 * never made is skipped.
 */
export async function deleteKeysAndClose(client: RedisClient | undefined, prefix: string): Promise<void> {
  if (client === undefined) return;
  try {
    await deleteKeys(client, prefix);
  } finally {
    await closeRedisClient(client);
  }
}

/**
 * Runs every closer, in order, even when one throws; then rethrows the first error. For `finally` blocks
 * and hooks that close several things: a failing close must not leave the others open.
 */
export async function closeAll(...closers: (() => unknown)[]): Promise<void> {
  let failure: { error: unknown } | null = null;
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
}

/** A key prefix no other test (or earlier run) uses. */
export function keyPrefix(label: string): string {
  return `${randomPrefix(label)}:`;
}

/** Deletes every key under `prefix` (strike logs live 30 days: tests must not leave them behind). */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await (client as import('ioredis').Redis).scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    for (const key of keys) deleted += await client.unlink(key);
  } while (cursor !== '0');
  return deleted;
}

/** Every key under `prefix`. */
export async function keysUnder(client: RedisClient, prefix: string): Promise<string[]> {
  let cursor = '0';
  const out: string[] = [];
  do {
    const [next, keys] = await (client as import('ioredis').Redis).scan(
      cursor,
      'MATCH',
      `${prefix}*`,
      'COUNT',
      1000,
    );
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out.sort();
}

/** Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag (or of the whole key without one), mod 16384. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  let part = key;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) part = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(part, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** Mulberry32: a small seeded PRNG, so a failing stream can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Total bytes of every field of the hashes under `prefix` whose names contain `family` (e.g. '{fs:'). */
export async function hashBytes(client: RedisClient, prefix: string, family: string): Promise<number> {
  let total = 0;
  for (const key of await keysUnder(client, prefix)) {
    if (!key.includes(family)) continue;
    const fields = (await (client as import('ioredis').Redis).hgetallBuffer(key)) as Record<string, Buffer>;
    for (const value of Object.values(fields)) total += value.length;
  }
  return total;
}
