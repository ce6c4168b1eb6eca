/**
 * Hand-written fakes shared by the tests: loggers (silent, recording), counting CDR sink metrics and an in-memory
 * traceback store.
 */
import { toKeyValue } from '../../src/cdr/columns.js';
import { compareByDistance, type CallQuery, type CdrQueryStore, type CdrSinkMetrics, type StoredCdr } from '../../src/cdr/ports.js';
import type { CdrRecord } from '../../src/screening/cdr-record.js';
import type { Logger } from '../../src/screening/ports.js';

/** A logger that drops everything. */
export const silentLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
  isLevelEnabled: () => false,
};

/** A logger that records `{ level, msg, obj }`. */
export function recordingLog(lines: { level: string; msg: string | undefined; obj: object }[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg, obj });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log, isLevelEnabled: () => true };
  return log;
}

/** Counting metrics: totals of written and lost (once per record; `byType` per record type), lost by cause, per-sink counts (`lost` keyed `sink/cause`), held records. */
export function countingMetrics(): CdrSinkMetrics & {
  counts: { written: number; lost: number };
  byType: { written: Record<string, number>; lost: Record<string, number> };
  lostBy: Record<string, number>;
  bySink: { written: Record<string, number>; lost: Record<string, number> };
  held: Record<string, { records: number; bytes: number }>;
} {
  const counts = { written: 0, lost: 0 };
  const byType = { written: {} as Record<string, number>, lost: {} as Record<string, number> };
  const lostBy: Record<string, number> = {};
  const sinkWritten: Record<string, number> = {};
  const sinkLost: Record<string, number> = {};
  const held: Record<string, { records: number; bytes: number }> = {};
  return {
    counts,
    byType,
    lostBy,
    bySink: { written: sinkWritten, lost: sinkLost },
    held,
    written: (n, type) => {
      counts.written += n;
      byType.written[type] = (byType.written[type] ?? 0) + n;
    },
    lost: (n, cause, type) => {
      counts.lost += n;
      byType.lost[type] = (byType.lost[type] ?? 0) + n;
      lostBy[cause] = (lostBy[cause] ?? 0) + n;
    },
    // Zero adds (the series a real registry creates at start) are not counted here.
    sinkWritten: (sink, n) => void (n > 0 && (sinkWritten[sink] = (sinkWritten[sink] ?? 0) + n)),
    sinkLost: (sink, n, cause) => void (n > 0 && (sinkLost[`${sink}/${cause}`] = (sinkLost[`${sink}/${cause}`] ?? 0) + n)),
    writeSeconds: () => undefined,
    queueDepth: () => undefined,
    backlog: (sink, records, bytes) => void (held[sink] = { records, bytes }),
  };
}

/** An in-memory CdrQueryStore over StoredCdrs, matching and ordering like the real stores (called key, calling or From key, window; closest to the time first). */
export function memoryStore(calls: readonly StoredCdr[]): CdrQueryStore & { queries: CallQuery[] } {
  const queries: CallQuery[] = [];
  const key = (n: string | null): number | null => toKeyValue(n);
  return {
    description: 'memory',
    queries,
    findCalls(q) {
      queries.push(q);
      const found = calls.filter((c) => {
        const r = c.record;
        const callingOk = key(r.callingE164) === q.callingKey || key(r.fromE164 ?? r.fromUser) === q.callingKey;
        return key(r.calledE164 ?? r.ruriUser) === q.calledKey && callingOk && r.receivedAtMs >= q.fromMs && r.receivedAtMs <= q.toMs;
      });
      found.sort(compareByDistance(q.atMs));
      return Promise.resolve({ calls: q.limit === null ? found : found.slice(0, q.limit), total: found.length });
    },
    close: () => Promise.resolve(),
  };
}

/** Wraps a record as a stored call without raw fields. */
export function stored(record: CdrRecord, raw: Partial<Pick<StoredCdr, 'requestUri' | 'selectorHeaders'>> = {}): StoredCdr {
  return { record, requestUri: raw.requestUri ?? null, selectorHeaders: raw.selectorHeaders ?? null };
}
