/**
 * Built-in SIP front: the UDP and TCP listeners of the stateless redirect/reject server (RFC 3261, RFC 3581).
 * Wires the listeners (listeners.ts) to the dispatcher (dispatch.ts) and owns start/stop.
 */
import type { FloodSummary, Logger } from '../../screening/index.js';
import type { FrontMetrics } from '../shared/index.js';
import { createSipDispatcher, type InviteHandler } from './dispatch.js';
import { FLOOD_LOG_INTERVAL_MS, type FloodOptions } from './flood.js';
import type { BuiltinMetrics } from './ports.js';
import { type BoundListener, type Listener, type ListenerDeps, listenTcp, listenUdp } from './listeners.js';
import type { BuiltinTcpMetrics } from './ports.js';
import { createTcpAdmission } from './tcp-guard.js';

export type { BoundListener } from './listeners.js';

/** One socket to listen on; `port` 0 picks an ephemeral port. */
export interface BuiltinListen {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}

/** Configuration and collaborators of the built-in SIP server. */
export interface BuiltinSipServerOptions {
  readonly listen: readonly BuiltinListen[];
  /** Called once per new INVITE transaction, never for retransmissions. */
  readonly onInvite: InviteHandler;
  readonly metrics: FrontMetrics;
  readonly log: Logger;
  /** Injected clock, epoch ms: receive times and transaction ageing. */
  readonly now: () => number;
  /** Largest UDP datagram or TCP message accepted, bytes (e.g. 65535); larger ones get 513 when routable. */
  readonly maxMessageBytes: number;
  /** Open TCP connections across all TCP listeners; connections beyond it are closed at once. */
  readonly maxTcpConnections: number;
  /** Of `maxTcpConnections`, how many only sources `isTrunkSource` accepts may use (< maxTcpConnections). */
  readonly tcpTrunkReserve: number;
  /** Open TCP connections per source address that is not a trunk source. */
  readonly maxTcpConnectionsPerSource: number;
  /** Open TCP connections per trunk source address. */
  readonly maxTcpConnectionsPerTrunkSource: number;
  /** A TCP connection with no complete message or keepalive ping for this long is closed, ms (bytes alone do not count). */
  readonly tcpIdleTimeoutMs: number;
  /** A TCP message must be complete this long after its first byte, else the connection is closed, ms (slowloris). */
  readonly tcpMessageTimeoutMs: number;
  /** Unframed input plus unsent responses held per TCP connection, bytes; beyond it the connection is closed. */
  readonly tcpMaxBufferedBytes: number;
  /**
   * Whether an address is a configured trunk source (of the screening world in force); asked once per TCP connection
   * (such sources may use the reserve and have `maxTcpConnectionsPerTrunkSource`) and once per message by flood
   * control (such sources are never rate-limited).
   */
  readonly isTrunkSource: (address: string) => boolean;
  readonly tcpMetrics: BuiltinTcpMetrics;
  /** Lower-case header names copied into `facts.selectorHeaders`. */
  readonly selectorHeaderNames: readonly string[];
  /** `Server:` header value on every response; omitted when undefined. */
  readonly serverHeader?: string | undefined;
  /** How long a final response is kept for retransmitted INVITEs, ms (e.g. 32000 = 64*T1). */
  readonly transactionTtlMs: number;
  /** Bound of the transaction cache (entries). */
  readonly maxTransactions: number;
  /** Bound of the transaction cache's memory, bytes. */
  readonly maxTransactionBytes: number;
  readonly builtinMetrics: BuiltinMetrics;
  /** Per-source rate limit of addresses no configured trunk covers. */
  readonly flood: FloodOptions;
  /** Monotonic clock, ms. */
  readonly monotonicMs: () => number;
  /**
   * Receives one summary per source per interval of the requests flood control refused (main.ts writes them as flood
   * summary CDRs); intervals are emitted as they roll over and the pending ones at stop(). Must not throw.
   */
  readonly onFloodSummary?: ((summary: FloodSummary) => void) | undefined;
}

/** The built-in stateless SIP redirect/reject server. */
export interface BuiltinSipServer {
  /** Binds every listener; rejects (closing what was bound) when one fails. Returns the actual addresses. */
  start(): Promise<readonly BoundListener[]>;
  /**
   * Flushes queued responses and closes the UDP sockets, every TCP connection and the TCP listeners, then emits the
   * pending flood summaries. Idempotent.
   */
  stop(): Promise<void>;
  /** True between a successful start() and stop(). */
  isListening(): boolean;
}

/** Creates the server; nothing is bound until start(). */
export function createBuiltinSipServer(opts: BuiltinSipServerOptions): BuiltinSipServer {
  const dispatcher = createSipDispatcher({
    onInvite: opts.onInvite,
    metrics: opts.metrics,
    log: opts.log,
    now: opts.now,
    selectorHeaderNames: opts.selectorHeaderNames.map((name) => name.toLowerCase()),
    serverHeader: opts.serverHeader,
    transactionTtlMs: opts.transactionTtlMs,
    maxTransactions: opts.maxTransactions,
    maxTransactionBytes: opts.maxTransactionBytes,
    builtinMetrics: opts.builtinMetrics,
    flood: opts.flood,
    isTrunkSource: opts.isTrunkSource,
    monotonicMs: opts.monotonicMs,
    onFloodSummary: opts.onFloodSummary,
  });
  const tcpLimits = {
    maxConnections: opts.maxTcpConnections,
    trunkReserve: opts.tcpTrunkReserve,
    maxPerSource: opts.maxTcpConnectionsPerSource,
    maxPerTrunkSource: opts.maxTcpConnectionsPerTrunkSource,
    idleTimeoutMs: opts.tcpIdleTimeoutMs,
    messageTimeoutMs: opts.tcpMessageTimeoutMs,
    maxBufferedBytes: opts.tcpMaxBufferedBytes,
  };
  const deps: ListenerDeps = {
    dispatcher,
    log: opts.log,
    now: opts.now,
    maxMessageBytes: opts.maxMessageBytes,
    tcpLimits,
    tcpAdmission: createTcpAdmission(tcpLimits, opts.isTrunkSource, opts.tcpMetrics),
    tcpMetrics: opts.tcpMetrics,
  };
  const listeners: Listener[] = [];
  const closeAll = (): Promise<unknown> => Promise.all(listeners.splice(0).map((l) => l.close()));
  let listening = false;
  let stopping: Promise<void> | undefined;
  let floodTimer: NodeJS.Timeout | undefined;
  return {
    async start() {
      try {
        for (const { transport, address, port } of opts.listen) {
          listeners.push(await (transport === 'udp' ? listenUdp : listenTcp)(deps, address, port));
        }
      } catch (err) {
        await closeAll();
        throw err;
      }
      listening = true;
      floodTimer = setInterval(() => dispatcher.flood.tick(), FLOOD_LOG_INTERVAL_MS);
      floodTimer.unref();
      return listeners.map((l) => l.bound);
    },
    stop() {
      stopping ??= (async () => {
        listening = false;
        clearInterval(floodTimer);
        await closeAll();
        dispatcher.flood.flush();
      })();
      return stopping;
    },
    isListening: () => listening,
  };
}
