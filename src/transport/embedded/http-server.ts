import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRecord, Verdict } from '../../contracts/types.js';
import type { Logger } from '../../log/logger.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../pipeline/types.js';
import { hrNow } from '../../pipeline/records.js';
import type { SerialExecutor } from './serial.js';
import type { VerdictHub } from './verdict-hub.js';
import { readBody } from '../http-body.js';
import { listenOn } from '../listen.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  judge: BatchJudge;
  executor: SerialExecutor;
  hub: VerdictHub;
  logger: Logger;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  sseMaxClients: number;
  /** Verdicts buffered per SSE client before it is considered too slow and disconnected (bytes ≈ 1 KiB each). */
  sseBufferVerdicts: number;
  readiness: () => ReadinessReport;
  /** Serves /metrics when given (embedded mode shares the API port). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Called for every error record (bad item in a request), e.g. to count it. */
  onErrorRecord?: (record: ErrorRecord) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The embedded HTTP API:
 *   POST /v1/messages   one message, a JSON array, or NDJSON → the verdicts (and per-item errors), in order
 *   GET  /v1/verdicts   Server-Sent Events stream of every verdict
 *   GET  /healthz, /readyz, /metrics
 * A slow client never blocks others: bodies are read as they arrive, SSE writes never wait, and a client whose
 * SSE buffer grows past its bound is dropped.
 */
export class EmbeddedHttpServer {
  readonly #o: HttpServerOptions;
  readonly #server: Server;
  readonly #sse = new Set<ServerResponse>();
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #closing = false;

  constructor(options: HttpServerOptions) {
    this.#o = options;
    this.#server = createServer(
      {
        requestTimeout: options.requestTimeoutMs,
        headersTimeout: Math.min(options.requestTimeoutMs, 10_000),
      },
      (req, res) => {
        this.#handle(req, res).catch((e: unknown) => {
          this.#o.logger.error({ err: e }, 'http handler failed');
          if (!res.headersSent)
            sendJson(res, 500, { error: { code: 'PROCESSING_FAILED', message: 'internal error' } });
          else res.destroy();
        });
      },
    );
    this.#server.keepAliveTimeout = 5000;
  }

  get server(): Server {
    return this.#server;
  }

  async listen(): Promise<AddressInfo> {
    await listenOn(this.#server, this.#o.port, this.#o.host, 'http.port');
    this.#unsubscribe = this.#o.hub.subscribe((v) => this.#broadcast(v));
    this.#heartbeat = setInterval(() => {
      for (const res of this.#sse) res.write(': ping\n\n');
    }, 15_000);
    this.#heartbeat.unref();
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#unsubscribe?.();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const res of this.#sse) res.end();
    this.#sse.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (req.method === 'POST' && path === '/v1/messages') return this.#postMessages(req, res);
    if (req.method === 'GET' && path === '/v1/verdicts') return this.#openSse(req, res);
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      const report = this.#o.readiness();
      return sendJson(res, report.ready && !this.#closing ? 200 : 503, {
        status: report.ready && !this.#closing ? 'ready' : 'not ready',
        checks: report.checks,
      });
    }
    if (req.method === 'GET' && path === '/metrics' && this.#o.metrics) {
      const m = await this.#o.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      res.end(m.body);
      return;
    }
    if (path === '/v1/messages' || path === '/v1/verdicts' || path === '/healthz' || path === '/readyz') {
      return sendJson(res, 405, {
        error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${path}` },
      });
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route for ${req.method} ${path}` } });
  }

  async #postMessages(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.#o.maxBodyBytes) {
      drainAndClose(req);
      return sendJson(res, 413, {
        error: {
          code: 'OVERSIZE',
          message: `body is ${declared} bytes, over the ${this.#o.maxBodyBytes}-byte limit`,
        },
      });
    }
    const body = await readBody(req, this.#o.maxBodyBytes);
    if (body === null) {
      return sendJson(
        res,
        413,
        { error: { code: 'OVERSIZE', message: `body is over the ${this.#o.maxBodyBytes}-byte limit` } },
        true,
      );
    }
    const parsed = splitBody(body, String(req.headers['content-type'] ?? ''));
    if ('error' in parsed) return sendJson(res, 400, { error: parsed.error });
    const receivedAt = hrNow();
    const records: IncomingRecord[] = parsed.items.map((raw, i) => ({
      raw,
      source: { transport: 'http', index: i },
      receivedAt,
    }));
    const outcomes = await this.#o.executor.run(() => this.#o.judge.judge(records));
    this.#emit(outcomes);
    if (parsed.single) {
      const o = outcomes[0]!;
      if (o.kind === 'verdict') return sendJson(res, 200, o.verdict);
      return sendJson(res, 400, { error: o.error.error, source: o.error.source });
    }
    const results = outcomes.map((o, i) =>
      o.kind === 'verdict' ? o.verdict : { index: i, error: o.error.error },
    );
    const failed = outcomes.filter((o) => o.kind === 'error');
    // All items bad → 400 (nothing judged); some bad → 200 with per-item errors, in order.
    const status = failed.length === outcomes.length ? 400 : 200;
    sendJson(res, status, {
      results,
      verdicts: outcomes.length - failed.length,
      errors: failed.length,
      ...(status === 400
        ? {
            error: {
              code: 'BAD_MESSAGE',
              message: 'no record in the body could be judged',
              codes: [...new Set(failed.map((f) => (f as { error: ErrorRecord }).error.error.code))],
            },
          }
        : {}),
    });
  }

  #emit(outcomes: Outcome[]): void {
    for (const o of outcomes) {
      if (o.kind === 'verdict') this.#o.hub.publish(o.verdict);
      else this.#o.onErrorRecord?.(o.error);
    }
  }

  #openSse(req: IncomingMessage, res: ServerResponse): void {
    if (this.#sse.size >= this.#o.sseMaxClients) {
      return sendJson(res, 503, {
        error: { code: 'TOO_MANY_CLIENTS', message: `at most ${this.#o.sseMaxClients} verdict streams` },
      });
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': modstream verdict stream\n\n');
    this.#sse.add(res);
    const drop = () => this.#sse.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  #broadcast(verdict: Verdict): void {
    if (this.#sse.size === 0) return;
    // A message id is client input: a CR or LF in it would end the id line and let the rest of the id
    // forge fields or whole events, so they are left out of the id line (JSON escapes them in data).
    const frame = `event: verdict\nid: ${sseField(verdict.messageId)}\ndata: ${JSON.stringify(verdict)}\n\n`;
    const limit = this.#o.sseBufferVerdicts * 1024;
    for (const res of this.#sse) {
      if (res.writableLength > limit) {
        // Too slow to keep up: cut it loose rather than buffer without bound or slow everyone down.
        this.#o.logger.warn({ buffered: res.writableLength }, 'dropping a slow verdict-stream client');
        this.#sse.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(data),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(data);
}

/** An SSE field value: CR and LF removed (either would end the line and start another field or event). */
export function sseField(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]/g, '') : value;
}

function drainAndClose(req: IncomingMessage): void {
  req.resume();
  req.on('error', () => {});
}

type SplitBody = { items: string[]; single: boolean } | { error: { code: string; message: string } };

/**
 * One object → single; an array → its items (each re-serialised, so the DLQ carries it); otherwise NDJSON,
 * one record per non-empty line. Bad encoding or bad JSON of the whole body is a 400.
 */
export function splitBody(body: Buffer, contentType: string): SplitBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { error: { code: 'BAD_ENCODING', message: 'body is not valid UTF-8' } };
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) return { error: { code: 'BAD_JSON', message: 'body is empty' } };
  const ndjson = /ndjson|jsonl|json-seq/i.test(contentType);
  if (!ndjson) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (Array.isArray(value)) {
        if (value.length === 0) return { error: { code: 'BAD_MESSAGE', message: 'the array is empty' } };
        return { items: value.map((v) => JSON.stringify(v)), single: false };
      }
      return { items: [trimmed], single: true };
    } catch (e) {
      if (!trimmed.includes('\n'))
        return { error: { code: 'BAD_JSON', message: `body is not valid JSON: ${(e as Error).message}` } };
    }
  }
  const items = trimmed.split(/\r?\n/).filter((l) => l.trim().length > 0);
  return { items, single: false };
}
