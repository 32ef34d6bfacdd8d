import { unwatchFile, watchFile } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import type { Verdict } from '../../contracts/types.js';
import { rateLimited, silentLogger, type Logger } from '../../log/logger.js';
import { MemberEventDecoder } from '../../members/decode.js';
import { MemberMonitor, releasingDelivery } from '../../members/monitor.js';
import { normalizeEmployee } from '../../members/roster.js';
import { readRosterFile } from '../../members/roster-file.js';
import type { CompiledMemberRules } from '../../members/rules.js';
import type { MemberStore } from '../../members/store.js';
import { MemberSweeper } from '../../members/sweeper.js';
import { MemberDeliveryError } from '../../members/verdicts.js';
import { VerdictHub } from '../../transport/embedded/verdict-hub.js';
import { ChatAdapter } from '../adapter.js';
import type { BackoffOptions } from '../backoff.js';
import { Enforcer } from '../enforcer.js';
import type { FailureSink } from '../failures.js';
import type { IdempotencyStore } from '../idempotency.js';
import type { AdapterMetrics, EnforcerMetrics } from '../metrics.js';
import { BatchingPublisher } from '../publisher.js';
import {
  EmbeddedMessageSink,
  KafkaSink,
  KafkaVerdictSink,
  type MessageSink,
  type VerdictSink,
} from '../sinks.js';
import type { VerdictSource } from '../verdict-sources.js';
import { OneBotApiClient } from './api-client.js';
import type { Credentials } from './auth.js';
import { OneBotEnforcement } from './enforcement.js';
import { ForwardWebSocket } from './forward-ws.js';
import { OneBotEventMapper } from './map-event.js';
import { OneBotMemberSync } from './member-sync.js';
import { OneBotReceiver } from './receiver.js';

export type AdapterOutput =
  /** The embedded runner (`modstream run`): POST <url>/v1/messages. Member verdicts: SSE on --listen. */
  | { kind: 'embedded'; url: string }
  /** Kafka: messages to `topic`; member verdicts to `verdictsTopic`. */
  | { kind: 'kafka'; kafka: Kafka; topic: string; verdictsTopic: string };

export interface OneBotAdapterServiceOptions {
  platform?: string;
  /** HTTP POST events, reverse WebSocket, member events API and member verdict stream. */
  listen?: { host: string; port: number } | null;
  /** Forward WebSocket URLs (we connect to the bots). */
  connect?: readonly string[];
  credentials: Credentials;
  output: AdapterOutput;
  /** Member rules; null turns them off (member notices are then counted and ignored). */
  members?: {
    store: MemberStore;
    rules: CompiledMemberRules;
    /** An HR roster export, loaded at start, again when it changes on disk, and on reloadRoster(). */
    rosterFile?: string | null;
    /** Default 15 minutes. */
    sweepIntervalMs?: number;
    /** Member lists from the bot's HTTP API (--sync-members). */
    sync?: { api: OneBotApiClient; intervalMs?: number; groups?: readonly string[] | null } | null;
  } | null;
  metrics?: AdapterMetrics | null;
  logger?: Logger;
  /** Forward WebSocket reconnect backoff (tests shorten it). */
  reconnectBackoff?: BackoffOptions;
  /** Delivery retries (tests shorten them). */
  publishBackoff?: BackoffOptions;
}

export interface OneBotAdapterService {
  adapter: ChatAdapter;
  /** Where --listen ended up (port 0 picks one). */
  address: AddressInfo | null;
  receiver: OneBotReceiver | null;
  forward: ForwardWebSocket[];
  /** Member verdicts as they are produced (in-process subscribers; the SSE stream). */
  memberVerdicts: VerdictHub;
  monitor: MemberMonitor | null;
  sweeper: MemberSweeper | null;
  sync: OneBotMemberSync | null;
  /** Loads the roster file again (SIGHUP). */
  reloadRoster(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `modstream adapter onebot`, assembled: receivers (HTTP POST, reverse WebSocket, forward WebSockets) →
 * the OneBot mapper → messages to Kafka or the embedded runner; member notices, message senders and the
 * roster → the member monitor → member verdicts to the verdicts topic (Kafka) or the SSE stream.
 */
export async function startOneBotAdapter(o: OneBotAdapterServiceOptions): Promise<OneBotAdapterService> {
  const logger = o.logger ?? silentLogger();
  const metrics = o.metrics ?? null;
  const platform = o.platform ?? 'qq';
  const hub = new VerdictHub();

  let messageSink: MessageSink;
  let verdictSink: VerdictSink | null = null;
  if (o.output.kind === 'kafka') {
    const messages = new KafkaSink({ kafka: o.output.kafka, topic: o.output.topic });
    await messages.connect();
    messageSink = messages;
    if (o.members) {
      const verdicts = new KafkaVerdictSink({ kafka: o.output.kafka, topic: o.output.verdictsTopic });
      await verdicts.connect();
      verdictSink = verdicts;
    }
  } else {
    messageSink = new EmbeddedMessageSink({ url: o.output.url });
    if (o.members && !o.listen)
      logger.warn(
        'member verdicts are served on --listen (GET /v1/verdicts); without it they are only logged',
      );
  }
  const publisher = new BatchingPublisher({
    sink: messageSink,
    metrics,
    logger: logger.child({ component: 'publisher' }),
    backoff: o.publishBackoff,
  });

  let monitor: MemberMonitor | null = null;
  // The plain send: the adapter and the sweeper wrap it in releasingDelivery themselves.
  let deliver: ((verdicts: Verdict[]) => Promise<void>) | null = null;
  if (o.members) {
    const m = new MemberMonitor({
      store: o.members.store,
      rules: o.members.rules,
      logger: logger.child({ component: 'members' }),
      hooks: {
        onVerdict: (rule) => metrics?.memberVerdict(rule),
        onRejected: () => metrics?.memberError('rejected'),
        onRepaired: (what) => metrics?.repaired(what),
      },
    });
    monitor = m;
    // Delivered means produced to the verdicts topic (Kafka), then streamed. A verdict that could not be
    // produced is released by whoever delivers (ChatAdapter, MemberSweeper, the roster reload below, each
    // through releasingDelivery: its "reported" mark, card check or idle-queue place given back), so the
    // next event, sweep or retry of the same HR request makes it again; the failure is a MemberDeliveryError.
    deliver = async (verdicts) => {
      await verdictSink?.send(verdicts);
      for (const v of verdicts) {
        hub.publish(v);
        logger.info(
          { messageId: v.messageId, action: v.action, rule: v.reasons[0]?.rule, dryRun: v.dryRun },
          'member verdict',
        );
      }
    };
    await monitor
      .refreshRoster()
      .catch((e: unknown) => logger.warn({ err: e }, 'roster not loaded from the store yet'));
  }

  const repairLog = rateLimited(10);
  const adapter = new ChatAdapter({
    mapper: new OneBotEventMapper({
      platform,
      // Lone surrogates are replaced, never silently: every event that had some is logged (rate-limited).
      onRepaired: ({ post_type, id, fields }) => {
        metrics?.repaired('event');
        const gate = repairLog();
        if (gate.ok)
          logger.warn(
            { postType: post_type, id, fields, suppressed: gate.suppressed || undefined },
            'event had lone UTF-16 surrogates; replaced with U+FFFD',
          );
      },
    }),
    publisher,
    members: monitor && deliver ? { monitor, deliver } : null,
    metrics,
    logger,
  });

  let receiver: OneBotReceiver | null = null;
  let address: AddressInfo | null = null;
  if (o.listen) {
    receiver = new OneBotReceiver({
      adapter,
      credentials: o.credentials,
      host: o.listen.host,
      port: o.listen.port,
      memberEvents: monitor ? new MemberEventDecoder() : null,
      verdicts: monitor ? hub : null,
      metrics,
      logger: logger.child({ component: 'receiver' }),
    });
    address = await receiver.listen();
  }
  const forward = (o.connect ?? []).map(
    (url) =>
      new ForwardWebSocket({
        url,
        accessToken: o.credentials.accessToken,
        adapter,
        metrics,
        logger: logger.child({ component: 'forward-ws' }),
        backoff: o.reconnectBackoff,
      }),
  );
  for (const f of forward) f.start();

  const rosterFile = o.members?.rosterFile ?? null;
  const deliverRosterFindings = monitor && deliver ? releasingDelivery(monitor, deliver, logger) : null;
  const reloadRoster = async () => {
    if (!rosterFile || !monitor || !deliverRosterFindings) return;
    const employees = (await readRosterFile(rosterFile)).map((e) =>
      normalizeEmployee(e, monitor!.rules.utcOffsetMinutes),
    );
    const verdicts = await monitor.updateRoster(employees, true);
    let delivered = true;
    if (verdicts.length > 0)
      // The roster is loaded either way; undelivered findings were released for the next sweep (and
      // logged by the delivery when even that failed).
      delivered = await deliverRosterFindings(verdicts).then(
        () => true,
        (e: unknown) => {
          if (e instanceof MemberDeliveryError) return false;
          throw e;
        },
      );
    logger.info(
      { file: rosterFile, employees: employees.length, verdicts: verdicts.length, delivered },
      delivered
        ? 'roster file loaded'
        : 'roster file loaded; its verdicts could not be delivered, the next sweep makes them again',
    );
  };
  if (rosterFile) {
    await reloadRoster();
    watchFile(rosterFile, { interval: 30_000, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs)
        reloadRoster().catch((e: unknown) =>
          logger.error({ err: e, file: rosterFile }, 'roster reload failed; keeping the previous roster'),
        );
    });
  }

  let sweeper: MemberSweeper | null = null;
  let sync: OneBotMemberSync | null = null;
  if (monitor && deliver) {
    sweeper = new MemberSweeper({
      monitor,
      deliver,
      intervalMs: o.members!.sweepIntervalMs,
      logger: logger.child({ component: 'sweeper' }),
      onSweep: (s, _n, ok) => metrics?.sweep(s, ok),
    });
    sweeper.start();
    const s = o.members!.sync;
    if (s) {
      sync = new OneBotMemberSync({
        api: s.api,
        adapter,
        platform,
        intervalMs: s.intervalMs,
        groups: s.groups,
        logger: logger.child({ component: 'member-sync' }),
      });
      sync.start();
    }
  }

  return {
    adapter,
    address,
    receiver,
    forward,
    memberVerdicts: hub,
    monitor,
    sweeper,
    sync,
    reloadRoster,
    async close() {
      if (rosterFile) unwatchFile(rosterFile);
      await sync?.stop();
      await sweeper?.stop();
      await Promise.all(forward.map((f) => f.stop()));
      await receiver?.close();
      await adapter.close();
      await verdictSink?.close();
      await o.members?.store.close();
    },
  };
}

export interface OneBotEnforcerServiceOptions {
  /** The bot's HTTP API. */
  api: { baseUrl: string; accessToken?: string | null; timeoutMs?: number };
  platform?: string;
  adminGroupId?: string | null;
  adminUserIds?: readonly string[];
  warnNotice?: boolean;
  notifyOnReview?: boolean;
  cardFormatLabel?: string;
  sources: readonly VerdictSource[];
  idempotency: IdempotencyStore;
  failures: FailureSink;
  retries?: number;
  backoff?: BackoffOptions;
  dryRun?: boolean;
  metrics?: EnforcerMetrics | null;
  logger?: Logger;
}

export interface OneBotEnforcerService {
  enforcer: Enforcer;
  close(): Promise<void>;
}

/** `modstream enforce onebot`, assembled: verdict sources → the enforcer → the bot's HTTP API. */
export async function startOneBotEnforcer(o: OneBotEnforcerServiceOptions): Promise<OneBotEnforcerService> {
  const logger = o.logger ?? silentLogger();
  const api = new OneBotApiClient({
    ...o.api,
    onCall: (action, seconds) => o.metrics?.apiCall(action, seconds),
  });
  const enforcer = new Enforcer({
    enforcement: new OneBotEnforcement({
      api,
      platform: o.platform,
      adminGroupId: o.adminGroupId,
      adminUserIds: o.adminUserIds,
      warnNotice: o.warnNotice,
      notifyOnReview: o.notifyOnReview,
      cardFormatLabel: o.cardFormatLabel,
    }),
    idempotency: o.idempotency,
    failures: o.failures,
    metrics: o.metrics,
    logger,
    retries: o.retries,
    backoff: o.backoff,
    dryRun: o.dryRun,
  });
  const deliver = async (v: Verdict) => {
    await enforcer.enforce(v);
  };
  for (const s of o.sources) await s.start(deliver);
  return {
    enforcer,
    async close() {
      for (const s of o.sources) await s.stop();
      await o.failures.close();
      await o.idempotency.close();
    },
  };
}
