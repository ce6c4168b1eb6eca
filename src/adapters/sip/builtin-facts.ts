/**
 * Built-in SIP front: turns a parsed INVITE into the core's InviteFacts. The only place the built-in front picks
 * header values for screening; every value leaves here sanitised and length-capped.
 */
import type { InviteFacts } from '../../core/model.js';
import { type ParsedSipMessage, sanitiseHeaderValue, splitHeaderValues } from './builtin-parser.js';

/** Where and when a request arrived. */
export interface ArrivalMeta {
  /** Epoch milliseconds, from the front's injected clock. */
  readonly receivedAt: number;
  readonly transport: 'udp' | 'tcp';
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

/** Budget for all Identity values of one INVITE together, in characters; values past it are dropped whole. */
export const MAX_IDENTITY_TOTAL_CHARS = 8192;

const IDENTITY_START = /[ \t]*[A-Za-z0-9_-]+\./y;

function startsIdentityToken(value: string, commaIndex: number): boolean {
  IDENTITY_START.lastIndex = commaIndex + 1;
  return IDENTITY_START.test(value);
}

/**
 * Splits an Identity header (RFC 8224; repeated headers arrive joined with ',') into its values. A comma separates
 * two values only outside `<...>` and quotes and when a base64url run containing '.' (the next PASSporT) follows,
 * so commas inside `;info=<...>` never split. Values are sanitised; once the running total would pass
 * {@link MAX_IDENTITY_TOTAL_CHARS} the remaining values are dropped rather than truncated.
 */
export function splitIdentityHeader(value: string): string[] {
  const values: string[] = [];
  let total = 0;
  for (const part of splitHeaderValues(sanitiseHeaderValue(value, Infinity), startsIdentityToken)) {
    total += part.length;
    if (total > MAX_IDENTITY_TOTAL_CHARS) break;
    values.push(part);
  }
  return values;
}

function clean(value: string | undefined): string | undefined {
  return value === undefined ? undefined : sanitiseHeaderValue(value);
}

function pickSelectorHeaders(
  headers: ReadonlyMap<string, string>,
  names: readonly string[],
): Record<string, string> | undefined {
  let picked: Record<string, string> | undefined;
  for (const name of names) {
    const value = headers.get(name.toLowerCase());
    if (value === undefined) continue;
    picked ??= Object.create(null) as Record<string, string>;
    picked[name.toLowerCase()] = sanitiseHeaderValue(value);
  }
  return picked;
}

/**
 * Extracts the screening facts from an INVITE. `selectorHeaderNames` are the configured trunk-narrowing headers
 * (lower case); only those are copied, and `selectorHeaders` is undefined when none of them is present.
 */
export function toInviteFacts(
  msg: ParsedSipMessage,
  meta: ArrivalMeta,
  selectorHeaderNames: readonly string[],
): InviteFacts {
  const headers = msg.headers;
  const identityHeader = headers.get('identity');
  const identity = identityHeader === undefined ? [] : splitIdentityHeader(identityHeader);
  return {
    callId: sanitiseHeaderValue(headers.get('call-id') ?? ''),
    receivedAt: meta.receivedAt,
    transport: meta.transport,
    sourceAddress: meta.sourceAddress,
    sourcePort: meta.sourcePort,
    localAddress: meta.localAddress,
    localPort: meta.localPort,
    requestUri: sanitiseHeaderValue(msg.uri),
    from: clean(headers.get('from')),
    to: clean(headers.get('to')),
    pAssertedIdentity: clean(headers.get('p-asserted-identity')),
    identity: identity.length > 0 ? identity : undefined,
    diversion: clean(headers.get('diversion')),
    selectorHeaders: pickSelectorHeaders(headers, selectorHeaderNames),
  };
}
