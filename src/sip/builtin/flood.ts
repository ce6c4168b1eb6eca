/**
 * Built-in SIP front: flood control, pike-like. A request from an address that matches no configured trunk spends a
 * token of that address's bucket (lib/rate-limiter.ts: an LRU of sources, fixed memory); over the rate it is dropped
 * before parsing (default) or answered 503 with Retry-After. Configured trunks are never limited here, so a flood
 * from unknown sources costs them nothing but the check. Instead of one log line per refused request, one summary
 * line per interval names the totals and the busiest sources (the first refusal after a quiet interval is logged at
 * once; the counts since the last line are always in `rmdgate_sip_flood_total`).
 */
import { createRateLimiter } from '../../lib/index.js';
import type { Logger } from '../../screening/index.js';
import type { BuiltinMetrics, FloodAction } from './ports.js';

/** The `sip.flood` settings. */
export interface FloodOptions {
  readonly enabled: boolean;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly action: 'drop' | 'reject';
  readonly retryAfterSeconds: number;
  readonly maxSources: number;
}

/** What to do with one received message. */
export type FloodVerdict = 'pass' | FloodAction;

/** Dependencies of {@link createFloodGate}. */
export interface FloodGateDeps {
  readonly options: FloodOptions;
  /** True for an address some configured trunk covers (read per message: the world changes on reload). */
  readonly isTrunkSource: (address: string) => boolean;
  /** Monotonic clock, ms. */
  readonly now: () => number;
  readonly metrics: BuiltinMetrics;
  readonly log: Logger;
}

/** Flood control of one built-in front. */
export interface FloodGate {
  check(address: string, transport: string): FloodVerdict;
}

/** How often the summary line is written while a flood lasts, ms. */
export const FLOOD_LOG_INTERVAL_MS = 10_000;
/** Sources counted per summary interval (the rest are added up as `otherSources`). */
const SUMMARY_SOURCES = 1000;
const TOP_SOURCES = 5;

/** Creates the gate; with flood control disabled every message passes. */
export function createFloodGate(deps: FloodGateDeps): FloodGate {
  const { options } = deps;
  if (!options.enabled) return { check: () => 'pass' };
  const limiter = createRateLimiter({ ratePerSecond: options.ratePerSecond, burst: options.burst, maxKeys: options.maxSources, now: deps.now });
  const action: FloodAction = options.action === 'drop' ? 'dropped' : 'rejected';
  // The first refused request after a quiet interval is logged at once; later ones at most once per interval.
  const summary = { since: deps.now(), lastReport: -Infinity, refused: 0, bySource: new Map<string, number>(), otherSources: 0 };
  const report = (now: number): void => {
    const top = [...summary.bySource].sort((a, b) => b[1] - a[1]).slice(0, TOP_SOURCES).map(([source, requests]) => ({ source, requests }));
    const fields = { action, requests: summary.refused, sources: summary.bySource.size + summary.otherSources, top, seconds: Math.round((now - summary.since) / 1000) };
    deps.log.warn(fields, 'sip flood: requests from unknown sources over their rate');
    summary.since = now;
    summary.lastReport = now;
    summary.refused = 0;
    summary.bySource.clear();
    summary.otherSources = 0;
  };
  return {
    check(address, transport) {
      if (deps.isTrunkSource(address) || limiter.admit(address)) return 'pass';
      deps.metrics.flood(action, transport);
      const now = deps.now();
      if (summary.refused === 0) summary.since = now;
      summary.refused++;
      const seen = summary.bySource.get(address);
      if (seen !== undefined) summary.bySource.set(address, seen + 1);
      else if (summary.bySource.size < SUMMARY_SOURCES) summary.bySource.set(address, 1);
      else summary.otherSources++;
      if (now - summary.lastReport >= FLOOD_LOG_INTERVAL_MS) report(now);
      return action;
    },
  };
}
