import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRecord } from '../../contracts/types.js';
import type { Logger } from '../../log/logger.js';
import type { BatchJudge, IncomingRecord, Outcome } from '../../pipeline/types.js';
import { hrNow } from '../../pipeline/records.js';
import type { SerialExecutor } from './serial.js';
import type { VerdictHub } from './verdict-hub.js';
import { SseClients } from './sse-clients.js';
export { sseField } from './sse-clients.js';
import { DEFAULT_CONFIG } from '../../config/defaults.js';
import { BodyAbortedError, readBody } from '../http-body.js';
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
  /**
   * Most `POST /v1/messages` requests admitted at once: being read, waiting for the judge, or judged.
   * Beyond it a request is answered 503 with Retry-After at once, before its body is read.
   * Default http.maxPendingRequests of DEFAULT_CONFIG.
   */
  maxPendingRequests?: number;
  /**
   * Most body bytes held by admitted requests at once (read so far, queued or being judged). A request
   * that would pass it is answered 503 with Retry-After: at once when its content-length says so, else as
   * soon as its bytes do (the rest of the body is read and discarded). Default http.maxQueuedBytes of
   * DEFAULT_CONFIG.
   */
  maxQueuedBytes?: number;
  /** Seconds a 503 (overloaded) asks the client to wait, in Retry-After. Default 1. */
  retryAfterSeconds?: number;
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
  readonly #sse: SseClients;
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #closing = false;
  /** POST /v1/messages responses not yet closed, and who waits for none to be left (close()). */
  readonly #answering = new Set<ServerResponse>();
  readonly #allAnswered: (() => void)[] = [];
  readonly #maxPending: number;
  readonly #maxQueuedBytes: number;
  readonly #retryAfter: string;
  /** Admitted POST /v1/messages requests not finished yet, and the body bytes they hold. */
  #pending = 0;
  #queuedBytes = 0;

  constructor(options: HttpServerOptions) {
    this.#o = options;
    this.#sse = new SseClients({
      hub: options.hub,
      bufferBytes: options.sseBufferVerdicts * 1024,
      logger: options.logger,
      what: 'verdict-stream',
    });
    // Backpressure: the pipeline judges one request at a time (SerialExecutor), so requests arriving faster
    // wait; without a bound every waiting body would stay in memory (see docs/operations.md).
    const defaults = DEFAULT_CONFIG.http;
    this.#maxPending = positiveInt(
      options.maxPendingRequests,
      defaults.maxPendingRequests,
      'maxPendingRequests',
    );
    this.#maxQueuedBytes = positiveInt(options.maxQueuedBytes, defaults.maxQueuedBytes, 'maxQueuedBytes');
    this.#retryAfter = String(positiveInt(options.retryAfterSeconds, 1, 'retryAfterSeconds'));
    this.#server = createServer(
      {
        requestTimeout: options.requestTimeoutMs,
        headersTimeout: Math.min(options.requestTimeoutMs, 10_000),
      },
      (req, res) => {
        this.#handle(req, res).catch((e: unknown) => {
          if (e instanceof BodyAbortedError) {
            // The client left mid-body: nothing to answer, nothing wrong here.
            this.#o.logger.debug({ err: e }, 'http client left before its body ended');
            res.destroy();
            return;
          }
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

  /** Admitted message requests not answered yet, and the body bytes they hold (for tests and health). */
  backlog(): { requests: number; bytes: number } {
    return { requests: this.#pending, bytes: this.#queuedBytes };
  }

  async listen(): Promise<AddressInfo> {
    await listenOn(this.#server, this.#o.port, this.#o.host, 'http.port');
    this.#unsubscribe = this.#o.hub.subscribe((v) => this.#sse.broadcast(v));
    this.#heartbeat = setInterval(() => this.#sse.ping(), 15_000);
    this.#heartbeat.unref();
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#closing = true;
    // No new connections from here; the callback comes once every connection has ended.
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Answers being judged or written finish first, flushed to the client: closing their connections as
    // idle once `end()` was called cut verdicts off mid-body. Their verdicts also reach the streams below.
    await this.#answered();
    this.#unsubscribe?.();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#sse.endAll();
    this.#server.closeIdleConnections();
    await closed;
  }

  /** Resolves once no POST /v1/messages response is open (each one ended and handed to the socket). */
  #answered(): Promise<void> {
    if (this.#answering.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#allAnswered.push(resolve));
  }

  /** Tracks an answer until its response closes (sent, or the client gone). */
  #track(res: ServerResponse): void {
    this.#answering.add(res);
    res.once('close', () => {
      this.#answering.delete(res);
      if (this.#answering.size === 0) for (const wake of this.#allAnswered.splice(0)) wake();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (req.method === 'POST' && path === '/v1/messages') {
      this.#track(res);
      return this.#postMessages(req, res);
    }
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
      res.setHeader('allow', path === '/v1/messages' ? 'POST' : 'GET'); // as HTTP requires of a 405
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
    // Admission: a request over the bounds is refused before anything of it is held.
    if (
      this.#pending >= this.#maxPending ||
      (Number.isFinite(declared) && this.#queuedBytes + declared > this.#maxQueuedBytes)
    ) {
      drainAndClose(req);
      return this.#overloaded(res, false);
    }
    this.#pending++;
    // Bytes reserved in the shared budget for this request: its declared length at once (so that two
    // large requests cannot both pass admission and then overrun the budget together), more as a body
    // without content-length arrives.
    let held = Number.isFinite(declared) ? declared : 0;
    this.#queuedBytes += held;
    try {
      const read = await readBody(req, this.#o.maxBodyBytes, (total) => {
        if (total <= held) return true;
        if (this.#queuedBytes + (total - held) > this.#maxQueuedBytes) return false;
        this.#queuedBytes += total - held;
        held = total;
        return true;
      });
      if (read === 'refused') return this.#overloaded(res, true);
      if (read === null) {
        return sendJson(
          res,
          413,
          { error: { code: 'OVERSIZE', message: `body is over the ${this.#o.maxBodyBytes}-byte limit` } },
          true,
        );
      }
      await this.#judgeBody(read, req, res);
    } finally {
      this.#pending--;
      this.#queuedBytes -= held;
    }
  }

  /** 503 + Retry-After: the judge is behind; the client should retry later (or slow down). */
  #overloaded(res: ServerResponse, close: boolean): void {
    sendJson(
      res,
      503,
      {
        error: {
          code: 'OVERLOADED',
          message: `the judge is behind (at most ${this.#maxPending} requests and ${this.#maxQueuedBytes} body bytes wait); retry later`,
        },
      },
      close,
      { 'retry-after': this.#retryAfter },
    );
  }

  async #judgeBody(body: Buffer, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    this.#sse.open(req, res, 'modstream verdict stream');
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  close = false,
  headers: Record<string, string> = {},
): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(data),
    ...headers,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(data);
}

/** An SSE field value: CR and LF removed (either would end the line and start another field or event). */

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
  return value;
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
