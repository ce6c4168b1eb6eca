/**
 * What the built-in front reports beyond the shared FrontMetrics: its transaction table, its flood control and
 * why TCP connections were refused or closed. Implemented by ops/metrics.ts (the only place metric names are
 * written); reasons are closed sets.
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

/** Why a TCP connection was refused at accept (tcp-guard.ts). */
export type TcpRefusal =
  /** All `maxTcpConnections` are open. */
  | 'limit'
  /** Only the connections reserved for configured trunk sources are left, and the source is not one. */
  | 'reserve'
  /** The source address already has its per-source cap of connections open. */
  | 'per-source';

/** Why the gate closed an open TCP connection (tcp-guard.ts; framing errors are counted as malformed messages). */
export type TcpClosure =
  /** No complete message (or keepalive ping) for `tcpIdleTimeoutMs`. */
  | 'idle'
  /** A message's first byte came more than `tcpMessageTimeoutMs` ago and it is still incomplete (slowloris). */
  | 'message-timeout'
  /** Bytes held for the connection (unframed input plus unsent responses) exceeded `tcpMaxBufferedBytes`. */
  | 'buffer';

/** All TCP refusal reasons, for pre-created series. */
export const TCP_REFUSALS: readonly TcpRefusal[] = ['limit', 'reserve', 'per-source'];
/** All TCP closure reasons, for pre-created series. */
export const TCP_CLOSURES: readonly TcpClosure[] = ['idle', 'message-timeout', 'buffer'];

/** TCP connection counters of the built-in front (`rmdgate_sip_tcp_*`). */
export interface BuiltinTcpMetrics {
  refused(reason: TcpRefusal): void;
  closed(reason: TcpClosure): void;
}
