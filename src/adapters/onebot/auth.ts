import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * OneBot v11 credentials:
 *   - the access token: `Authorization: Bearer <token>` (older bots: `Token <token>`) or `?access_token=`;
 *   - the secret: HTTP POST bodies signed as `X-Signature: sha1=<hex HMAC-SHA1(secret, raw body)>`.
 * Answers follow the spec: a missing credential is 401, a wrong one 403.
 */
export interface Credentials {
  accessToken?: string | null;
  secret?: string | null;
}

export type AuthFailure = 'token-missing' | 'token-wrong' | 'signature-missing' | 'signature-wrong';
export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; reason: AuthFailure };

const OK: AuthResult = { ok: true };

/** The token a request presents, from the Authorization header or the `access_token` query parameter. */
export function presentedToken(headers: IncomingHttpHeaders, url: string | undefined): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^(?:Bearer|Token)\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  const q = url?.indexOf('?') ?? -1;
  if (url && q >= 0) {
    const token = new URLSearchParams(url.slice(q + 1)).get('access_token');
    if (token !== null) return token;
  }
  return null;
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function signBody(secret: string, body: Buffer | string): string {
  return 'sha1=' + createHmac('sha1', secret).update(body).digest('hex');
}

export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = signBody(secret, body);
  const given = header.trim().toLowerCase();
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * What only a token can authenticate — reverse WebSocket connections, member events, the verdict stream:
 * the token, when one is configured, is required. With a secret but no token they are refused: a secret
 * signs HTTP POST bodies only, so a deployment that relies on it would otherwise leave these open to
 * anyone who reaches the port (forged events get members warned, muted or kicked).
 */
export function checkConnection(
  creds: Credentials,
  headers: IncomingHttpHeaders,
  url: string | undefined,
): AuthResult {
  if (!creds.accessToken) return creds.secret ? { ok: false, status: 401, reason: 'token-missing' } : OK;
  const token = presentedToken(headers, url);
  if (token === null) return { ok: false, status: 401, reason: 'token-missing' };
  return sameSecret(token, creds.accessToken) ? OK : { ok: false, status: 403, reason: 'token-wrong' };
}

/**
 * HTTP POST events. With a secret, the signature is required (NapCat and Lagrange sign with it and send
 * no token). With a token, a request must present it unless its signature already proved it; a token
 * that is presented must be right either way.
 */
export function checkHttpPost(
  creds: Credentials,
  headers: IncomingHttpHeaders,
  url: string | undefined,
  body: Buffer,
): AuthResult {
  let signed = false;
  if (creds.secret) {
    const header = headers['x-signature'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return { ok: false, status: 401, reason: 'signature-missing' };
    if (!verifySignature(creds.secret, body, value))
      return { ok: false, status: 403, reason: 'signature-wrong' };
    signed = true;
  }
  if (creds.accessToken) {
    const token = presentedToken(headers, url);
    if (token === null) return signed ? OK : { ok: false, status: 401, reason: 'token-missing' };
    if (!sameSecret(token, creds.accessToken)) return { ok: false, status: 403, reason: 'token-wrong' };
  }
  return OK;
}
