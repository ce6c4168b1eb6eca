/**
 * The config: its schema (zod, the reference of every key), loading (the only reader of the config file and of
 * process.env), conversion into the screening core's inputs, and hot reload.
 */
export { toConfigJsonSchema } from './json-schema.js';
export { ADMIN_TOKEN_ENV, MIN_ADMIN_TOKEN_BYTES, adminTokenFromEnv, configFileFromEnv, loadConfig, parseConfigText, type ConfigEnv, type LoadedConfig } from './load.js';
export { useEnvironmentCopy } from './process-env.js';
export { createConfigReloader, problemsOf, withRunningValues, type ConfigReloader, type ReloadMetrics, type ReloadResult } from './reloader.js';
export { ConfigError, parseConfig, type ConfigProblem } from './parse.js';
export type { ConfigFile } from './schema.js';
export { toCallingNumberSettings, toEmergency, toPolicy, toProviders, toReasonSettings, toTrunks } from './to-world-inputs.js';
export { configWarnings, isLoopbackAddress } from './warnings.js';
