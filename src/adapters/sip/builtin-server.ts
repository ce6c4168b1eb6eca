/**
 * Built-in SIP front: the UDP and TCP listeners of the stateless redirect/reject server (RFC 3261, RFC 3581).
 * Owns sockets and connections only; what to answer is decided in builtin-dispatch.ts.
 */
import { type Socket as UdpSocket, type RemoteInfo, createSocket } from 'node:dgram';
import { type Server, type Socket, createServer, isIPv6 } from 'node:net';
import type { FrontMetrics, InviteHandler, Logger } from '../../app/ports.js';
import type { ArrivalMeta } from './builtin-facts.js';
import { type SipDispatcher, createSipDispatcher } from './builtin-dispatch.js';
import { createSipStreamFramer } from './builtin-framing.js';

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
  /** A TCP connection with no traffic for this long is closed, ms. */
  readonly tcpIdleTimeoutMs: number;
  /** Lower-case header names copied into `facts.selectorHeaders`. */
  readonly selectorHeaderNames: readonly string[];
  /** `Server:` header value on every response; omitted when undefined. */
  readonly serverHeader?: string | undefined;
  /** How long a final response is kept for retransmitted INVITEs, ms (e.g. 32000 = 64*T1). */
  readonly transactionTtlMs: number;
  /** Bound of the transaction cache (entries). */
  readonly maxTransactions: number;
}

/** A bound listener as the OS reports it. */
export interface BoundListener {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}

/** The built-in stateless SIP redirect/reject server. */
export interface BuiltinSipServer {
  /** Binds every listener; rejects (closing what was bound) when one fails. Returns the actual addresses. */
  start(): Promise<readonly BoundListener[]>;
  /**
   * Answers new INVITEs with 503 while in-flight handlers settle (at most {@link STOP_DRAIN_MS}), then closes the
   * UDP sockets, every TCP connection and the TCP listeners. Idempotent.
   */
  stop(): Promise<void>;
  /** True between a successful start() and stop(). */
  isListening(): boolean;
}

/** Upper bound on how long stop() waits for in-flight INVITE handlers, ms. */
export const STOP_DRAIN_MS = 2000;

const MAX_PENDING_WRITE_BYTES = 1 << 20;
const PONG = Buffer.from('\r\n', 'latin1');
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

interface ServerState {
  readonly opts: BuiltinSipServerOptions;
  readonly dispatcher: SipDispatcher;
  readonly udpSockets: UdpSocket[];
  readonly tcpServers: Server[];
  readonly connections: Set<Socket>;
}

/** Source address as the core sees it: IPv4-mapped IPv6 addresses become dotted quads. */
function plainAddress(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

interface UdpEndpoint {
  readonly socket: UdpSocket;
  readonly local: { readonly address: string; readonly port: number };
  readonly onSent: (err: Error | null) => void;
}

function onDatagram(state: ServerState, udp: UdpEndpoint, bytes: Buffer, rinfo: RemoteInfo): void {
  if (isBlank(bytes)) return;
  const meta: ArrivalMeta = {
    receivedAt: state.opts.now(),
    transport: 'udp',
    sourceAddress: plainAddress(rinfo.address),
    sourcePort: rinfo.port,
    localAddress: udp.local.address,
    localPort: udp.local.port,
  };
  const send = (out: Buffer, port: number): void => udp.socket.send(out, port, rinfo.address, udp.onSent);
  const inbound = { bytes, meta, send };
  if (bytes.length > state.opts.maxMessageBytes) state.dispatcher.reject(inbound, 'oversize');
  else state.dispatcher.handle(inbound);
}

function bindUdp(state: ServerState, listen: BuiltinListen): Promise<BoundListener> {
  const socket = createSocket({ type: isIPv6(listen.address) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onBindError);
    socket.bind(listen.port, listen.address, () => {
      socket.off('error', onBindError);
      const { log } = state.opts;
      socket.on('error', (err) => log.error({ err }, 'sip udp socket failed'));
      const bound = socket.address();
      const udp: UdpEndpoint = {
        socket,
        local: { address: plainAddress(bound.address), port: bound.port },
        onSent: (err) => {
          if (err !== null) log.debug({ err }, 'sip udp response not sent');
        },
      };
      socket.on('message', (bytes, rinfo) => onDatagram(state, udp, bytes, rinfo));
      state.udpSockets.push(socket);
      resolve({ transport: 'udp', address: bound.address, port: bound.port });
    });
  });
}

function writeTo(socket: Socket, bytes: Buffer): void {
  if (socket.destroyed || !socket.writable) return;
  socket.write(bytes);
  if (socket.writableLength > MAX_PENDING_WRITE_BYTES) socket.destroy();
}

function connectionMeta(socket: Socket): Omit<ArrivalMeta, 'receivedAt'> {
  return {
    transport: 'tcp',
    sourceAddress: plainAddress(socket.remoteAddress ?? ''),
    sourcePort: socket.remotePort ?? 0,
    localAddress: plainAddress(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
  };
}

function onConnection(state: ServerState, socket: Socket): void {
  const { opts, dispatcher, connections } = state;
  if (connections.size >= opts.maxTcpConnections) {
    opts.log.debug({ remoteAddress: socket.remoteAddress }, 'sip tcp connection refused at limit');
    socket.destroy();
    return;
  }
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', (err) => opts.log.debug({ err }, 'sip tcp connection failed'));
  socket.setTimeout(opts.tcpIdleTimeoutMs, () => socket.destroy());
  const base = connectionMeta(socket);
  const send = (out: Buffer): void => writeTo(socket, out);
  const framer = createSipStreamFramer(opts.maxMessageBytes);
  socket.on('data', (chunk: Buffer) => {
    for (const event of framer.push(chunk)) {
      if (event.kind === 'keepalive') {
        writeTo(socket, PONG);
        continue;
      }
      const bytes = event.kind === 'message' ? event.bytes : event.head;
      const inbound = { bytes, meta: { ...base, receivedAt: opts.now() }, send };
      if (event.kind === 'message') {
        dispatcher.handle(inbound);
        continue;
      }
      dispatcher.reject(inbound, event.reason === 'oversize' ? 'oversize' : 'content-length');
      socket.end();
    }
  });
}

function bindTcp(state: ServerState, listen: BuiltinListen): Promise<BoundListener> {
  const server = createServer({ noDelay: true }, (socket) => onConnection(state, socket));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: listen.port, host: listen.address }, () => {
      server.off('error', reject);
      server.on('error', (err) => state.opts.log.error({ err }, 'sip tcp listener failed'));
      state.tcpServers.push(server);
      const bound = server.address();
      if (typeof bound === 'object' && bound !== null) resolve({ transport: 'tcp', address: bound.address, port: bound.port });
      else resolve({ transport: 'tcp', address: listen.address, port: listen.port });
    });
  });
}

async function closeAll(state: ServerState): Promise<void> {
  const udp = state.udpSockets.splice(0).map((socket) => new Promise<void>((resolve) => socket.close(() => resolve())));
  for (const socket of state.connections) socket.destroy();
  const tcp = state.tcpServers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
  await Promise.all([...udp, ...tcp]);
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
  });
  const state: ServerState = { opts, dispatcher, udpSockets: [], tcpServers: [], connections: new Set() };
  let listening = false;
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      const bound: BoundListener[] = [];
      try {
        for (const listen of opts.listen) {
          bound.push(await (listen.transport === 'udp' ? bindUdp(state, listen) : bindTcp(state, listen)));
        }
      } catch (err) {
        await closeAll(state);
        throw err;
      }
      listening = true;
      return bound;
    },
    stop() {
      stopping ??= (async () => {
        listening = false;
        await dispatcher.drain(STOP_DRAIN_MS);
        await closeAll(state);
      })();
      return stopping;
    },
    isListening: () => listening,
  };
}
