/**
 * The configuration schema: one YAML file (--config) plus MODSTREAM_* environment variables, validated once
 * at start-up. Every key, its default and its unit is listed in docs/configuration.md; keep them in step.
 *
 * Numbers: validated with Ajv's strictNumbers (load.ts), so YAML's `.inf` / `.nan` are rejected; every
 * integer is at most INT32_MAX (2147483647): Node runs a timer longer than that after 1 ms (a Redis command
 * timeout of 3e9 ms would fail every command), and Kafka sends counts and sizes as 32-bit integers.
 * Millisecond settings are integers.
 */
export const INT32_MAX = 2_147_483_647;

/** An integer setting from `minimum` to `maximum` (default INT32_MAX); the policy schema uses it too. */
export const int = (minimum: number, maximum: number = INT32_MAX) =>
  ({ type: 'integer', minimum, maximum }) as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['auto', 'embedded', 'kafka'] },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: int(0, 65535),
        maxBodyBytes: int(1024),
        requestTimeoutMs: int(100),
        sseMaxClients: int(1),
        sseBufferVerdicts: int(1),
        maxPendingRequests: int(1),
        maxQueuedBytes: int(1024),
      },
    },
    lexicons: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dirs: { type: 'array', items: { type: 'string', minLength: 1 } },
        allow: { type: 'array', items: { type: 'string', minLength: 1 } },
        watch: { type: 'boolean' },
      },
    },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        file: { type: ['string', 'null'] },
        watch: { type: 'boolean' },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxRecordBytes: int(256),
        maxTextBytes: int(16),
        batchSize: int(1, 100000),
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxKeys: int(100),
      },
    },
    kafka: {
      type: 'object',
      additionalProperties: false,
      properties: {
        brokers: { type: 'array', items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' } },
        clientId: { type: 'string', minLength: 1 },
        groupId: { type: 'string', minLength: 1 },
        topics: {
          type: 'object',
          additionalProperties: false,
          properties: {
            messages: { type: 'string', minLength: 1 },
            verdicts: { type: 'string', minLength: 1 },
            dlq: { type: 'string', minLength: 1 },
          },
        },
        partitions: int(1),
        replicationFactor: int(1),
        ssl: { type: 'boolean' },
        sasl: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['mechanism', 'username', 'password'],
          properties: {
            mechanism: { enum: ['plain', 'scram-sha-256', 'scram-sha-512'] },
            username: { type: 'string' },
            password: { type: 'string' },
          },
        },
        compression: { enum: ['none', 'gzip'] },
        maxBatchRecords: int(1),
        maxBytesPerPartition: int(1024),
        partitionsConsumedConcurrently: int(1),
        sessionTimeoutMs: int(1000),
        retries: int(0, 20),
        createTopics: { type: 'boolean' },
        maxBytes: int(1024),
        maxDlqValueBytes: int(4096), // the transport needs room for the record around a truncated raw
        clientRetries: int(0, 20),
        retryBackoffMs: int(0),
        retryBackoffMaxMs: int(0),
      },
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: ['string', 'null'] },
        keyPrefix: { type: 'string' },
        failMode: { enum: ['open', 'closed'] },
        commandTimeoutMs: int(10),
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        port: int(0, 65535),
        host: { type: 'string', minLength: 1 },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
        redact: { type: 'boolean' },
      },
    },
    detectors: {
      type: 'object',
      description: 'Passed to createDetectors(); see docs/detectors.md.',
    },
    classifier: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        dir: { type: ['string', 'null'] },
        workers: int(1, 64),
        batchSize: int(1, 1024),
        batchWindowMs: int(0),
        timeoutMs: int(1),
        queueMax: int(1),
        mode: { enum: ['all', 'unmatched', 'off', 'shadow'] },
        groups: {
          type: 'object',
          description: 'Per "platform:groupId": { mode?, thresholds?: { label: 0..1 } }',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              mode: { enum: ['all', 'unmatched', 'off', 'shadow'] },
              thresholds: {
                type: 'object',
                additionalProperties: { type: 'number', minimum: 0, maximum: 1 },
              },
            },
          },
        },
        labels: {
          type: 'object',
          description: 'Label → { category, threshold, severity } or null to ignore the label.',
          additionalProperties: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: {
              category: {
                enum: [
                  'illegal',
                  'porn',
                  'violence',
                  'gambling',
                  'political',
                  'ads',
                  'phishing',
                  'abuse',
                  'rumor',
                  'privacy',
                  'secret',
                  'flood',
                ],
              },
              threshold: { type: 'number', minimum: 0, maximum: 1 },
              severity: int(0, 5),
            },
          },
        },
      },
    },
  },
} as const;
