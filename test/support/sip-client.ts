/**
 * Tiny raw SIP test clients (UDP and TCP) bound to a chosen loopback source address, a request builder and a
 * response reader. Waits are deadlines on received data, never sleeps used as synchronisation.
 */
import { randomBytes } from 'node:crypto';
import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Socket, connect } from 'node:net';

/** Parts of a request; `null` leaves a header out, undefined uses the default. */
export interface RequestSpec {
  readonly method?: string;
  readonly uri?: string;
  readonly via?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly callId?: string | null;
  readonly cseq?: string | null;
  readonly maxForwards?: string | null;
  readonly extra?: readonly string[];
  readonly body?: string;
  /** Content-Length value; null omits it; default is the body's byte length. */
  readonly contentLength?: number | null;
}

/** A fresh RFC 3261 branch. */
export function newBranch(): string {
  return `z9hG4bK-${randomBytes(6).toString('hex')}`;
}

/** Builds a request's raw text (CRLF line ends). Defaults form a valid INVITE from 127.0.0.2 with rport. */
export function sipRequest(spec: RequestSpec = {}): string {
  const method = spec.method ?? 'INVITE';
  const body = spec.body ?? '';
  const header = (name: string, value: string | null | undefined, fallback: string): string[] =>
    value === null ? [] : [`${name}: ${value ?? fallback}`];
  const lines = [
    `${method} ${spec.uri ?? 'sip:+12025550123@127.0.0.1'} SIP/2.0`,
    ...header('Via', spec.via, `SIP/2.0/UDP 127.0.0.2:5099;branch=${newBranch()};rport`),
    ...header('Max-Forwards', spec.maxForwards, '70'),
    ...header('From', spec.from, '"Caller" <sip:+13035550100@example.net>;tag=from-1'),
    ...header('To', spec.to, '<sip:+12025550123@example.com>'),
    ...header('Call-ID', spec.callId, `${randomBytes(8).toString('hex')}@test`),
    ...header('CSeq', spec.cseq, `1 ${method}`),
    ...(spec.extra ?? []),
  ];
  if (spec.contentLength !== null) lines.push(`Content-Length: ${spec.contentLength ?? Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A response as read back: status line parts and headers in order. */
export interface SipResponse {
  readonly raw: string;
  readonly status: number;
  readonly phrase: string;
  readonly headers: readonly (readonly [string, string])[];
  /** All values of a header, case-insensitive. */
  all(name: string): string[];
  /** First value of a header, case-insensitive. */
  get(name: string): string | undefined;
}

/** Reads a response's text; throws when the status line is not a SIP/2.0 status line. */
export function parseSipResponse(raw: string): SipResponse {
  const [head = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(statusLine);
  if (match === null) throw new Error(`not a SIP response: ${JSON.stringify(statusLine)}`);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const all = (name: string): string[] =>
    headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return { raw, status: Number(match[1]), phrase: match[2] ?? '', headers, all, get: (name) => all(name)[0] };
}

/** FIFO of received messages with deadline-bounded waits. */
class Inbox {
  private readonly queue: string[] = [];
  private waiter: ((message: string) => void) | undefined;

  push(message: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) waiter(message);
    else this.queue.push(message);
  }

  next(timeoutMs: number): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no SIP message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  async none(windowMs: number): Promise<void> {
    const message = await this.next(windowMs).catch(() => undefined);
    if (message !== undefined) throw new Error(`unexpected SIP message: ${JSON.stringify(message)}`);
  }
}

/** Common client surface. */
export interface SipTestClient {
  readonly localAddress: string;
  readonly localPort: number;
  send(message: string | Buffer): Promise<void>;
  /** Next received message's raw text, or rejects after `timeoutMs` (default 2000). */
  next(timeoutMs?: number): Promise<string>;
  /** Next received message parsed as a response. */
  response(timeoutMs?: number): Promise<SipResponse>;
  /** Resolves when nothing arrives within `windowMs` (default 250); rejects on any message. */
  none(windowMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A UDP client bound to `localAddress` (port 0 = ephemeral), sending to the server at 127.0.0.1:`serverPort`. */
export async function createUdpSipClient(localAddress: string, serverPort: number, localPort = 0): Promise<SipTestClient> {
  const socket: UdpSocket = createSocket('udp4');
  const inbox = new Inbox();
  socket.on('message', (bytes) => inbox.push(bytes.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(localPort, localAddress, () => resolve());
  });
  return {
    localAddress,
    localPort: socket.address().port,
    send: (message) =>
      new Promise((resolve, reject) => socket.send(message, serverPort, '127.0.0.1', (err) => (err ? reject(err) : resolve()))),
    next: (timeoutMs = 2000) => inbox.next(timeoutMs),
    response: async (timeoutMs = 2000) => parseSipResponse(await inbox.next(timeoutMs)),
    none: (windowMs = 250) => inbox.none(windowMs),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A TCP client connection; `pong` messages are delivered as the text '\r\n'. */
export interface TcpSipTestClient extends SipTestClient {
  readonly socket: Socket;
  /** Resolves when the server closes the connection, rejects after `timeoutMs` (default 2000). */
  closed(timeoutMs?: number): Promise<void>;
}

function frameResponses(state: { buffer: string }, inbox: Inbox): void {
  for (;;) {
    if (state.buffer.startsWith('\r\n')) {
      state.buffer = state.buffer.slice(2);
      inbox.push('\r\n');
      continue;
    }
    const end = state.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(/\r\nContent-Length:\s*(\d+)/i.exec(state.buffer.slice(0, end))?.[1] ?? '0');
    if (state.buffer.length < end + 4 + length) return;
    inbox.push(state.buffer.slice(0, end + 4 + length));
    state.buffer = state.buffer.slice(end + 4 + length);
  }
}

/** Opens a TCP connection from `localAddress` to 127.0.0.1:`serverPort`. */
export async function connectTcpSipClient(localAddress: string, serverPort: number): Promise<TcpSipTestClient> {
  const socket = connect({ host: '127.0.0.1', port: serverPort, localAddress, noDelay: true });
  const inbox = new Inbox();
  const state = { buffer: '' };
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => {
    state.buffer += chunk.toString('utf8');
    frameResponses(state, inbox);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    localAddress,
    localPort: socket.localPort ?? 0,
    send: (message) => new Promise((resolve, reject) => socket.write(message, (err) => (err ? reject(err) : resolve()))),
    next: (timeoutMs = 2000) => inbox.next(timeoutMs),
    response: async (timeoutMs = 2000) => parseSipResponse(await inbox.next(timeoutMs)),
    none: (windowMs = 250) => inbox.none(windowMs),
    closed: (timeoutMs = 2000) =>
      Promise.race([
        closed,
        new Promise<void>((_, reject) => setTimeout(() => reject(new Error('connection still open')), timeoutMs).unref()),
      ]),
    close: async () => {
      socket.destroy();
      await closed;
    },
  };
}
