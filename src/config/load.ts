/**
 * The only reader of the config file and of process.env: YAML text → parseConfig → frozen config,
 * with data paths resolved against the config file's folder.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { type ConfigFile } from './schema.js';
import { ConfigError, parseConfig } from './parse.js';

/** A loaded config: the validated file, its folder, and a content hash used as the config version. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: ConfigFile;
  /** Resolves a path from the config against the config file's folder. */
  readonly resolvePath: (p: string) => string;
  /** sha256 of the file content, first 12 hex chars. */
  readonly version: string;
  /** Admin bearer token from the env var named by `admin.tokenEnv`; undefined (admin listener off) when unset or empty. */
  readonly adminToken?: string | undefined;
  /** PostgreSQL CDR store URL from the env var named by `cdr.sinks.postgres.urlEnv`; undefined when unset or empty. */
  readonly cdrPgUrl?: string | undefined;
  /** drachtio-server shared secret from the env var named by `sip.drachtio.secretEnv`; undefined when unset or empty. */
  readonly drachtioSecret?: string | undefined;
  /** The standard proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and lower-case forms) for feed downloads. */
  readonly proxyEnv?: Readonly<Record<(typeof PROXY_VARS)[number], string | undefined>> | undefined;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;

function pickProxyEnv(env: ConfigEnv): Record<(typeof PROXY_VARS)[number], string | undefined> {
  return Object.fromEntries(PROXY_VARS.map((k) => [k, env[k] || undefined])) as Record<(typeof PROXY_VARS)[number], string | undefined>;
}

/** Environment overrides honoured (documented in config/README.md). */
export interface ConfigEnv {
  readonly LOG_LEVEL?: string | undefined;
  readonly RMDGATE_MODE?: string | undefined;
  /** Secrets named by config (e.g. `admin.tokenEnv`) are read by name. */
  readonly [name: string]: string | undefined;
}

/** The config file named by the `CONFIG_FILE` environment variable (the commands' fallback for `--config`). */
export function configFileFromEnv(env: ConfigEnv = process.env): string | undefined {
  return env['CONFIG_FILE'] || undefined;
}

/** Default name of the env var holding the admin bearer token (`admin.tokenEnv`). */
export const ADMIN_TOKEN_ENV = 'RMDGATE_ADMIN_TOKEN';

/** The admin bearer token in the env var `name` (the CLI's admin commands without a config file); undefined when unset or empty. */
export function adminTokenFromEnv(name: string = ADMIN_TOKEN_ENV, env: ConfigEnv = process.env): string | undefined {
  return env[name] || undefined;
}

/** Reads, parses and validates a config file. Throws ConfigError (with every problem) or a read error. */
export async function loadConfig(file: string, env: ConfigEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read config file: ${(err as Error).message}` }], file);
  }
  return parseConfigText(text, file, env);
}

/** Parses config text (YAML) as loadConfig does; exported for tests and `rmdgate check`. */
export function parseConfigText(text: string, file: string, env: ConfigEnv = {}): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}:${e.linePos[0].col}` : '', message: yamlMessage(e.message) })), file);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([{ path: '', message: `YAML could not be expanded: ${(err as Error).message}` }], file);
  }
  const withEnv = applyEnv(raw, env);
  const config = parseConfig(withEnv, file);
  const base = dirname(resolve(file));
  const adminToken = env[config.admin.tokenEnv] || undefined;
  checkAdminToken(config, adminToken, file);
  return {
    file,
    config,
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(base, p)),
    version: createHash('sha256').update(text).digest('hex').slice(0, 12),
    adminToken,
    cdrPgUrl: env[config.cdr.sinks.postgres.urlEnv] || undefined,
    drachtioSecret: env[config.sip.drachtio.secretEnv] || undefined,
    proxyEnv: pickProxyEnv(env),
  };
}

/** The yaml library's message without its own location (the problem's path carries it) and the source excerpt. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Shortest admin bearer token accepted, in bytes (UTF-8): 32 random bytes, e.g. `openssl rand -hex 32` gives 64. */
export const MIN_ADMIN_TOKEN_BYTES = 32;

/**
 * A guessable admin token is refused before anything starts: with the admin listener on, the token set in
 * `admin.tokenEnv` must have {@link MIN_ADMIN_TOKEN_BYTES}. The message names the variable and the length, never the token.
 */
function checkAdminToken(config: ConfigFile, token: string | undefined, file: string): void {
  if (config.admin.listen === false || token === undefined) return;
  const bytes = Buffer.byteLength(token, 'utf8');
  if (bytes >= MIN_ADMIN_TOKEN_BYTES) return;
  const message = `the bearer token in ${config.admin.tokenEnv} is ${bytes} bytes; at least ${MIN_ADMIN_TOKEN_BYTES} are required (e.g. openssl rand -hex 32)`;
  throw new ConfigError([{ path: 'admin.tokenEnv', message }], file);
}

function applyEnv(raw: unknown, env: ConfigEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.LOG_LEVEL) out['log'] = { ...((out['log'] as object | undefined) ?? {}), level: env.LOG_LEVEL };
  if (env.RMDGATE_MODE) out['mode'] = env.RMDGATE_MODE;
  return out;
}
