/**
 * Config hot reload (SIGHUP, config file change, admin endpoint): read and validate the whole file, then hand it to
 * whoever applies it (the feed system, which swaps config and data in one world). On any error the running config
 * stays; every problem is logged (one error line; a stack only for an unexpected error, at debug) and counted. `log.level`
 * applies at once; keys that need a restart (listeners, CDR, state dir) are reported and not applied.
 */
import type { Logger } from '../screening/index.js';
import type { ConfigFile } from './schema.js';

/** The outcome of one reload. */
export interface ReloadResult {
  readonly ok: boolean;
  /** Config version in force after the reload (the previous one when it failed). */
  readonly configVersion: string;
  readonly previousVersion: string;
  /** Changed keys that need a restart; their running values were kept. */
  readonly restartRequired: readonly string[];
  /** Every problem found (empty when ok). */
  readonly problems: readonly string[];
}

/** A freshly read config file. */
export interface LoadedCandidate {
  readonly config: ConfigFile;
  readonly version: string;
}

/** Config reload metrics (`rmdgate_config_*`). */
export interface ReloadMetrics {
  /** The config with this version (content hash) is in force: at start and after each successful reload. */
  configInForce(version: string): void;
  /** A reload attempt finished; on failure the running config stays. */
  reloaded(result: 'success' | 'failure'): void;
}

/** Collaborators of the reloader. */
export interface ConfigReloaderDeps {
  /** Reads and validates the config file; throws (a ConfigError lists `problems`). */
  readonly load: () => Promise<LoadedCandidate>;
  /** Applies a validated config (restart-only keys already reset to running values); throws, changing nothing, on failure. */
  readonly apply: (config: ConfigFile, version: string) => Promise<void>;
  /** The version of the config in force. */
  readonly currentVersion: () => string;
  /** The config the process started with: listeners and other restart-only values come from here. */
  readonly running: ConfigFile;
  readonly log: Logger;
  readonly metrics: ReloadMetrics;
  /** Sets the running logger's level (`log.level` applies on reload); called after a successful apply. */
  readonly setLogLevel?: ((level: ConfigFile['log']['level']) => void) | undefined;
}

/** The reloader: `reload()` calls are serialised; each resolves with its own result and never rejects. */
export interface ConfigReloader {
  reload(): Promise<ReloadResult>;
}

/** Top-level keys applied by a reload; every other key (listeners, CDR, ops, admin, node, …) needs a restart. */
const HOT_KEYS: ReadonlySet<string> = new Set(['mode', 'sip', 'data', 'feeds', 'providers', 'trunks', 'policy', 'log']);
/** Within `sip` only the default route is applied; within `feeds` all but these. */
const HOT_SIP_KEYS: ReadonlySet<string> = new Set(['defaultRoute']);
const RESTART_FEED_KEYS = ['stateDir', 'secondOpinion'] as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function changedKeys(next: object, running: object, prefix: string, skip: ReadonlySet<string>): string[] {
  const keys = new Set([...Object.keys(next), ...Object.keys(running)]);
  return [...keys].filter((k) => !skip.has(k) && !same((next as Record<string, unknown>)[k], (running as Record<string, unknown>)[k])).map((k) => `${prefix}${k}`);
}

/**
 * The config to apply: the running config with the hot keys (mode, trunks, providers, data, policy, log, the default
 * route, feed settings but the state dir and second opinion) taken from `next`, and the names of the changed keys that were
 * therefore not applied. An allowlist, so sections added later default to needing a restart.
 */
export function withRunningValues(next: ConfigFile, running: ConfigFile): { effective: ConfigFile; restartRequired: string[] } {
  const restartRequired = [
    ...changedKeys(next, running, '', HOT_KEYS),
    ...changedKeys(next.sip, running.sip, 'sip.', HOT_SIP_KEYS),
    ...RESTART_FEED_KEYS.filter((k) => !same(next.feeds[k], running.feeds[k])).map((k) => `feeds.${k}`),
  ];
  const feeds = { ...next.feeds, stateDir: running.feeds.stateDir, secondOpinion: running.feeds.secondOpinion };
  const effective: ConfigFile = {
    ...running,
    mode: next.mode, data: next.data, providers: next.providers, trunks: next.trunks, policy: next.policy, log: next.log, feeds,
    sip: { ...running.sip, defaultRoute: next.sip.defaultRoute },
  };
  return { effective, restartRequired };
}

/** Every problem an error carries (ConfigError/DataFileError `problems`), else its message. */
export function problemsOf(err: unknown): string[] {
  const problems = (err as { problems?: unknown } | null)?.problems;
  if (Array.isArray(problems) && problems.length > 0) {
    return problems.map((p: { path?: string; configKey?: string; file?: string; line?: number; message?: string }) => {
      const file = p.configKey === undefined ? p.file : `${p.configKey} (${p.file})`;
      const where = p.path ?? (file === undefined ? '' : p.line === undefined ? file : `${file}:${p.line}`);
      return where ? `${where}: ${p.message ?? ''}` : (p.message ?? '');
    });
  }
  return [err instanceof Error ? err.message : String(err)];
}

/**
 * True for the failures a reload reports by their problems alone (invalid config, unreadable or refused data: errors with
 * a `problems` list or an `ERR_…` code); anything else is unexpected and its stack is logged at debug level.
 */
export function isReportedFailure(err: unknown): boolean {
  const e = err as { problems?: unknown; code?: unknown } | null;
  return Array.isArray(e?.problems) || (typeof e?.code === 'string' && e.code.startsWith('ERR_'));
}

/** Creates the reloader. */
export function createConfigReloader(deps: ConfigReloaderDeps): ConfigReloader {
  let chain: Promise<unknown> = Promise.resolve();

  const once = async (): Promise<ReloadResult> => {
    const previousVersion = deps.currentVersion();
    let restartRequired: string[] = [];
    let applied: ConfigFile;
    try {
      const candidate = await deps.load();
      const checked = withRunningValues(candidate.config, deps.running);
      restartRequired = checked.restartRequired;
      if (restartRequired.length > 0) deps.log.warn({ keys: restartRequired }, 'config change needs a restart (not applied)');
      applied = checked.effective;
      await deps.apply(applied, candidate.version);
    } catch (err) {
      const problems = problemsOf(err);
      deps.metrics.reloaded('failure');
      deps.log.error({ problems, previousVersion }, 'config reload failed');
      if (!isReportedFailure(err)) deps.log.debug({ err }, 'config reload failed: unexpected error');
      return { ok: false, configVersion: previousVersion, previousVersion, restartRequired, problems };
    }
    deps.setLogLevel?.(applied.log.level);
    const version = deps.currentVersion();
    deps.metrics.reloaded('success');
    deps.metrics.configInForce(version);
    deps.log.info({ configVersion: version, previousVersion, trunks: applied.trunks.length, providers: applied.providers.length, restartRequired }, 'config reloaded');
    return { ok: true, configVersion: version, previousVersion, restartRequired, problems: [] };
  };

  return {
    reload() {
      const result = chain.then(once, once);
      chain = result;
      return result;
    },
  };
}
