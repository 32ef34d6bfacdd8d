import { WebSocket } from 'ws';
import { silentLogger, type Logger } from '../../log/logger.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { ChatAdapter } from '../adapter.js';
import type { AdapterMetrics } from '../metrics.js';

export interface ForwardWebSocketOptions {
  /** The bot's WebSocket server, e.g. ws://127.0.0.1:3001 (NapCat websocketServers, Lagrange ForwardWebSocket). */
  url: string;
  accessToken?: string | null;
  adapter: ChatAdapter;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Reconnect delays. Default 500 ms doubling up to 30 s, ±20 %. */
  backoff?: BackoffOptions;
  /** We ping this often; a bot that misses a pong is reconnected. Default 30 s. */
  pingIntervalMs?: number;
  handshakeTimeoutMs?: number;
  maxPayloadBytes?: number;
}

/**
 * The forward WebSocket (`--connect URL`): we connect to the bot and it pushes events as text frames. The
 * connection is kept up for as long as the adapter runs: a close, an error, a failed handshake or a missed
 * pong schedules a reconnect with exponential backoff and jitter (reset after a successful open). The
 * token goes in `Authorization: Bearer`, as OneBot v11 specifies.
 */
export class ForwardWebSocket {
  readonly #o: ForwardWebSocketOptions;
  readonly #logger: Logger;
  readonly #backoff: BackoffOptions;
  #ws: WebSocket | null = null;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #pinger: NodeJS.Timeout | null = null;
  #stopped = true;
  #opens = 0;
  #openWaiters: Array<() => void> = [];

  constructor(options: ForwardWebSocketOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger();
    this.#backoff = options.backoff ?? { minMs: 500, maxMs: 30_000 };
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Successful connections so far (the first one included). */
  get opens(): number {
    return this.#opens;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  /** Resolves at the next successful open (immediately when `opens` already exceeds `after`). */
  waitForOpen(after = 0): Promise<void> {
    if (this.#opens > after) return Promise.resolve();
    return new Promise((resolve) => this.#openWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopPinging();
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'adapter shutting down');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000).unref();
      });
    }
  }

  #connect(): void {
    if (this.#stopped) return;
    const headers: Record<string, string> = { 'User-Agent': 'modstream-adapter' };
    if (this.#o.accessToken) headers.Authorization = `Bearer ${this.#o.accessToken}`;
    const ws = new WebSocket(this.#o.url, {
      headers,
      handshakeTimeout: this.#o.handshakeTimeoutMs ?? 10_000,
      maxPayload: this.#o.maxPayloadBytes ?? 4 * 1024 * 1024,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    let opened = false;
    let alive = true;
    ws.on('open', () => {
      opened = true;
      this.#attempt = 0;
      this.#opens++;
      this.#o.metrics?.connection('ws-forward', 1);
      this.#logger.info({ url: redactUrl(this.#o.url) }, 'connected to the bot (forward WebSocket)');
      this.#stopPinging();
      this.#pinger = setInterval(() => {
        if (!alive) {
          this.#logger.warn('bot missed a pong; reconnecting');
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, this.#o.pingIntervalMs ?? 30_000);
      this.#pinger.unref();
      const waiters = this.#openWaiters;
      this.#openWaiters = [];
      for (const w of waiters) w();
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data) => {
      alive = true;
      this.#o.adapter.ingest(data as Buffer, 'ws-forward');
    });
    ws.on('unexpected-response', (_req, res) => {
      this.#logger.error(
        { status: res.statusCode, url: redactUrl(this.#o.url) },
        `the bot refused the WebSocket (HTTP ${res.statusCode}${res.statusCode === 401 || res.statusCode === 403 ? ': check --access-token' : ''})`,
      );
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e) => {
      this.#logger.warn({ err: e.message, url: redactUrl(this.#o.url) }, 'forward WebSocket error');
    });
    ws.on('close', (code) => {
      if (opened) {
        this.#o.metrics?.connection('ws-forward', -1);
        this.#logger.warn({ code }, 'forward WebSocket closed');
      }
      this.#stopPinging();
      if (this.#ws === ws) this.#ws = null;
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#retryTimer) return;
    const delay = backoffDelay(this.#attempt++, this.#backoff);
    this.#o.metrics?.reconnect();
    this.#logger.info({ inMs: delay, attempt: this.#attempt }, 'reconnecting to the bot');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #stopPinging(): void {
    if (this.#pinger) clearInterval(this.#pinger);
    this.#pinger = null;
  }
}

/** URLs may carry `access_token`: never log it. */
export function redactUrl(url: string): string {
  return url.replace(/(access_token=)[^&]*/i, '$1[redacted]');
}
