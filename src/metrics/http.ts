import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/** What an instrumented HTTP server reports per request (the shape of ModstreamMetrics.http). */
export interface HttpMetricsHooks {
  /**
   * A request ended: its route (bounded), status code (0 when the client went away before any answer) and
   * seconds from arrival to the last byte.
   */
  onResponse(route: string, status: number, seconds: number): void;
}

/** The routes the embedded API and the ops port serve; any other path is counted as "other". */
export const HTTP_ROUTES = ['/v1/messages', '/v1/verdicts', '/metrics', '/healthz', '/readyz'] as const;
const ROUTE_SET: ReadonlySet<string> = new Set(HTTP_ROUTES);

/** Route label for a request URL: the path if it is a known route, else "other" (paths are client input). */
export function routeLabel(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0];
  return ROUTE_SET.has(path) ? path : 'other';
}

/**
 * Counts and times every request a server answers, without touching its handler: a `request` listener
 * stamps the arrival and reports when the response finishes (or the client goes away). Rejections of whole
 * requests (400/413 on /v1/messages) are the embedded API's ingest errors.
 */
export function instrumentHttpServer(server: Server, hooks: HttpMetricsHooks): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const t0 = performance.now();
    const route = routeLabel(req.url);
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      hooks.onResponse(route, res.headersSent ? res.statusCode : 0, (performance.now() - t0) / 1000);
    };
    res.once('finish', report);
    res.once('close', report);
  });
}
