/**
 * TCP stand-in for drachtio-server v0.9.4 as seen by a drachtio-srf app (inbound mode, and outbound via connectToApp):
 * authenticate, route, ping, incoming requests, response echoes, CANCEL, proxy and CDR frames. Test code only; its behaviour follows the
 * recorded traffic in test/fixtures/drachtio-wire. No SIP network side: tests inject the "network" events.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import {
  CRLF,
  FrameDecoder,
  FrameFormatError,
  addReceivedParams,
  buildAuthOk,
  buildAuthRejected,
  buildCdrAttempt,
  buildCdrStart,
  buildCdrStop,
  buildIncomingCancel,
  buildIncomingRequest,
  buildNok,
  buildOk,
  buildPong,
  buildProxyContinue,
  buildProxyDone,
  buildResponseEcho,
  encodeFrame,
  formatStackTime,
  headerKey,
  headerValue,
  headerValues,
  newMsgId,
  parseSip,
  randomToken,
  renderSip,
  splitCommaList,
  splitPayload,
  tagOf,
  utf8Bytes,
} from './drachtio-wire.js';
import type { ParsedSip, SipHeader, WireDirection } from './drachtio-wire.js';

/** How much of the protocol the stand-in answers by itself. */
export type StandinRespondMode =
  /** Everything (the default). */
  | 'all'
  /** Only authenticate, route, remove_route and ping; `sip`/`proxy` frames are logged but left to the test. */
  | 'handshake'
  /** Nothing: the test writes every server->app frame itself (replay). */
  | 'none';

/** Options of {@link createDrachtioStandin}. */
export interface DrachtioStandinOptions {
  readonly secret: string;
  /** SIP hostports announced on authenticate. Default `tcp/127.0.0.1:5060,udp/127.0.0.1:5060`. */
  readonly sipHostports?: string;
  /** Local hostports announced on authenticate. Default: the same as `sipHostports`. */
  readonly localHostports?: string;
  /** Server version announced on authenticate. Default `v0.9.4`. */
  readonly version?: string;
  /** Send CDR frames (to apps that routed `cdr:*`). Default true, as in the recordings. */
  readonly cdrs?: boolean;
  /** Largest app frame payload the server can read (v0.9.4: 12228). A longer frame stalls the connection for good. */
  readonly maxAppFrameBytes?: number;
  /** See {@link StandinRespondMode}. Default `'all'`. */
  readonly respond?: StandinRespondMode;
  /** SIP timer B for proxied INVITEs that get no answer (recorded: 32 s). */
  readonly timerBMs?: number;
}

/** One frame on any app connection, in the order it was read or written. */
export interface StandinFrame {
  readonly dir: WireDirection;
  readonly payload: string;
  /** Connection number, counted from 1 per stand-in. */
  readonly conn: number;
  /** Date.now() when the frame was read or written. */
  readonly at: number;
}

/** How an injected request arrived from the "network". */
export interface RequestMeta {
  readonly transport?: 'udp' | 'tcp';
  readonly sourceAddress?: string;
  /** Default: the port of the top Via, or 5060. */
  readonly sourcePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

/** A SIP response the app wrote for a transaction, as parsed by the stand-in. */
export interface AppResponse {
  readonly status: number;
  readonly reason: string;
  /** Header values by lowercase long name; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The SIP text the app wrote. */
  readonly raw: string;
  readonly appMsgId: string;
  /** False when the stand-in answered NOK (unknown or finished transaction). */
  readonly accepted: boolean;
  /** The SIP response as "sent" to the network and echoed to the app, when accepted. */
  readonly sent: string | undefined;
}

/** Handle returned by {@link AppConn.sendRequest}. */
export interface SentRequest {
  readonly transactionId: string;
  /** Resolves with every response of the transaction once it ends (final response, CANCEL, proxy done, close). */
  readonly responses: Promise<AppResponse[]>;
}

/** A target's scripted answer to a proxied INVITE; `'timeout'` means it never answers (timer B then fires). */
export type ProxyTargetAnswer =
  | {
      readonly status: number;
      readonly reason?: string;
      /** Extra headers after the dialog headers; a given Content-Length is written verbatim. */
      readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
      readonly body?: string;
      readonly toTag?: string;
      readonly delayMs?: number;
    }
  | 'timeout';

/** Script for proxy targets, called once per destination attempt. */
export type ProxyBehaviour = (destination: string, attempt: { readonly index: number; readonly forwarded: string }) => ProxyTargetAnswer;

/** One destination attempt of a proxy command. */
export interface ProxyAttempt {
  readonly destination: string;
  readonly status: number | 'timeout';
  readonly reason: string;
}

/** How a proxy command ended. */
export interface ProxyOutcome {
  readonly attempts: readonly ProxyAttempt[];
  /** Status forwarded to the caller (408 when every target timed out). */
  readonly finalStatus: number;
  readonly connected: boolean;
  /** Destination that produced the final status; undefined for the server's own 408. */
  readonly destination: string | undefined;
}

/** A parsed `proxy` command from the app. */
export interface ProxyCommand {
  readonly msgId: string;
  readonly transactionId: string;
  readonly remainInDialog: boolean;
  readonly fullResponse: boolean;
  readonly followRedirects: boolean;
  readonly forking: 'serial' | 'simultaneous';
  readonly provisionalTimeout: string;
  readonly finalTimeout: string;
  readonly destinations: readonly string[];
  /** The SIP part of the command (`INVITE <first destination> SIP/2.0 ...`). */
  readonly sip: string;
  /** Resolves once the stand-in has sent `done`; rejects if the proxy script throws; stays pending for a command answered NOK. */
  readonly outcome: Promise<ProxyOutcome>;
}

/** One app connection. */
export interface AppConn {
  readonly id: number;
  /** Opened by the stand-in (outbound mode, {@link DrachtioStandin.connectToApp}): requests need no route. */
  readonly outbound: boolean;
  readonly authenticated: boolean;
  /** Verbs the app routed (`invite`, `options`, `cdr:attempt`, ...). */
  readonly routes: ReadonlySet<string>;
  /** Declared size of the oversize frame that silenced this connection, if any. */
  readonly stalledAt: number | undefined;
  readonly closed: boolean;
  /** Proxy commands received on this connection, in order (recorded in the 'all' mode only). */
  readonly proxyCommands: readonly ProxyCommand[];
  /**
   * Delivers a request from the "network": a `sip|network|...` frame (top Via gets `;rport=`), followed in the same
   * write by `cdr:attempt|network` for an INVITE when CDRs are on. Throws if the app has no route for the method
   * (inbound connections only: in outbound mode the server's request-handler config routes, not the app).
   */
  sendRequest(raw: string, meta?: RequestMeta): SentRequest;
  /** Next not yet consumed response the app wrote for the transaction. */
  nextResponse(transactionId: string, timeoutMs?: number): Promise<AppResponse>;
  /**
   * The caller cancels a pending INVITE: `cdr:stop network call-canceled` first if a provisional was sent, then the
   * CANCEL frame. For a proxied INVITE (as drachtio-server's proxy core does, no CANCEL reaches the app): 487 to the
   * caller (`cdr:stop application call-rejected`), the target answers 487 (`continue`), then `done`. Returns false
   * (nothing sent) when the INVITE already got a final response.
   */
  sendCancel(transactionId: string, raw?: string): boolean;
  /**
   * The caller hangs up a proxied call. With remainInDialog: `cdr:stop network normal-release` then
   * `cdr:stop application normal-release`, both carrying the BYE; without it nothing reaches the app (returns false).
   */
  sendBye(callId: string, raw?: string): boolean;
  /** Next proxy command not yet consumed by this method. */
  nextProxy(timeoutMs?: number): Promise<ProxyCommand>;
  /** Writes server->app frames in one TCP write (payloads without length prefix). */
  write(...payloads: string[]): void;
  /** Half-closes the connection (FIN). */
  end(): void;
  /** Destroys the connection. */
  destroy(): void;
}

/** Options of {@link DrachtioStandin.waitForApp}. */
export interface WaitForAppOptions {
  /** Resolve once all these routes are registered (default: any route, then 25 ms without a new one). */
  readonly routes?: readonly string[];
  readonly timeoutMs?: number;
}

/** The stand-in server. */
export interface DrachtioStandin {
  listen(): Promise<{ host: '127.0.0.1'; port: number }>;
  /** Destroys every socket, stops timers and closes the listener. */
  close(): Promise<void>;
  /** Simulates the server going away: destroys every app socket (srf then reconnects by itself). */
  dropConnections(): void;
  /** Resolves with an open connection that has authenticated and registered routes. */
  waitForApp(options?: WaitForAppOptions): Promise<AppConn>;
  /** Resolves with the next connection accepted after this call (or the first, if there is none yet). */
  waitForConnection(timeoutMs?: number): Promise<AppConn>;
  /**
   * Outbound mode: connects to an app listening with `srf.listen()` and resolves once the app has authenticated on
   * that connection (rejects on a wrong secret, which closes it).
   */
  connectToApp(port: number, options?: { readonly host?: string; readonly timeoutMs?: number }): Promise<AppConn>;
  /** Scripts the proxy targets (default: every target times out, as if nothing listened). */
  setProxyBehaviour(behaviour: ProxyBehaviour): void;
  /** Every frame read or written, on all connections. */
  readonly frames: readonly StandinFrame[];
  readonly connections: readonly AppConn[];
  /** The first frame at index >= fromIndex (default: the current end of the log) that matches. */
  nextFrame(predicate: (frame: StandinFrame) => boolean, options?: { readonly fromIndex?: number; readonly timeoutMs?: number }): Promise<StandinFrame>;
  /** `frame` fires for every logged frame (an app frame before the stand-in acts on it); `stall` when a frame is too long. */
  on(event: 'frame', listener: (frame: StandinFrame) => void): void;
  on(event: 'stall', listener: (conn: AppConn, declaredBytes: number) => void): void;
  off(event: 'frame' | 'stall', listener: (...args: never[]) => void): void;
}

const DEFAULT_HOSTPORTS = 'tcp/127.0.0.1:5060,udp/127.0.0.1:5060';
const DEFAULT_TIMEOUT_MS = 5000;
const UNKNOWN_TRANSACTION = 'Response not sent due to unknown transaction';

const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted', 300: 'Multiple Choices',
  301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 410: 'Gone', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Server Time-out', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable', 608: 'Rejected',
};

/** Headers sofia-sip knows (lowercase -> canonical). Known headers go before Content-Length, unknown ones after it. */
const KNOWN_HEADERS: ReadonlyMap<string, string> = new Map(
  [
    'Via', 'Route', 'Record-Route', 'Max-Forwards', 'Proxy-Require', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'RSeq',
    'RAck', 'Request-Disposition', 'Accept-Contact', 'Reject-Contact', 'Expires', 'Date', 'Retry-After', 'Timestamp',
    'Min-Expires', 'Subject', 'Priority', 'Call-Info', 'Organization', 'Server', 'User-Agent', 'In-Reply-To', 'Accept',
    'Accept-Encoding', 'Accept-Language', 'Allow', 'Require', 'Supported', 'Unsupported', 'Event', 'Allow-Events',
    'Subscription-State', 'Proxy-Authenticate', 'Proxy-Authentication-Info', 'Proxy-Authorization', 'Authorization',
    'WWW-Authenticate', 'Authentication-Info', 'Error-Info', 'Warning', 'Refer-To', 'Referred-By', 'Replaces',
    'Session-Expires', 'Min-SE', 'Path', 'Service-Route', 'Reason', 'Security-Client', 'Security-Server',
    'Security-Verify', 'Privacy', 'MIME-Version', 'Content-Type', 'Content-Encoding', 'Content-Language',
    'Content-Disposition', 'Content-Length', 'Alert-Info', 'Reply-To', 'P-Asserted-Identity', 'P-Preferred-Identity',
  ].map((n) => [n.toLowerCase(), n]),
);

const DIALOG_HEADERS = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'content-length']);

interface HostPort {
  readonly address: string;
  readonly port: number;
}

function parseHostports(hostports: string): Map<string, HostPort> {
  const out = new Map<string, HostPort>();
  for (const item of hostports.split(',')) {
    const m = /^(\w+)\/(.+):(\d+)$/.exec(item.trim());
    if (m?.[1] && m[2] && m[3] && !out.has(m[1].toLowerCase())) out.set(m[1].toLowerCase(), { address: m[2], port: Number(m[3]) });
  }
  return out;
}

function reasonFor(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Session Progress' : status < 300 ? 'OK' : 'Unknown');
}

function headerMap(msg: ParsedSip): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of msg.headers) {
    const key = headerKey(h.name);
    out[key] = out[key] === undefined ? h.value : `${out[key]}, ${h.value}`;
  }
  return out;
}

/** Re-serialises a header the way sofia does: canonical name for known headers, `name: value`. */
function sofiaLine(h: SipHeader): string {
  const key = headerKey(h.name);
  return `${KNOWN_HEADERS.get(key) ?? h.name}: ${h.value}`;
}

function isKnown(h: SipHeader): boolean {
  return KNOWN_HEADERS.has(headerKey(h.name));
}

function firstHeaderIndex(lines: readonly string[], key: string): number {
  return lines.findIndex((l, i) => i > 0 && l !== '' && headerKey(l.slice(0, Math.max(0, l.indexOf(':')))) === key);
}

/** Removes the first Via value of a message (what a proxy does with a response it forwards). */
function stripTopVia(sipText: string): string {
  const lines = sipText.split(CRLF);
  const index = firstHeaderIndex(lines, 'via');
  const line = lines[index];
  if (line === undefined) return sipText;
  const colon = line.indexOf(':');
  const values = splitCommaList(line.slice(colon + 1));
  if (values.length > 1) lines[index] = `${line.slice(0, colon)}: ${values.slice(1).join(', ')}`;
  else lines.splice(index, 1);
  return lines.join(CRLF);
}

/** Inserts a Via line above the first Via of a request. */
function pushVia(sipText: string, via: string): string {
  const lines = sipText.split(CRLF);
  const index = firstHeaderIndex(lines, 'via');
  lines.splice(index === -1 ? 1 : index, 0, `Via: ${via}`);
  return lines.join(CRLF);
}

function parseUriTarget(uri: string): { address: string; port: number; transport: 'udp' | 'tcp' } {
  const m = /^sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>]+)(?::(\d+))?/i.exec(uri);
  const transport = /;transport=tcp/i.test(uri) ? 'tcp' : 'udp';
  return { address: m?.[1] ?? '127.0.0.1', port: m?.[2] ? Number(m[2]) : 5060, transport };
}

function statusOf(sipText: string): { status: number; reason: string } {
  const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/.exec(sipText.slice(0, sipText.indexOf(CRLF)));
  return { status: Number(m?.[1] ?? 0), reason: m?.[2] ?? '' };
}

interface ServerTxn {
  readonly id: string;
  readonly conn: ConnImpl;
  readonly method: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly request: ParsedSip;
  /** Text as delivered to the app (rport added). */
  readonly requestText: string;
  readonly bytes: number;
  readonly transport: 'udp' | 'tcp';
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly toTag: string;
  provisionalSent: boolean;
  finished: boolean;
  proxied: boolean;
  /** Set when the caller cancels a proxied INVITE; resolves the running proxy's wait. */
  cancelProxy: (() => void) | undefined;
  readonly responses: AppResponse[];
  consumed: number;
  readonly done: Promise<AppResponse[]>;
  readonly resolveDone: (r: AppResponse[]) => void;
}

interface ProxyDialog {
  readonly txn: ServerTxn;
  readonly remainInDialog: boolean;
  readonly targetContact: string;
  readonly toValue: string;
  readonly localVia: HostPort;
}

class ConnImpl implements AppConn {
  readonly id: number;
  readonly outbound: boolean;
  authenticated = false;
  readonly routes = new Set<string>();
  stalledAt: number | undefined;
  closed = false;
  readonly proxyCommands: ProxyCommand[] = [];
  proxyConsumed = 0;
  lastRouteAt = 0;
  readonly #socket: net.Socket;
  readonly #server: StandinImpl;
  readonly #decoder: FrameDecoder;

  constructor(id: number, socket: net.Socket, server: StandinImpl, maxPayloadBytes: number, outbound = false) {
    this.id = id;
    this.outbound = outbound;
    this.#socket = socket;
    this.#server = server;
    this.#decoder = new FrameDecoder({ maxPayloadBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      server.onConnClosed(this);
    });
  }

  #onData(chunk: Buffer): void {
    if (this.closed) return;
    let payloads: Buffer[];
    try {
      payloads = this.#decoder.push(chunk);
    } catch (err) {
      if (err instanceof FrameFormatError) {
        this.destroy();
        return;
      }
      throw err;
    }
    for (const p of payloads) {
      if (this.closed) return;
      this.#server.onAppFrame(this, p.toString('utf8'));
    }
    if (this.#decoder.stalledAt !== undefined && this.stalledAt === undefined) {
      this.stalledAt = this.#decoder.stalledAt;
      this.#server.onStall(this, this.stalledAt);
    }
  }

  write(...payloads: string[]): void {
    if (this.closed || this.#socket.destroyed || payloads.length === 0) return;
    for (const p of payloads) this.#server.log('server->app', p, this.id);
    this.#socket.write(Buffer.concat(payloads.map((p) => encodeFrame(p))));
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.closed = true;
    this.#socket.destroy();
  }

  sendRequest(raw: string, meta: RequestMeta = {}): SentRequest {
    return this.#server.sendRequest(this, raw, meta);
  }

  nextResponse(transactionId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<AppResponse> {
    return this.#server.nextResponse(transactionId, timeoutMs);
  }

  sendCancel(transactionId: string, raw?: string): boolean {
    return this.#server.sendCancel(transactionId, raw);
  }

  sendBye(callId: string, raw?: string): boolean {
    return this.#server.sendBye(callId, raw);
  }

  nextProxy(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ProxyCommand> {
    return this.#server.until(
      () => this.proxyCommands[this.proxyConsumed],
      timeoutMs,
      `proxy command on connection ${this.id}`,
    ).then((cmd) => {
      this.proxyConsumed++;
      return cmd;
    });
  }
}

class StandinImpl implements DrachtioStandin {
  readonly frames: StandinFrame[] = [];
  readonly connections: ConnImpl[] = [];
  readonly #opts: Required<Omit<DrachtioStandinOptions, 'localHostports'>> & { readonly localHostports: string };
  readonly #hostports: Map<string, HostPort>;
  readonly #events = new EventEmitter();
  readonly #changes = new EventEmitter();
  readonly #sockets = new Set<net.Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<{ reject: (e: Error) => void }>();
  readonly #txns = new Map<string, ServerTxn>();
  readonly #dialogs = new Map<string, ProxyDialog>();
  #behaviour: ProxyBehaviour = () => 'timeout';
  #server: net.Server | undefined;
  #nextConnId = 1;
  #closing = false;

  constructor(opts: DrachtioStandinOptions) {
    const sipHostports = opts.sipHostports ?? DEFAULT_HOSTPORTS;
    this.#opts = {
      secret: opts.secret,
      sipHostports,
      localHostports: opts.localHostports ?? sipHostports,
      version: opts.version ?? 'v0.9.4',
      cdrs: opts.cdrs ?? true,
      maxAppFrameBytes: opts.maxAppFrameBytes ?? 12228,
      respond: opts.respond ?? 'all',
      timerBMs: opts.timerBMs ?? 32_000,
    };
    this.#hostports = parseHostports(sipHostports);
    this.#changes.setMaxListeners(0);
  }

  // -- lifecycle ------------------------------------------------------------------------------------------------

  listen(): Promise<{ host: '127.0.0.1'; port: number }> {
    if (this.#server) throw new Error('stand-in already listening');
    const server = net.createServer((socket) => this.#onConnection(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('no TCP address'));
        resolve({ host: '127.0.0.1', port: addr.port });
      });
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#waiters) w.reject(new Error('stand-in closed'));
    this.#waiters.clear();
    for (const s of this.#sockets) s.destroy();
    for (const txn of this.#txns.values()) txn.resolveDone(txn.responses);
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.#events.removeAllListeners();
  }

  dropConnections(): void {
    for (const c of this.connections) if (!c.closed) c.destroy();
  }

  #onConnection(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    const conn = new ConnImpl(this.#nextConnId++, socket, this, this.#opts.maxAppFrameBytes);
    this.connections.push(conn);
    this.#changed();
  }

  onConnClosed(conn: ConnImpl): void {
    for (const txn of this.#txns.values()) if (txn.conn === conn && !txn.finished) this.#finish(txn);
    this.#changed();
  }

  onStall(conn: ConnImpl, declaredBytes: number): void {
    this.#events.emit('stall', conn, declaredBytes);
    this.#changed();
  }

  // -- waiting --------------------------------------------------------------------------------------------------

  #changed(): void {
    this.#changes.emit('change');
  }

  /** Resolves with the first defined value of `probe`, re-checked on every state change. */
  until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const entry = {
        reject: (e: Error): void => {
          cleanup();
          reject(e);
        },
      };
      const onChange = (): void => {
        const v = probe();
        if (v !== undefined) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => entry.reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#changes.off('change', onChange);
        this.#waiters.delete(entry);
      };
      this.#waiters.add(entry);
      this.#changes.on('change', onChange);
    });
  }

  waitForApp(options: WaitForAppOptions = {}): Promise<AppConn> {
    const wanted = options.routes;
    const ready = (c: ConnImpl): boolean => {
      if (c.closed || !c.authenticated || c.routes.size === 0) return false;
      if (wanted) return wanted.every((r) => c.routes.has(r));
      return Date.now() - c.lastRouteAt >= 25;
    };
    const probe = (): ConnImpl | undefined => this.connections.find(ready);
    if (wanted) return this.until(probe, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, `an app with routes ${wanted.join(',')}`);
    const tick = setInterval(() => this.#changed(), 10);
    return this.until(probe, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'an authenticated app with routes').finally(() => clearInterval(tick));
  }

  waitForConnection(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<AppConn> {
    const from = this.connections.length;
    return this.until(() => this.connections[from], timeoutMs, 'a connection');
  }

  async connectToApp(port: number, options: { readonly host?: string; readonly timeoutMs?: number } = {}): Promise<AppConn> {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => (socket.off('error', reject), resolve()));
    });
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    const conn = new ConnImpl(this.#nextConnId++, socket, this, this.#opts.maxAppFrameBytes, true);
    this.connections.push(conn);
    this.#changed();
    await this.until(() => (conn.authenticated || conn.closed ? conn : undefined), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'the app to authenticate');
    if (!conn.authenticated) throw new Error('the app did not authenticate (wrong secret?)');
    return conn;
  }

  nextFrame(
    predicate: (frame: StandinFrame) => boolean,
    options: { readonly fromIndex?: number; readonly timeoutMs?: number } = {},
  ): Promise<StandinFrame> {
    const from = options.fromIndex ?? this.frames.length;
    return this.until(() => this.frames.slice(from).find(predicate), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'a matching frame');
  }

  on(event: 'frame' | 'stall', listener: (...args: never[]) => void): void {
    this.#events.on(event, listener as (...args: unknown[]) => void);
  }

  off(event: 'frame' | 'stall', listener: (...args: never[]) => void): void {
    this.#events.off(event, listener as (...args: unknown[]) => void);
  }

  setProxyBehaviour(behaviour: ProxyBehaviour): void {
    this.#behaviour = behaviour;
  }

  log(dir: WireDirection, payload: string, conn: number): void {
    const frame: StandinFrame = { dir, payload, conn, at: Date.now() };
    this.frames.push(frame);
    this.#events.emit('frame', frame);
    this.#changed();
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.add(t);
    });
  }

  // -- app frames -----------------------------------------------------------------------------------------------

  onAppFrame(conn: ConnImpl, payload: string): void {
    this.log('app->server', payload, conn.id);
    if (this.#opts.respond === 'none' || conn.closed) return;
    const { fields, sip } = splitPayload(payload);
    const msgId = fields[0] ?? '';
    const type = fields[1];
    if (!conn.authenticated && type !== 'authenticate') {
      conn.destroy();
      return;
    }
    switch (type) {
      case 'authenticate':
        if (fields[2] === this.#opts.secret) {
          conn.authenticated = true;
          conn.write(buildAuthOk(msgId, this.#opts.sipHostports, this.#opts.version, this.#opts.localHostports));
        } else {
          conn.write(buildAuthRejected(msgId));
          conn.end();
        }
        break;
      case 'route':
        conn.routes.add(fields[2] ?? '');
        conn.lastRouteAt = Date.now();
        conn.write(buildOk(msgId));
        break;
      case 'remove_route':
        conn.routes.delete(fields[2] ?? '');
        conn.write(buildOk(msgId));
        break;
      case 'ping':
        conn.write(buildPong(msgId));
        break;
      case 'sip':
        if (this.#opts.respond === 'all') this.#onAppSip(conn, msgId, fields, sip ?? '');
        break;
      case 'proxy':
        if (this.#opts.respond === 'all') this.#onAppProxy(conn, msgId, fields, sip ?? '');
        break;
      default:
        break;
    }
    this.#changed();
  }

  #onAppSip(conn: ConnImpl, msgId: string, fields: readonly string[], sip: string): void {
    if (!sip.startsWith('SIP/2.0 ')) {
      conn.write(buildNok(msgId, 'requests from the app are not supported by the stand-in'));
      return;
    }
    const txn = this.#txns.get(fields[2] ?? '');
    const parsed = parseSip(sip);
    const { status, reason } = statusOf(sip);
    const base = { status, reason, headers: headerMap(parsed), raw: sip, appMsgId: msgId };
    if (!txn || txn.finished || txn.proxied || txn.conn !== conn) {
      if (txn) txn.responses.push({ ...base, accepted: false, sent: undefined });
      conn.write(buildNok(msgId, UNKNOWN_TRANSACTION));
      return;
    }
    const sent = this.#buildUasResponse(txn, parsed);
    txn.responses.push({ ...base, accepted: true, sent });
    const isInvite = txn.method === 'INVITE';
    const frames = [
      buildResponseEcho(
        {
          appMsgId: msgId,
          bytes: utf8Bytes(sent),
          transport: isInvite ? txn.transport : '',
          address: txn.sourceAddress,
          port: txn.sourcePort,
          time: formatStackTime(),
          transactionId: txn.id,
          dialogId: isInvite ? `${txn.callId};from-tag=${txn.fromTag}` : '',
        },
        sent,
      ),
    ];
    if (status < 200) {
      txn.provisionalSent = true;
    } else {
      if (isInvite && status >= 300 && this.#cdrTo(conn, 'stop')) frames.push(buildCdrStop('application', formatStackTime(), 'call-rejected', sent));
      if (isInvite && status < 300 && this.#cdrTo(conn, 'start')) frames.push(buildCdrStart('application', formatStackTime(), 'uas', sent));
      this.#finish(txn);
    }
    conn.write(...frames);
  }

  /** The response as drachtio sends it: Via/From/To(+tag)/Call-ID/CSeq from the request, known headers, Content-Length, unknown headers. */
  #buildUasResponse(txn: ServerTxn, app: ParsedSip): string {
    const appTo = headerValue(app, 'to');
    const requestTo = headerValue(txn.request, 'to') ?? '';
    const tag = (appTo !== undefined ? tagOf(appTo) : undefined) ?? tagOf(requestTo) ?? txn.toTag;
    const to = tagOf(requestTo) !== undefined ? requestTo : `${requestTo};tag=${tag}`;
    const lines = [
      ...headerValues(txn.request, 'via').map((v) => `Via: ${v}`),
      `From: ${headerValue(txn.request, 'from') ?? ''}`,
      `To: ${to}`,
      `Call-ID: ${txn.callId}`,
      `CSeq: ${headerValue(txn.request, 'cseq') ?? ''}`,
    ];
    const extra = app.headers.filter((h) => !DIALOG_HEADERS.has(headerKey(h.name)));
    lines.push(...extra.filter(isKnown).map(sofiaLine));
    lines.push(`Content-Length: ${utf8Bytes(app.body)}`);
    lines.push(...extra.filter((h) => !isKnown(h)).map((h) => `${h.name}: ${h.value}`));
    return renderSip(app.startLine, lines, app.body);
  }

  #cdrTo(conn: ConnImpl, kind: 'attempt' | 'start' | 'stop'): boolean {
    return this.#opts.cdrs && conn.routes.has(`cdr:${kind}`);
  }

  #finish(txn: ServerTxn): void {
    if (txn.finished) return;
    txn.finished = true;
    txn.resolveDone(txn.responses);
  }

  // -- network side ---------------------------------------------------------------------------------------------

  sendRequest(conn: ConnImpl, rawInput: string, meta: RequestMeta): SentRequest {
    const raw = rawInput.includes(CRLF) ? rawInput : rawInput.replace(/\n/g, CRLF);
    const received = parseSip(raw);
    const method = (received.startLine.split(' ')[0] ?? '').toUpperCase();
    if (!conn.outbound && !conn.routes.has(method.toLowerCase())) throw new Error(`the app on connection ${conn.id} has no route for ${method}`);
    const transport = meta.transport ?? 'udp';
    const topVia = headerValue(received, 'via') ?? '';
    const viaPort = /^SIP\s*\/\s*2\.0\s*\/\s*\S+\s+[^;:\s]+:(\d+)/i.exec(topVia)?.[1];
    const sourceAddress = meta.sourceAddress ?? '127.0.0.1';
    const sourcePort = meta.sourcePort ?? (viaPort ? Number(viaPort) : 5060);
    const local = this.#hostports.get(transport) ?? { address: '127.0.0.1', port: 5060 };
    const text = addReceivedParams(raw, sourceAddress, sourcePort);
    const request = parseSip(text);
    let resolveDone: (r: AppResponse[]) => void = () => undefined;
    const done = new Promise<AppResponse[]>((resolve) => {
      resolveDone = resolve;
    });
    const txn: ServerTxn = {
      id: newMsgId(),
      conn,
      method,
      callId: headerValue(request, 'call-id') ?? '',
      fromTag: tagOf(headerValue(request, 'from') ?? '') ?? '',
      request,
      requestText: text,
      bytes: utf8Bytes(raw),
      transport,
      sourceAddress,
      sourcePort,
      toTag: randomToken(13),
      provisionalSent: false,
      finished: false,
      proxied: false,
      cancelProxy: undefined,
      responses: [],
      consumed: 0,
      done,
      resolveDone,
    };
    this.#txns.set(txn.id, txn);
    const frames = [
      buildIncomingRequest(
        {
          bytes: txn.bytes,
          transport,
          sourceAddress,
          sourcePort,
          time: formatStackTime(),
          transactionId: txn.id,
          dialogId: '',
          localAddress: meta.localAddress ?? local.address,
          localPort: meta.localPort ?? local.port,
        },
        text,
      ),
    ];
    if (method === 'INVITE' && this.#cdrTo(conn, 'attempt')) frames.push(buildCdrAttempt('network', formatStackTime(), text));
    conn.write(...frames);
    return { transactionId: txn.id, responses: done };
  }

  nextResponse(transactionId: string, timeoutMs: number): Promise<AppResponse> {
    const txn = this.#txns.get(transactionId);
    if (!txn) return Promise.reject(new Error(`unknown transaction ${transactionId}`));
    return this.until(() => txn.responses[txn.consumed], timeoutMs, `a response for ${transactionId}`).then((r) => {
      txn.consumed++;
      return r;
    });
  }

  sendCancel(transactionId: string, raw?: string): boolean {
    const txn = this.#txns.get(transactionId);
    if (!txn) throw new Error(`unknown transaction ${transactionId}`);
    if (txn.method !== 'INVITE') throw new Error('only an INVITE can be cancelled');
    if (txn.finished) return false;
    if (txn.proxied) return this.#cancelProxied(txn);
    const cancelRaw = raw ?? this.#defaultCancel(txn);
    const text = addReceivedParams(cancelRaw, txn.sourceAddress, txn.sourcePort);
    const frames: string[] = [];
    if (txn.provisionalSent && this.#cdrTo(txn.conn, 'stop')) frames.push(buildCdrStop('network', formatStackTime(), 'call-canceled', txn.requestText));
    frames.push(
      buildIncomingCancel(
        {
          bytes: txn.provisionalSent ? txn.bytes : utf8Bytes(text),
          transport: txn.transport,
          sourceAddress: txn.sourceAddress,
          sourcePort: txn.sourcePort,
          time: formatStackTime(),
          transactionId: txn.id,
          dialogId: txn.provisionalSent ? `${txn.callId};from-tag=${txn.fromTag}` : '',
        },
        text,
      ),
    );
    this.#finish(txn);
    txn.conn.write(...frames);
    return true;
  }

  /** drachtio's proxy core: 200 to the CANCEL and 487 to the caller (CDR), CANCEL to the targets; the app sees no CANCEL. */
  #cancelProxied(txn: ServerTxn): boolean {
    const local = this.#buildUasResponse(txn, parseSip(renderSip('SIP/2.0 487 Request Terminated', [])));
    if (this.#cdrTo(txn.conn, 'stop')) txn.conn.write(buildCdrStop('application', formatStackTime(), 'call-rejected', local));
    const cancel = txn.cancelProxy;
    txn.cancelProxy = undefined;
    cancel?.();
    return true;
  }

  #defaultCancel(txn: ServerTxn): string {
    const received = parseSip(txn.requestText);
    const ruri = received.startLine.split(' ')[1] ?? '';
    const topVia = headerValue(received, 'via') ?? '';
    const via = topVia.replace(/;\s*received=[^;,\s]*/i, '').replace(/;\s*rport=\d+/i, '');
    const cseq = (headerValue(received, 'cseq') ?? '1').split(/\s+/)[0] ?? '1';
    return renderSip(`CANCEL ${ruri} SIP/2.0`, [
      `Via: ${via}`,
      `From: ${headerValue(received, 'from') ?? ''}`,
      `To: ${headerValue(received, 'to') ?? ''}`,
      `Call-ID: ${txn.callId}`,
      `CSeq: ${cseq} CANCEL`,
      'Max-Forwards: 70',
      'Content-Length: 0',
    ]);
  }

  sendBye(callId: string, raw?: string): boolean {
    const dialog = this.#dialogs.get(callId);
    if (!dialog) throw new Error(`no proxied call with Call-ID ${callId}`);
    this.#dialogs.delete(callId);
    if (!dialog.remainInDialog) return false;
    const { txn } = dialog;
    const byeRaw = raw ?? this.#defaultBye(dialog);
    const received = addReceivedParams(byeRaw, txn.sourceAddress, txn.sourcePort);
    const forwarded = pushVia(this.#stripOwnRoute(received), this.#localVia(dialog.localVia, txn.transport, `z9hG4bK.${randomToken(26)}`));
    const frames: string[] = [];
    if (this.#cdrTo(txn.conn, 'stop')) {
      frames.push(buildCdrStop('network', formatStackTime(), 'normal-release', received));
      frames.push(buildCdrStop('application', formatStackTime(), 'normal-release', forwarded));
    }
    txn.conn.write(...frames);
    return true;
  }

  #defaultBye(dialog: ProxyDialog): string {
    const { txn } = dialog;
    const cseq = Number((headerValue(txn.request, 'cseq') ?? '1').split(/\s+/)[0] ?? '1');
    const contact = headerValue(txn.request, 'contact');
    return renderSip(`BYE ${dialog.targetContact} SIP/2.0`, [
      `Via: SIP/2.0/${txn.transport.toUpperCase()} ${txn.sourceAddress}:${txn.sourcePort};branch=z9hG4bK${randomToken(12)}`,
      `From: ${headerValue(txn.request, 'from') ?? ''}`,
      `To: ${dialog.toValue}`,
      `Call-ID: ${txn.callId}`,
      `CSeq: ${cseq + 1} BYE`,
      ...(contact !== undefined ? [`Contact: ${contact}`] : []),
      'Max-Forwards: 70',
      'Content-Length: 0',
    ]);
  }

  #stripOwnRoute(sipText: string): string {
    const lines = sipText.split(CRLF);
    const index = firstHeaderIndex(lines, 'route');
    const line = lines[index];
    const own = [...this.#hostports.values()].some((hp) => line?.includes(`${hp.address}:${hp.port}`));
    if (line !== undefined && own) lines.splice(index, 1);
    return lines.join(CRLF);
  }

  #localVia(hp: HostPort, transport: string, branch: string): string {
    const host = hp.port === 5060 ? hp.address : `${hp.address}:${hp.port}`;
    return `SIP/2.0/${transport.toUpperCase()} ${host};rport;branch=${branch}`;
  }

  // -- proxy ----------------------------------------------------------------------------------------------------

  #onAppProxy(conn: ConnImpl, msgId: string, fields: readonly string[], sip: string): void {
    const txn = this.#txns.get(fields[2] ?? '');
    let resolveOutcome: (o: ProxyOutcome) => void = () => undefined;
    let rejectOutcome: (e: unknown) => void = () => undefined;
    const outcome = new Promise<ProxyOutcome>((resolve, reject) => {
      resolveOutcome = resolve;
      rejectOutcome = reject;
    });
    outcome.catch(() => undefined);
    const command: ProxyCommand = {
      msgId,
      transactionId: fields[2] ?? '',
      remainInDialog: fields[3] === 'remainInDialog',
      fullResponse: fields[4] === 'fullResponse',
      followRedirects: fields[5] === 'followRedirects',
      forking: fields[6] === 'simultaneous' ? 'simultaneous' : 'serial',
      provisionalTimeout: fields[7] ?? '',
      finalTimeout: fields[8] ?? '',
      destinations: fields.slice(9),
      sip,
      outcome,
    };
    conn.proxyCommands.push(command);
    if (!txn || txn.finished || txn.proxied || txn.method !== 'INVITE' || txn.conn !== conn) {
      conn.write(buildNok(msgId, UNKNOWN_TRANSACTION));
      return;
    }
    txn.proxied = true;
    this.#runProxy(txn, command).then(resolveOutcome, rejectOutcome);
  }

  async #runProxy(txn: ServerTxn, cmd: ProxyCommand): Promise<ProxyOutcome> {
    const conn = txn.conn;
    const attempts: ProxyAttempt[] = [];
    const failures: { destination: string; received: string; status: number }[] = [];
    const extra = parseSip(cmd.sip).headers.filter((h) => headerKey(h.name) !== 'content-length');
    const targets = cmd.destinations.map((destination, index) => {
      const target = parseUriTarget(destination);
      const local = this.#hostports.get(target.transport) ?? { address: '127.0.0.1', port: 5060 };
      const topVia = this.#localVia(local, target.transport, `z9hG4bK${newMsgId()}`);
      const forwarded = this.#forwardInvite(txn, destination, topVia, cmd.remainInDialog, local, extra);
      return { destination, index, target, local, topVia, forwarded };
    });
    const ordered = cmd.forking === 'simultaneous' ? [targets] : targets.map((t) => [t]);
    for (const group of ordered) {
      if (this.#closing || conn.closed) break;
      for (const t of group) if (this.#cdrTo(conn, 'attempt')) conn.write(buildCdrAttempt('application', formatStackTime(), t.forwarded));
      const cancelled = new Promise<'cancelled'>((resolve) => (txn.cancelProxy = () => resolve('cancelled')));
      const answered = await Promise.race([
        Promise.all(
          group.map(async (t) => {
            const answer = this.#behaviour(t.destination, { index: t.index, forwarded: t.forwarded });
            const wait = answer === 'timeout' ? this.#timeoutFor(cmd) : (answer.delayMs ?? 0);
            await this.#delay(wait);
            return { t, answer };
          }),
        ),
        cancelled,
      ]);
      txn.cancelProxy = undefined;
      if (this.#closing || conn.closed) break;
      if (answered === 'cancelled') return this.#proxyCancelled(txn, cmd, attempts, group);
      const answers = answered;
      let success: { t: (typeof targets)[number]; received: string } | undefined;
      let stop = false;
      for (const { t, answer } of answers) {
        if (answer === 'timeout') {
          attempts.push({ destination: t.destination, status: 'timeout', reason: 'Request Timeout' });
          continue;
        }
        const received = this.#targetResponse(txn, t.forwarded, t.target, answer, cmd.remainInDialog);
        const reason = answer.reason ?? reasonFor(answer.status);
        attempts.push({ destination: t.destination, status: answer.status, reason });
        if (answer.status >= 200 && answer.status < 300 && !success) {
          success = { t, received };
          continue;
        }
        const continueFrame = this.#continueFrame(cmd, t.target, received);
        conn.write(continueFrame);
        failures.push({ destination: t.destination, received, status: answer.status });
        if (answer.status >= 600) stop = true;
      }
      if (success) {
        const { t, received } = success;
        const forwardedUp = stripTopVia(received);
        const frames: string[] = [];
        if (this.#cdrTo(conn, 'start')) frames.push(buildCdrStart('network', formatStackTime(), 'proxy-uac', received));
        frames.push(this.#continueFrame(cmd, t.target, received), buildProxyDone(cmd.msgId));
        conn.write(...frames);
        if (this.#cdrTo(conn, 'start')) conn.write(buildCdrStart('application', formatStackTime(), 'proxy-uas', forwardedUp));
        const parsed = parseSip(received);
        this.#dialogs.set(txn.callId, {
          txn,
          remainInDialog: cmd.remainInDialog,
          targetContact: /<([^>]+)>/.exec(headerValue(parsed, 'contact') ?? '')?.[1] ?? t.destination,
          toValue: headerValue(parsed, 'to') ?? '',
          localVia: t.local,
        });
        this.#finish(txn);
        return { attempts, finalStatus: statusOf(received).status, connected: true, destination: t.destination };
      }
      if (stop) break;
    }
    return this.#proxyFailed(txn, cmd, attempts, failures);
  }

  #proxyFailed(
    txn: ServerTxn,
    cmd: ProxyCommand,
    attempts: ProxyAttempt[],
    failures: readonly { destination: string; received: string; status: number }[],
  ): ProxyOutcome {
    const conn = txn.conn;
    const best = [...failures].sort((a, b) => {
      const rank = (s: number): number => (s >= 600 ? 0 : Math.floor(s / 100));
      return rank(a.status) - rank(b.status);
    })[0];
    if (!best) {
      const local = this.#buildUasResponse(txn, parseSip(renderSip('SIP/2.0 408 Request Timeout', [])));
      const frames: string[] = [];
      if (this.#cdrTo(conn, 'stop')) frames.push(buildCdrStop('application', formatStackTime(), 'call-rejected', local));
      frames.push(buildProxyDone(cmd.msgId));
      conn.write(...frames);
      this.#finish(txn);
      return { attempts, finalStatus: 408, connected: false, destination: undefined };
    }
    conn.write(buildProxyDone(cmd.msgId));
    if (this.#cdrTo(conn, 'stop')) conn.write(buildCdrStop('application', formatStackTime(), 'call-rejected', stripTopVia(best.received)));
    this.#finish(txn);
    return { attempts, finalStatus: best.status, connected: false, destination: best.destination };
  }

  /**
   * How long a target that never answers holds the search: timer B, or sooner `provisionalTimeout` (a silent target
   * sends no provisional either; drachtio-server then tries the next destination) or `finalTimeout`.
   */
  #timeoutFor(cmd: ProxyCommand): number {
    const toMs = (t: string): number | undefined => {
      const m = /^(\d+)(ms|s)?$/.exec(t);
      return m?.[1] ? Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) : undefined;
    };
    const limits = [toMs(cmd.provisionalTimeout), toMs(cmd.finalTimeout), this.#opts.timerBMs];
    return Math.min(...limits.filter((v): v is number => v !== undefined));
  }

  /** The caller cancelled while `group` was pending: each pending target answers 487 (continue), then `done`. */
  #proxyCancelled(
    txn: ServerTxn,
    cmd: ProxyCommand,
    attempts: ProxyAttempt[],
    group: readonly { readonly destination: string; readonly target: { address: string; port: number; transport: 'udp' | 'tcp' }; readonly forwarded: string }[],
  ): ProxyOutcome {
    const conn = txn.conn;
    for (const t of group) {
      const received = this.#targetResponse(txn, t.forwarded, t.target, { status: 487 }, cmd.remainInDialog);
      attempts.push({ destination: t.destination, status: 487, reason: reasonFor(487) });
      const frames = this.#cdrTo(conn, 'stop') ? [buildCdrStop('network', formatStackTime(), 'call-canceled', received)] : [];
      conn.write(...frames, this.#continueFrame(cmd, t.target, received));
    }
    conn.write(buildProxyDone(cmd.msgId));
    this.#finish(txn);
    return { attempts, finalStatus: 487, connected: false, destination: undefined };
  }

  #continueFrame(cmd: ProxyCommand, target: { address: string; port: number; transport: string }, received: string): string {
    return buildProxyContinue(
      { proxyMsgId: cmd.msgId, bytes: utf8Bytes(received), transport: target.transport, address: target.address, port: target.port, time: formatStackTime() },
      received,
    );
  }

  /** The INVITE as the proxy forwards it: new top Via, Record-Route, Max-Forwards - 1, known headers, Content-Length, unknown headers. */
  #forwardInvite(
    txn: ServerTxn,
    destination: string,
    topVia: string,
    remainInDialog: boolean,
    local: HostPort,
    extra: readonly SipHeader[],
  ): string {
    const req = txn.request;
    const maxForwards = Number(headerValue(req, 'max-forwards') ?? '70');
    const rest = req.headers.filter((h) => !['via', 'max-forwards', 'content-length'].includes(headerKey(h.name)));
    const added = extra.filter((h) => !rest.some((r) => headerKey(r.name) === headerKey(h.name)));
    const all = [...rest, ...added];
    const lines = [
      `Via: ${topVia}`,
      ...headerValues(req, 'via').map((v) => `Via: ${v}`),
      ...(remainInDialog ? [`Record-Route: <sip:${local.address}:${local.port};lr>`] : []),
      `Max-Forwards: ${Number.isFinite(maxForwards) ? maxForwards - 1 : 69}`,
      ...all.filter(isKnown).map(sofiaLine),
      `Content-Length: ${utf8Bytes(req.body)}`,
      ...all.filter((h) => !isKnown(h)).map((h) => `${h.name}: ${h.value}`),
    ];
    return renderSip(`INVITE ${destination} SIP/2.0`, lines, req.body);
  }

  /** A target's answer as received by the proxy (all Vias on one line, as the recorded sipp UAS sent them). */
  #targetResponse(
    txn: ServerTxn,
    forwarded: string,
    target: { address: string; port: number; transport: string },
    answer: Exclude<ProxyTargetAnswer, 'timeout'>,
    remainInDialog: boolean,
  ): string {
    const fwd = parseSip(forwarded);
    const given: [string, string][] = Array.isArray(answer.headers)
      ? answer.headers.map(([n, v]) => [n, v])
      : Object.entries((answer.headers ?? {}) as Readonly<Record<string, string>>);
    const has = (name: string): boolean => given.some(([n]) => headerKey(n) === name);
    const body = answer.body ?? '';
    const lines = [
      `Via: ${headerValues(fwd, 'via').join(', ')}`,
      `From: ${headerValue(fwd, 'from') ?? ''}`,
      `To: ${headerValue(fwd, 'to') ?? ''};tag=${answer.toTag ?? randomToken(10)}`,
      `Call-ID: ${txn.callId}`,
      `CSeq: ${headerValue(fwd, 'cseq') ?? ''}`,
      ...(remainInDialog ? headerValues(fwd, 'record-route').map((v) => `Record-Route: ${v}`) : []),
    ];
    if (answer.status < 300 && !has('contact')) lines.push(`Contact: <sip:${target.address}:${target.port};transport=${target.transport.toUpperCase()}>`);
    lines.push(...given.map(([n, v]) => `${n}: ${v}`));
    if (body !== '' && !has('content-type')) lines.push('Content-Type: application/sdp');
    if (!has('content-length')) lines.push(`Content-Length: ${utf8Bytes(body)}`);
    return renderSip(`SIP/2.0 ${answer.status} ${answer.reason ?? reasonFor(answer.status)}`, lines, body);
  }
}

/**
 * Creates a stand-in for drachtio-server v0.9.4 (call `listen()` next). Behaviour follows the recordings in
 * test/fixtures/drachtio-wire; things the recordings do not show are documented on the methods.
 */
export function createDrachtioStandin(options: DrachtioStandinOptions): DrachtioStandin {
  return new StandinImpl(options);
}
