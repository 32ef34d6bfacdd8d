export type Mode = 'auto' | 'embedded' | 'kafka';

export interface ModstreamConfig {
  mode: Mode;
  http: {
    host: string;
    port: number;
    maxBodyBytes: number;
    requestTimeoutMs: number;
    sseMaxClients: number;
    sseBufferVerdicts: number;
    /** Message requests held at once (judging or waiting); beyond it 503 + Retry-After. */
    maxPendingRequests: number;
    /** Request body bytes held at once, all requests together; beyond it 503 + Retry-After. */
    maxQueuedBytes: number;
  };
  lexicons: { dirs: string[]; allow: string[]; watch: boolean };
  policy: { file: string | null; watch: boolean };
  limits: { maxRecordBytes: number; maxTextBytes: number; batchSize: number };
  state: { maxKeys: number };
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topics: { messages: string; verdicts: string; dlq: string };
    partitions: number;
    replicationFactor: number;
    ssl: boolean;
    sasl: {
      mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      username: string;
      password: string;
    } | null;
    compression: 'none' | 'gzip';
    maxBatchRecords: number;
    maxBytesPerPartition: number;
    partitionsConsumedConcurrently: number;
    sessionTimeoutMs: number;
    retries: number;
    /** Create missing topics at start-up (false on clusters where the client may not). */
    createTopics: boolean;
    /** Most bytes one fetch brings in, all partitions together (bounds an instance's memory). */
    maxBytes: number;
    /** DLQ values over this keep a truncated `raw` (keep it under the DLQ topic's max.message.bytes). */
    maxDlqValueBytes: number;
    /** kafkajs retries for connecting, producing and committing (broker-side trouble). */
    clientRetries: number;
    /** Backoff before judge retry n: min(retryBackoffMs · 2ⁿ, retryBackoffMaxMs). */
    retryBackoffMs: number;
    retryBackoffMaxMs: number;
  };
  redis: { url: string | null; keyPrefix: string; failMode: 'open' | 'closed'; commandTimeoutMs: number };
  metrics: { enabled: boolean; port: number; host: string };
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'; redact: boolean };
  /** Options for createDetectors (docs/detectors.md). */
  detectors: Record<string, unknown>;
  classifier: {
    enabled: boolean;
    dir: string | null;
    workers: number;
    batchSize: number;
    batchWindowMs: number;
    timeoutMs: number;
    queueMax: number;
    /** Default cascade mode: all | unmatched (only messages without a lexicon hit) | off | shadow. */
    mode: 'all' | 'unmatched' | 'off' | 'shadow';
    /** Per `platform:groupId` mode and label thresholds. */
    groups: Record<
      string,
      { mode?: 'all' | 'unmatched' | 'off' | 'shadow'; thresholds?: Record<string, number> }
    >;
    /** Label → rule overrides (merged over the model's defaults); null ignores a label. */
    labels: Record<string, { category?: string; threshold?: number; severity?: number } | null>;
  };
}

/** Deep-partial, for overrides from files, env and flags. */
export type ConfigInput = {
  [K in keyof ModstreamConfig]?: ModstreamConfig[K] extends object
    ? Partial<ModstreamConfig[K]> | ModstreamConfig[K]
    : ModstreamConfig[K];
};
