/**
 * drachtio front: turns a drachtio-srf request into the core's InviteFacts. The only place this front picks header
 * values for screening; it reuses the built-in front's sanitising and Identity splitting so both fronts agree.
 */
import type Srf from 'drachtio-srf';
import type { InviteFacts, Transport } from '../../screening/index.js';
import { toFactsFromHeaders } from '../shared/index.js';

const TRANSPORTS: ReadonlySet<string> = new Set<Transport>(['udp', 'tcp', 'tls', 'ws', 'wss']);

/** The parts of a drachtio-srf request read here (structural, so tests can pass plain objects). */
export type SrfInvite = Pick<Srf.SrfRequest, 'uri' | 'protocol' | 'source_address' | 'source_port' | 'receivedOn' | 'get' | 'headers'>;

/** Header lookup by lower-case name. */
type Headers = (name: string) => string | undefined;

/**
 * Extracts the screening facts from an INVITE delivered by drachtio-server. `source_port` is a number at runtime
 * (typed string); `receivedOn` (`addr:port`) is only present when the server sends the local address fields.
 * `selectorHeaderNames` are the configured trunk-narrowing headers; `selectorHeaders` is undefined when none is present.
 */
export function toInviteFacts(req: SrfInvite, receivedAt: number, selectorHeaderNames: readonly string[]): InviteFacts {
  const header = withCompactIdentity(headersOf(req));
  const local = splitHostPort(req.receivedOn);
  const meta = {
    receivedAt,
    transport: toTransport(req.protocol),
    sourceAddress: unbracket(String(req.source_address ?? '')),
    sourcePort: toPort(req.source_port) ?? 0,
    localAddress: local?.address,
    localPort: local?.port,
  };
  return toFactsFromHeaders(header, String(req.uri ?? ''), meta, selectorHeaderNames);
}

/** drachtio keeps the compact `y` form as its own key; the shared builder reads `identity`, so merge them here. */
function withCompactIdentity(header: Headers): Headers {
  return (name) => {
    if (name !== 'identity') return header(name);
    const long = header('identity');
    const compact = header('y');
    return long !== undefined && compact !== undefined ? `${long},${compact}` : (long ?? compact);
  };
}

function headersOf(req: SrfInvite): Headers {
  const table: Readonly<Record<string, unknown>> | undefined = typeof req.headers === 'object' && req.headers !== null ? req.headers : undefined;
  if (table === undefined) {
    return (name) => {
      const value: unknown = req.get(name);
      return value === undefined || value === null ? undefined : String(value);
    };
  }
  const map = new Map<string, string>();
  for (const key of Object.keys(table)) {
    const value = table[key];
    if (typeof value !== 'string') continue;
    const name = key.toLowerCase();
    const previous = map.get(name);
    map.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return (name) => map.get(name);
}

function toTransport(protocol: unknown): Transport {
  const p = String(protocol ?? '').toLowerCase();
  return TRANSPORTS.has(p) ? (p as Transport) : 'udp';
}

function toPort(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

/** `127.0.0.1:5060` or `[2001:db8::1]:5060` (or a bare IPv6 with the port after the last ':') → address and port. */
function splitHostPort(hostport: string | undefined): { address: string; port: number | undefined } | undefined {
  if (hostport === undefined || hostport === '') return undefined;
  const colon = hostport.lastIndexOf(':');
  if (colon <= 0) return { address: unbracket(hostport), port: undefined };
  return { address: unbracket(hostport.slice(0, colon)), port: toPort(hostport.slice(colon + 1)) };
}
