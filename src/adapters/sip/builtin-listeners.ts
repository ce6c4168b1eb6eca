/**
 * Built-in SIP front: one UDP socket or TCP listener each, turning datagrams and framed stream messages into
 * dispatcher calls and writing the answers back. Closing flushes queued responses before releasing sockets.
 */
import { type RemoteInfo, type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Socket, createServer, isIPv6 } from 'node:net';
import type { Logger } from '../../app/ports.js';
import type { ArrivalMeta } from './builtin-facts.js';
import type { Inbound, SipDispatcher } from './builtin-dispatch.js';
import { createSipStreamFramer } from './builtin-framing.js';

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

/** What listeners share. `tcpConnections` counts open connections across all TCP listeners. */
export interface ListenerDeps {
  readonly dispatcher: SipDispatcher;
  readonly log: Logger;
  readonly now: () => number;
  readonly maxMessageBytes: number;
  readonly maxTcpConnections: number;
  readonly tcpIdleTimeoutMs: number;
  readonly tcpConnections: { open: number };
}

/** How long close() waits for queued responses and peers' FINs before it destroys, ms. */
export const CLOSE_GRACE_MS = 500;

const MAX_PENDING_WRITE_BYTES = 1 << 20;
const PONG = Buffer.from('\r\n', 'latin1');
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Source address as the core sees it: IPv4-mapped IPv6 addresses become dotted quads. */
function plainAddress(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
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

interface UdpState {
  readonly socket: UdpSocket;
  readonly local: { readonly address: string; readonly port: number };
  /** Sends not yet handed to the kernel; close() waits for them. */
  sending: number;
  flushed: (() => void) | undefined;
  readonly onSent: (err: Error | null) => void;
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
  const send = (out: Buffer, toPort: number): void => {
    udp.socket.send(out, toPort, rinfo.address, udp.onSent);
    udp.sending++;
  };
  const inbound: Inbound = { bytes, meta, send };
  if (bytes.length > deps.maxMessageBytes) deps.dispatcher.reject(inbound, 'oversize');
  else deps.dispatcher.handle(inbound);
}

function udpState(deps: ListenerDeps, socket: UdpSocket): UdpState {
  const bound = socket.address();
  const udp: UdpState = {
    socket,
    local: { address: plainAddress(bound.address), port: bound.port },
    sending: 0,
    flushed: undefined,
    onSent: (err) => {
      if (err !== null) deps.log.debug({ err }, 'sip udp response not sent');
      if (--udp.sending === 0) udp.flushed?.();
    },
  };
  return udp;
}

async function closeUdp(udp: UdpState): Promise<void> {
  if (udp.sending > 0) await within(new Promise<void>((resolve) => (udp.flushed = resolve)), CLOSE_GRACE_MS);
  await new Promise<void>((resolve) => udp.socket.close(() => resolve()));
}

/** Binds a UDP socket; each datagram is one message. Responses go to the source IP only (RFC 3581 / 18.2.2). */
export function listenUdp(deps: ListenerDeps, address: string, port: number): Promise<Listener> {
  const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onBindError);
    socket.bind(port, address, () => {
      socket.off('error', onBindError);
      socket.on('error', (err) => deps.log.error({ err }, 'sip udp socket failed'));
      const udp = udpState(deps, socket);
      socket.on('message', (bytes, rinfo) => receiveDatagram(deps, udp, bytes, rinfo));
      const bound = { transport: 'udp', address: socket.address().address, port: udp.local.port } as const;
      resolve({ bound, close: () => closeUdp(udp) });
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

/** Serves one TCP connection: frames the stream, answers on it, closes it after a framing error (RFC 3261 18.3). */
function serveConnection(deps: ListenerDeps, socket: Socket): void {
  const base = connectionMeta(socket);
  const send = (out: Buffer): void => writeTo(socket, out);
  const framer = createSipStreamFramer(deps.maxMessageBytes);
  socket.setTimeout(deps.tcpIdleTimeoutMs, () => socket.destroy());
  socket.on('error', (err) => deps.log.debug({ err }, 'sip tcp connection failed'));
  socket.on('data', (chunk: Buffer) => {
    for (const event of framer.push(chunk)) {
      if (event.kind === 'keepalive') {
        writeTo(socket, PONG);
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
  });
}

async function closeConnections(connections: ReadonlySet<Socket>): Promise<void> {
  const closed = [...connections].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
  for (const socket of connections) socket.end();
  await within(Promise.all(closed), CLOSE_GRACE_MS);
  for (const socket of connections) socket.destroy();
}

/** Listens on TCP; connections beyond `maxTcpConnections` (all TCP listeners together) are closed at once. */
export function listenTcp(deps: ListenerDeps, address: string, port: number): Promise<Listener> {
  const connections = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    if (deps.tcpConnections.open >= deps.maxTcpConnections) {
      deps.log.debug({ remoteAddress: socket.remoteAddress }, 'sip tcp connection refused at limit');
      socket.destroy();
      return;
    }
    deps.tcpConnections.open++;
    connections.add(socket);
    socket.once('close', () => {
      deps.tcpConnections.open--;
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
    server.once('error', reject);
    server.listen({ port, host: address }, () => {
      server.off('error', reject);
      server.on('error', (err) => deps.log.error({ err }, 'sip tcp listener failed'));
      const bound = server.address();
      const actual = typeof bound === 'object' && bound !== null ? bound : { address, port };
      resolve({ bound: { transport: 'tcp', address: actual.address, port: actual.port }, close });
    });
  });
}
