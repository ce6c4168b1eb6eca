/**
 * What the built-in front reports beyond the shared FrontMetrics: its transaction table and its flood control.
 * Implemented by ops/metrics.ts (the only place metric names are written).
 */

/** Size of the INVITE transaction table, read at scrape time. */
export interface TransactionTableStats {
  readonly entries: number;
  /** Slab bytes allocated (bounded by `sip.maxTransactionBytes`). */
  readonly bytes: number;
}

/** What a request over its source's rate got: dropped without an answer, or answered 503 with Retry-After. */
export type FloodAction = 'dropped' | 'rejected';

/** Metrics port of the built-in front. */
export interface BuiltinMetrics {
  /** A final reply could not be kept for retransmissions (no room within the byte bound). */
  transactionNotKept(): void;
  /** Source of the transaction table's size; the last registered one is read at scrape time. */
  watchTransactions(stats: () => TransactionTableStats): void;
  /** A request from a source that matches no configured trunk was over that source's rate. */
  flood(action: FloodAction, transport: string): void;
}
