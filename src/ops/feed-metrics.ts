/**
 * The feed, second-opinion cache and provider-status metrics. Per-feed gauges read the feed system's FeedStatus at
 * scrape time (the one vocabulary of feed state); counters follow the feed system's events.
 */
import type { Gauge } from 'prom-client';
import { CACHE_RESULTS, FEED_ERROR_CODES, REFRESH_OUTCOMES, RMD_CHANGE_KINDS, type FeedMetrics, type FeedStatus } from '../feeds/index.js';
import { PROVIDER_RMD_STATUSES, toProviderRmdStatus, type ProviderRmdStatus, type ScreeningWorld } from '../screening/index.js';
import type { Definer } from './metrics.js';

/** Cache name of the RMD second-opinion lookup in rmdgate_cache_* (`cache` label). */
export const SECOND_OPINION_CACHE = 'rmd-second-opinion';

const REFRESH_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Provider statuses are recomputed at most this often for the same world (they change with dates only). */
const PROVIDER_STATUS_TTL_MS = 60_000;

/**
 * The feed metrics port. Every counter whose label values are known in advance starts at 0: per feed (each feed the
 * observed status lists, at the first scrape after it appears — at start and after a reload adds one) the refresh
 * results and error codes; the RMD change kinds at once; the cache lookup results once a cache is observed. So
 * increase() sees the first refresh failure, removal or lookup.
 */
export function feedMetrics(def: Definer): FeedMetrics {
  let status: () => readonly FeedStatus[] = () => [];
  const known = new Set<string>();
  const refreshes = def.counter('rmdgate_feed_refreshes_total', 'Feed refresh attempts by result (updated: new data in force, not-modified, refused, error)', ['feed', 'result'] as const, () => {
    for (const s of status()) if (!known.has(s.feed)) zeroSeries(s.feed);
  });
  const errors = def.counter('rmdgate_feed_errors_total', 'Failed feed refresh attempts by error code (ERR_FEED_*)', ['feed', 'code'] as const, () => {
    for (const s of status()) if (!known.has(s.feed)) zeroSeries(s.feed);
  });
  const zeroSeries = (feed: string): void => {
    known.add(feed);
    for (const result of REFRESH_OUTCOMES) refreshes.inc({ feed, result }, 0);
    for (const code of FEED_ERROR_CODES) errors.inc({ feed, code }, 0);
  };
  const duration = def.histogram('rmdgate_feed_refresh_duration_seconds', 'Duration of feed refresh attempts (fetch, parse, swap)', ['feed'] as const, REFRESH_BUCKETS);
  const headerChanges = def.counter('rmdgate_feed_header_changes_total', 'RMD header-set changes against the last good snapshot, once per new candidate (in force or refused)', ['feed'] as const);
  const changes = def.counter('rmdgate_rmd_provider_changes_total', 'Changes of configured providers between RMD snapshots, by kind (removed, listed, ...)', ['change'] as const);
  for (const change of RMD_CHANGE_KINDS) changes.inc({ change }, 0);
  const cache = cacheMetrics(def);
  feedGauges(def, () => status());
  return {
    refreshed(feed, outcome, seconds) {
      if (!known.has(feed)) zeroSeries(feed);
      refreshes.inc({ feed, result: outcome });
      duration.observe({ feed }, seconds);
    },
    failed(feed, code) {
      if (!known.has(feed)) zeroSeries(feed);
      errors.inc({ feed, code });
    },
    providerChanged: (change) => changes.inc({ change }),
    headerChanged: (feed) => headerChanges.inc({ feed }),
    cacheLookup: (result) => cache.lookup(result),
    observeFeeds: (source) => void (status = source),
    observeCache: (entries) => cache.observe(entries),
  };
}

/** The per-feed state gauges, computed from the observed status at scrape time. */
function feedGauges(def: Definer, status: () => readonly FeedStatus[]): void {
  const perFeed = <L extends string>(g: Gauge<L>, set: (s: FeedStatus) => void): void => {
    g.reset();
    for (const s of status()) set(s);
  };
  const age: Gauge<'feed'> = def.gauge('rmdgate_feed_age_seconds', 'Age of the data in force per feed: now minus when its source last produced or confirmed it', ['feed'] as const, () =>
    perFeed(age, (s) => s.hasData && Number.isFinite(s.ageSeconds) && age.set({ feed: s.feed }, s.ageSeconds)));
  const maxAge: Gauge<'feed'> = def.gauge('rmdgate_feed_max_age_seconds', 'Staleness budget per feed (alert and readiness threshold)', ['feed'] as const, () =>
    perFeed(maxAge, (s) => maxAge.set({ feed: s.feed }, s.maxAgeSeconds)));
  const rows: Gauge<'feed'> = def.gauge('rmdgate_feed_rows', 'Rows or entries in the snapshot in force, per feed', ['feed'] as const, () =>
    perFeed(rows, (s) => s.hasData && rows.set({ feed: s.feed }, s.rows)));
  const info: Gauge<'feed' | 'version'> = def.gauge('rmdgate_feed_info', 'Version of the data in force, per configured feed (RMD snapshot id, list content hash; none before any data); value 1', ['feed', 'version'] as const, () =>
    perFeed(info, (s) => info.set({ feed: s.feed, version: feedVersion(s) }, 1)));
  const badRows: Gauge<'feed'> = def.gauge('rmdgate_feed_bad_rows', 'Rows the RMD reader skipped as bad in the snapshot in force (refused above data.rmd.maxBadRowFraction)', ['feed'] as const, () =>
    perFeed(badRows, (s) => s.hasData && s.badRows !== undefined && badRows.set({ feed: s.feed }, s.badRows)));
  const lastOk: Gauge<'feed'> = def.gauge('rmdgate_feed_last_refresh_success', 'Whether the last refresh of a feed succeeded (1: updated or not modified) or not (0: refused or error)', ['feed'] as const, () =>
    perFeed(lastOk, (s) => s.lastOutcome !== undefined && lastOk.set({ feed: s.feed }, s.lastOutcome === 'updated' || s.lastOutcome === 'not-modified' ? 1 : 0)));
}

/** The `version` label of rmdgate_feed_info: the RMD snapshot id, else the first 16 hex digits of the content hash, else `none`. */
export function feedVersion(s: FeedStatus): string {
  if (!s.hasData) return 'none';
  return s.snapshotId ?? s.sha256?.slice(0, 16) ?? 'none';
}

function cacheMetrics(def: Definer): { lookup(result: string): void; observe(entries: () => number): void } {
  let source: (() => number) | undefined;
  const lookups = def.counter('rmdgate_cache_lookups_total', 'Compliance cache lookups by result (hit, miss, stale, error)', ['cache', 'result'] as const);
  const entries = def.gauge('rmdgate_cache_entries', 'Entries held per compliance cache', ['cache'] as const, () => {
    if (source) entries.set({ cache: SECOND_OPINION_CACHE }, source());
  });
  return {
    lookup: (result) => lookups.inc({ cache: SECOND_OPINION_CACHE, result }),
    observe(s) {
      source = s;
      for (const result of CACHE_RESULTS) lookups.inc({ cache: SECOND_OPINION_CACHE, result }, 0);
    },
  };
}

/** Statuses that get a per-provider series in rmdgate_provider_rmd_status (listed and exempt providers need no one). */
const ATTENTION_STATUSES: ReadonlySet<ProviderRmdStatus> = new Set(['overdue', 'in-grace', 'missing', 'designated']);

/**
 * rmdgate_providers by RMD status, and rmdgate_provider_rmd_status naming each provider that needs attention (overdue,
 * in-grace, missing, designated) for alerts: both computed from the world in force at scrape time.
 */
export function providerGauge(def: Definer, now: () => number): { watchWorld(current: () => ScreeningWorld): void } {
  let source: (() => ScreeningWorld) | undefined;
  let memo: { world: ScreeningWorld; at: number; statuses: readonly (readonly [string, ProviderRmdStatus])[] } | undefined;
  const statuses = (): readonly (readonly [string, ProviderRmdStatus])[] => {
    if (!source) return [];
    const world = source();
    const t = now();
    if (memo?.world !== world || t - memo.at >= PROVIDER_STATUS_TTL_MS) {
      memo = { world, at: t, statuses: [...world.providers.values()].map((p) => [p.provider.id, toProviderRmdStatus(p, t, world.rmdGrace)] as const) };
    }
    return memo.statuses;
  };
  const gauge: Gauge<'rmd_status'> = def.gauge('rmdgate_providers', 'Configured providers by RMD status (listed, overdue, in-grace, missing, designated, exempt)', ['rmd_status'] as const, () => {
    if (!source) return;
    const counts = Object.fromEntries(PROVIDER_RMD_STATUSES.map((s) => [s, 0])) as Record<ProviderRmdStatus, number>;
    for (const [, s] of statuses()) counts[s] += 1;
    for (const s of PROVIDER_RMD_STATUSES) gauge.set({ rmd_status: s }, counts[s]);
  });
  const each: Gauge<'provider' | 'rmd_status'> = def.gauge('rmdgate_provider_rmd_status', 'One series (value 1) per configured provider whose RMD status needs attention (overdue, in-grace, missing, designated), labelled with the provider id and status', ['provider', 'rmd_status'] as const, () => {
    each.reset();
    for (const [provider, s] of statuses()) if (ATTENTION_STATUSES.has(s)) each.set({ provider, rmd_status: s }, 1);
  });
  return { watchWorld: (current) => void (source = current) };
}
