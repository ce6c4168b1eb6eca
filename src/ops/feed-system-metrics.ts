/**
 * Implements the feed system's metrics port (app/feed-ports.ts FeedMetrics) on top of the metric ports of this folder:
 * refresh outcomes, error codes, RMD provider changes, config reloads, the second-opinion cache and collect-time status.
 */
import type { FeedMetrics as FeedSystemMetrics, FeedStatus as FeedSystemStatus } from '../feeds/ports.js';
import type { CacheMetrics, FeedMetrics, FeedStatus, ReloadMetrics } from './metric-ports.js';

/** Cache name of the RMD second-opinion lookup in rmdgate_cache_* (`cache` label). */
export const SECOND_OPINION_CACHE = 'rmd-second-opinion';

/** What the bridge needs from the metrics module. */
export interface FeedSystemBridgeDeps {
  readonly feeds: FeedMetrics;
  readonly cache: CacheMetrics;
  readonly reloads: ReloadMetrics;
  /** Makes a status source the authority for the per-feed gauges, /readyz and /admin/status. */
  watchFeeds(source: () => readonly FeedStatus[]): void;
  /** Count of providers in their removal grace period, read at scrape time. */
  watchGrace(count: () => number): void;
  /** Staleness budget registered for a feed, seconds (or `fallback`). */
  maxAgeOf(feed: string, fallback: number): number;
  now(): number;
}

/** Maps the feed system's status (age in seconds) to the metrics module's (as-of epoch ms). */
export function fromFeedSystemStatus(s: FeedSystemStatus, now: number, maxAgeSeconds: number): FeedStatus {
  const hasAge = s.hasData && Number.isFinite(s.ageSeconds);
  return {
    feed: s.feed,
    maxAgeSeconds,
    version: s.snapshotId,
    rows: s.hasData ? s.rows : undefined,
    asOf: hasAge ? now - s.ageSeconds * 1000 : undefined,
    lastRefresh: s.lastError !== undefined ? 'error' : s.lastSuccessAt > 0 ? 'not-modified' : undefined,
  };
}

/** Creates the feed system's FeedMetrics. Staleness budgets default to `defaultMaxAgeSeconds` (config `feeds.maxAgeHours`). */
export function createFeedSystemMetrics(deps: FeedSystemBridgeDeps, defaultMaxAgeSeconds: number): FeedSystemMetrics {
  return {
    refreshed: (feed, outcome, seconds) => deps.feeds.refreshed(feed, outcome, seconds),
    failed: (feed, code) => deps.feeds.failed(feed, code),
    providerChanged: (change) => deps.feeds.providerChanged(change),
    configReloaded: (result) => deps.reloads.reloaded(result === 'ok' ? 'success' : 'failure'),
    cacheLookup: (result) => deps.cache.lookup(SECOND_OPINION_CACHE, result),
    observeFeeds(status, graceProviders) {
      deps.watchFeeds(() => {
        const now = deps.now();
        return status().map((s) => fromFeedSystemStatus(s, now, deps.maxAgeOf(s.feed, defaultMaxAgeSeconds)));
      });
      deps.watchGrace(graceProviders);
    },
    observeCache: (entries) => deps.cache.observeEntries(SECOND_OPINION_CACHE, entries),
  };
}
