/**
 * Owns the prom-client Registry and every metric name (the only file that writes them); implements the
 * metric ports of the use case, the SIP fronts and the CDR sink. Label values come from config or closed sets.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FrontMetrics, ScreenedObservation, ScreeningMetrics } from '../../app/ports.js';
import type { CdrSinkMetrics } from '../cdr/jsonl-cdr-sink.js';

/** All metrics of one process. */
export interface Metrics {
  readonly registry: Registry;
  readonly screening: ScreeningMetrics;
  readonly front: FrontMetrics;
  readonly cdr: CdrSinkMetrics;
  /** Data snapshot facts (set on load/reload). */
  setData(d: { rmdRows: number; rmdLoadedAt: number; listEntries: Readonly<Record<string, number>> }): void;
}

const DECISION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER', 'response']);

/** Creates the registry and metrics. `version` goes into rmdgate_build_info. */
export function createMetrics(version: string, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const c = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] });
  const invites = c('rmdgate_invites_total', 'INVITEs screened, by trunk, decision (allow, reject, would-block), reason and mode', ['trunk', 'decision', 'reason', 'mode'] as const);
  const duration = new Histogram<'decision'>({ name: 'rmdgate_decision_duration_seconds', help: 'Time to screen one INVITE (core decision, CDR record built)', labelNames: ['decision'] as const, buckets: DECISION_BUCKETS, registers: [registry] });
  const screeningErrors = c('rmdgate_screening_errors_total', 'Screenings that threw and were answered by the screening-error policy', []);
  const messages = c('rmdgate_sip_messages_total', 'SIP messages received, by method and transport', ['method', 'transport'] as const);
  const responses = c('rmdgate_sip_responses_total', 'SIP final responses sent, by status and transport', ['status', 'transport'] as const);
  const malformed = c('rmdgate_sip_malformed_total', 'SIP messages dropped or answered 400/513, by kind and transport', ['kind', 'transport'] as const);
  const retrans = c('rmdgate_sip_retransmissions_total', 'Retransmitted requests answered from the transaction cache or absorbed', ['method', 'transport'] as const);
  const cdrWritten = c('rmdgate_cdr_written_total', 'CDR records written', []);
  const cdrLost = c('rmdgate_cdr_lost_total', 'CDR records lost, by cause', ['cause'] as const);
  const cdrWrite = new Histogram({ name: 'rmdgate_cdr_write_duration_seconds', help: 'Duration of one CDR batch append', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: [registry] });
  const cdrQueue = new Gauge({ name: 'rmdgate_cdr_queue_depth', help: 'CDR records waiting to be written', registers: [registry] });
  const rmdRows = new Gauge({ name: 'rmdgate_rmd_rows', help: 'Filings in the RMD snapshot in force', registers: [registry] });
  const rmdLoaded = new Gauge({ name: 'rmdgate_rmd_loaded_timestamp_seconds', help: 'When the RMD snapshot in force was loaded (Unix time)', registers: [registry] });
  const listEntries = new Gauge<'list'>({ name: 'rmdgate_blocklist_entries', help: 'Entries per blocklist', labelNames: ['list'] as const, registers: [registry] });
  new Gauge<'version'>({ name: 'rmdgate_build_info', help: 'Build information; value 1', labelNames: ['version'] as const, registers: [registry] }).set({ version }, 1);

  const screening: ScreeningMetrics = {
    screened(o: ScreenedObservation) {
      invites.inc({ trunk: o.trunk, decision: o.decision, reason: o.reason, mode: o.mode });
      duration.observe({ decision: o.decision }, o.seconds);
    },
    screeningError: () => screeningErrors.inc(),
  };
  const front: FrontMetrics = {
    message: (method, transport) => messages.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', transport }),
    response: (status, transport) => responses.inc({ status: String(status), transport }),
    malformed: (kind, transport) => malformed.inc({ kind, transport }),
    retransmission: (method, transport) => retrans.inc({ method: KNOWN_METHODS.has(method) ? method : 'other', transport }),
  };
  const cdr: CdrSinkMetrics = {
    written: (n) => cdrWritten.inc(n),
    lost: (n, cause) => cdrLost.inc({ cause }, n),
    writeSeconds: (s) => cdrWrite.observe(s),
    queueDepth: (n) => cdrQueue.set(n),
  };
  function setData(d: { rmdRows: number; rmdLoadedAt: number; listEntries: Readonly<Record<string, number>> }): void {
    rmdRows.set(d.rmdRows);
    rmdLoaded.set(d.rmdLoadedAt / 1000);
    listEntries.reset();
    for (const [list, n] of Object.entries(d.listEntries)) listEntries.set({ list }, n);
  }
  return { registry, screening, front, cdr, setData };
}
