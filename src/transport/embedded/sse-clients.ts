/**
 * The verdict streams (Server-Sent Events) of one HTTP server: the embedded runner's `/v1/verdicts` and the
 * chat adapter's. Shared so that both frame, bound and replay the same way:
 * - a message id is client input: a CR or LF in it would end the `id:` line and let the rest forge fields
 *   or whole events, so they are left out of the id line (JSON escapes them in `data:`);
 * - a client that lags more than `bufferBytes` behind is cut loose rather than buffered without bound;
 *   one turn's burst of verdicts (a batch, all written before any can reach the socket) is not lag;
 * - a client that reconnects with `Last-Event-ID` first gets the verdicts it missed, from the hub's
 *   recent ones (VerdictHub.since), so an enforcer restarting or reconnecting loses none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Verdict } from '../../contracts/types.js';
import type { VerdictHub } from './verdict-hub.js';

export interface SseLogger {
  warn(obj: object, msg: string): void;
}

export class SseClients {
  readonly #clients = new Set<ServerResponse>();
  /** Bytes written to each client in the current turn of the event loop. */
  readonly #burst = new Map<ServerResponse, number>();
  #burstReset = false;
  readonly #hub: VerdictHub;
  readonly #bufferBytes: number;
  readonly #logger: SseLogger;
  readonly #what: string;

  /** `what` names the stream in logs (`verdict-stream`, `member-verdict stream`). */
  constructor(o: { hub: VerdictHub; bufferBytes: number; logger: SseLogger; what: string }) {
    this.#hub = o.hub;
    this.#bufferBytes = o.bufferBytes;
    this.#logger = o.logger;
    this.#what = o.what;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Starts a stream on `res` (status written here), with the verdicts missed since `Last-Event-ID`. */
  open(req: IncomingMessage, res: ServerResponse, comment: string): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`: ${comment}\n\n`);
    const last = req.headers['last-event-id'];
    if (typeof last === 'string' && last !== '') {
      // Written before the client joins the set: no live verdict can come between (all of this is one turn).
      for (const v of this.#hub.since(last)) {
        const frame = frameOf(v);
        this.#write(res, frame, Buffer.byteLength(frame));
      }
    }
    this.#clients.add(res);
    const drop = () => {
      this.#clients.delete(res);
      this.#burst.delete(res);
    };
    req.on('close', drop);
    res.on('error', drop);
  }

  broadcast(verdict: Verdict): void {
    if (this.#clients.size === 0) return;
    const frame = frameOf(verdict);
    const bytes = Buffer.byteLength(frame);
    for (const res of this.#clients) {
      if (res.writableLength - (this.#burst.get(res) ?? 0) > this.#bufferBytes) {
        // Too slow to keep up: cut it loose rather than buffer without bound or slow everyone down.
        this.#logger.warn({ buffered: res.writableLength }, `dropping a slow ${this.#what} client`);
        this.#clients.delete(res);
        this.#burst.delete(res);
        res.destroy();
        continue;
      }
      this.#write(res, frame, bytes);
    }
  }

  /** A comment line to every client, so that proxies keep idle streams open. */
  ping(): void {
    for (const res of this.#clients) res.write(': ping\n\n');
  }

  endAll(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#burst.clear();
  }

  #write(res: ServerResponse, frame: string, bytes: number): void {
    if (!this.#burstReset) {
      this.#burstReset = true;
      setImmediate(() => {
        this.#burst.clear();
        this.#burstReset = false;
      });
    }
    res.write(frame);
    this.#burst.set(res, (this.#burst.get(res) ?? 0) + bytes);
  }
}

export function frameOf(verdict: Verdict): string {
  return `event: verdict\nid: ${sseField(verdict.messageId)}\ndata: ${JSON.stringify(verdict)}\n\n`;
}

/** A value for one SSE field line: CR and LF removed. */
export function sseField(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]/g, '') : value;
}
