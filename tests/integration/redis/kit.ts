/**
 * Helpers for the Redis integration tests: clients on the test Redis, a key prefix per test file, and
 * clean-up of everything under that prefix.
 */
import {
  createRedisClient,
  whenReady,
  type RedisClient,
  type RedisConnectionOptions,
} from '../../../src/redis/client.js';
import { randomPrefix } from '../../helpers/services.js';

/** A ready client with the production settings (offline queue off, command timeout). */
export async function readyClient(url: string, options: RedisConnectionOptions = {}): Promise<RedisClient> {
  const client = createRedisClient({ url, ...options });
  await whenReady(client, 5000);
  return client;
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
