import type { Verdict } from '../contracts/types.js';
import { rateLimited, silentLogger, type Logger } from '../log/logger.js';
import { releasingDelivery, type MemberMonitor } from '../members/monitor.js';
import type { MemberEvent, MemberObservation } from '../members/types.js';
import { MemberDeliveryError } from '../members/verdicts.js';
import type { AdapterMetrics, ReceiveTransport } from './metrics.js';
import type { MappedEvent, PlatformEventMapper } from './platform.js';
import type { BatchingPublisher } from './publisher.js';

export interface ChatAdapterOptions {
  mapper: PlatformEventMapper;
  /** Message delivery (Kafka or the embedded runner). */
  publisher: BatchingPublisher;
  /**
   * Member rules: the monitor, and where its verdicts go (the plain send). Absent: member notices are
   * counted and ignored. A verdict claims its "reported" mark, card check or idle-queue place when it is
   * made; the adapter wraps `deliver` in releasingDelivery (members/monitor.ts), which gives the claim back
   * when delivery fails, so the next event makes the verdict again (the failure: a MemberDeliveryError).
   */
  members?: { monitor: MemberMonitor; deliver: (verdicts: Verdict[]) => void | Promise<void> } | null;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Observations gathered before one membership store call. Default 50 ms / 500. */
  observeLingerMs?: number;
  observeBatch?: number;
  /**
   * Message ids remembered to drop repeats (a bot configured with two connections, or re-pushing after a
   * reconnect, delivers the same message twice; a repeat would count twice against flood limits). Default
   * 10 000; 0 turns it off.
   */
  recentMessageIds?: number;
  /** Member work items waiting at most (the store is slow or down); beyond, observations are dropped (counted). Default 10 000. */
  maxMemberBacklog?: number;
}

export type IngestOutcome = MappedEvent['kind'] | 'bad_json';

/**
 * The platform-neutral middle of an adapter: raw events in (from any receiver), mapped by the platform's
 * mapper, messages out to the publisher, membership to the member monitor. Member work runs in one
 * ordered chain (a join is stored before the message that follows it), off the message path: a slow or
 * failing membership store never delays messages. Nothing here throws; every outcome is counted.
 */
export class ChatAdapter {
  readonly mapper: PlatformEventMapper;
  readonly #publisher: BatchingPublisher;
  readonly #members: { monitor: MemberMonitor; deliver: (verdicts: Verdict[]) => Promise<void> } | null;
  readonly #metrics: AdapterMetrics | null;
  readonly #logger: Logger;
  readonly #lingerMs: number;
  readonly #observeBatch: number;
  readonly #maxBacklog: number;
  readonly #logGate = rateLimited(10);
  readonly #recent = new Set<string>();
  readonly #recentMax: number;
  #chain: Promise<void> = Promise.resolve();
  #backlog = 0;
  #observations: MemberObservation[] = [];
  #observeTimer: NodeJS.Timeout | null = null;

  constructor(o: ChatAdapterOptions) {
    this.mapper = o.mapper;
    this.#publisher = o.publisher;
    this.#metrics = o.metrics ?? null;
    this.#logger = o.logger ?? silentLogger();
    this.#members = o.members
      ? {
          monitor: o.members.monitor,
          deliver: releasingDelivery(o.members.monitor, o.members.deliver, this.#logger),
        }
      : null;
    this.#lingerMs = o.observeLingerMs ?? 50;
    this.#observeBatch = o.observeBatch ?? 500;
    this.#maxBacklog = o.maxMemberBacklog ?? 10_000;
    this.#recentMax = o.recentMessageIds ?? 10_000;
  }

  /** One event as received: JSON text or bytes, or an already parsed value. */
  ingest(raw: string | Buffer | object, transport: ReceiveTransport): IngestOutcome {
    let value: unknown = raw;
    if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
      try {
        value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
      } catch (e) {
        this.#metrics?.event(transport, 'bad_json');
        this.#warn({ transport, err: (e as Error).message }, 'event is not valid JSON; ignored');
        return 'bad_json';
      }
    }
    let mapped = this.mapper.map(value);
    if (mapped.kind === 'message' && this.#seen(mapped.message.id))
      mapped = { kind: 'ignored', reason: 'duplicate' };
    this.#metrics?.event(
      transport,
      mapped.kind,
      mapped.kind === 'message' || mapped.kind === 'member' ? '' : mapped.reason,
    );
    switch (mapped.kind) {
      case 'message':
        this.#publisher.push(mapped.message);
        if (this.#members) this.#observe(mapped.observation);
        break;
      case 'member':
        if (this.#members) this.#memberEvents([mapped.event], 'notice');
        break;
      case 'malformed':
        this.#warn(
          { transport, field: mapped.reason },
          `malformed ${this.mapper.platform} event (${mapped.reason}); ignored`,
        );
        break;
      case 'unknown':
        this.#warn(
          { transport, field: mapped.reason },
          `unknown ${this.mapper.platform} event (${mapped.reason}); ignored`,
        );
        break;
      default:
        break;
    }
    return mapped.kind;
  }

  /**
   * Member events from elsewhere (an HR roster feed, another system), already validated; resolves with the
   * verdicts they produced once delivered. Rejects when the membership store failed.
   */
  handleMemberEvents(events: readonly MemberEvent[]): Promise<Verdict[]> {
    if (!this.#members) return Promise.reject(new Error('member rules are off in this adapter'));
    return this.#memberEvents(events, 'api', true);
  }

  /** A group's full member list (member sync); resolves with the verdicts once delivered. */
  syncGroup(
    platform: string,
    groupId: string,
    observations: readonly MemberObservation[],
  ): Promise<Verdict[]> {
    if (!this.#members) return Promise.reject(new Error('member rules are off in this adapter'));
    this.#flushObservations();
    const members = this.#members;
    return this.#enqueue(
      async () => {
        const verdicts = await members.monitor.syncGroup(platform, groupId, observations);
        if (verdicts.length > 0) await members.deliver(verdicts);
        return verdicts;
      },
      'sync',
      true,
    );
  }

  /** Waits for queued member work and message deliveries. */
  async flush(): Promise<void> {
    this.#flushObservations();
    await this.#chain;
    await this.#publisher.flush();
  }

  async close(): Promise<void> {
    this.#flushObservations();
    await this.#chain;
    await this.#publisher.close();
  }

  /** True when this message id was seen recently; remembers it otherwise (oldest forgotten first). */
  #seen(id: string): boolean {
    if (this.#recentMax <= 0) return false;
    if (this.#recent.has(id)) return true;
    this.#recent.add(id);
    if (this.#recent.size > this.#recentMax) this.#recent.delete(this.#recent.values().next().value!);
    return false;
  }

  #observe(o: MemberObservation): void {
    if (this.#backlog >= this.#maxBacklog) {
      this.#metrics?.memberError('backlog');
      return;
    }
    this.#observations.push(o);
    if (this.#observations.length >= this.#observeBatch) this.#flushObservations();
    else this.#observeTimer ??= setTimeout(() => this.#flushObservations(), this.#lingerMs);
  }

  #flushObservations(): void {
    if (this.#observeTimer !== null) clearTimeout(this.#observeTimer);
    this.#observeTimer = null;
    if (this.#observations.length === 0) return;
    const batch = this.#observations;
    this.#observations = [];
    const members = this.#members!;
    void this.#enqueue(async () => {
      const verdicts = await members.monitor.observe(batch);
      if (verdicts.length > 0) await members.deliver(verdicts);
    }, 'observe');
  }

  #memberEvents(events: readonly MemberEvent[], op: string, rethrow = false): Promise<Verdict[]> {
    this.#flushObservations(); // what was seen before this event is stored before it
    const members = this.#members!;
    return this.#enqueue(
      async () => {
        const verdicts = await members.monitor.handle(events);
        if (verdicts.length > 0) await members.deliver(verdicts);
        return verdicts;
      },
      op,
      rethrow,
    );
  }

  #enqueue<T>(job: () => Promise<T>, op: string, rethrow = false): Promise<T> {
    this.#backlog++;
    const run = this.#chain.then(job);
    this.#chain = run.then(
      () => {
        this.#backlog--;
      },
      (e: unknown) => {
        this.#backlog--;
        this.#metrics?.memberError(op);
        // Undelivered verdicts were logged by releasingDelivery already (with their ids).
        if (!(e instanceof MemberDeliveryError))
          this.#logger.error({ err: e, op }, 'member processing failed');
      },
    );
    if (rethrow) return run;
    return run.catch(() => undefined as T);
  }

  #warn(fields: object, message: string): void {
    const gate = this.#logGate();
    if (gate.ok) this.#logger.warn({ ...fields, suppressed: gate.suppressed || undefined }, message);
  }
}
