/**
 * How the Kafka transport reads kafkajs errors: one place for the broker error types it treats specially,
 * so the producer side (sink, batch processor) and the consumer side (committer, processor) never drift.
 */

// Broker error types (kafkajs `type`) that refuse a record for what it is, not for the broker's state.
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

// Group coordinator answers that mean this member's generation is over or changing (a rebalance, a
// restarted or fenced member, a coordinator that moved): expected, and what it covered is redelivered.
const GROUP_MEMBERSHIP = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
  'NOT_COORDINATOR_FOR_GROUP',
]);

/** The refusal type when `e` (or an error it wraps) says the broker refused a record itself. */
export function recordRefusal(e: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  while (queue.length > 0) {
    const cur = queue.shift();
    if (cur === null || typeof cur !== 'object' || seen.has(cur)) continue;
    seen.add(cur);
    const c = cur as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
    if (typeof c.type === 'string' && RECORD_REFUSALS.has(c.type)) return c.type;
    queue.push(c.cause, c.originalError);
    if (Array.isArray(c.errors)) queue.push(...c.errors);
  }
  return null;
}

/** True when `e` is the group coordinator ending or changing this member's generation (see above). */
export function isGroupMembershipError(e: unknown): boolean {
  const type = (e as { type?: unknown } | null)?.type;
  return typeof type === 'string' && GROUP_MEMBERSHIP.has(type);
}
