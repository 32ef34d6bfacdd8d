export {
  createLogger,
  createRejectedRecordLog,
  errorCode,
  rateLimited,
  scrubContent,
  silentLogger,
  REDACT_PATHS,
  type Logger,
  type LoggerOptions,
  type RejectedRecord,
} from './logger.js';
