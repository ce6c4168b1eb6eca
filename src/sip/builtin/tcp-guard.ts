/**
 * Built-in SIP front: who may hold TCP connections, and for how long. Admission caps connections in total, per source
 * address and outside a reserve kept for configured trunk sources; a per-connection watch closes connections that
 * stay idle or trickle a message. Knows addresses, counts and timers, not sockets or SIP.
 */
import type { BuiltinTcpMetrics, TcpClosure, TcpRefusal } from './ports.js';

/** TCP limits of the built-in front (config `sip.*`); they hold for all TCP listeners together. */
export interface TcpLimits {
  /** Open connections at most. */
  readonly maxConnections: number;
  /** Of `maxConnections`, how many only configured trunk sources may use (0 ≤ reserve < maxConnections). */
  readonly trunkReserve: number;
  /** Open connections per source address that is not a configured trunk source. */
  readonly maxPerSource: number;
  /** Open connections per configured trunk source address. */
  readonly maxPerTrunkSource: number;
  /** A connection with no complete message or keepalive ping for this long is closed, ms (bytes alone do not count). */
  readonly idleTimeoutMs: number;
  /** A message must be complete this long after its first byte arrived, else the connection is closed, ms. */
  readonly messageTimeoutMs: number;
  /** Unframed input plus unsent responses held per connection, bytes; beyond it the connection is closed. */
  readonly maxBufferedBytes: number;
}

/** Admission of TCP connections, shared by every TCP listener of one server. */
export interface TcpAdmission {
  /**
   * Takes a slot for a connection from `address` (a plain address as the core sees it), or returns why not (and
   * counts the refusal). Every admitted connection must be released exactly once.
   */
  admit(address: string): TcpRefusal | undefined;
  release(address: string): void;
  /** Open admitted connections. */
  readonly open: number;
}

/**
 * Creates the admission. `isTrunkSource` is asked once per connection, so a config reload or feed swap applies to the
 * next connection. The per-source map holds only addresses with open connections (≤ maxConnections entries).
 */
export function createTcpAdmission(limits: TcpLimits, isTrunkSource: (address: string) => boolean, metrics: BuiltinTcpMetrics): TcpAdmission {
  const perSource = new Map<string, number>();
  let open = 0;
  const refuse = (reason: TcpRefusal): TcpRefusal => {
    metrics.refused(reason);
    return reason;
  };
  return {
    admit(address) {
      if (open >= limits.maxConnections) return refuse('limit');
      const trunk = isTrunkSource(address);
      if (!trunk && open >= limits.maxConnections - limits.trunkReserve) return refuse('reserve');
      const held = perSource.get(address) ?? 0;
      if (held >= (trunk ? limits.maxPerTrunkSource : limits.maxPerSource)) return refuse('per-source');
      perSource.set(address, held + 1);
      open++;
      return undefined;
    },
    release(address) {
      const held = perSource.get(address);
      if (held === undefined) return;
      if (held <= 1) perSource.delete(address);
      else perSource.set(address, held - 1);
      open--;
    },
    get open() {
      return open;
    },
  };
}

/** The timers of one connection. */
export interface ConnectionWatch {
  /**
   * Reports one push of received bytes: `completed` when it finished at least one message or keepalive ping,
   * `buffered` the bytes the framer still holds (the start of a message when > 0).
   */
  received(completed: boolean, buffered: number): void;
  /** Clears the timers (the connection closed). */
  stop(): void;
}

/**
 * Starts the idle and message deadlines of a new connection; `expire` is called at most once per deadline that runs
 * out. Idle runs from the connection's start or its last complete message, so a trickle of bytes cannot extend it;
 * the message deadline runs from the first byte of a message until the message is complete.
 */
export function watchConnection(limits: Pick<TcpLimits, 'idleTimeoutMs' | 'messageTimeoutMs'>, expire: (reason: TcpClosure) => void): ConnectionWatch {
  const idle = setTimeout(() => expire('idle'), limits.idleTimeoutMs).unref();
  let message: NodeJS.Timeout | undefined;
  const clearMessage = (): void => {
    clearTimeout(message);
    message = undefined;
  };
  return {
    received(completed, buffered) {
      if (completed) {
        idle.refresh();
        clearMessage();
      }
      if (buffered === 0) clearMessage();
      else message ??= setTimeout(() => expire('message-timeout'), limits.messageTimeoutMs).unref();
    },
    stop() {
      clearTimeout(idle);
      clearMessage();
    },
  };
}
