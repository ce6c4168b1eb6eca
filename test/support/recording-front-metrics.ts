/**
 * Test fake of FrontMetrics (and the built-in front's own BuiltinMetrics) that records every call, for asserting
 * what a SIP front counted.
 */
import type { BuiltinMetrics, TransactionTableStats } from '../../src/sip/builtin/ports.js';
import type { FrontMetrics } from '../../src/sip/shared/ports.js';

/** One recorded counter call; `label` is the method, status or kind, `transport` the transport label. */
export interface RecordedFrontMetric {
  readonly name: 'message' | 'response' | 'malformed' | 'retransmission' | 'flood' | 'transactionNotKept';
  readonly label: string;
  readonly transport: string;
}

/** FrontMetrics that remembers its calls. */
export interface RecordingFrontMetrics extends FrontMetrics, BuiltinMetrics {
  readonly calls: RecordedFrontMetric[];
  /** The transaction table's size, as the last watched source reports it (zeros before one is watched). */
  transactions(): TransactionTableStats;
  /** How many calls match; omitted filters match anything. */
  count(name: RecordedFrontMetric['name'], label?: string | number, transport?: string): number;
  reset(): void;
}

/** Creates an empty recording fake. */
export function createRecordingFrontMetrics(): RecordingFrontMetrics {
  const calls: RecordedFrontMetric[] = [];
  let stats: (() => TransactionTableStats) | undefined;
  const record = (name: RecordedFrontMetric['name'], label: string | number, transport: string): void => {
    calls.push({ name, label: String(label), transport });
  };
  return {
    calls,
    message: (method, transport) => record('message', method, transport),
    response: (status, transport) => record('response', status, transport),
    malformed: (kind, transport) => record('malformed', kind, transport),
    retransmission: (method, transport) => record('retransmission', method, transport),
    flood: (action, transport) => record('flood', action, transport),
    transactionNotKept: () => record('transactionNotKept', '', ''),
    watchTransactions: (fn) => void (stats = fn),
    transactions: () => stats?.() ?? { entries: 0, bytes: 0 },
    count: (name, label, transport) =>
      calls.filter(
        (c) =>
          c.name === name &&
          (label === undefined || c.label === String(label)) &&
          (transport === undefined || c.transport === transport),
      ).length,
    reset: () => {
      calls.length = 0;
    },
  };
}
