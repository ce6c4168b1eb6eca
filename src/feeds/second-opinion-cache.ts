/**
 * The second-opinion cache: an LRU (lru-cache) of RMD JSON answers keyed by FRN, with TTLs (shorter for negative
 * answers), stale-while-revalidate, a strict per-lookup deadline whose expiry does not cancel the request, and
 * invalidation by snapshot version (an answer fetched under an older snapshot is served stale and refreshed).
 */
import { LRUCache } from 'lru-cache';
import type { CacheResult, SecondOpinionLookup } from './ports.js';
import type { Logger, RmdFiling } from '../screening/index.js';

/** Options of {@link createSecondOpinionCache}. Durations in ms. */
export interface SecondOpinionCacheOptions {
  /** Asks the endpoint; resolves undefined when the FRN has no filing. */
  readonly lookup: (frn: string) => Promise<RmdFiling | undefined>;
  readonly deadlineMs: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly max: number;
  /** Monotonic clock for TTLs (tests inject a manual one). */
  readonly now: () => number;
  readonly log: Logger;
}

interface Entry {
  readonly filing: RmdFiling | null;
  readonly snapshotId: string;
}

function classify(status: LRUCache.Status<string, Entry, string>, value: Entry | undefined): CacheResult {
  if (status.fetch === 'hit') return 'hit';
  if (status.fetch === 'stale' || status.fetch === 'refresh' || status.returnedStale === true) return value === undefined ? 'error' : 'stale';
  if (value !== undefined) return 'miss';
  return status.fetchAborted === true && status.fetchRejected !== true ? 'miss' : 'error';
}

/** Creates the cache-backed lookup. */
export function createSecondOpinionCache(opts: SecondOpinionCacheOptions): SecondOpinionLookup {
  const listeners: (() => void)[] = [];
  const cache = new LRUCache<string, Entry, string>({
    max: opts.max,
    ttl: opts.ttlMs,
    ttlResolution: 0,
    perf: { now: opts.now },
    allowStale: true,
    noDeleteOnStaleGet: true,
    allowStaleOnFetchRejection: true,
    allowStaleOnFetchAbort: true,
    ignoreFetchAbort: true,
    noDeleteOnFetchRejection: true,
    fetchMethod: async (frn, _stale, { signal, options, context }) => {
      let filing: RmdFiling | undefined;
      try {
        filing = await opts.lookup(frn);
      } catch (err) {
        opts.log.warn({ frn, err }, 'rmd second opinion lookup failed');
        throw err;
      }
      options.ttl = filing === undefined ? opts.negativeTtlMs : opts.ttlMs;
      if (signal.aborted) setImmediate(() => listeners.forEach((l) => l()));
      return { filing: filing ?? null, snapshotId: context };
    },
  });
  return {
    async lookup(frn, snapshotId) {
      const cached = cache.peek(frn, { allowStale: true });
      const status: LRUCache.Status<string, Entry, string> = {};
      try {
        const forceRefresh = cached !== undefined && cached.snapshotId !== snapshotId;
        const value = await cache.fetch(frn, { signal: AbortSignal.timeout(opts.deadlineMs), status, forceRefresh, context: snapshotId });
        return { filing: value?.filing ?? undefined, result: classify(status, value) };
      } catch {
        return { filing: cached?.filing ?? undefined, result: 'error' };
      }
    },
    onLateAnswer: (listener) => void listeners.push(listener),
    size: () => cache.size,
  };
}
