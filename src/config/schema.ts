/**
 * The configuration schema: one YAML file (--config) plus MODSTREAM_* environment variables, validated once
 * at start-up. Every key, its default and its unit is listed in docs/configuration.md; keep them in step.
 */
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
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        maxBodyBytes: { type: 'integer', minimum: 1024 },
        requestTimeoutMs: { type: 'integer', minimum: 100 },
        sseMaxClients: { type: 'integer', minimum: 1 },
        sseBufferVerdicts: { type: 'integer', minimum: 1 },
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
        maxRecordBytes: { type: 'integer', minimum: 256 },
        maxTextBytes: { type: 'integer', minimum: 16 },
        batchSize: { type: 'integer', minimum: 1, maximum: 100000 },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxKeys: { type: 'integer', minimum: 100 },
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
        partitions: { type: 'integer', minimum: 1 },
        replicationFactor: { type: 'integer', minimum: 1 },
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
        maxBatchRecords: { type: 'integer', minimum: 1 },
        maxBytesPerPartition: { type: 'integer', minimum: 1024 },
        partitionsConsumedConcurrently: { type: 'integer', minimum: 1 },
        sessionTimeoutMs: { type: 'integer', minimum: 1000 },
        retries: { type: 'integer', minimum: 0, maximum: 20 },
      },
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: ['string', 'null'] },
        keyPrefix: { type: 'string' },
        failMode: { enum: ['open', 'closed'] },
        commandTimeoutMs: { type: 'integer', minimum: 10 },
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
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
        workers: { type: 'integer', minimum: 1, maximum: 64 },
        batchSize: { type: 'integer', minimum: 1, maximum: 1024 },
        batchWindowMs: { type: 'number', minimum: 0 },
        timeoutMs: { type: 'number', minimum: 1 },
        queueMax: { type: 'integer', minimum: 1 },
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
              severity: { type: 'integer', minimum: 0, maximum: 5 },
            },
          },
        },
      },
    },
  },
} as const;
