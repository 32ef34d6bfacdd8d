import { StoreError } from '../contracts/errors.js';

/**
 * Server replies that mean "Redis cannot serve right now" rather than "this command is wrong": they count
 * as unavailability (STORE_UNAVAILABLE), like a refused connection or a timeout.
 */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MISCONF|OOM)\b/;

/**
 * Turns whatever ioredis threw into a StoreError (code STORE_UNAVAILABLE for connection trouble, timeouts
 * and unavailability replies; STORE_ERROR for any other server error). A StoreError is never a "limit
 * hit": callers can tell "Redis is down" from "the user is flooding" by type alone.
 */
export function toStoreError(e: unknown, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const reply = isReplyError(e);
  const unavailable = !reply || UNAVAILABLE_REPLIES.test(message);
  return new StoreError(`${what}: ${message}`, { cause: e, unavailable });
}

/** A Redis error reply (as opposed to a client-side error: closed connection, timeout, …). */
export function isReplyError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ReplyError';
}

export function isNoScriptError(e: unknown): boolean {
  return isReplyError(e) && (e as Error).message.startsWith('NOSCRIPT');
}
