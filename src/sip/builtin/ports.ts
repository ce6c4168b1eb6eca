/**
 * What the built-in front reports to besides the fronts' shared FrontMetrics: why TCP connections were refused at
 * accept or closed by the gate. Reasons are closed sets.
 */

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
