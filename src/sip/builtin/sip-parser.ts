/**
 * Built-in SIP front: the typed boundary around drachtio-srf's own SIP parser plus header-level helpers
 * (normalised header map, top Via, sanitising, comma splitting). The only file that touches the untyped parser.
 */
import { createRequire } from 'node:module';
import { sanitiseHeaderValue, splitHeaderValues } from '../shared/index.js';

interface UntypedSipMessage {
  method?: string;
  uri?: string;
  status?: number;
  headers: Record<string, string>;
  body?: string;
}

interface UntypedSipUri {
  scheme?: string;
  user?: string;
  host?: string;
  port?: number;
  number?: string;
  params?: Record<string, string | null>;
}

interface UntypedSipParser {
  parseSipMessage(text: string, lazy: true): UntypedSipMessage | undefined;
  parseUri(text: string): UntypedSipUri | undefined;
}

const require = createRequire(import.meta.url);
const untyped = require('drachtio-srf/lib/sip-parser/parser.js') as UntypedSipParser;

/** RFC 3261 branch magic cookie: branches starting with it are unique per transaction. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** One SIP message as parsed from the wire; header values are raw (not yet sanitised). */
export interface ParsedSipMessage {
  readonly kind: 'request' | 'response';
  /** Request method as written; '' for responses. */
  readonly method: string;
  /** Request-URI text; '' for responses. */
  readonly uri: string;
  /** Response status; 0 for requests. */
  readonly status: number;
  /** Keyed by lower-case long header name (compact forms expanded); repeated headers joined with ','. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** The parts of a sip:, sips: or tel: URI the front uses. */
export interface SipUri {
  readonly scheme: string;
  /** User part (sip/sips) or the number (tel). */
  readonly user: string | undefined;
  readonly host: string | undefined;
  readonly params: Readonly<Record<string, string | null>>;
}

const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', y: 'identity',
};
const LINE_SPLIT = /\r\n(?![ \t])/;
const REQUEST_LINE = /^([A-Za-z][\w.!%*+`'~-]*)[ \t]+(\S+)[ \t]+SIP\/2\.0[ \t]*$/;

function addHeader(headers: Map<string, string>, rawName: string, value: string): void {
  const lower = rawName.toLowerCase();
  const name = COMPACT_FORMS[lower] ?? lower;
  const previous = headers.get(name);
  headers.set(name, previous === undefined ? value : `${previous},${value}`);
}

/**
 * Parses one complete SIP message with drachtio-srf's own parser (lazy mode) and normalises the header names, so
 * lookups never depend on the parser's case rules (it keeps `X-`/`P-` names as written). Returns undefined when the
 * parser rejects the text or throws. Both fronts parse with drachtio-srf's parser, so they agree on every message
 * (docs/benchmarks.md weighs a one-pass parser against it).
 */
export function parseSipMessage(text: string): ParsedSipMessage | undefined {
  let parsed: UntypedSipMessage | undefined;
  try {
    parsed = untyped.parseSipMessage(text, true);
  } catch {
    return undefined;
  }
  if (parsed === undefined) return undefined;
  const headers = new Map<string, string>();
  for (const name of Object.keys(parsed.headers)) addHeader(headers, name, parsed.headers[name] ?? '');
  const isRequest = typeof parsed.method === 'string';
  return {
    kind: isRequest ? 'request' : 'response',
    method: parsed.method ?? '',
    uri: parsed.uri ?? '',
    status: isRequest ? 0 : (parsed.status ?? 0),
    headers,
    body: parsed.body ?? '',
  };
}

/** Whether drachtio-srf's parseUri() accepts the text as a sip:, sips: or tel: URI. */
export function isSipOrTelUri(text: string): boolean {
  return parseSipUri(text) !== undefined;
}

/**
 * Best-effort reading of a request the strict parser rejected (e.g. one header line without a colon), used only
 * to route a 400/513 back. Requires a well-formed request line; skips unusable header lines. Body is dropped.
 */
export function salvageSipRequest(text: string): ParsedSipMessage | undefined {
  const end = text.indexOf('\r\n\r\n');
  const lines = (end < 0 ? text : text.slice(0, end)).split(LINE_SPLIT);
  const start = REQUEST_LINE.exec(lines[0] ?? '');
  if (start === null) return undefined;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon > 0) addHeader(headers, line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { kind: 'request', method: start[1] ?? '', uri: start[2] ?? '', status: 0, headers, body: '' };
}

/** Parses a sip:, sips: or tel: URI with drachtio-srf's parser; undefined when it is neither. */
export function parseSipUri(text: string): SipUri | undefined {
  let uri: UntypedSipUri | undefined;
  try {
    uri = untyped.parseUri(text);
  } catch {
    return undefined;
  }
  if (uri?.scheme === undefined) return undefined;
  return { scheme: uri.scheme, user: uri.user ?? uri.number, host: uri.host, params: uri.params ?? {} };
}

/** The topmost Via of a request: what routing a response needs (RFC 3261 18.2.2, RFC 3581). */
export interface TopVia {
  /** Every Via value of the request, sanitised, in order (top first). */
  readonly values: readonly string[];
  /** Transport token, upper case (`UDP`, `TCP`, ...). */
  readonly protocol: string;
  /** sent-by host, lower case, IPv6 without brackets. */
  readonly host: string;
  /** sent-by host as written (IPv6 with brackets). */
  readonly hostText: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  /** The request asked for symmetric response routing (RFC 3581). */
  readonly rport: boolean;
  readonly rportValue: number | undefined;
  readonly received: string | undefined;
  /** Params of the top value as written, trimmed, without the leading ';'. */
  readonly params: readonly string[];
  /**
   * The top value could not be parsed (a bad sent-by, port 0): a response echoes every value verbatim and can only
   * go back on the request's connection, or to its source port when `rport` was asked for. Absent on usable Vias.
   */
  readonly unusable?: true;
}

const VIA_TOP =
  /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*([A-Za-z0-9-]+)[ \t]+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?:[ \t]*:[ \t]*(\d{1,5}))?[ \t]*(?:;(.*))?$/i;
const DIGITS = /^\d{1,5}$/;

function toPort(text: string | undefined): number | undefined {
  if (text === undefined || !DIGITS.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

type ViaParams = Pick<TopVia, 'branch' | 'rport' | 'rportValue' | 'received'>;

function readViaParams(params: readonly string[]): ViaParams {
  const out: { -readonly [K in keyof ViaParams]: ViaParams[K] } = {
    branch: undefined, rport: false, rportValue: undefined, received: undefined,
  };
  for (const param of params) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : param.slice(eq + 1).trim();
    if (name === 'branch') out.branch = value;
    else if (name === 'received') out.received = value;
    else if (name === 'rport') {
      out.rport = true;
      out.rportValue = toPort(value);
    }
  }
  return out;
}

/**
 * The Via of a request whose top value {@link parseTopVia} refuses, kept only to echo it in a 400: the values as
 * received (sanitised) and the params a lenient split of the top value finds. Undefined when there is no Via.
 */
export function unusableTopVia(via: string | undefined): TopVia | undefined {
  if (via === undefined) return undefined;
  const values = splitHeaderValues(via).map((v) => sanitiseHeaderValue(v));
  const top = values[0];
  if (top === undefined) return undefined;
  const semi = top.indexOf(';');
  const params = semi < 0 ? [] : top.slice(semi + 1).split(';').map((p) => p.trim()).filter((p) => p.length > 0);
  return { values, protocol: '', host: '', hostText: '', port: undefined, params, ...readViaParams(params), unusable: true };
}

/** Parses the Via header (all values joined with ',') and its topmost value; undefined when absent or invalid. */
export function parseTopVia(via: string | undefined): TopVia | undefined {
  if (via === undefined) return undefined;
  const values = splitHeaderValues(via).map((v) => sanitiseHeaderValue(v));
  const match = VIA_TOP.exec(values[0] ?? '');
  if (match === null) return undefined;
  const port = toPort(match[3]);
  if (match[3] !== undefined && port === undefined) return undefined;
  const hostText = match[2] ?? '';
  const host = hostText.toLowerCase();
  const params = (match[4] ?? '').split(';').map((p) => p.trim()).filter((p) => p.length > 0);
  return {
    values,
    protocol: (match[1] ?? '').toUpperCase(),
    host: host.startsWith('[') ? host.slice(1, -1) : host,
    hostText,
    port,
    params,
    ...readViaParams(params),
  };
}
