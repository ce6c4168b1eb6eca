/**
 * Live data: the RMD export and the blocklists, from files or http(s), refreshed, validated against the last good
 * snapshot, kept in a state dir, diffed, and composed with the config into the ScreeningWorld in force. Owns the
 * feed vocabulary (FeedStatus, FeedMetrics) the ops subsystem reads.
 */
export { readCsvRecords, type CsvRecords } from './csv.js';
export { ACCEPTABLE_CODES, DataFileError, FEED_ERROR_CODES, FeedError, formatDataFileProblem, type DataFileProblem, type FeedErrorCode } from './errors.js';
export { createBodyHasher, type BodyHasher } from './fetch/body-hasher.js';
export { createFeedFetcher } from './fetch/fetcher.js';
export type { FetchFn } from './fetch/http.js';
export type { ProxyEnv } from './fetch/proxy-env.js';
export { createProxyAwareFetch } from './fetch/proxy-fetch.js';
export { loadFeedFile, loadListFile, loadRmdFile, loadWorldOnce, type LoadedWorld } from './load.js';
export { parseRmdFeed } from './parse.js';
export { createFeedParser } from './parser.js';
export { toFeedPlan, toPreparedConfig, type FeedPlan, type PreparedConfig } from './plan.js';
export {
  CACHE_RESULTS, REFRESH_OUTCOMES, RMD_FEED,
  type CacheResult, type FeedMetrics, type FeedSpec, type FeedStatus, type RefreshOutcome, type Timers,
} from './ports.js';
export { RMD_COLUMN_ALIASES } from './rmd/csv.js';
export { toDiffJson, toDiffMarkdown } from './rmd/diff-report.js';
export { RMD_CHANGE_KINDS, diffRmd, type RmdChange, type RmdChangeKind, type RmdDiff } from './rmd/diff.js';
export { createRmdJsonClient } from './rmd/json.js';
export { createSecondOpinionCache } from './second-opinion-cache.js';
export { acceptPending, createFeedStore } from './state-dir.js';
export { startFeedSystem, systemTimers, type FeedRefreshReport, type FeedSystem, type FeedSystemDeps } from './system.js';
export type { FeedWorldSummary } from './world.js';
