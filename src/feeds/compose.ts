/**
 * Composition of the live-feed subsystem, called only by main.ts (a sub-root, so main stays small): adapters (fetcher,
 * parser process, body hasher, state dir, RMD JSON cache) → feed system → config reloader, plus SIGHUP and the config file watch.
 */
import { createConfigReloader, type ReloadResult } from '../config/reloader.js';
import type { FeedMetrics, FeedStatus, Timers } from './ports.js';
import { toFeedPlan } from './plan.js';
import { startFeedSystem, type FeedRefreshReport, type PreparedConfig } from './system.js';
import type { FeedWorldSummary } from './world.js';
import type { Clock, Logger } from '../screening/ports.js';
import type { WorldHolder } from '../screening/world-holder.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { ConfigFile } from '../config/schema.js';
import { toPolicy, toProviders, toTrunks } from '../config/to-world-inputs.js';
import { VERSION } from '../version.js';
import { createBodyHasher } from './fetch/body-hasher.js';
import { createFeedFetcher } from './fetch/fetcher.js';
import { createFeedParser } from './parser.js';
import { createFeedStore } from './state-dir.js';
import type { FetchFn } from './fetch/http.js';
import type { ProxyEnv } from './fetch/proxy-env.js';
import { createProxyAwareFetch } from './fetch/proxy-fetch.js';
import { createRmdJsonClient } from './rmd/json.js';
import { createSecondOpinionCache } from './second-opinion-cache.js';
import { watchFile } from '../lib/watch-file.js';

/** Debounce of config file change events before a reload, ms. */
export const CONFIG_WATCH_DEBOUNCE_MS = 250;

/** Where SIGHUP handlers are registered (main passes `process`). */
export interface SignalSource {
  on(signal: 'SIGHUP', fn: () => void): unknown;
  off(signal: 'SIGHUP', fn: () => void): unknown;
}

/** Options of {@link startFeeds}. */
export interface StartFeedsOptions {
  readonly loaded: LoadedConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: FeedMetrics;
  readonly proxyEnv?: ProxyEnv | undefined;
  /** Reload when the config file changes (default true). */
  readonly watchConfig?: boolean | undefined;
  readonly signals?: SignalSource | undefined;
  /** Called after every reload (e.g. to update the config-version metric). */
  readonly onReloaded?: ((result: ReloadResult) => void) | undefined;
  readonly timers?: Timers | undefined;
  readonly random?: (() => number) | undefined;
  readonly fetch?: FetchFn | undefined;
}

/** An admin answer (status + JSON body), as the admin routes expect. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The running feed subsystem. */
export interface RunningFeeds {
  readonly holder: WorldHolder;
  readonly summary: FeedWorldSummary;
  /** Re-reads and applies the config file (SIGHUP, file watch and admin use this). */
  reload(): Promise<ReloadResult>;
  /** Refreshes one feed or every feed now. */
  refresh(feed?: string): Promise<readonly FeedRefreshReport[]>;
  /** POST /admin/reload: 200 with the ReloadResult, 422 when the config was refused. */
  adminReload(): Promise<AdminAnswer>;
  /** POST /admin/feeds/{name}/refresh: 200 with the outcome, 404 for an unknown feed. */
  adminRefresh(feed: string): Promise<AdminAnswer>;
  readiness(): { ok: boolean; detail: string };
  status(): readonly FeedStatus[];
  stop(): Promise<void>;
}

/** Real timers, unref'd so they never keep the process alive. */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** The feed system's view of a validated config. */
export function toPreparedConfig(config: ConfigFile, version: string, resolvePath: (p: string) => string): PreparedConfig {
  return {
    version,
    part: { trunks: toTrunks(config), providers: toProviders(config), policy: toPolicy(config), trunkHeader: config.sip.trunkHeader, configVersion: version },
    plan: toFeedPlan(config, resolvePath),
  };
}

/** Boots the feed subsystem and returns it; throws when a file feed has no usable data at all. */
export async function startFeeds(opts: StartFeedsOptions): Promise<RunningFeeds> {
  const { loaded, clock, log } = opts;
  const initial = toPreparedConfig(loaded.config, loaded.version, loaded.resolvePath);
  const timers = opts.timers ?? systemTimers;
  const proxied = createProxyAwareFetch(opts.proxyEnv);
  const fetch: FetchFn = opts.fetch ?? proxied.fetch;
  const parser = createFeedParser({ maxBytes: initial.plan.settings.maxBytes });
  const hasher = createBodyHasher();
  const so = initial.plan.secondOpinion;
  const secondOpinion = so.enabled
    ? createSecondOpinionCache({
        lookup: createRmdJsonClient({ url: so.url, fetch, userAgent: `rmdgate/${VERSION}`, timeoutMs: initial.plan.settings.timeoutMs }),
        deadlineMs: so.deadlineMs, ttlMs: so.ttlMs, negativeTtlMs: so.negativeTtlMs, max: so.maxEntries, now: clock.monotonicMs, log,
      })
    : undefined;
  if (secondOpinion !== undefined) opts.metrics.observeCache(() => secondOpinion.size());
  const system = await startFeedSystem({
    fetcher: createFeedFetcher({ fetch, userAgent: `rmdgate/${VERSION}`, maxBytes: initial.plan.settings.maxBytes, hasher }),
    parser, store: createFeedStore(initial.plan.stateDir), clock, timers, random: opts.random ?? Math.random, log, metrics: opts.metrics, secondOpinion,
  }, initial).catch(async (err: unknown) => {
    await parser.close();
    await hasher.close();
    throw err;
  });
  log.info({ rmdParser: parser.usesWorker ? 'process' : 'inline', stateDir: initial.plan.stateDir, feeds: system.status().map((s) => ({ feed: s.feed, rows: s.rows, hasData: s.hasData })) }, 'feeds started');
  const reloader = createConfigReloader({
    load: async () => loadConfig(loaded.file),
    prepare: (config, version) => toPreparedConfig(config, version, loaded.resolvePath),
    apply: (next) => system.apply(next),
    current: () => system.config(),
    running: loaded.config,
    log,
    metrics: opts.metrics,
  });
  const reload = async (): Promise<ReloadResult> => {
    const result = await reloader.reload();
    opts.onReloaded?.(result);
    return result;
  };
  const onHup = (): void => void reload();
  opts.signals?.on('SIGHUP', onHup);
  const watcher = opts.watchConfig === false ? undefined : watchFile(loaded.file, CONFIG_WATCH_DEBOUNCE_MS, () => void reload(), log);
  return {
    holder: system.holder,
    summary: system.summary(),
    reload,
    refresh: (feed) => system.refresh(feed),
    async adminReload() {
      const result = await reload();
      return { status: result.ok ? 200 : 422, body: result };
    },
    async adminRefresh(feed) {
      if (!system.status().some((s) => s.feed === feed)) return { status: 404, body: { error: 'unknown-feed', feed } };
      const [report] = await system.refresh(feed);
      return { status: 200, body: report };
    },
    readiness: () => system.readiness(),
    status: () => system.status(),
    async stop() {
      opts.signals?.off('SIGHUP', onHup);
      watcher?.close();
      await system.stop();
      await parser.close();
      await hasher.close();
      await proxied.close();
    },
  };
}
