/**
 * The live-feed subsystem's vocabulary and the seams its core (manager, refresh, composer) works through: fetching,
 * parsing, the state dir, timers, metrics and the second opinion.
 */
import type { AllocationTable, BlocklistEntry, DnoList, ListKind, RmdFiling, RmdSnapshot } from '../screening/index.js';
import type { DataFileProblem, FeedErrorCode } from './errors.js';
import type { RmdChangeKind } from './rmd/diff.js';
import type { RmdReadReport } from './rmd/csv.js';

/** Where a feed's bytes come from. */
export type FeedSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'http'; readonly url: string };

/** The RMD feed's name (blocklists are named by config). */
export const RMD_FEED = 'rmd';

/** The allocation feed's name (DNO lists are named by config). */
export const ALLOCATION_FEED = 'allocation';

/**
 * One configured feed: the RMD (`name` {@link RMD_FEED}), a blocklist or a DNO list (`name` = list name), or the
 * allocation feed (`name` {@link ALLOCATION_FEED}).
 */
export interface FeedSpec {
  readonly name: string;
  readonly kind: 'rmd' | 'list' | 'dno' | 'allocation';
  readonly source: FeedSource;
  /** For http sources: the local file used at first boot when neither the state dir nor the URL has data. */
  readonly seedPath?: string | undefined;
  /** Blocklist file format (from the configured path's extension); `csv` for the RMD. */
  readonly format: 'csv' | 'yaml';
  /** Default kind of a blocklist's entries. */
  readonly listKind?: ListKind | undefined;
  /** Largest accepted row-count shrink vs the last good snapshot, fraction 0–1. */
  readonly maxShrinkFraction: number;
  /** The config key naming the feed's local file and the path as written there (for errors); not part of the feed's identity. */
  readonly origin?: FeedOrigin | undefined;
  /** RMD only: largest accepted share of bad (skipped) rows, fraction 0–1; above it the candidate is refused. */
  readonly maxBadRowFraction?: number | undefined;
}

/** Where a feed's local file is configured: `data.blocklists[2].path` and `lists/k4.csv`. */
export interface FeedOrigin {
  readonly key: string;
  readonly path: string;
}

/** Feed behaviour shared by every feed (config `feeds`), in milliseconds. */
export interface FeedSettings {
  readonly refreshMs: number;
  readonly jitterFraction: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly failClosedWhenStale: boolean;
  readonly removalGraceMs: number;
}

/** Validators from the last good copy, for a conditional GET (or a content comparison for files). */
export interface FetchConditions {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

/** What one fetch attempt returned. `modifiedAt` (epoch ms) is a file's mtime. */
export type FetchOutcome =
  | { readonly kind: 'not-modified' }
  | {
      readonly kind: 'body';
      readonly bytes: Uint8Array;
      /** sha256 hex of `bytes`. */
      readonly sha256: string;
      readonly etag?: string | undefined;
      readonly lastModified?: string | undefined;
      readonly contentType?: string | undefined;
      readonly modifiedAt?: number | undefined;
    };

/** Fetches a feed source once. Throws FeedError (retryable for transient failures) or DataFileError. */
export interface FeedFetcher {
  fetch(source: FeedSource, conditions: FetchConditions, timeoutMs: number): Promise<FetchOutcome>;
}

/**
 * A parsed feed body. `headers` are the RMD CSV header cells as written (for schema-drift checks); `report` how the
 * RMD reader resolved the columns and which rows it skipped.
 */
export type FeedData =
  | { readonly kind: 'rmd'; readonly snapshot: RmdSnapshot; readonly headers: readonly string[]; readonly report?: RmdReadReport | undefined }
  | { readonly kind: 'list'; readonly entries: readonly BlocklistEntry[] }
  | { readonly kind: 'dno'; readonly list: DnoList }
  | { readonly kind: 'allocation'; readonly table: AllocationTable };

/** Decodes (gzip by magic bytes), sanity-checks (HTML, truncation) and parses a feed body. Throws FeedError/DataFileError. */
export interface FeedParser {
  parse(spec: FeedSpec, bytes: Uint8Array, opts: { readonly source: string; readonly loadedAt: number; readonly contentType?: string | undefined }): Promise<FeedData>;
  close(): Promise<void>;
}

/** Meta of a stored snapshot (`<stateDir>/<feed>/current.json`). Times are epoch ms. */
export interface SnapshotMeta {
  readonly feed: string;
  readonly source: string;
  /** When these bytes were obtained from the source. */
  readonly fetchedAt: number;
  /** When the source last confirmed them (a fetch or a 304/unchanged answer); feed age counts from here. */
  readonly verifiedAt: number;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  /** sha256 hex of the stored bytes. */
  readonly sha256: string;
  readonly rows: number;
  readonly headers?: readonly string[] | undefined;
  readonly snapshotId?: string | undefined;
  /** RMD: rows the reader skipped as bad, and the first few (line and reason). */
  readonly badRows?: number | undefined;
  readonly badRowSample?: readonly DataFileProblem[] | undefined;
  /** RMD: the header set differs from the previous good snapshot's (set when these bytes went into force). */
  readonly headerChange?: HeaderChange | undefined;
}

/** A change of the RMD header set against the last good snapshot (header cells compared as the RMD reader compares them). */
export interface HeaderChange {
  /** When it was seen, epoch ms. */
  readonly at: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Meta of a refused candidate an operator may accept (`pending.json`). */
export interface PendingMeta extends SnapshotMeta {
  readonly refusedAt: number;
  readonly code: FeedErrorCode;
  readonly reason: string;
  readonly accepted: boolean;
  readonly acceptedAt?: number | undefined;
}

/** Stored bytes and their meta. */
export interface Stored<M> {
  readonly meta: M;
  readonly bytes: Uint8Array;
}

/** One provider's removal grace clock: when it was first seen missing (epoch ms) and its RMD number before that. */
export interface GraceClock {
  readonly since: number;
  /** RMD number in the last snapshot that listed the provider (reports show it while the grace runs). */
  readonly rmdNumber?: string | undefined;
}

/** Removal grace state: provider id → its grace clock. */
export type GraceState = Readonly<Record<string, GraceClock>>;

/** The state dir. Writes are atomic (temp file + rename). */
export interface FeedStore {
  readCurrent(feed: string): Promise<Stored<SnapshotMeta> | undefined>;
  writeCurrent(feed: string, s: Stored<SnapshotMeta>): Promise<void>;
  /** Rewrites only the meta (e.g. a new verifiedAt after a 304). */
  writeCurrentMeta(feed: string, meta: SnapshotMeta): Promise<void>;
  readPending(feed: string): Promise<Stored<PendingMeta> | undefined>;
  /** The pending candidate's meta only (no bytes read). */
  readPendingMeta(feed: string): Promise<PendingMeta | undefined>;
  writePending(feed: string, s: Stored<PendingMeta>): Promise<void>;
  clearPending(feed: string): Promise<void>;
  readGrace(): Promise<GraceState>;
  writeGrace(state: GraceState): Promise<void>;
  /** Writes a diff report pair and prunes old ones; returns the JSON file's path. */
  writeReport(name: string, json: string, markdown: string): Promise<string>;
}

/** Cancellable timers (tests inject a manual implementation). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** How a refresh ended: new data in force, the source confirmed the data in force, the candidate refused, or an error. */
export type RefreshOutcome = 'updated' | 'not-modified' | 'refused' | 'error';

/** Every {@link RefreshOutcome} (metric series are created for each). */
export const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ['updated', 'not-modified', 'refused', 'error'];

/**
 * One feed's state: the one vocabulary the feed system, /readyz, /admin/status and the per-feed gauges (read at
 * scrape time) share.
 */
export interface FeedStatus {
  readonly feed: string;
  readonly hasData: boolean;
  readonly rows: number;
  /** Content hash of the RMD snapshot in force (undefined for lists and without data). */
  readonly snapshotId?: string | undefined;
  /** sha256 hex of the stored bytes in force (any feed; undefined without data). */
  readonly sha256?: string | undefined;
  /** Seconds since the source last confirmed the data in force; Infinity without data. */
  readonly ageSeconds: number;
  /** The staleness budget (config `feeds.maxAgeHours`), seconds. */
  readonly maxAgeSeconds: number;
  readonly stale: boolean;
  /** A refused candidate waits in the state dir. */
  readonly pending: boolean;
  /** Epoch ms of the last refresh that reached the source (updated or not modified); 0 = never. */
  readonly lastSuccessAt: number;
  /** The code of the last failed refresh, until new data goes into force. */
  readonly lastError?: FeedErrorCode | undefined;
  /** How the last refresh ended; undefined before the first. */
  readonly lastOutcome?: RefreshOutcome | undefined;
  /** RMD: bad rows skipped in the snapshot in force. */
  readonly badRows?: number | undefined;
  /** RMD: the last header-set change seen (in force or refused), until the header set is stable again. */
  readonly headerChange?: HeaderChange | undefined;
}

/** Result label of a second-opinion cache lookup. */
export type CacheResult = 'hit' | 'miss' | 'stale' | 'error';

/** Every {@link CacheResult} (metric series are created for each). */
export const CACHE_RESULTS: readonly CacheResult[] = ['hit', 'miss', 'stale', 'error'];

/** Metrics of feeds, RMD changes and the second-opinion cache (ops implements them; labels are closed sets). */
export interface FeedMetrics {
  refreshed(feed: string, outcome: RefreshOutcome, seconds: number): void;
  failed(feed: string, code: FeedErrorCode): void;
  providerChanged(change: RmdChangeKind): void;
  /** A candidate's header set differs from the last good snapshot's (counted once per new candidate). */
  headerChanged(feed: string): void;
  cacheLookup(result: CacheResult): void;
  /** Registers the source of the per-feed gauges, read at scrape time. */
  observeFeeds(status: () => readonly FeedStatus[]): void;
  observeCache(entries: () => number): void;
}

/** The second-opinion lookup (RMD JSON endpoint behind an LRU cache). */
export interface SecondOpinionLookup {
  /**
   * Answers from the cache at once (stale values while revalidating; a cached value older than `snapshotId` counts as
   * stale) or waits at most the configured deadline. Never throws; `filing` undefined = not listed or not known yet.
   */
  lookup(frn: string, snapshotId: string): Promise<{ readonly filing: RmdFiling | undefined; readonly result: CacheResult }>;
  /** Called when a lookup that outlived its deadline settles later (its answer is then in the cache). */
  onLateAnswer(listener: () => void): void;
  size(): number;
}
