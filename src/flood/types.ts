/**
 * Flood limiter (刷屏): rate per user per group, duplicate text, cross-group spam. Implementations: memory/
 * (embedded) and redis/ (production); both pass tests/contract/flood.contract.ts. One call per batch; the
 * requests of a batch are applied in order (so a burst inside one batch is seen as a burst).
 * Mention floods need no state and live in detect/mentions.
 */
export interface FloodRequest {
  platform: string;
  groupId: string;
  userId: string;
  messageId: string;
  /** A stable hash of the folded text ('' when the message has no text: counted for rate only). */
  textHash: string;
  ts: number;
  /** The limits that apply to this message's group (from the policy; every number is per group). */
  limits: FloodLimits;
}

export interface FloodLimits {
  /** More than rateMax messages within rateWindowMs → 'rate'. Default 10 in 10 s. */
  rateMax: number;
  rateWindowMs: number;
  /** The same text duplicateMax times (or more) within duplicateWindowMs → 'duplicate'. Default 3 in 60 s. */
  duplicateMax: number;
  duplicateWindowMs: number;
  /** The same text in crossGroupMin groups (or more) within crossGroupWindowMs → 'crossGroup'. Default 5 in 60 s. */
  crossGroupMin: number;
  crossGroupWindowMs: number;
}

export type FloodHit = 'rate' | 'duplicate' | 'crossGroup';

export interface FloodResult {
  /** Which limits this message broke (empty when none). */
  hits: FloodHit[];
  /** Messages from this user in this group inside the rate window, including this one. */
  rateCount: number;
  /** Copies of this text from this user in this group inside the duplicate window, including this one. */
  duplicateCount: number;
  /** Distinct groups this user sent this text to inside the cross-group window, including this one. */
  groupCount: number;
}

/**
 * Epoch length (ms) of the Redis limiter's cross-group state, one for every request whatever its limits
 * (src/flood/redis), and the unit of how long the in-memory limiter keeps where a text went: at least
 * twice the longer of this and the longest cross-group window seen, so that both answer alike for messages
 * up to an epoch late.
 */
export const CROSS_GROUP_EPOCH_MS = 60_000;

export interface FloodLimiter {
  check(batch: readonly FloodRequest[]): Promise<FloodResult[]>;
  close(): Promise<void>;
}
