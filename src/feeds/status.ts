/**
 * Feed health for people: the /readyz verdict and detail, and the stale alarm (one log line when a feed goes stale,
 * one when it is fresh again). The per-feed gauges come from the same FeedStatus list.
 */
import { RMD_FEED, type FeedStatus } from './ports.js';
import type { Logger } from '../screening/index.js';

/**
 * Ready when every feed has data and the RMD is within its age budget (a stale blocklist only shows in the detail);
 * the detail names each feed's rows and age, and flags stale or pending ones.
 */
export function readinessOf(statuses: readonly FeedStatus[]): { ok: boolean; detail: string } {
  const parts = statuses.map((s) => {
    if (!s.hasData) return `${s.feed}: no data${s.lastError ? ` (${s.lastError})` : ''}`;
    const flags = [s.stale ? 'STALE' : '', s.pending ? 'candidate pending' : '', s.lastError ?? ''].filter(Boolean).join(', ');
    return `${s.feed}: ${s.rows} rows, age ${(s.ageSeconds / 3600).toFixed(1)}h${flags ? ` (${flags})` : ''}`;
  });
  return { ok: statuses.every((s) => s.hasData && !(s.feed === RMD_FEED && s.stale)), detail: parts.join('; ') };
}

/** The stale alarm: `check()` logs each feed's transition into and out of staleness once. */
export function createStaleAlarm(log: Logger): { check(statuses: readonly FeedStatus[], maxAgeHours: number): void } {
  const alarmed = new Set<string>();
  return {
    check(statuses, maxAgeHours) {
      for (const s of statuses) {
        if (s.stale === alarmed.has(s.feed)) continue;
        if (s.stale) alarmed.add(s.feed);
        else alarmed.delete(s.feed);
        const ageHours = Number.isFinite(s.ageSeconds) ? +(s.ageSeconds / 3600).toFixed(2) : null;
        if (s.stale) log.error({ feed: s.feed, ageHours, maxAgeHours }, 'feed stale');
        else log.info({ feed: s.feed, ageHours }, 'feed fresh again');
      }
    },
  };
}
