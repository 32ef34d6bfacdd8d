export { loadConfig, validateConfig, deepMerge, type LoadConfigOptions } from './load.js';
export { DEFAULT_CONFIG } from './defaults.js';
export { ENV_VARS, configFromEnv } from './env.js';
export type { ModstreamConfig, Mode } from './types.js';
