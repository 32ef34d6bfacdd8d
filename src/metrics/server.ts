import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadinessReport } from '../transport/embedded/http-server.js';
import { listenOn } from '../transport/listen.js';

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: () => Promise<{ contentType: string; body: string }>;
  readiness: () => ReadinessReport;
}

/**
 * The operations endpoints on their own port (Kafka mode: --metrics-port, default 9464):
 * /metrics (Prometheus), /healthz (the process is alive), /readyz (ready to take traffic).
 */
export class OpsServer {
  readonly #server: Server;
  readonly #o: OpsServerOptions;

  constructor(options: OpsServerOptions) {
    this.#o = options;
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (path === '/metrics') {
        this.#o.metrics().then(
          (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
          (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
        );
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      if (path === '/readyz') {
        const r = this.#o.readiness();
        res
          .writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: r.ready ? 'ready' : 'not ready', checks: r.checks }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND"}}');
    });
  }

  async listen(): Promise<AddressInfo> {
    await listenOn(this.#server, this.#o.port, this.#o.host, 'metrics.port');
    return this.#server.address() as AddressInfo;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
