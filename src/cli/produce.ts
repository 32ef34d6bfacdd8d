import type { ModstreamConfig } from '../config/types.js';
import { ConfigError } from '../contracts/errors.js';
import { createLogger } from '../log/logger.js';
import { generateMessages, produceMessages } from '../transport/kafka/index.js';
import { intFlag, type Flags } from './args.js';

/**
 * `modstream produce`: loads a JSONL file (`--input FILE`, lines sent as they are — bad lines too, to try
 * the DLQ) or generates `--generate N` messages, into Kafka at `--rate` messages/s (0 = as fast as acked).
 */
export async function runProduce(config: ModstreamConfig, flags: Flags): Promise<number> {
  if (config.kafka.brokers.length === 0) {
    throw new ConfigError(
      'USAGE',
      '--brokers',
      'is required (or KAFKA_BROKERS / kafka.brokers in the config)',
    );
  }
  const input = flags.input as string | undefined;
  const generate = intFlag(flags, 'generate');
  if (!input && generate === undefined)
    throw new ConfigError('USAGE', '', 'give --input FILE or --generate N');
  const rate = flags.rate === undefined ? 0 : Number(flags.rate);
  if (!Number.isFinite(rate) || rate < 0) throw new ConfigError('USAGE', '--rate', 'must be a number >= 0');
  const logger = createLogger({ level: config.log.level, redact: config.log.redact });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const source = input
    ? input
    : generateMessages({
        seed: intFlag(flags, 'seed') ?? 1,
        count: generate,
        groups: intFlag(flags, 'groups') ?? 20,
        users: intFlag(flags, 'users') ?? 200,
      });
  let last = 0;
  const result = await produceMessages({
    brokers: config.kafka.brokers,
    topic: (flags.topic as string | undefined) ?? config.kafka.topics.messages,
    source,
    ratePerSec: rate,
    clientId: `${config.kafka.clientId}-produce`,
    ssl: config.kafka.ssl,
    sasl: config.kafka.sasl,
    compression: config.kafka.compression,
    createTopic: { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor },
    logger: logger.child({ component: 'produce' }),
    signal: controller.signal,
    onProgress: (sent) => {
      if (sent - last >= 10_000) {
        last = sent;
        process.stderr.write(`  ${sent} sent\n`);
      }
    },
  });
  process.stderr.write(
    `modstream produce: ${result.sent} messages in ${(result.elapsedMs / 1000).toFixed(2)} s (${Math.round(result.ratePerSec)}/s)\n`,
  );
  return 0;
}
