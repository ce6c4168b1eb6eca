/**
 * The per-feed state behind the rmdgate_feed_* gauges, /readyz and /admin/status: kept from FeedMetrics events, or
 * read from a watched source (the feed system's own status) once one is registered. No metric names here.
 */
import type { FeedRefreshResult, FeedSnapshotFacts, FeedStatus } from './metric-ports.js';

type MutableFeedStatus = { -readonly [K in keyof FeedStatus]: FeedStatus[K] };

/** Feed state table. */
export interface FeedStateTable {
  /** Declares a feed (idempotent) and sets its staleness budget. */
  register(feed: string, maxAgeSeconds: number): void;
  /** True when the feed is known (registered or reported). */
  has(feed: string): boolean;
  loaded(feed: string, snapshot: FeedSnapshotFacts): void;
  refreshed(feed: string, result: FeedRefreshResult): void;
  unregister(feed: string): void;
  /** The budget registered for a feed, or `fallback`. */
  maxAgeOf(feed: string, fallback: number): number;
  /** Current statuses: from the watched source when there is one, else from the events. */
  list(): FeedStatus[];
  /** Makes `source` the authority for list() (the feed system reports its own state). */
  watch(source: () => readonly FeedStatus[]): void;
}

/** Creates an empty table; feeds reported before register() get `defaultMaxAgeSeconds`. */
export function createFeedStateTable(defaultMaxAgeSeconds: number): FeedStateTable {
  const state = new Map<string, MutableFeedStatus>();
  let source: (() => readonly FeedStatus[]) | undefined;
  const ensure = (feed: string): MutableFeedStatus => {
    let s = state.get(feed);
    if (!s) {
      s = { feed, maxAgeSeconds: defaultMaxAgeSeconds, version: undefined, rows: undefined, asOf: undefined, lastRefresh: undefined };
      state.set(feed, s);
    }
    return s;
  };
  return {
    register: (feed, maxAgeSeconds) => void (ensure(feed).maxAgeSeconds = maxAgeSeconds),
    has: (feed) => state.has(feed),
    loaded: (feed, snap) => void Object.assign(ensure(feed), { version: snap.version, rows: snap.rows, asOf: snap.asOf }),
    refreshed: (feed, result) => void (ensure(feed).lastRefresh = result),
    unregister: (feed) => void state.delete(feed),
    maxAgeOf: (feed, fallback) => state.get(feed)?.maxAgeSeconds ?? fallback,
    list: () => (source ? [...source()] : [...state.values()].map((s) => ({ ...s }))),
    watch: (s) => void (source = s),
  };
}
