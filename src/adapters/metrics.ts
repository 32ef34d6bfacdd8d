import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Seconds: platform API calls take milliseconds to seconds. */
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Where an adapter received an event from (a bounded label). */
export type ReceiveTransport = 'http' | 'ws-reverse' | 'ws-forward' | 'member-api';

/**
 * An adapter's metrics, on an injected registry (served on --metrics-port). Label values are bounded:
 * transports, outcomes, mapper reasons (constants in the mappers), sink names, rule ids.
 */
export class AdapterMetrics {
  readonly #events: Counter<'transport' | 'outcome' | 'reason'>;
  readonly #auth: Counter<'transport' | 'reason'>;
  readonly #published: Counter<'sink'>;
  readonly #publishErrors: Counter<'sink'>;
  readonly #dropped: Counter<'sink'>;
  readonly #connections: Gauge<'transport'>;
  readonly #reconnects: Counter;
  readonly #memberVerdicts: Counter<'rule'>;
  readonly #memberErrors: Counter<'op'>;
  readonly #repaired: Counter<'what'>;
  readonly #sweeps: Histogram<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#events = new Counter({
      name: 'modstream_adapter_events_total',
      help: 'Platform events received, by transport, outcome (message, member, ignored, unknown, malformed, bad_json) and reason.',
      labelNames: ['transport', 'outcome', 'reason'],
      registers,
    });
    this.#auth = new Counter({
      name: 'modstream_adapter_auth_failures_total',
      help: 'Requests and connections refused: token missing or wrong, signature missing or wrong.',
      labelNames: ['transport', 'reason'],
      registers,
    });
    this.#published = new Counter({
      name: 'modstream_adapter_published_total',
      help: 'Messages delivered to modstream (Kafka acknowledged, or accepted by the embedded runner).',
      labelNames: ['sink'],
      registers,
    });
    this.#publishErrors = new Counter({
      name: 'modstream_adapter_publish_errors_total',
      help: 'Failed deliveries (each retried with backoff).',
      labelNames: ['sink'],
      registers,
    });
    this.#dropped = new Counter({
      name: 'modstream_adapter_dropped_total',
      help: 'Messages given up on after the retries, or refused because the queue was full. Alert if > 0.',
      labelNames: ['sink'],
      registers,
    });
    this.#connections = new Gauge({
      name: 'modstream_adapter_ws_connections',
      help: 'Open WebSocket connections to bots.',
      labelNames: ['transport'],
      registers,
    });
    this.#reconnects = new Counter({
      name: 'modstream_adapter_ws_reconnects_total',
      help: 'Forward WebSocket reconnection attempts.',
      registers,
    });
    this.#memberVerdicts = new Counter({
      name: 'modstream_member_verdicts_total',
      help: 'Member verdicts, by rule.',
      labelNames: ['rule'],
      registers,
    });
    this.#memberErrors = new Counter({
      name: 'modstream_member_errors_total',
      help: 'Member processing failures (the membership store failed), by operation.',
      labelNames: ['op'],
      registers,
    });
    this.#repaired = new Counter({
      name: 'modstream_adapter_repaired_total',
      help: 'Platform events (what="event") and member cards (what="card") that held lone UTF-16 surrogates, read with U+FFFD in their place.',
      labelNames: ['what'],
      registers,
    });
    this.#sweeps = new Histogram({
      name: 'modstream_member_sweep_duration_seconds',
      help: 'Member sweeps (departures, inactivity), by result.',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.#connections.labels('ws-reverse').set(0);
    this.#connections.labels('ws-forward').set(0);
    this.#dropped.labels('kafka').inc(0);
    this.#dropped.labels('embedded').inc(0);
  }

  event(transport: ReceiveTransport, outcome: string, reason = ''): void {
    this.#events.labels(transport, outcome, reason).inc();
  }
  authFailure(transport: ReceiveTransport, reason: string): void {
    this.#auth.labels(transport, reason).inc();
  }
  published(sink: string, n: number): void {
    this.#published.labels(sink).inc(n);
  }
  publishError(sink: string): void {
    this.#publishErrors.labels(sink).inc();
  }
  dropped(sink: string, n: number): void {
    this.#dropped.labels(sink).inc(n);
  }
  connection(transport: 'ws-reverse' | 'ws-forward', delta: 1 | -1): void {
    this.#connections.labels(transport).inc(delta);
  }
  reconnect(): void {
    this.#reconnects.inc();
  }
  memberVerdict(rule: string): void {
    this.#memberVerdicts.labels(rule).inc();
  }
  memberError(op: string): void {
    this.#memberErrors.labels(op).inc();
  }
  repaired(what: 'event' | 'card'): void {
    this.#repaired.labels(what).inc();
  }
  sweep(seconds: number, ok: boolean): void {
    this.#sweeps.labels(ok ? 'ok' : 'failed').observe(seconds);
  }
}

/** What happened to one verdict at the enforcer. */
export type EnforceOutcome =
  | 'acted'
  | 'partial'
  | 'failed'
  | 'dry_run'
  | 'duplicate'
  | 'ignored_platform'
  | 'no_action'
  | 'malformed'
  /** Still claimed by another instance after the wait: handed back for redelivery (EnforcementBusyError). */
  | 'busy';

/** An enforcer's metrics, on an injected registry. */
export class EnforcerMetrics {
  readonly #verdicts: Counter<'outcome'>;
  readonly #actions: Counter<'action' | 'result'>;
  readonly #retries: Counter<'action'>;
  readonly #duration: Histogram<'action'>;
  readonly #failures: Counter<'sink'>;
  readonly #failureErrors: Counter;
  readonly #sources: Gauge<'source'>;
  readonly #queue: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#verdicts = new Counter({
      name: 'modstream_enforcer_verdicts_total',
      help: 'Verdicts consumed, by outcome (acted, partial, failed, dry_run, duplicate, ignored_platform, no_action, malformed, busy).',
      labelNames: ['outcome'],
      registers,
    });
    this.#actions = new Counter({
      name: 'modstream_enforcer_actions_total',
      help: 'Platform API calls, by action and final result (after retries).',
      labelNames: ['action', 'result'],
      registers,
    });
    this.#retries = new Counter({
      name: 'modstream_enforcer_retries_total',
      help: 'Platform API calls retried after a failure.',
      labelNames: ['action'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'modstream_enforcer_api_duration_seconds',
      help: 'Platform API call latency (each attempt).',
      labelNames: ['action'],
      buckets: API_BUCKETS,
      registers,
    });
    this.#failures = new Counter({
      name: 'modstream_enforcer_failures_recorded_total',
      help: 'Failed actions recorded for a person to follow up, by sink (file, kafka).',
      labelNames: ['sink'],
      registers,
    });
    this.#failureErrors = new Counter({
      name: 'modstream_enforcer_failure_record_errors_total',
      help: 'Failures that could not even be recorded (logged at error level; the verdict is retried). Alert if > 0.',
      registers,
    });
    this.#sources = new Gauge({
      name: 'modstream_enforcer_source_connected',
      help: '1 while the verdict source (Kafka group, SSE stream) is connected.',
      labelNames: ['source'],
      registers,
    });
    this.#queue = new Gauge({
      name: 'modstream_enforcer_queue_depth',
      help: 'Verdicts received and waiting to be enforced.',
      registers,
    });
    for (const o of ['acted', 'failed', 'duplicate', 'dry_run'] as const) this.#verdicts.labels(o).inc(0);
    this.#failureErrors.inc(0);
  }

  verdict(outcome: EnforceOutcome): void {
    this.#verdicts.labels(outcome).inc();
  }
  action(action: string, ok: boolean): void {
    this.#actions.labels(action, ok ? 'ok' : 'failed').inc();
  }
  retry(action: string): void {
    this.#retries.labels(action).inc();
  }
  apiCall(action: string, seconds: number): void {
    this.#duration.labels(action).observe(seconds);
  }
  failureRecorded(sink: string): void {
    this.#failures.labels(sink).inc();
  }
  failureRecordError(): void {
    this.#failureErrors.inc();
  }
  source(source: string, connected: boolean): void {
    this.#sources.labels(source).set(connected ? 1 : 0);
  }
  queueDepth(n: number): void {
    this.#queue.set(n);
  }
}
