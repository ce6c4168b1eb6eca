/**
 * Metric ports for feeds, caches, the drachtio link and config reloads: plain interfaces (no prom-client types)
 * that adapters call and screening-metrics.ts implements. Every label value must come from config or a closed set.
 */

/**
 * How a feed refresh attempt ended (the feed system's RefreshOutcome): new data in force, source confirmed the data in
 * force, candidate refused by validation, or error (the last good data stays in the last two cases).
 */
export type FeedRefreshResult = 'updated' | 'not-modified' | 'refused' | 'error';

/** The closed set of {@link FeedRefreshResult} values (pre-created per feed). */
export const FEED_REFRESH_RESULTS: readonly FeedRefreshResult[] = ['updated', 'not-modified', 'refused', 'error'];

/** One snapshot of a feed now in force. */
export interface FeedSnapshotFacts {
  /** Content hash or publisher version of the data (short, e.g. 16 hex chars). */
  readonly version: string;
  /** Rows/entries in the snapshot. */
  readonly rows: number;
  /** When the data was produced or fetched, epoch ms; the feed's age is measured from here. */
  readonly asOf: number;
}

/**
 * Feed metrics (`rmdgate_feed_*`). Feed names come from config (`rmd`, blocklist names). Call `register` before the
 * other methods; it is idempotent and updates the staleness budget.
 */
export interface FeedMetrics {
  /** Declares a feed and its staleness budget, seconds (exported as rmdgate_feed_max_age_seconds). */
  register(feed: string, opts: { readonly maxAgeSeconds: number }): void;
  /** A snapshot is now in force (initial load or a refresh that changed the data). */
  loaded(feed: string, snapshot: FeedSnapshotFacts): void;
  /** A refresh attempt finished after `seconds`. */
  refreshed(feed: string, result: FeedRefreshResult, seconds: number): void;
  /** A refresh attempt failed with this closed error code (e.g. `ERR_FEED_TIMEOUT`). */
  failed(feed: string, code: string): void;
  /** A configured provider's RMD standing changed between snapshots; `change` is a closed kind (e.g. `removed`). */
  providerChanged(change: string): void;
  /** Drops every series of a feed removed from config (on reload). */
  unregister(feed: string): void;
}

/** A feed's state as the metrics module holds it (for readiness checks and /admin/status). */
export interface FeedStatus {
  readonly feed: string;
  readonly maxAgeSeconds: number;
  readonly version: string | undefined;
  readonly rows: number | undefined;
  /** Epoch ms of the data in force, undefined before the first load. */
  readonly asOf: number | undefined;
  readonly lastRefresh: FeedRefreshResult | undefined;
}

/** What a compliance cache lookup found (lru-cache `status.fetch`: hit, miss, stale; error when the lookup failed). */
export type CacheLookupResult = 'hit' | 'miss' | 'stale' | 'error';

/** Cache metrics (`rmdgate_cache_*`). `cache` is a fixed name chosen in code (e.g. `rmd`, `blocklist`). */
export interface CacheMetrics {
  lookup(cache: string, result: CacheLookupResult): void;
  /** Registers the entry count source, read at scrape time (collect), never from a timer. */
  observeEntries(cache: string, entries: () => number): void;
}

/**
 * Drachtio link metrics (`rmdgate_drachtio_*`). `server` names the configured drachtio-server endpoint (from
 * config, e.g. `host:port`); no series exist until the drachtio front reports, so builtin mode exports none.
 */
export interface DrachtioMetrics {
  /** The link to `server` went up (true) or down (false). */
  connected(server: string, up: boolean): void;
  /** A reconnect attempt to `server` started. */
  reconnect(server: string): void;
}

/** Config reload metrics (`rmdgate_config_*`). */
export interface ReloadMetrics {
  /** The config with this version (content hash) is in force: at start and after each successful reload. */
  configInForce(version: string): void;
  /** A reload attempt finished; on failure the running config stays. */
  reloaded(result: 'success' | 'failure'): void;
}
