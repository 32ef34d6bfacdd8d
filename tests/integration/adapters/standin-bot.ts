/**
 * A stand-in OneBot v11 bot for tests: what NapCat or Lagrange would be, on localhost.
 *   - HTTP API: POST /<action> with a JSON body (Bearer token checked when set); every call is recorded,
 *     answers are scripted per action (default: status ok);
 *   - forward WebSocket server on the same port: our adapter connects, the bot pushes events;
 *   - as a client: pushes events to our adapter by HTTP POST (signed with the secret) or over a reverse
 *     WebSocket (Authorization: Bearer).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { signBody } from '../../../src/adapters/onebot/auth.js';

export interface ApiCall {
  action: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
}

export interface ScriptedAnswer {
  /** HTTP status (default 200). */
  status?: number;
  /** JSON body (default { status: 'ok', retcode: 0, data: null }). A string is sent as it is. */
  body?: unknown;
  /** Do not answer for this long. */
  delayMs?: number;
}

export class StandInBot {
  readonly calls: ApiCall[] = [];
  /** Tokens presented by forward-WebSocket clients, in order. */
  readonly wsAuth: (string | undefined)[] = [];
  accessToken: string | null;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  readonly #answers = new Map<string, ScriptedAnswer[]>();
  readonly #defaults = new Map<string, ScriptedAnswer>();
  #waiters: Array<() => void> = [];

  constructor(o: { accessToken?: string | null } = {}) {
    this.accessToken = o.accessToken ?? null;
    this.#server = createServer((req, res) => {
      void this.#api(req).then(async (a) => {
        if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
        const body =
          typeof a.body === 'string'
            ? a.body
            : JSON.stringify(a.body ?? { status: 'ok', retcode: 0, data: null });
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(body);
      });
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const auth = req.headers.authorization;
      this.wsAuth.push(auth);
      if (this.accessToken && auth !== `Bearer ${this.accessToken}`) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.#sockets.add(ws);
        ws.on('close', () => this.#sockets.delete(ws));
        ws.send(
          JSON.stringify({
            time: Math.floor(Date.now() / 1000),
            self_id: 3000000001,
            post_type: 'meta_event',
            meta_event_type: 'lifecycle',
            sub_type: 'connect',
          }),
        );
        this.#notify();
      });
    });
  }

  /** Listens on 127.0.0.1 (`port` 0: any free port). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    return this;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }
  /** Forward-WebSocket clients connected now. */
  get clients(): number {
    return this.#sockets.size;
  }

  /** The next answers to `action`, in order; then `fallback` (or ok) for the rest. */
  script(action: string, answers: ScriptedAnswer[], fallback?: ScriptedAnswer): void {
    this.#answers.set(action, [...answers]);
    if (fallback) this.#defaults.set(action, fallback);
  }

  callsOf(action: string): ApiCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Resolves once `condition` holds (checked after every call and connection); rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `stand-in bot: timed out waiting for ${what}; calls so far: ${JSON.stringify(this.calls.map((c) => [c.action, c.params]))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Pushes an event to every forward-WebSocket client. */
  push(event: unknown): void {
    const text = typeof event === 'string' ? event : JSON.stringify(event);
    for (const ws of this.#sockets) ws.send(text);
  }

  /** Drops every forward-WebSocket connection (the bot restarting). */
  dropClients(): void {
    for (const ws of this.#sockets) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #api(req: IncomingMessage): Promise<ScriptedAnswer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const action = (req.url ?? '/').split('?')[0].replace(/^\/+/, '');
    const auth = req.headers.authorization;
    if (this.accessToken && auth === undefined) return { status: 401, body: '' };
    if (this.accessToken && auth !== `Bearer ${this.accessToken}`) return { status: 403, body: '' };
    let params: Record<string, unknown>;
    try {
      params = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
    } catch {
      return { status: 400, body: '' };
    }
    this.calls.push({ action, params, authorization: auth });
    this.#notify();
    const queued = this.#answers.get(action);
    return (
      queued?.shift() ??
      this.#defaults.get(action) ?? {
        body: {
          status: 'ok',
          retcode: 0,
          data: action.startsWith('send_') ? { message_id: 90000 + this.calls.length } : null,
        },
      }
    );
  }

  #notify(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

/** Posts an event like a bot's HTTP POST push (NapCat httpClients / Lagrange HttpPost). */
export async function postEvent(
  url: string,
  event: unknown,
  o: { secret?: string; token?: string; rawBody?: string } = {},
): Promise<number> {
  const body = o.rawBody ?? JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-self-id': '3000000001' };
  if (o.secret) headers['x-signature'] = signBody(o.secret, body);
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

/** Connects like a bot's reverse WebSocket (NapCat websocketClients / Lagrange ReverseWebSocket). */
export function connectReverse(url: string, token?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: {
        'X-Self-ID': '3000000001',
        'X-Client-Role': 'Universal',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}
