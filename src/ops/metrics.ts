/**
 * Owns the prom-client Registry and every metric name (the only place they are written); implements the metric ports
 * of screening, the SIP fronts, the drachtio link, the CDR sinks, feeds and config reloads. Label values come from
 * config or closed sets; state-derived gauges are computed at scrape time (collect()), never on a timer.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CDR_LOSS_CAUSES, CDR_RECORD_TYPES, type CdrSinkMetrics } from '../cdr/index.js';
import type { ReloadMetrics } from '../config/index.js';
import type { FeedMetrics } from '../feeds/index.js';
import { createTally } from '../lib/index.js';
import { FLOOD_REASON, REASONS, type Reason, type ScreenedObservation, type ScreeningMetrics, type ScreeningWorld } from '../screening/index.js';
import { TCP_CLOSURES, TCP_REFUSALS, type BuiltinMetrics, type BuiltinTcpMetrics, type TransactionTableStats } from '../sip/builtin/index.js';
import type { DrachtioMetrics } from '../sip/drachtio/index.js';
import type { FrontMetrics } from '../sip/shared/index.js';
import { feedMetrics, providerGauge } from './feed-metrics.js';

/** All metrics of one process: the Registry plus one port per reporting component. */
export interface Metrics {
  readonly registry: Registry;
  readonly screening: ScreeningMetrics;
  readonly front: FrontMetrics;
  readonly builtin: BuiltinMetrics;
  readonly drachtio: DrachtioMetrics;
  readonly builtinTcp: BuiltinTcpMetrics;
  readonly cdr: CdrSinkMetrics;
  readonly feeds: FeedMetrics;
  readonly reloads: ReloadMetrics;
  /** Source of the world in force: rmdgate_providers is computed from it at scrape time. */
  watchWorld(current: () => ScreeningWorld): void;
  /** Source of the CDR queue length, read at scrape time; without one the sink's last reported depth is shown. */
  watchCdrQueue(queued: () => number): void;
  /** A log line was dropped: the log destination's buffer was full (stdout not keeping up). */
  logLineDropped(): void;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** prom-client's default process/runtime metrics; default true. */
  readonly defaultMetrics?: boolean;
  /** Wall clock, epoch ms (provider statuses); default Date.now. */
  readonly now?: () => number;
}

const DECISION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
/** Reasons a screening record can carry (flood-limit is counted by rmdgate_sip_flood_total, before screening). */
const SCREENING_REASONS: readonly Reason[] = REASONS.filter((r) => r !== FLOOD_REASON);
const BLOCK_DECISIONS = ['reject', 'would-block'] as const;
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER', 'response']);

/** Creates the registry and metrics. `version` goes into rmdgate_build_info. */
export function createMetrics(version: string, opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const def = definer(registry);
  const sip = sipPorts(def);
  const cdr = cdrPorts(def);
  const providers = providerGauge(def, opts.now ?? Date.now);
  def.gauge('rmdgate_build_info', 'Build information; value 1', ['version'] as const).set({ version }, 1);
  const logDropped = def.counter('rmdgate_log_dropped_lines_total', 'Log lines dropped because the log destination buffer (16 MiB) was full: stdout not keeping up', []);
  return {
    registry,
    screening: sip.screening,
    front: sip.front,
    builtin: builtinPort(def),
    drachtio: drachtioPort(def),
    builtinTcp: builtinTcpPort(def),
    cdr: cdr.port,
    feeds: feedMetrics(def),
    reloads: reloadPort(def),
    watchWorld: providers.watchWorld,
    watchCdrQueue: cdr.watch,
    logLineDropped: () => logDropped.inc(),
  };
}

/** Metric constructors bound to one registry. */
export interface Definer {
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

/**
 * A counter for the SIP hot path (several increments per call): increments are tallied (lib/tally.ts) and handed to
 * prom-client in the counter's collect(), which prom-client runs at every scrape and every get(), so readers see the
 * same totals as with direct increments. Returns the increment function (one value per label name).
 */
function talliedCounter(def: Definer, name: string, help: string, labelNames: readonly string[], zeros: readonly Record<string, string>[] = []): (...values: (string | number)[]) => void {
  const tally = createTally(labelNames);
  const counter = def.counter(name, help, labelNames, () => tally.drain((labels, n) => counter.inc(labels, n)));
  for (const labels of zeros) counter.inc(labels, 0);
  return (...values) => tally.inc(...values);
}

function sipPorts(def: Definer): { screening: ScreeningMetrics; front: FrontMetrics } {
  const invites = talliedCounter(def, 'rmdgate_invites_total', 'INVITEs screened, by trunk, decision (allow, reject, would-block), reason and mode', ['trunk', 'decision', 'reason', 'mode']);
  const duration = def.histogram('rmdgate_decision_duration_seconds', 'Time to screen one INVITE (core decision, CDR record built)', ['decision'] as const, DECISION_BUCKETS);
  const protectedCalls = def.counter('rmdgate_protected_calls_total', 'Emergency calls and calls from PSAPs let through although a blocking rule fired, by kind (emergency, psap) and the reason that would have refused them', ['kind', 'reason'] as const);
  const screeningErrors = def.counter('rmdgate_screening_errors_total', 'Screenings that threw and were answered by the screening-error policy', []);
  const messages = talliedCounter(def, 'rmdgate_sip_messages_total', 'SIP messages received, by method and transport', ['method', 'transport']);
  const responses = talliedCounter(def, 'rmdgate_sip_responses_total', 'SIP final responses sent, by status and transport', ['status', 'transport']);
  const malformed = def.counter('rmdgate_sip_malformed_total', 'SIP messages dropped or answered 400/513, by kind and transport', ['kind', 'transport'] as const);
  const retrans = def.counter('rmdgate_sip_retransmissions_total', 'Retransmitted requests answered from the transaction cache or absorbed', ['method', 'transport'] as const);
  // Per reason, not per trunk: every screening reason × (reject, would-block) exists from the start at 0.
  const blockLabels = SCREENING_REASONS.flatMap((reason) => BLOCK_DECISIONS.map((decision) => ({ reason, decision })));
  const blocks = talliedCounter(def, 'rmdgate_blocks_total', 'INVITEs refused (reject) or passed as would-block, by reason and decision; every screening reason starts at 0', ['reason', 'decision'], blockLabels);
  const screening: ScreeningMetrics = {
    screened(o: ScreenedObservation) {
      invites(o.trunk, o.decision, o.reason, o.mode);
      if (o.decision !== 'allow') blocks(o.reason, o.decision);
      duration.observe({ decision: o.decision }, o.seconds);
      if (o.protectedCall !== undefined) protectedCalls.inc({ kind: o.protectedCall, reason: o.reason });
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

function builtinPort(def: Definer): BuiltinMetrics {
  let stats: (() => TransactionTableStats) | undefined;
  const notKept = def.counter('rmdgate_sip_transactions_not_kept_total', 'Final replies not kept for retransmissions: no room within sip.maxTransactionBytes', []);
  const flood = def.counter('rmdgate_sip_flood_total', 'Requests from sources no trunk covers that were over their rate (sip.flood), by reason (flood-limit), action (dropped, rejected) and transport', ['reason', 'action', 'transport'] as const);
  for (const action of ['dropped', 'rejected'] as const) for (const transport of ['udp', 'tcp']) flood.inc({ reason: FLOOD_REASON, action, transport }, 0);
  const entries = def.gauge('rmdgate_sip_transactions', 'INVITE transactions kept for retransmissions (built-in front)', [], () => {
    if (stats) entries.set(stats().entries);
  });
  const bytes = def.gauge('rmdgate_sip_transaction_bytes', 'Memory of the INVITE transaction table, bytes (bounded by sip.maxTransactionBytes)', [], () => {
    if (stats) bytes.set(stats().bytes);
  });
  return {
    transactionNotKept: () => notKept.inc(),
    watchTransactions: (fn) => void (stats = fn),
    flood: (action, transport) => flood.inc({ reason: FLOOD_REASON, action, transport }),
  };
}

function cdrPorts(def: Definer): { port: CdrSinkMetrics; watch: (queued: () => number) => void } {
  let source: (() => number) | undefined;
  const written = def.counter('rmdgate_cdr_written_total', 'CDR records written, once per record (by every sink that takes it), by type (screening: one per call, disposition, flood-summary)', ['type'] as const);
  const lost = def.counter('rmdgate_cdr_lost_total', 'CDR records lost, once per record (by at least one sink), by the first cause (queue-full, backlog-full, write-error, closed) and type', ['cause', 'type'] as const);
  const sinkWritten = def.counter('rmdgate_cdr_sink_written_total', 'CDR records written, per sink (held records count when written back)', ['sink'] as const);
  const sinkLost = def.counter('rmdgate_cdr_sink_lost_total', 'CDR records lost, per sink and cause', ['sink', 'cause'] as const);
  const write = def.histogram('rmdgate_cdr_write_duration_seconds', 'Duration of one CDR batch write, per sink', ['sink'] as const, [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
  const queue = def.gauge('rmdgate_cdr_queue_depth', 'CDR records waiting to be written', [], () => {
    if (source) queue.set(source());
  });
  const heldRecords = def.gauge('rmdgate_cdr_backlog_records', 'CDR records held for retry after failed writes (memory and spool), per sink', ['sink'] as const);
  const heldBytes = def.gauge('rmdgate_cdr_backlog_bytes', 'Bytes of CDR records held for retry after failed writes (memory and spool), per sink', ['sink'] as const);
  for (const type of CDR_RECORD_TYPES) {
    written.inc({ type }, 0);
    for (const cause of CDR_LOSS_CAUSES) lost.inc({ cause, type }, 0);
  }
  const port: CdrSinkMetrics = {
    written: (n, type) => written.inc({ type }, n),
    lost: (n, cause, type) => lost.inc({ cause, type }, n),
    sinkWritten: (sink, n) => sinkWritten.inc({ sink }, n),
    sinkLost: (sink, n, cause) => sinkLost.inc({ sink, cause }, n),
    writeSeconds: (sink, s) => write.observe({ sink }, s),
    queueDepth: (n) => queue.set(n),
    backlog(sink, records, bytes) {
      heldRecords.set({ sink }, records);
      heldBytes.set({ sink }, bytes);
    },
  };
  return { port, watch: (queued) => void (source = queued) };
}

function drachtioPort(def: Definer): DrachtioMetrics {
  const connected = def.gauge('rmdgate_drachtio_connected', 'Whether the link to a drachtio-server is up (1) or down (0)', ['server'] as const);
  const reconnects = def.counter('rmdgate_drachtio_reconnects_total', 'Reconnect attempts to a drachtio-server', ['server'] as const);
  return {
    connected(server, up) {
      connected.set({ server }, up ? 1 : 0);
      reconnects.inc({ server }, 0); // the server is known from here on: its reconnects start at 0
    },
    reconnect: (server) => reconnects.inc({ server }),
  };
}

function builtinTcpPort(def: Definer): BuiltinTcpMetrics {
  const refused = def.counter('rmdgate_sip_tcp_refused_total', 'TCP connections refused at accept by the built-in front, by reason (limit, reserve, per-source)', ['reason'] as const);
  const closed = def.counter('rmdgate_sip_tcp_closed_total', 'TCP connections the built-in front closed, by reason (idle, message-timeout, buffer)', ['reason'] as const);
  for (const reason of TCP_REFUSALS) refused.inc({ reason }, 0);
  for (const reason of TCP_CLOSURES) closed.inc({ reason }, 0);
  return { refused: (reason) => refused.inc({ reason }), closed: (reason) => closed.inc({ reason }) };
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
