/**
 * The screening facts of an INVITE from its headers, shared by both SIP fronts so they read the same headers the same
 * way. Every value leaves here sanitised and length-capped.
 */
import type { InviteFacts } from '../../screening/index.js';
import { sanitiseHeaderValue, splitHeaderValues } from './header-values.js';

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

/** Looks a header up by its lower-case long name; repeated headers come back joined with ','. */
export type HeaderLookup = (name: string) => string | undefined;

/** Where a request arrived, as any front knows it (the drachtio front may lack the local address). */
export interface FactsMeta {
  readonly receivedAt: number;
  readonly transport: InviteFacts['transport'];
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/**
 * The screening facts of an INVITE from a header lookup, its Request-URI and where it arrived — shared by both SIP
 * fronts, so they read the same headers the same way. `selectorHeaderNames` are the configured trunk-narrowing
 * headers (lower case); only those are copied, and `selectorHeaders` is undefined when none of them is present.
 */
export function toFactsFromHeaders(header: HeaderLookup, requestUri: string, meta: FactsMeta, selectorHeaderNames: readonly string[]): InviteFacts {
  const identityHeader = header('identity');
  const identity = identityHeader === undefined ? [] : splitIdentityHeader(identityHeader);
  return {
    callId: sanitiseHeaderValue(header('call-id') ?? ''),
    receivedAt: meta.receivedAt,
    transport: meta.transport,
    sourceAddress: meta.sourceAddress,
    sourcePort: meta.sourcePort,
    localAddress: meta.localAddress,
    localPort: meta.localPort,
    requestUri: sanitiseHeaderValue(requestUri),
    from: clean(header('from')),
    to: clean(header('to')),
    pAssertedIdentity: clean(header('p-asserted-identity')),
    identity: identity.length > 0 ? identity : undefined,
    diversion: clean(header('diversion')),
    selectorHeaders: pickSelectorHeaders(header, selectorHeaderNames),
  };
}


function clean(value: string | undefined): string | undefined {
  return value === undefined ? undefined : sanitiseHeaderValue(value);
}

function pickSelectorHeaders(header: HeaderLookup, names: readonly string[]): Record<string, string> | undefined {
  let picked: Record<string, string> | undefined;
  for (const name of names) {
    const value = header(name.toLowerCase());
    if (value === undefined) continue;
    picked ??= Object.create(null) as Record<string, string>;
    picked[name.toLowerCase()] = sanitiseHeaderValue(value);
  }
  return picked;
}
