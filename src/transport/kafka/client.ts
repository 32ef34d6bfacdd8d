import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaSettings } from './config.js';
import { kafkajsLogCreator, type TransportLogger } from './logger.js';

export type KafkaClientSettings = Pick<
  KafkaSettings,
  'brokers' | 'clientId' | 'ssl' | 'sasl' | 'clientRetries' | 'connectionTimeoutMs' | 'requestTimeoutMs'
>;

/** A kafkajs client configured once from the resolved settings; its logs go to our logger. */
export function createKafkaClient(settings: KafkaClientSettings, logger: TransportLogger): Kafka {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ssl: settings.ssl,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { retries: settings.clientRetries, initialRetryTime: 300, maxRetryTime: 30_000 },
    logLevel: logLevel.INFO,
    logCreator: kafkajsLogCreator(logger),
  };
  if (settings.sasl) config.sasl = settings.sasl as SASLOptions;
  return new Kafka(config);
}
