import type { StoreError } from '../contracts/errors.js';

/**
 * Strike store: violations per user per group, each expiring after `ttlMs`. Implementations: memory/
 * (embedded) and redis/ (production). Every call takes a batch so Redis needs one round trip per batch;
 * requests in a batch are applied in order.
 *
 * The count: a user's live strikes in a group at time t are the summed weights of their strikes live at t.
 * Recording a request makes that count `max(live + weight, entryStep)` — `entryStep` is a floor on the
 * sender's position on the ladder, not a weight: a severe violation (entry step 2) takes a clean sender to
 * 2 and a sender already at 2 to 3. The weight actually added (the new count minus `live`) is decided by
 * the store, atomically, and stored with the strike.
 *
 * Cooldown: requests with the same `cooldownId` count once while the strike of the first one lives. A
 * later one (a "cooled" violation) adds no strike of its own (only what the `entryStep` floor requires)
 * and is answered with the live count at its time, so the count a sender is shown never goes backwards.
 *
 * Idempotency: recording the same `messageId` twice (a redelivered message) records nothing new and
 * answers with the same result as the first time — cooled violations included — so a redelivery never
 * double-strikes and is told what it was told the first time.
 */
export interface StrikeRequest {
  /** `platform:groupId`. */
  group: string;
  userId: string;
  messageId: string;
  /** Event time (ms). Expiry is measured from here. */
  ts: number;
  /** Strikes this violation adds at least (the policy engine sends 1). */
  weight: number;
  /**
   * The lowest count this violation leaves its sender at (a severe category's entry step: 2 by default).
   * Default 0: no floor.
   */
  entryStep?: number;
  /**
   * Violations with the same id count once while the first one's strike lives (the policy engine sends
   * `#cooldown/<category>/<bucket>`). Must not look like a message id. Default: none.
   */
  cooldownId?: string;
  ttlMs: number;
}

export interface StrikeResult {
  /** Live strikes for this user in this group after (or, on a repeat, as of) this request. */
  strikes: number;
  /** True when this messageId had already been recorded. */
  duplicate: boolean;
  /**
   * Strikes this request added: `strikes` minus the count before it (0 for a duplicate, and usually for a
   * cooled violation).
   */
  weight: number;
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
