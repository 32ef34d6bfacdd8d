import type { Message, Verdict } from '../contracts/types.js';
import type { MemberEvent, MemberObservation } from '../members/types.js';

/**
 * The two small interfaces a chat platform implements to plug into modstream (docs/adapters.md, "Write an
 * adapter for another platform"); everything around them — receiving, producing, member rules, retries,
 * idempotency, failure records, metrics — is shared.
 */

/** What one platform event is, for modstream. `reason` values are bounded: they become metric labels. */
export type MappedEvent =
  /** A group chat message, as message v1, plus what it says about its sender's membership. */
  | { kind: 'message'; message: Message; observation: MemberObservation }
  /** A membership change (member.joined / member.card / member.left). */
  | { kind: 'member'; event: MemberEvent }
  /** Understood, and of no interest (private chats, heartbeats, friend requests…). */
  | { kind: 'ignored'; reason: string }
  /** An event type this mapper does not know. */
  | { kind: 'unknown'; reason: string }
  /** Not a valid event: a required field is missing or has the wrong type. */
  | { kind: 'malformed'; reason: string };

/** Inbound: turns a platform's event (already parsed JSON) into modstream input. Pure; never throws. */
export interface PlatformEventMapper {
  readonly platform: string;
  map(event: unknown): MappedEvent;
}

/** One platform API call an enforcer makes for a verdict. */
export interface PlannedAction {
  /** The platform's API action, e.g. `delete_msg`; also the metric label. */
  action: string;
  params: Record<string, unknown>;
  /** Why (delete, mute, kick, ban, warn, notify), for logs and failure records. */
  purpose: 'delete' | 'mute' | 'kick' | 'ban' | 'warn' | 'notify';
}

/** Outbound: what a verdict means on this platform, and how to call it. */
export interface PlatformEnforcement {
  readonly platform: string;
  /** The calls a verdict needs, in order (delete first, then mute/kick, then notices). Pure. */
  plan(verdict: Verdict): PlannedAction[];
  /** Makes one call; throws ActionError (retryable or not) when it fails. */
  execute(action: PlannedAction): Promise<unknown>;
}

/** A failed platform call. `retryable`: worth trying again (network, 5xx, timeouts, a `failed` status). */
export class ActionError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  readonly retcode?: number;
  /** network | timeout | http | failed | bad-response */
  readonly kind: string;

  constructor(
    kind: string,
    message: string,
    o: { retryable: boolean; status?: number; retcode?: number; cause?: unknown },
  ) {
    super(message, o.cause !== undefined ? { cause: o.cause } : undefined);
    this.name = 'ActionError';
    this.kind = kind;
    this.retryable = o.retryable;
    if (o.status !== undefined) this.status = o.status;
    if (o.retcode !== undefined) this.retcode = o.retcode;
  }
}
