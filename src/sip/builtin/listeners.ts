/**
 * Built-in SIP front: one UDP socket or TCP listener each, turning datagrams and framed stream messages into
 * dispatcher calls and writing the answers back. Closing flushes queued responses before releasing sockets.
 */
import { type RemoteInfo, type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type LookupOneOptions, lookup as dnsLookup } from 'node:dns';
import { type Socket, createServer, isIP, isIPv6 } from 'node:net';
import type { Logger } from '../../screening/index.js';
import type { ArrivalMeta } from './facts.js';
import type { Inbound, SipDispatcher } from './dispatch.js';
import { createSipStreamFramer } from './framing.js';
import type { BuiltinTcpMetrics, TcpClosure } from './ports.js';
import { type TcpAdmission, type TcpLimits, watchConnection } from './tcp-guard.js';

/** A bound listener as the OS reports it. */
export interface BoundListener {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}

/** A running listener. */
export interface Listener {
  readonly bound: BoundListener;
  /** Flushes queued responses (bounded by {@link CLOSE_GRACE_MS}), then closes the socket(s). */
  close(): Promise<void>;
}

/** What listeners share. `tcpAdmission` counts open connections across all TCP listeners. */
export interface ListenerDeps {
  readonly dispatcher: SipDispatcher;
  readonly log: Logger;
  readonly now: () => number;
  readonly maxMessageBytes: number;
  readonly tcpLimits: TcpLimits;
  readonly tcpAdmission: TcpAdmission;
  readonly tcpMetrics: BuiltinTcpMetrics;
}

/** How long close() waits for queued responses and peers' FINs before it destroys, ms. */
export const CLOSE_GRACE_MS = 500;

/**
 * SO_RCVBUF asked for on UDP listeners (Linux caps the request at net.core.rmem_max and doubles it for bookkeeping).
 * The usual 208 KiB default holds only about a hundred small datagrams (each is charged its skb overhead too), i.e. a
 * few milliseconds of a busy trunk: a garbage-collection pause, a CDR batch hand-off or a feed swap then drops INVITEs.
 * 2 MiB (4 MiB of accounting) rides out ~100–200 ms at 8,000 calls/s (INVITE + ACK each) — a short overload is queued
 * instead of lost — while staying under the 500 ms INVITE retransmission timer (T1).
 */
export const UDP_RECV_BUFFER_BYTES = 2 << 20;
const PONG = Buffer.from('\r\n', 'latin1');
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Source address as the core sees it: IPv4-mapped IPv6 addresses become dotted quads. */
function plainAddress(address: string): string {
  if (address.charCodeAt(0) !== 0x3a) return address; // cannot start with '::ffff:'
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

/** A bind failure that names the listener (`sip udp 127.0.0.1:5060: address already in use`), keeping code and syscall. */
function listenError(err: Error, transport: 'udp' | 'tcp', address: string, port: number): Error {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'address not available here' : err.message;
  return Object.assign(new Error(`cannot listen for SIP on ${transport} ${address}:${port}: ${why} (${e.code ?? 'error'})`, { cause: err }), { code: e.code, syscall: e.syscall ?? 'listen' });
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the destination of every send through `lookup` (dns.lookup by default, which defers even an IP
 * literal by a tick). Responses always go to the literal source address, so once the socket is bound literals are
 * answered at once; names (a configured listen address) still go through dns.lookup.
 */
function literalLookup(bound: () => boolean): (hostname: string, options: LookupOneOptions | number, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    const family = typeof options === 'number' ? options : (options.family as number | undefined) ?? 0;
    const literal = bound() ? isIP(hostname) : 0;
    if (literal !== 0) callback(null, hostname, literal);
    else dnsLookup(hostname, { family: family as 0 | 4 | 6 }, callback);
  };
}

interface UdpState {
  readonly socket: UdpSocket;
  readonly local: { readonly address: string; readonly port: number };
}

/**
 * One received datagram and the way back to its sender (RFC 3581 / 18.2.2: to the source IP). A class rather than a
 * closure per datagram; sends carry no callback (none is needed on the hot path): close() waits on the socket's send
 * queue instead.
 */
class UdpInbound implements Inbound {
  constructor(
    readonly bytes: Buffer,
    readonly meta: ArrivalMeta,
    private readonly udp: UdpState,
    private readonly address: string,
  ) {}

  send(out: Buffer, toPort: number): void {
    this.udp.socket.send(out, toPort, this.address);
  }
}

function receiveDatagram(deps: ListenerDeps, udp: UdpState, bytes: Buffer, rinfo: RemoteInfo): void {
  if (isBlank(bytes)) return;
  const meta: ArrivalMeta = {
    receivedAt: deps.now(),
    transport: 'udp',
    sourceAddress: plainAddress(rinfo.address),
    sourcePort: rinfo.port,
    localAddress: udp.local.address,
    localPort: udp.local.port,
  };
  const inbound = new UdpInbound(bytes, meta, udp, rinfo.address);
  if (bytes.length > deps.maxMessageBytes) deps.dispatcher.reject(inbound, 'oversize');
  else deps.dispatcher.handle(inbound);
}

function udpState(socket: UdpSocket): UdpState {
  const bound = socket.address();
  return { socket, local: { address: plainAddress(bound.address), port: bound.port } };
}

/** Waits (bounded) until the kernel has taken every queued response, then closes the socket. */
async function closeUdp(udp: UdpState): Promise<void> {
  const deadline = Date.now() + CLOSE_GRACE_MS;
  while (udp.socket.getSendQueueCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise<void>((resolve) => udp.socket.close(() => resolve()));
}

/** Binds a UDP socket; each datagram is one message. Responses go to the source IP only (RFC 3581 / 18.2.2). */
export function listenUdp(deps: ListenerDeps, address: string, port: number): Promise<Listener> {
  let bound = false;
  const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', lookup: literalLookup(() => bound) });
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close();
      reject(listenError(err, 'udp', address, port));
    };
    socket.once('error', onBindError);
    socket.bind(port, address, () => {
      bound = true;
      socket.off('error', onBindError);
      try {
        socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
      } catch (err) {
        deps.log.debug({ err }, 'sip udp receive buffer size not set');
      }
      socket.on('error', (err) => deps.log.error({ err }, 'sip udp socket failed'));
      const udp = udpState(socket);
      socket.on('message', (bytes, rinfo) => receiveDatagram(deps, udp, bytes, rinfo));
      const actual = { transport: 'udp', address: socket.address().address, port: udp.local.port } as const;
      resolve({ bound: actual, close: () => closeUdp(udp) });
    });
  });
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

/**
 * Serves one TCP connection: frames the stream, answers on it, closes it after a framing error (RFC 3261 18.3), when
 * idle or a message trickles in past its deadline, or when it holds more than `maxBufferedBytes` (tcp-guard.ts).
 */
function serveConnection(deps: ListenerDeps, socket: Socket): void {
  const base = connectionMeta(socket);
  const framer = createSipStreamFramer(deps.maxMessageBytes);
  const drop = (reason: TcpClosure): void => {
    if (socket.destroyed) return;
    deps.tcpMetrics.closed(reason);
    deps.log.debug({ sourceAddress: base.sourceAddress, sourcePort: base.sourcePort, reason }, 'sip tcp connection closed');
    socket.destroy();
  };
  const send = (out: Buffer): void => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(out);
    if (socket.writableLength + framer.bufferedBytes > deps.tcpLimits.maxBufferedBytes) drop('buffer');
  };
  const watch = watchConnection(deps.tcpLimits, drop);
  socket.once('close', () => watch.stop());
  socket.on('error', (err) => deps.log.debug({ err }, 'sip tcp connection failed'));
  socket.on('data', (chunk: Buffer) => {
    let completed = false;
    for (const event of framer.push(chunk)) {
      if (socket.destroyed) return;
      completed = true;
      if (event.kind === 'keepalive') {
        send(PONG);
        continue;
      }
      const bytes = event.kind === 'message' ? event.bytes : event.head;
      const inbound: Inbound = { bytes, meta: { ...base, receivedAt: deps.now() }, send };
      if (event.kind === 'message') {
        deps.dispatcher.handle(inbound);
        continue;
      }
      deps.dispatcher.reject(inbound, event.reason === 'oversize' ? 'oversize' : 'content-length');
      socket.end();
    }
    watch.received(completed, framer.bufferedBytes);
    if (socket.writableLength + framer.bufferedBytes > deps.tcpLimits.maxBufferedBytes) drop('buffer');
  });
}

async function closeConnections(connections: ReadonlySet<Socket>): Promise<void> {
  const closed = [...connections].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  for (const socket of connections) socket.end();
  await within(Promise.all(closed), CLOSE_GRACE_MS);
  for (const socket of connections) socket.destroy();
}

/** Listens on TCP; connections `tcpAdmission` refuses (all TCP listeners together) are closed at once. */
export function listenTcp(deps: ListenerDeps, address: string, port: number): Promise<Listener> {
  const connections = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    if (socket.remoteAddress === undefined) {
      socket.destroy(); // already reset by the peer
      return;
    }
    const source = plainAddress(socket.remoteAddress);
    const refused = deps.tcpAdmission.admit(source);
    if (refused !== undefined) {
      deps.log.debug({ sourceAddress: source, reason: refused }, 'sip tcp connection refused');
      socket.destroy();
      return;
    }
    connections.add(socket);
    socket.once('close', () => {
      deps.tcpAdmission.release(source);
      connections.delete(socket);
    });
    serveConnection(deps, socket);
  });
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await closeConnections(connections);
    await stopped;
  };
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => reject(listenError(err, 'tcp', address, port));
    server.once('error', onListenError);
    server.listen({ port, host: address }, () => {
      server.off('error', onListenError);
      server.on('error', (err) => deps.log.error({ err }, 'sip tcp listener failed'));
      const bound = server.address();
      const actual = typeof bound === 'object' && bound !== null ? bound : { address, port };
      resolve({ bound: { transport: 'tcp', address: actual.address, port: actual.port }, close });
    });
  });
}
