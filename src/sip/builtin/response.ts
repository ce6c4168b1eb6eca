/**
 * Built-in SIP front: checks a request's routing headers and renders stateless responses (RFC 3261 8.2.6,
 * RFC 3581). Only Via, From, To, Call-ID and CSeq are ever copied from a request, and only sanitised.
 */
import * as nodeCrypto from 'node:crypto';
import { headerParam, sanitiseHeaderValue, type SipReply } from '../shared/index.js';
import { type ParsedSipMessage, type TopVia, parseTopVia, unusableTopVia } from './sip-parser.js';

/** Closed set of `malformed` metric kinds. */
export type MalformedKind =
  | 'parse'
  | 'oversize'
  | 'missing-header'
  | 'bad-via'
  | 'bad-cseq'
  | 'cseq-mismatch'
  | 'content-length'
  | 'bad-header'
  | 'request-uri';

/** What a response needs from its request: routing and dialog-identifying headers, sanitised. */
export interface ResponseContext {
  readonly via: TopVia;
  /** Where the request came from: the top Via of a response gets `received`/`rport` from it (rendered lazily). */
  readonly source: Source;
  readonly cseq: string;
  readonly cseqNumber: number;
  readonly cseqMethod: string;
  readonly callId: string | undefined;
  readonly from: string | undefined;
  /** From tag, '' when absent. */
  readonly fromTag: string;
  readonly to: string | undefined;
  readonly hasToTag: boolean;
}

/** Source of a request, where responses go. */
export interface Source {
  readonly address: string;
  readonly port: number;
}

/** Outcome of checking a request: usable, or malformed with a context when an error response can be routed. */
export type RequestCheck =
  | { readonly kind: 'ok'; readonly ctx: ResponseContext }
  | { readonly kind: 'malformed'; readonly reason: MalformedKind; readonly ctx: ResponseContext | undefined };

const STATUS_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 200: 'OK', 400: 'Bad Request', 405: 'Method Not Allowed', 416: 'Unsupported URI Scheme',
  481: 'Call/Transaction Does Not Exist', 483: 'Too Many Hops', 500: 'Server Internal Error',
  503: 'Service Unavailable', 513: 'Message Too Large',
};
const CSEQ = /^(\d{1,10})[ \t]+([A-Za-z][\w.!%*+`'~-]*)$/;
const DIGITS = /^\d{1,10}$/;
const MAX_CSEQ = 2 ** 31 - 1;

/** `Allow` as sent on OPTIONS and 405 responses: the methods this front handles. */
export const ALLOW_HEADER: readonly [string, string] = ['Allow', 'INVITE, ACK, CANCEL, OPTIONS'];
/** `Accept` as sent on OPTIONS responses. */
export const ACCEPT_HEADER: readonly [string, string] = ['Accept', 'application/sdp'];

/** A reply with the standard phrase for one of the statuses the front generates itself. */
export function protocolReply(status: number, headers: SipReply['headers'] = []): SipReply {
  return { status, phrase: STATUS_PHRASES[status] ?? 'Unknown', headers };
}

/** The error reply for a malformed request: 513 when oversize, 416 for an unusable Request-URI, else 400. */
export function malformedReply(kind: MalformedKind): SipReply {
  if (kind === 'oversize') return protocolReply(513);
  return protocolReply(kind === 'request-uri' ? 416 : 400);
}

/** True when the reply is a final response (200–699), the only kind an INVITE handler may return. */
export function isFinalReply(reply: SipReply): boolean {
  return Number.isInteger(reply.status) && reply.status >= 200 && reply.status <= 699;
}

function rewriteTopVia(via: TopVia, sourceAddress: string, sourcePort: number): string {
  if (via.unusable === true) return via.values[0] ?? '';
  let text = `SIP/2.0/${via.protocol} ${via.hostText}${via.port === undefined ? '' : `:${via.port}`}`;
  for (const param of via.params) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name === 'received') continue;
    text += name === 'rport' ? `;rport=${sourcePort}` : `;${param}`;
  }
  // RFC 3581 section 4: with rport, received is added even when it equals sent-by.
  if (via.rport || via.host !== sourceAddress) text += `;received=${sourceAddress}`;
  return text;
}

function optionalHeader(msg: ParsedSipMessage, name: string): string | undefined {
  const raw = msg.headers.get(name);
  const value = raw === undefined ? '' : sanitiseHeaderValue(raw);
  return value === '' ? undefined : value;
}

function toContext(msg: ParsedSipMessage, via: TopVia, source: Source): ResponseContext | undefined {
  const cseq = sanitiseHeaderValue(msg.headers.get('cseq') ?? '');
  const match = CSEQ.exec(cseq);
  if (match === null || Number(match[1]) > MAX_CSEQ) return undefined;
  const from = optionalHeader(msg, 'from');
  const to = optionalHeader(msg, 'to');
  return {
    via,
    source,
    cseq,
    cseqNumber: Number(match[1]),
    cseqMethod: match[2] ?? '',
    callId: optionalHeader(msg, 'call-id'),
    from,
    fromTag: from === undefined ? '' : (headerParam(from, 'tag') ?? ''),
    to,
    hasToTag: to !== undefined && headerParam(to, 'tag') !== undefined,
  };
}

function contentLengthProblem(msg: ParsedSipMessage): boolean {
  const raw = msg.headers.get('content-length');
  if (raw === undefined) return false;
  const value = raw.trim();
  return !DIGITS.test(value) || Number(value) > Buffer.byteLength(msg.body, 'latin1');
}

/**
 * Checks the headers every request must carry (RFC 3261 8.1.1): top Via, CSeq (number and the request's method),
 * Call-ID, From, To, a valid Content-Length when present and a numeric Max-Forwards when present. An error
 * response is routable once top Via and CSeq are usable; From/To/Call-ID are echoed when present. A top Via that is
 * present but unusable (port 0, no host) still gets its 400 over a connection (`tcp`: the answer needs no Via
 * address) and over UDP when it asks for `rport` (the answer goes to the source port); over UDP without `rport`
 * there is nowhere to send it.
 */
export function checkRequest(msg: ParsedSipMessage, source: Source, transport: 'udp' | 'tcp' = 'udp'): RequestCheck {
  const rawVia = msg.headers.get('via');
  const via = parseTopVia(rawVia);
  if (via === undefined) {
    const echo = unusableTopVia(rawVia);
    const routable = echo !== undefined && (transport === 'tcp' || echo.rport);
    const ctx = routable ? toContext(msg, echo, source) : undefined;
    return { kind: 'malformed', reason: rawVia !== undefined ? 'bad-via' : 'missing-header', ctx };
  }
  const ctx = toContext(msg, via, source);
  if (ctx === undefined) {
    return { kind: 'malformed', reason: msg.headers.has('cseq') ? 'bad-cseq' : 'missing-header', ctx: undefined };
  }
  const reason = headerProblem(msg, ctx);
  return reason === undefined ? { kind: 'ok', ctx } : { kind: 'malformed', reason, ctx };
}

function headerProblem(msg: ParsedSipMessage, ctx: ResponseContext): MalformedKind | undefined {
  if (ctx.callId === undefined || ctx.from === undefined || ctx.to === undefined) return 'missing-header';
  if (ctx.cseqMethod !== msg.method) return 'cseq-mismatch';
  if (contentLengthProblem(msg)) return 'content-length';
  const maxForwards = msg.headers.get('max-forwards');
  if (maxForwards !== undefined && !DIGITS.test(maxForwards.trim())) return 'bad-header';
  return undefined;
}

/** Max-Forwards as a number; undefined when absent (checkRequest has rejected non-numeric values). */
export function maxForwardsOf(msg: ParsedSipMessage): number | undefined {
  const raw = msg.headers.get('max-forwards');
  return raw === undefined ? undefined : Number(raw.trim());
}

/** Deterministic To tag: retransmissions and a CANCEL of the same INVITE get the same tag (RFC 3261 9.2). */
function toTag(ctx: ResponseContext): string {
  const seed = `${ctx.callId ?? ''}\0${ctx.fromTag}\0${ctx.via.branch ?? ''}`;
  return sha1Base64url(seed).slice(0, 16);
}

/** SHA-1 of a string, base64url: one-shot crypto.hash (Node >= 20.12) skips building a Hash object per response. */
const oneShotHash = (nodeCrypto as Partial<typeof nodeCrypto>).hash;
const sha1Base64url: (text: string) => string = typeof oneShotHash === 'function'
  ? (text) => oneShotHash('sha1', text, 'base64url')
  : (text) => nodeCrypto.createHash('sha1').update(text).digest('base64url');

function line(value: string): string {
  return sanitiseHeaderValue(value, Infinity);
}

/** The configured `Server:` value is the same on every response: sanitised once per distinct value. */
let serverLine: { readonly raw: string; readonly clean: string } | undefined;
function serverHeaderLine(value: string): string {
  if (serverLine?.raw !== value) serverLine = { raw: value, clean: line(value) };
  return serverLine.clean;
}

/**
 * Renders a response: status line, Via (all, in order), From, To (tag added on non-100 responses when absent),
 * Call-ID, CSeq, Server (when configured), the reply's headers in order, `Content-Length: 0`. The echoed headers are
 * latin1 text (one char per received byte, see dispatch.ts) and are written back as latin1, so they match the
 * request byte for byte; what the gate writes itself (phrase, Server, the reply's headers) is UTF-8.
 */
export function renderResponse(ctx: ResponseContext, reply: SipReply, serverHeader: string | undefined): Buffer {
  const statusLine = `SIP/2.0 ${reply.status} ${line(reply.phrase)}\r\n`;
  // Via values: the top one with `received`/`rport` set, then the rest as received (only rendered when answering).
  let text = `Via: ${rewriteTopVia(ctx.via, ctx.source.address, ctx.source.port)}\r\n`;
  for (let i = 1; i < ctx.via.values.length; i++) text += `Via: ${ctx.via.values[i]}\r\n`;
  if (ctx.from !== undefined) text += `From: ${ctx.from}\r\n`;
  if (ctx.to !== undefined) {
    text += ctx.hasToTag || reply.status === 100 ? `To: ${ctx.to}\r\n` : `To: ${ctx.to};tag=${toTag(ctx)}\r\n`;
  }
  if (ctx.callId !== undefined) text += `Call-ID: ${ctx.callId}\r\n`;
  text += `CSeq: ${ctx.cseq}\r\n`;
  let own = serverHeader === undefined ? '' : `Server: ${serverHeaderLine(serverHeader)}\r\n`;
  for (const [name, value] of reply.headers) own += `${line(name)}: ${line(value)}\r\n`;
  own += 'Content-Length: 0\r\n\r\n';
  // One allocation, three encodings (latin1 is one byte per char, so `text.length` is its byte length).
  const head = Buffer.byteLength(statusLine, 'utf8');
  const out = Buffer.allocUnsafe(head + text.length + Buffer.byteLength(own, 'utf8'));
  out.write(statusLine, 0, 'utf8');
  out.write(text, head, 'latin1');
  out.write(own, head + text.length, 'utf8');
  return out;
}
