/**
 * Built-in SIP front: flood control, pike-like. A request from an address that matches no configured trunk spends a
 * token of that address's bucket (lib/rate-limiter.ts: an LRU of sources, fixed memory); over the rate it is dropped
 * before parsing (default) or answered 503 with Retry-After. Configured trunks are never limited here, so a flood
 * from unknown sources costs them nothing but the check. Instead of one log line per refused request, one summary
 * line per interval names the totals and the busiest sources (the first refusal after a quiet interval is logged at
 * once; the counts since the last line are always in `rmdgate_sip_flood_total`). Instead of one CDR per refused
 * request, one flood summary per source (and transport) per interval goes to `onSummary` (main.ts writes it as a CDR):
 * at most SUMMARY_SOURCES sources per interval, the rest added up in one summary of source `other`.
 */
import { createRateLimiter } from '../../lib/index.js';
import { FLOOD_OTHER_SOURCES, FLOOD_REASON, type FloodSummary, type Logger } from '../../screening/index.js';
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
  /** Wall clock, epoch ms: the interval times of flood summaries. */
  readonly wallMs: () => number;
  readonly metrics: BuiltinMetrics;
  readonly log: Logger;
  /** Receives the flood summaries of an interval when it rolls over, and the pending ones at flush(). Must not throw. */
  readonly onSummary?: ((summary: FloodSummary) => void) | undefined;
}

/** Flood control of one built-in front. */
export interface FloodGate {
  check(address: string, transport: string): FloodVerdict;
  /** Emits the summaries of an interval that has run its length (called on a timer, so a flood that stopped is still reported). */
  tick(): void;
  /** Emits every pending summary now, whatever the interval's age (at stop). */
  flush(): void;
}

/** How often the summary line is written while a flood lasts, ms. */
export const FLOOD_LOG_INTERVAL_MS = 10_000;
/** Sources counted per summary interval (the rest are added up as `otherSources`). */
const SUMMARY_SOURCES = 1000;
const TOP_SOURCES = 5;

/** Creates the gate; with flood control disabled every message passes. */
export function createFloodGate(deps: FloodGateDeps): FloodGate {
  const { options } = deps;
  if (!options.enabled) return { check: () => 'pass', tick: () => undefined, flush: () => undefined };
  const limiter = createRateLimiter({ ratePerSecond: options.ratePerSecond, burst: options.burst, maxKeys: options.maxSources, now: deps.now });
  const action: FloodAction = options.action === 'drop' ? 'dropped' : 'rejected';
  // The first refused request after a quiet interval is logged at once; later ones at most once per interval.
  const summary = { since: deps.now(), lastReport: -Infinity, refused: 0, bySource: new Map<string, number>(), otherSources: 0 };
  const report = (now: number): void => {
    const top = [...summary.bySource].sort((a, b) => b[1] - a[1]).slice(0, TOP_SOURCES).map(([source, requests]) => ({ source, requests }));
    const fields = { reason: FLOOD_REASON, action, requests: summary.refused, sources: summary.bySource.size + summary.otherSources, top, seconds: Math.round((now - summary.since) / 1000) };
    deps.log.warn(fields, 'sip flood: requests from unknown sources over their rate');
    summary.since = now;
    summary.lastReport = now;
    summary.refused = 0;
    summary.bySource.clear();
    summary.otherSources = 0;
  };
  const records = createSummaryRecords(action, deps);
  return {
    check(address, transport) {
      if (deps.isTrunkSource(address) || limiter.admit(address)) return 'pass';
      deps.metrics.flood(action, transport);
      records.count(address, transport);
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
    tick: () => records.rollover(false),
    flush: () => records.rollover(true),
  };
}

/** The per-interval counts behind the flood summary records (wall clock, so the records carry real times). */
function createSummaryRecords(action: FloodAction, deps: FloodGateDeps): { count(address: string, transport: string): void; rollover(force: boolean): void } {
  let startMs = 0;
  let counted = 0;
  const bySource = new Map<string, { address: string; transport: string; requests: number }>();
  const other = new Map<string, { sources: Set<string> | number; requests: number }>();
  const emit = (endMs: number): void => {
    const onSummary = deps.onSummary;
    // Runs on the SIP path and on a timer: a failing consumer is logged, never thrown into either.
    if (onSummary !== undefined) {
      try {
        const base = { intervalStartMs: startMs, intervalEndMs: endMs, action };
        for (const s of bySource.values()) onSummary({ ...base, sourceAddress: s.address, sources: 1, transport: s.transport, requests: s.requests });
        for (const [transport, o] of other) onSummary({ ...base, sourceAddress: FLOOD_OTHER_SOURCES, sources: typeof o.sources === 'number' ? o.sources : o.sources.size, transport, requests: o.requests });
      } catch (err) {
        deps.log.error({ err }, 'sip flood: summary records not written');
      }
    }
    counted = 0;
    bySource.clear();
    other.clear();
  };
  return {
    count(address, transport) {
      const now = deps.wallMs();
      if (counted > 0 && now - startMs >= FLOOD_LOG_INTERVAL_MS) emit(startMs + FLOOD_LOG_INTERVAL_MS);
      if (counted === 0) startMs = now;
      counted++;
      const key = `${transport} ${address}`;
      const seen = bySource.get(key);
      if (seen !== undefined) seen.requests++;
      else if (bySource.size < SUMMARY_SOURCES) bySource.set(key, { address, transport, requests: 1 });
      else addOther(other, transport, address);
    },
    rollover(force) {
      if (counted === 0) return;
      const now = deps.wallMs();
      if (force || now - startMs >= FLOOD_LOG_INTERVAL_MS) emit(Math.max(startMs, Math.min(now, startMs + FLOOD_LOG_INTERVAL_MS)));
    },
  };
}

/** Distinct sources beyond the bound are told apart up to this many (then only counted up), to bound memory. */
const OTHER_DISTINCT = 10_000;

function addOther(other: Map<string, { sources: Set<string> | number; requests: number }>, transport: string, address: string): void {
  const o = other.get(transport) ?? { sources: new Set<string>(), requests: 0 };
  other.set(transport, o);
  o.requests++;
  if (typeof o.sources === 'number') return;
  o.sources.add(address);
  if (o.sources.size >= OTHER_DISTINCT) o.sources = o.sources.size;
}
