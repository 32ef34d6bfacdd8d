import type { StoreError } from '../contracts/errors.js';

/**
 * Strike store: violations per user per group, each expiring after `ttlMs`. Implementations: memory/
 * (embedded) and redis/ (production). Every call takes a batch so Redis needs one round trip per batch;
 * requests in a batch are applied in order.
 *
 * Idempotency: recording the same `messageId` twice (a redelivered message) records nothing new and
 * answers with the same result as the first time, so a redelivery never double-strikes.
 */
export interface StrikeRequest {
  /** `platform:groupId`. */
  group: string;
  userId: string;
  messageId: string;
  /** Event time (ms). Expiry is measured from here. */
  ts: number;
  /** Strike weight: how many ladder steps this violation counts for (severe categories enter later). */
  weight: number;
  ttlMs: number;
}

export interface StrikeResult {
  /** Live strikes for this user in this group after (or, on a repeat, as of) this request. */
  strikes: number;
  /** True when this messageId had already been recorded. */
  duplicate: boolean;
}

export interface StrikeStore {
  record(batch: readonly StrikeRequest[]): Promise<StrikeResult[]>;
  /**
   * Strikes without recording (dry-run and exempt senders, @all): those recorded at an event time before
   * each request's ts and live at it, so that what is recorded later never changes the answer.
   */
  peek(batch: readonly { group: string; userId: string; ts: number }[]): Promise<number[]>;
  close(): Promise<void>;
}

export type { StoreError };
