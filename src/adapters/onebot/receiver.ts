import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RecordError, StoreError } from '../../contracts/errors.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { MemberEventDecoder } from '../../members/decode.js';
import type { MemberEvent } from '../../members/types.js';
import { MemberDeliveryError } from '../../members/verdicts.js';
import { SseClients } from '../../transport/embedded/sse-clients.js';
import type { VerdictHub } from '../../transport/embedded/verdict-hub.js';
import type { ChatAdapter } from '../adapter.js';
import type { AdapterMetrics } from '../metrics.js';
import { checkConnection, checkHttpPost, type Credentials } from './auth.js';
import { BodyAbortedError, readBody } from '../../transport/http-body.js';
import { listenOn } from '../../transport/listen.js';

export interface OneBotReceiverOptions {
  adapter: ChatAdapter;
  credentials: Credentials;
  host: string;
  port: number;
  /** Largest accepted event body / WebSocket frame. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Largest member-events body (roster snapshots are big). Default 64 MiB. */
  maxMemberBodyBytes?: number;
  /** POST /v1/member-events: member events and roster updates (same access token). */
  memberEvents?: MemberEventDecoder | null;
  /** GET /v1/verdicts: Server-Sent Events of the member verdicts this adapter produces. */
  verdicts?: VerdictHub | null;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Ping interval for reverse WebSocket connections; a peer that misses a pong is dropped. Default 30 s. */
  pingIntervalMs?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The adapter's listening side (`--listen HOST:PORT`):
 *   POST <any path>          a OneBot v11 event (HTTP POST event push); answered 204 once accepted
 *   GET  <any path> Upgrade  a reverse WebSocket: the bot connects to us and pushes events as text frames
 *   POST /v1/member-events   member events / roster updates (JSON object, array or NDJSON) → their verdicts
 *                            (200 once applied and delivered; 503 when the store or the delivery failed,
 *                            saying which and what was applied: a retry makes the verdicts again)
 *   GET  /v1/verdicts        SSE stream of member verdicts (for `modstream enforce --embedded`)
 *   GET  /healthz
 * Credentials (auth.ts) are checked before anything is read or upgraded; refusals are counted.
 */
export class OneBotReceiver {
  readonly #o: OneBotReceiverOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #logger: Logger;
  readonly #maxBody: number;
  /** Member verdict streams (GET /v1/verdicts); null when this adapter has no member verdicts. */
  readonly #sse: SseClients | null;
  readonly #sockets = new Set<WebSocket>();
  #unsubscribe: (() => void) | null = null;
  #pinger: NodeJS.Timeout | null = null;

  constructor(options: OneBotReceiverOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger();
    this.#maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#sse = options.verdicts
      ? new SseClients({
          hub: options.verdicts,
          bufferBytes: 1024 * 1024,
          logger: this.#logger,
          what: 'member-verdict stream',
        })
      : null;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => {
        if (e instanceof BodyAbortedError) {
          this.#logger.debug({ err: e }, 'adapter http client left before its body ended');
          res.destroy();
          return;
        }
        this.#logger.error({ err: e }, 'adapter http handler failed');
        if (!res.headersSent)
          send(res, 500, { error: { code: 'PROCESSING_FAILED', message: 'internal error' } });
        else res.destroy();
      });
    });
    this.#server.keepAliveTimeout = 65_000; // bots keep one connection for every push
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.#maxBody, perMessageDeflate: false });
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  get address(): AddressInfo | null {
    return this.#server.address() as AddressInfo | null;
  }

  /** Open reverse WebSocket connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  async listen(): Promise<AddressInfo> {
    await listenOn(this.#server, this.#o.port, this.#o.host, '--listen');
    const sse = this.#sse;
    if (this.#o.verdicts && sse) this.#unsubscribe = this.#o.verdicts.subscribe((v) => sse.broadcast(v));
    const interval = this.#o.pingIntervalMs ?? 30_000;
    const alive = new WeakSet<WebSocket>();
    this.#wss.on('connection', (ws) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
    });
    this.#pinger = setInterval(() => {
      for (const ws of this.#sockets) {
        if (!alive.has(ws)) {
          ws.terminate();
          continue;
        }
        alive.delete(ws);
        ws.ping();
      }
      this.#sse?.ping();
    }, interval);
    this.#pinger.unref();
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#pinger) clearInterval(this.#pinger);
    for (const ws of this.#sockets) ws.close(1001, 'adapter shutting down');
    this.#sse?.endAll();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
      setTimeout(() => {
        this.#server.closeAllConnections();
        for (const ws of this.#sockets) ws.terminate();
      }, 2000).unref();
    });
    this.#wss.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/v1/verdicts' && this.#o.verdicts) return this.#openSse(req, res);
    if (req.method === 'POST' && path === '/v1/member-events' && this.#o.memberEvents)
      return this.#memberEvents(req, res);
    if (req.method !== 'POST')
      return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'events are POSTed' } });

    const body = await readBody(req, this.#maxBody);
    if (body === null)
      return send(
        res,
        413,
        { error: { code: 'OVERSIZE', message: `body over ${this.#maxBody} bytes` } },
        true,
      );
    const auth = checkHttpPost(this.#o.credentials, req.headers, req.url, body);
    if (!auth.ok) {
      this.#o.metrics?.authFailure('http', auth.reason);
      this.#logger.warn(
        { reason: auth.reason, remote: req.socket.remoteAddress },
        'event refused: bad credentials',
      );
      return send(res, auth.status, {
        error: { code: auth.reason.toUpperCase().replace('-', '_'), message: auth.reason },
      });
    }
    this.#o.adapter.ingest(body, 'http');
    // No quick operation: the answer is empty whatever the event was (a bad event is counted, not refused).
    res.writeHead(204).end();
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const auth = checkConnection(this.#o.credentials, req.headers, req.url);
    if (!auth.ok) {
      this.#o.metrics?.authFailure('ws-reverse', auth.reason);
      this.#logger.warn(
        { reason: auth.reason, remote: req.socket.remoteAddress },
        'reverse WebSocket refused: bad credentials',
      );
      socket.end(
        `HTTP/1.1 ${auth.status} ${auth.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sockets.add(ws);
      this.#o.metrics?.connection('ws-reverse', 1);
      this.#logger.info(
        {
          selfId: req.headers['x-self-id'],
          role: req.headers['x-client-role'],
          path: req.url?.split('?', 1)[0],
        },
        'bot connected (reverse WebSocket)',
      );
      this.#wss.emit('connection', ws, req);
      ws.on('message', (data, isBinary) => {
        this.#o.adapter.ingest(
          isBinary ? (data as Buffer) : Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]),
          'ws-reverse',
        );
      });
      ws.on('error', (e) => this.#logger.warn({ err: e }, 'reverse WebSocket error'));
      ws.on('close', (code) => {
        this.#sockets.delete(ws);
        this.#o.metrics?.connection('ws-reverse', -1);
        this.#logger.info({ code }, 'bot disconnected (reverse WebSocket)');
      });
    });
  }

  async #memberEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = checkConnection(this.#o.credentials, req.headers, req.url);
    if (!auth.ok) {
      this.#o.metrics?.authFailure('member-api', auth.reason);
      req.resume();
      return send(res, auth.status, {
        error: { code: auth.reason.toUpperCase().replace('-', '_'), message: auth.reason },
      });
    }
    const limit = this.#o.maxMemberBodyBytes ?? 64 * 1024 * 1024;
    const body = await readBody(req, limit);
    if (body === null)
      return send(res, 413, { error: { code: 'OVERSIZE', message: `body over ${limit} bytes` } }, true);
    const decoder = this.#o.memberEvents!;
    const items = splitItems(body.toString('utf8'));
    if ('error' in items) return send(res, 400, { error: { code: 'BAD_JSON', message: items.error } });
    const events: MemberEvent[] = [];
    const errors: { index: number; error: { code: string; message: string } }[] = [];
    items.values.forEach((v, index) => {
      const r = decoder.check(v);
      if (r.ok) events.push(r.event);
      else errors.push({ index, error: { code: r.error.code, message: r.error.message } });
    });
    for (let i = 0; i < events.length + errors.length; i++)
      this.#o.metrics?.event('member-api', i < events.length ? 'member' : 'malformed');
    if (events.length === 0) return send(res, 400, { accepted: 0, errors });
    try {
      const verdicts = await this.#o.adapter.handleMemberEvents(events);
      send(res, 200, { accepted: events.length, errors, verdicts });
    } catch (e) {
      this.#logger.error({ err: e, events: events.length }, 'member events failed');
      if (e instanceof MemberDeliveryError) {
        // Applied, but their verdicts were not delivered: they were released, so the same request again
        // makes (and delivers) them. Say so, rather than "nothing accepted".
        return send(res, 503, {
          error: { code: e.code, message: e.message },
          accepted: events.length,
          delivered: false,
          undelivered: e.messageIds,
          retry: e.released,
          errors,
        });
      }
      if (e instanceof RecordError)
        return send(res, 400, { error: { code: e.code, message: e.message }, accepted: 0, errors });
      const store = e instanceof StoreError;
      // The store failed part-way: events before the failure may be applied; their verdicts were released,
      // and the request can be sent again as it is.
      send(res, store ? 503 : 500, {
        error: {
          code: store ? e.code : 'PROCESSING_FAILED',
          message: (e as Error).message,
        },
        accepted: 0,
        retry: true,
        errors,
      });
    }
  }

  #openSse(req: IncomingMessage, res: ServerResponse): void {
    const auth = checkConnection(this.#o.credentials, req.headers, req.url);
    if (!auth.ok) {
      this.#o.metrics?.authFailure('member-api', auth.reason);
      return send(res, auth.status, {
        error: { code: auth.reason.toUpperCase().replace('-', '_'), message: auth.reason },
      });
    }
    this.#sse?.open(req, res, 'modstream member verdicts');
  }
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(data),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(data);
}

/** One JSON value, a JSON array of values, or NDJSON. */
function splitItems(text: string): { values: unknown[] } | { error: string } {
  const t = text.trim();
  if (!t) return { error: 'body is empty' };
  try {
    const v = JSON.parse(t) as unknown;
    return { values: Array.isArray(v) ? v : [v] };
  } catch (e) {
    if (!t.includes('\n')) return { error: `body is not valid JSON: ${(e as Error).message}` };
  }
  const values: unknown[] = [];
  for (const [i, line] of t.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    try {
      values.push(JSON.parse(line));
    } catch (e) {
      return { error: `line ${i + 1} is not valid JSON: ${(e as Error).message}` };
    }
  }
  return { values };
}
