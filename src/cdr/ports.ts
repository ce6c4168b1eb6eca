/**
 * The CDR subsystem's vocabulary: the sinks' metrics and health, and the store as tracebacks and what-if read it (the
 * stored call shape and the number/time query).
 */
import type { CallRecord, CdrRawFields, CdrRecord, CdrSink, FloodSummaryRecord } from '../screening/index.js';


/** A CDR read back from a store, with the raw fields when they were recorded (else null). */
export interface StoredCdr {
  readonly record: CdrRecord;
  readonly requestUri: string | null;
  readonly selectorHeaders: Readonly<Record<string, string>> | null;
}

/**
 * A traceback lookup: calls to `calledKey` from `callingKey` (matched against the calling number — PAI, else
 * From — and the From number) received within [fromMs, toMs], closest to `atMs` first. Keys are number keys (see
 * toNumberKey) as integers.
 */
export interface CallQuery {
  readonly callingKey: number;
  readonly calledKey: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** The time asked about: matches are ordered by distance from it (see compareByDistance). */
  readonly atMs: number;
  /** Most matches returned (the closest to `atMs`), at least 1; null returns every match in the window. */
  readonly limit: number | null;
}

/** What a store found: the closest matches (at most the limit) and how many matched in the window in all. */
export interface CallLookup {
  readonly calls: readonly StoredCdr[];
  /** Every match in the window, counted in the same statement that returned `calls` (so total >= calls.length). */
  readonly total: number;
}

/**
 * The one order of traceback matches, which the stores' SQL follows too: distance from `atMs` (closest first), then
 * receive time (earlier first), then node and sequence number (byte order), so equal distances come back stably.
 */
export function compareByDistance(atMs: number): (a: StoredCdr, b: StoredCdr) => number {
  return (a, b) => {
    const x = a.record;
    const y = b.record;
    return Math.abs(x.receivedAtMs - atMs) - Math.abs(y.receivedAtMs - atMs) || x.receivedAtMs - y.receivedAtMs || byteCompare(x.node, y.node) || x.seq - y.seq;
  };
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Read access to stored CDRs for tracebacks. Queries are parameterised; implementations never build SQL from input. */
export interface CdrQueryStore {
  /** Which store answered (`sqlite DIR`, `postgres TABLE`), for the answer's provenance line. */
  readonly description: string;
  /** The `limit` matches closest to `atMs` in the window, in compareByDistance order, and the window's match count. */
  findCalls(q: CallQuery): Promise<CallLookup>;
  /**
   * Flood summaries (requests from unknown sources refused unparsed by flood control) whose interval overlaps
   * [fromMs, toMs], oldest first, at most `limit`. Absent on stores that do not keep them (PostgreSQL).
   */
  findFloodSummaries?(fromMs: number, toMs: number, limit: number): Promise<readonly FloodSummaryRecord[]>;
  close(): Promise<void>;
}

/** Why CDRs were lost: the sink queue was full, the retry backlog was at its bound, a write (or spool write) failed, or the sink was closed. */
export type CdrLossCause = 'queue-full' | 'backlog-full' | 'write-error' | 'closed';

/** Every loss cause, in the order metrics pre-create them. */
export const CDR_LOSS_CAUSES: readonly CdrLossCause[] = ['queue-full', 'backlog-full', 'write-error', 'closed'];

/** CDR record types (the `type` label of the main CDR counters): one `screening` record per screened call. */
export const CDR_RECORD_TYPES = ['screening', 'disposition', 'flood-summary'] as const satisfies readonly CallRecord['type'][];
export type CdrRecordType = (typeof CDR_RECORD_TYPES)[number];

/** The store sinks (the `sink` label values). */
export type CdrSinkName = 'sqlite' | 'jsonl' | 'postgres';

/**
 * Counters the sinks report (ops implements them). `written` and `lost` count each record once across sinks, by record
 * type: a record is written when every sink that takes it wrote it, lost (once, with the first cause) when any sink
 * lost it; `screening` records are one per call. The `sink*` series count per sink.
 */
export interface CdrSinkMetrics {
  written(n: number, type: CdrRecordType): void;
  lost(n: number, cause: CdrLossCause, type: CdrRecordType): void;
  sinkWritten(sink: CdrSinkName, n: number): void;
  sinkLost(sink: CdrSinkName, n: number, cause: CdrLossCause): void;
  writeSeconds(sink: CdrSinkName, s: number): void;
  queueDepth(n: number): void;
  /** Records and bytes a sink holds for retry (memory and spool) after failed writes. */
  backlog(sink: CdrSinkName, records: number, bytes: number): void;
}

/** Health of a store sink, for /readyz. */
export interface SinkHealth {
  readonly ok: boolean;
  readonly detail: string;
}

/** A CDR sink backed by a store; `write` also takes the raw fields what-if replays need. */
export interface StoreSink extends CdrSink {
  write(record: CallRecord, raw?: CdrRawFields): void;
  health(): SinkHealth;
  /** Records queued or in flight (for the queue-depth gauge). */
  queued(): number;
}
