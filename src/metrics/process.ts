import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client's default process metrics (CPU, memory, file descriptors, GC, heap spaces, event-loop lag with
 * p50/p90/p99 since the previous scrape, active handles/requests/resources by type), named `modstream_…`.
 *
 * Three of them are gauges whose names end in `_total` (`nodejs_active_{handles,requests,resources}_total`),
 * which Prometheus reserves for counters: `promtool check metrics` rejects them. They are left out; their
 * by-type siblings (`modstream_nodejs_active_handles{type}` …) carry the same numbers, summed.
 */
export function registerProcessMetrics(registry: Registry, prefix = 'modstream_'): string[] {
  const scratch = new Registry();
  collectDefaultMetrics({ register: scratch, prefix, eventLoopMonitoringPrecision: 10 });
  const kept: string[] = [];
  for (const metric of scratch.getMetricsAsArray()) {
    const m = metric as unknown as { name: string; type: string };
    if (m.type !== 'counter' && m.name.endsWith('_total')) continue;
    registry.registerMetric(metric as never);
    kept.push(m.name);
  }
  return kept;
}
