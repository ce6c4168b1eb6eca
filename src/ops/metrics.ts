/**
 * Owns the prom-client Registry and every metric name (the only file that writes them); implements the
 * metric ports of the use case, SIP fronts, CDR sink, feeds, caches, drachtio link and reloads (metric-ports.ts).
 * Label values come from config or closed sets; state-derived gauges are computed in collect(), never on a timer.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FrontMetrics, ScreenedObservation, ScreeningMetrics } from '../screening/ports.js';
import type { ScreeningWorld } from '../screening/policy.js';
import type { CdrSinkMetrics } from '../cdr/jsonl-sink.js';
import type { FeedMetrics as FeedSystemMetrics } from '../feeds/ports.js';
import { createFeedStateTable, type FeedStateTable } from './feed-state.js';
import { createFeedSystemMetrics } from './feed-system-metrics.js';
import { FEED_REFRESH_RESULTS, type CacheMetrics, type DrachtioMetrics, type FeedMetrics, type FeedStatus, type ReloadMetrics } from './metric-ports.js';
import { PROVIDER_RMD_STATUSES, countProviderRmdStatuses } from '../screening/provider-status.js';

export type { CacheMetrics, DrachtioMetrics, FeedMetrics, FeedStatus, ReloadMetrics } from './metric-ports.js';

/** Data snapshot facts for {@link Metrics.setData} (kept for callers predating {@link FeedMetrics}). */
export interface DataFacts {
  readonly rmdRows: number;
  /** Epoch ms the RMD snapshot was loaded. */
  readonly rmdLoadedAt: number;
  readonly listEntries: Readonly<Record<string, number>>;
  /** RMD snapshot id (content hash); default `unknown`. */
  readonly rmdVersion?: string;
  /** Version label for every blocklist (e.g. the config version while lists load with the config); default `unknown`. */
  readonly listVersion?: string;
}

/** All metrics of one process: the Registry plus one port per reporting component. */
export interface Metrics {
  readonly registry: Registry;
  readonly screening: ScreeningMetrics;
  readonly front: FrontMetrics;
  readonly cdr: CdrSinkMetrics;
  readonly feeds: FeedMetrics;
  readonly cache: CacheMetrics;
  readonly drachtio: DrachtioMetrics;
  readonly reloads: ReloadMetrics;
  /** The feed system's port (app/feed-ports.ts), implemented on the ports above. */
  readonly feedSystem: FeedSystemMetrics;
  /** Feed state (readiness, /admin/status): from FeedMetrics events, or the feed system's status once it observes. */
  feedStatus(): readonly FeedStatus[];
  /** Source of the world in force: rmdgate_providers is computed from it at scrape time (collect()). */
  watchWorld(current: () => ScreeningWorld): void;
  /** Source of the CDR queue length, read at scrape time; without one the sink's last reported depth is shown. */
  watchCdrQueue(queued: () => number): void;
  /** Reports the RMD and blocklist snapshots through {@link FeedMetrics} (registering them with the default budget). */
  setData(d: DataFacts): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** prom-client's default process/runtime metrics; default true. */
  readonly defaultMetrics?: boolean;
  /** Wall clock, epoch ms (feed ages, provider statuses); default Date.now. */
  readonly now?: () => number;
  /** Staleness budget of feeds not registered explicitly, seconds (config `feeds.maxAgeHours`); default 48 h. */
  readonly feedMaxAgeSeconds?: number;
}

const DECISION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const REFRESH_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER', 'response']);
/** Staleness budget of feeds reported through setData without a register() call: 48 h. */
export const DEFAULT_FEED_MAX_AGE_SECONDS = 48 * 3600;
/** Provider statuses are recomputed at most this often for the same world (they change with dates only). */
const PROVIDER_STATUS_TTL_MS = 60_000;

/** Creates the registry and metrics. `version` goes into rmdgate_build_info. */
export function createMetrics(version: string, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const now = opts.now ?? Date.now;
  const def = definer(registry);
  const sip = sipPorts(def);
  const cdr = cdrPorts(def);
  const maxAge = opts.feedMaxAgeSeconds ?? DEFAULT_FEED_MAX_AGE_SECONDS;
  const table = createFeedStateTable(maxAge);
  const feeds = feedPorts(def, table, now);
  const providers = providerGauge(def, now);
  const cache = cachePort(def);
  const reloads = reloadPort(def);
  def.gauge('rmdgate_build_info', 'Build information; value 1', ['version'] as const).set({ version }, 1);
  const setData = (d: DataFacts): void => {
    feeds.loaded('rmd', { version: d.rmdVersion ?? 'unknown', rows: d.rmdRows, asOf: d.rmdLoadedAt });
    for (const [list, rows] of Object.entries(d.listEntries)) feeds.loaded(list, { version: d.listVersion ?? 'unknown', rows, asOf: now() });
  };
  const bridge = { feeds, cache, reloads, watchFeeds: table.watch, watchGrace: providers.watchGrace, maxAgeOf: table.maxAgeOf, now };
  return {
    registry,
    screening: sip.screening,
    front: sip.front,
    cdr: cdr.port,
    feeds,
    cache,
    drachtio: drachtioPort(def),
    reloads,
    feedSystem: createFeedSystemMetrics(bridge, maxAge),
    feedStatus: table.list,
    watchWorld: providers.watchWorld,
    watchCdrQueue: cdr.watch,
    setData,
  };
}

/** Metric constructors bound to one registry. */
interface Definer {
  counter<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => void): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => void): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L>;
}

function definer(registry: Registry): Definer {
  const registers = [registry];
  return {
    counter: (name, help, labelNames, collect) => new Counter({ name, help, labelNames, registers, ...(collect ? { collect } : {}) }),
    gauge: (name, help, labelNames, collect) => new Gauge({ name, help, labelNames, registers, ...(collect ? { collect } : {}) }),
    histogram: (name, help, labelNames, buckets) => new Histogram({ name, help, labelNames, buckets, registers }),
  };
}

/** One series of a tallied counter: its labels and the increments not yet handed to prom-client. */
interface TallyCell {
  readonly labels: Record<string, string>;
  n: number;
}

/**
 * A counter for the SIP hot path (several increments per call): increments are tallied in nested Maps keyed by the
 * label values, in labelNames order — no label-set hashing or validation per call — and handed to prom-client in the
 * counter's collect(), which prom-client runs at every scrape and every get(), so /metrics and readers see the same
 * totals as with direct increments. Returns the increment function (one value per label name).
 */
function talliedCounter(def: Definer, name: string, help: string, labelNames: readonly string[]): (...values: (string | number)[]) => void {
  const root = new Map<string | number, unknown>();
  const cells: TallyCell[] = [];
  const counter = def.counter(name, help, labelNames, () => {
    for (const c of cells) {
      if (c.n === 0) continue;
      counter.inc(c.labels, c.n);
      c.n = 0;
    }
  });
  const newCell = (values: readonly (string | number)[]): TallyCell => {
    const labels: Record<string, string> = {};
    labelNames.forEach((l, i) => (labels[l] = String(values[i])));
    const cell = { labels, n: 0 };
    cells.push(cell);
    return cell;
  };
  return (...values) => {
    let node = root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Map<string | number, unknown> | undefined;
      if (next === undefined) node.set(values[i]!, (next = new Map()));
      node = next;
    }
    let cell = node.get(values[last]!) as TallyCell | undefined;
    if (cell === undefined) node.set(values[last]!, (cell = newCell(values)));
    cell.n++;
  };
}

function sipPorts(def: Definer): { screening: ScreeningMetrics; front: FrontMetrics } {
  const invites = talliedCounter(def, 'rmdgate_invites_total', 'INVITEs screened, by trunk, decision (allow, reject, would-block), reason and mode', ['trunk', 'decision', 'reason', 'mode']);
  const duration = def.histogram('rmdgate_decision_duration_seconds', 'Time to screen one INVITE (core decision, CDR record built)', ['decision'] as const, DECISION_BUCKETS);
  const screeningErrors = def.counter('rmdgate_screening_errors_total', 'Screenings that threw and were answered by the screening-error policy', []);
  const messages = talliedCounter(def, 'rmdgate_sip_messages_total', 'SIP messages received, by method and transport', ['method', 'transport']);
  const responses = talliedCounter(def, 'rmdgate_sip_responses_total', 'SIP final responses sent, by status and transport', ['status', 'transport']);
  const malformed = def.counter('rmdgate_sip_malformed_total', 'SIP messages dropped or answered 400/513, by kind and transport', ['kind', 'transport'] as const);
  const retrans = def.counter('rmdgate_sip_retransmissions_total', 'Retransmitted requests answered from the transaction cache or absorbed', ['method', 'transport'] as const);
  const screening: ScreeningMetrics = {
    screened(o: ScreenedObservation) {
      invites(o.trunk, o.decision, o.reason, o.mode);
      duration.observe({ decision: o.decision }, o.seconds);
    },
    screeningError: () => screeningErrors.inc(),
  };
  const front: FrontMetrics = {
    message: (method, transport) => messages(KNOWN_METHODS.has(method) ? method : 'other', transport),
    response: (status, transport) => responses(status, transport),
    malformed: (kind, transport) => malformed.inc({ kind, transport }),
    retransmission: (method, transport) => retrans.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', transport }),
  };
  return { screening, front };
}

function cdrPorts(def: Definer): { port: CdrSinkMetrics; watch: (queued: () => number) => void } {
  let source: (() => number) | undefined;
  const written = def.counter('rmdgate_cdr_written_total', 'CDR records written', []);
  const lost = def.counter('rmdgate_cdr_lost_total', 'CDR records lost, by cause (queue-full, write-error, closed)', ['cause'] as const);
  const write = def.histogram('rmdgate_cdr_write_duration_seconds', 'Duration of one CDR batch append', [], [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
  const queue = def.gauge('rmdgate_cdr_queue_depth', 'CDR records waiting to be written', [], () => {
    if (source) queue.set(source());
  });
  for (const cause of ['queue-full', 'write-error', 'closed'] as const) lost.inc({ cause }, 0);
  const port: CdrSinkMetrics = {
    written: (n) => written.inc(n),
    lost: (n, cause) => lost.inc({ cause }, n),
    writeSeconds: (s) => write.observe(s),
    queueDepth: (n) => queue.set(n),
  };
  return { port, watch: (queued) => void (source = queued) };
}

/** The per-feed state gauges, computed from the feed state table at scrape time. */
function feedGauges(def: Definer, table: FeedStateTable, now: () => number): void {
  const perFeed = <L extends string>(g: Gauge<L>, set: (s: FeedStatus) => void): void => {
    g.reset();
    for (const s of table.list()) set(s);
  };
  const age: Gauge<'feed'> = def.gauge('rmdgate_feed_age_seconds', 'Age of the data in force per feed: now minus when its source last produced or confirmed it', ['feed'] as const, () =>
    perFeed(age, (s) => s.asOf !== undefined && age.set({ feed: s.feed }, Math.max(0, (now() - s.asOf) / 1000))));
  const maxAge: Gauge<'feed'> = def.gauge('rmdgate_feed_max_age_seconds', 'Staleness budget per feed (alert and readiness threshold)', ['feed'] as const, () =>
    perFeed(maxAge, (s) => maxAge.set({ feed: s.feed }, s.maxAgeSeconds)));
  const rows: Gauge<'feed'> = def.gauge('rmdgate_feed_rows', 'Rows or entries in the snapshot in force, per feed', ['feed'] as const, () =>
    perFeed(rows, (s) => s.rows !== undefined && rows.set({ feed: s.feed }, s.rows)));
  const info: Gauge<'feed' | 'version'> = def.gauge('rmdgate_feed_info', 'Version (content hash) of the snapshot in force, per feed; value 1', ['feed', 'version'] as const, () =>
    perFeed(info, (s) => s.version !== undefined && info.set({ feed: s.feed, version: s.version }, 1)));
  const lastOk: Gauge<'feed'> = def.gauge('rmdgate_feed_last_refresh_success', 'Whether the last refresh of a feed succeeded (1: updated or not modified) or not (0: refused or error)', ['feed'] as const, () =>
    perFeed(lastOk, (s) => s.lastRefresh !== undefined && lastOk.set({ feed: s.feed }, s.lastRefresh === 'updated' || s.lastRefresh === 'not-modified' ? 1 : 0)));
}

function feedPorts(def: Definer, table: FeedStateTable, now: () => number): FeedMetrics {
  feedGauges(def, table, now);
  const refreshes = def.counter('rmdgate_feed_refreshes_total', 'Feed refresh attempts by result (updated, not-modified, refused, error)', ['feed', 'result'] as const);
  const duration = def.histogram('rmdgate_feed_refresh_duration_seconds', 'Duration of feed refresh attempts (fetch, parse, swap)', ['feed'] as const, REFRESH_BUCKETS);
  const errors = def.counter('rmdgate_feed_errors_total', 'Failed feed refresh attempts by error code (ERR_FEED_*)', ['feed', 'code'] as const);
  const changes = def.counter('rmdgate_rmd_provider_changes_total', 'Changes of configured providers between RMD snapshots, by kind (removed, listed, ...)', ['change'] as const);
  const seen = new Set<string>();
  const known = (feed: string): void => {
    if (seen.has(feed)) return;
    seen.add(feed);
    for (const result of FEED_REFRESH_RESULTS) refreshes.inc({ feed, result }, 0);
  };
  return {
    register(feed, o) {
      known(feed);
      table.register(feed, o.maxAgeSeconds);
    },
    loaded: (feed, snap) => (known(feed), table.loaded(feed, snap)),
    refreshed(feed, result, seconds) {
      known(feed);
      table.refreshed(feed, result);
      refreshes.inc({ feed, result });
      duration.observe({ feed }, seconds);
    },
    failed: (feed, code) => errors.inc({ feed, code }),
    providerChanged: (change) => changes.inc({ change }),
    unregister(feed) {
      table.unregister(feed);
      seen.delete(feed);
      duration.remove({ feed });
      for (const result of FEED_REFRESH_RESULTS) refreshes.remove({ feed, result });
    },
  };
}

function providerGauge(def: Definer, now: () => number): { watchWorld(current: () => ScreeningWorld): void; watchGrace(count: () => number): void } {
  let source: (() => ScreeningWorld) | undefined;
  let grace: (() => number) | undefined;
  let memo: { world: ScreeningWorld; at: number; grace: number | undefined; counts: ReturnType<typeof countProviderRmdStatuses> } | undefined;
  const gauge: Gauge<'rmd_status'> = def.gauge('rmdgate_providers', 'Configured providers by RMD status (listed, overdue, in-grace, missing, designated, exempt)', ['rmd_status'] as const, () => {
    if (!source) return;
    const world = source();
    const t = now();
    const g = grace?.();
    if (memo?.world !== world || memo.grace !== g || t - memo.at >= PROVIDER_STATUS_TTL_MS) memo = { world, at: t, grace: g, counts: countProviderRmdStatuses(world, t, g) };
    for (const s of PROVIDER_RMD_STATUSES) gauge.set({ rmd_status: s }, memo.counts[s]);
  });
  return { watchWorld: (current) => void (source = current), watchGrace: (count) => void (grace = count) };
}

function cachePort(def: Definer): CacheMetrics {
  const sources = new Map<string, () => number>();
  const lookups = def.counter('rmdgate_cache_lookups_total', 'Compliance cache lookups by result (hit, miss, stale, error)', ['cache', 'result'] as const);
  const entries = def.gauge('rmdgate_cache_entries', 'Entries held per compliance cache', ['cache'] as const, () => {
    for (const [cache, count] of sources) entries.set({ cache }, count());
  });
  return { lookup: (cache, result) => lookups.inc({ cache, result }), observeEntries: (cache, count) => void sources.set(cache, count) };
}

function drachtioPort(def: Definer): DrachtioMetrics {
  const connected = def.gauge('rmdgate_drachtio_connected', 'Whether the link to a drachtio-server is up (1) or down (0)', ['server'] as const);
  const reconnects = def.counter('rmdgate_drachtio_reconnects_total', 'Reconnect attempts to a drachtio-server', ['server'] as const);
  return { connected: (server, up) => connected.set({ server }, up ? 1 : 0), reconnect: (server) => reconnects.inc({ server }) };
}

function reloadPort(def: Definer): ReloadMetrics {
  const reloads = def.counter('rmdgate_config_reloads_total', 'Config reload attempts by result (success, failure)', ['result'] as const);
  const last = def.gauge('rmdgate_config_last_reload_success', 'Whether the last config reload succeeded (1, also before any reload) or failed (0)', []);
  const info = def.gauge('rmdgate_config_info', 'Version (content hash) of the config in force; value 1', ['version'] as const);
  for (const result of ['success', 'failure'] as const) reloads.inc({ result }, 0);
  last.set(1);
  return {
    configInForce(version) {
      info.reset();
      info.set({ version }, 1);
    },
    reloaded(result) {
      reloads.inc({ result });
      last.set(result === 'success' ? 1 : 0);
    },
  };
}
