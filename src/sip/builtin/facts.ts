/**
 * Built-in SIP front: the screening facts of an INVITE it parsed, read through the fronts' shared facts builder.
 */
import type { InviteFacts } from '../../screening/index.js';
import { toFactsFromHeaders } from '../shared/index.js';
import type { ParsedSipMessage } from './sip-parser.js';

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

const HIGH_BYTE = /[\x80-\xff]/;

/** latin1 text (one char per received byte) as the UTF-8 text it encodes; ASCII-only text as is. */
export function utf8FromLatin1(text: string): string {
  return HIGH_BYTE.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

/**
 * Extracts the screening facts from an INVITE the built-in front parsed (see {@link toFactsFromHeaders}). The
 * message was read as latin1 so responses can echo it byte for byte; the facts (CDR, logs) read it as UTF-8.
 */
export function toInviteFacts(msg: ParsedSipMessage, meta: ArrivalMeta, selectorHeaderNames: readonly string[]): InviteFacts {
  const header = (name: string): string | undefined => {
    const value = msg.headers.get(name);
    return value === undefined ? undefined : utf8FromLatin1(value);
  };
  return toFactsFromHeaders(header, utf8FromLatin1(msg.uri), meta, selectorHeaderNames);
}
