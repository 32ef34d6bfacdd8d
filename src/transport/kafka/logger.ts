import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';

/** The pino-like subset the transport logs through (a pino Logger fits). */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentTransportLogger: TransportLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * Routes kafkajs' own logging into ours. kafkajs logs every broker error response at ERROR, including the
 * retriable ones it handles itself (a coordinator still loading, a leader moving); those become warnings.
 * Failures that matter surface as rejected calls, which the processor logs as errors with context.
 * kafkajs INFO and DEBUG go to our debug level.
 */
export function kafkajsLogCreator(logger: TransportLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { component: 'kafkajs', namespace, ...extra };
      switch (level) {
        case KafkaLogLevel.ERROR:
          if (namespace === 'Connection' || /retri|restart/i.test(String(message)))
            logger.warn(fields, message);
          else logger.error(fields, message);
          break;
        case KafkaLogLevel.WARN:
          // Expected where a caller's kafkajs client has an idempotent producer with bounded retries (ours
          // are not idempotent: processor.ts says why).
          if (String(message).startsWith('Limiting retries for the idempotent producer'))
            logger.debug(fields, message);
          else logger.warn(fields, message);
          break;
        default:
          // kafkajs INFO is per-connection chatter; the processor logs joins and assignments itself.
          logger.debug(fields, message);
      }
    };
}
