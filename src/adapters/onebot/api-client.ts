import { ActionError } from '../platform.js';
import type { OneBotApiResponse } from './types.js';

export interface OneBotApiClientOptions {
  /** The bot's HTTP API, e.g. http://127.0.0.1:3000 (NapCat httpServers, Lagrange Http). */
  baseUrl: string;
  accessToken?: string | null;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
  /** Called with every attempt's duration (metrics). */
  onCall?: (action: string, seconds: number) => void;
}

/** retcodes that mean "this request is wrong", not "try later": bad parameters, unknown action. */
const FINAL_RETCODES: ReadonlySet<number> = new Set([100, 1400, 1404]);

/**
 * The OneBot v11 HTTP API: POST <baseUrl>/<action> with a JSON body and `Authorization: Bearer <token>`.
 * Resolves with `data` for status ok/async; otherwise throws ActionError saying whether a retry may help:
 * network trouble, timeouts, 429 and 5xx and a `failed` status are retryable; 400/401/403/404/406 and the
 * retcodes for bad parameters or an unknown action are not.
 */
export class OneBotApiClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #onCall: OneBotApiClientOptions['onCall'];

  constructor(o: OneBotApiClientOptions) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#headers = { 'content-type': 'application/json' };
    if (o.accessToken) this.#headers.authorization = `Bearer ${o.accessToken}`;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#onCall = o.onCall;
  }

  async call(action: string, params: Record<string, unknown>): Promise<unknown> {
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.#base}/${action}`, {
        method: 'POST',
        headers: this.#headers,
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
      throw new ActionError(
        timeout ? 'timeout' : 'network',
        `${action}: ${timeout ? `no answer within ${this.#timeoutMs} ms` : (e as Error).message}`,
        { retryable: true, cause: e },
      );
    } finally {
      this.#onCall?.(action, (performance.now() - started) / 1000);
    }
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500;
      throw new ActionError(
        'http',
        `${action}: HTTP ${res.status}${hint(res.status)}${text ? `: ${text.slice(0, 200)}` : ''}`,
        { retryable, status: res.status },
      );
    }
    let reply: OneBotApiResponse;
    try {
      reply = JSON.parse(text) as OneBotApiResponse;
    } catch {
      throw new ActionError('bad-response', `${action}: the answer is not JSON: ${text.slice(0, 200)}`, {
        retryable: true,
        status: res.status,
      });
    }
    if (
      reply.status === 'ok' ||
      reply.status === 'async' ||
      (reply.status === undefined && (reply.retcode === 0 || reply.retcode === 1))
    )
      return reply.data;
    const retcode = typeof reply.retcode === 'number' ? reply.retcode : -1;
    const why = reply.wording || reply.message || reply.msg || 'status failed';
    throw new ActionError('failed', `${action}: retcode ${retcode}: ${why}`, {
      retryable: !FINAL_RETCODES.has(retcode),
      retcode,
      status: res.status,
    });
  }
}

function hint(status: number): string {
  if (status === 401) return ' (the bot wants an access token: --access-token)';
  if (status === 403) return ' (wrong access token)';
  if (status === 404) return ' (the bot does not know this action)';
  return '';
}
