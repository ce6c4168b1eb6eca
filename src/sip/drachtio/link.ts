/**
 * drachtio front: the link to drachtio-server — inbound (`srf.connect`, srf's own reconnect with backoff) or outbound
 * (`srf.listen`) — with the connected gauge, rate-limited failure logs and a stop that leaves no socket or timer.
 */
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:net';
import type Srf from 'drachtio-srf';
import type { Logger } from '../../screening/index.js';
import type { DrachtioMetrics } from './ports.js';
import { outboundServer, srfSockets, stopReconnecting } from './srf-internals.js';

/** A repeated link failure (refused, wrong secret) is logged on the first attempt and then once per this many. */
export const LINK_LOG_EVERY = 20;
/** How long stop() waits for sockets to close before destroying them, ms. */
const CLOSE_WAIT_MS = 1000;

/** Options of {@link createDrachtioLink}. */
export interface DrachtioLinkOptions {
  readonly mode: 'inbound' | 'outbound';
  /** inbound: drachtio-server's admin address; outbound: where to listen. */
  readonly address: string;
  readonly port: number;
  readonly secret: string;
  /** inbound only; 0 = no pings. */
  readonly pingIntervalMs: number;
  /** inbound only: cap of srf's reconnect backoff (150 ms × 1.7^n), ms. */
  readonly reconnectMaxDelayMs: number;
  readonly log: Logger;
  readonly metrics: DrachtioMetrics;
}

/** The link: where it points and whether it is usable. */
export interface DrachtioLink {
  /** Starts connecting (inbound; resolves at once) or listening (outbound; resolves once bound). */
  start(): Promise<{ readonly address: string; readonly port: number }>;
  /** inbound: authenticated to drachtio-server now; outbound: listening for it. */
  isConnected(): boolean;
  /** Stops reconnecting or listening and closes every socket (waits at most ~1 s). Idempotent. */
  stop(): Promise<void>;
}

/** Creates the link for `srf`; nothing happens until start(). */
export function createDrachtioLink(srf: Srf, opts: DrachtioLinkOptions): DrachtioLink {
  const server = `${opts.address}:${opts.port}`;
  const log = opts.log.child({ component: 'drachtio', server, mode: opts.mode });
  let connected = false;
  let listening = false;
  let stopped = false;
  let failures = 0;
  const setConnected = (up: boolean): void => {
    connected = up;
    opts.metrics.connected(server, up || listening);
  };
  const failed = (fields: Record<string, unknown>, msg: string): void => {
    failures++;
    if (failures === 1 || failures % LINK_LOG_EVERY === 0) log.error({ ...fields, attempts: failures }, msg);
  };
  srf.on('connect', (err: Error | null | undefined, hostport?: string, serverVersion?: string) => {
    if (stopped) return void closeSockets(srf);
    if (err) return failed({ err }, 'drachtio authentication failed: wrong secret');
    if (opts.mode === 'outbound') return log.debug({ hostport, serverVersion }, 'drachtio-server connected in');
    log.info({ hostport, serverVersion, afterFailures: failures }, 'drachtio connected');
    failures = 0;
    setConnected(true);
  });
  srf.on('error', (err: NodeJS.ErrnoException) => {
    if (!stopped) failed({ code: err?.code, err }, 'drachtio connection failed; retrying');
  });
  const events: EventEmitter = srf;
  events.on('close', () => {
    if (!connected || stopped) return;
    log.warn({}, 'drachtio connection lost; reconnecting');
    setConnected(false);
  });
  events.on('reconnecting', () => opts.metrics.reconnect(server));
  return {
    async start() {
      opts.metrics.connected(server, false);
      if (opts.mode === 'inbound') return connectInbound(srf, opts);
      const bound = await listenOutbound(srf, opts, log);
      listening = true;
      opts.metrics.connected(server, true);
      return bound;
    },
    isConnected: () => connected || listening,
    async stop() {
      if (stopped) return;
      stopped = true;
      listening = false;
      setConnected(false);
      await stopLink(srf, opts.mode);
    },
  };
}

function connectInbound(srf: Srf, opts: DrachtioLinkOptions): { address: string; port: number } {
  srf.connect({
    host: opts.address,
    port: opts.port,
    secret: opts.secret,
    ...(opts.pingIntervalMs > 0 ? { enablePing: true, pingInterval: opts.pingIntervalMs } : {}),
    reconnect: { retryMaxDelay: opts.reconnectMaxDelayMs },
  });
  return { address: opts.address, port: opts.port };
}

/** srf.listen() returns the net.Server (typed Promise<void>); a listen error would otherwise be unhandled. */
function listenOutbound(srf: Srf, opts: DrachtioLinkOptions, log: Logger): Promise<{ address: string; port: number }> {
  const server = srf.listen({ host: opts.address, port: opts.port, secret: opts.secret }) as unknown as Server;
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      server.on('error', (err) => log.error({ err }, 'drachtio listener failed'));
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? { address: addr.address, port: addr.port } : { address: opts.address, port: opts.port });
    });
  });
}

async function stopLink(srf: Srf, mode: DrachtioLinkOptions['mode']): Promise<void> {
  stopReconnecting(srf);
  const closing = closeSockets(srf);
  const server = mode === 'outbound' ? outboundServer(srf) : undefined;
  if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  await closing;
}

/** Ends every socket drachtio-srf holds and waits (bounded) for them to close, then destroys the stragglers. */
function closeSockets(srf: Srf): Promise<void> {
  return Promise.all(srfSockets(srf).map((socket) => new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS);
    socket.once('close', () => (clearTimeout(timer), resolve()));
    socket.end();
  }))).then(() => undefined);
}
