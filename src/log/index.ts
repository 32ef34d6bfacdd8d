export { createLogger, rateLimited, silentLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './logger.js';
