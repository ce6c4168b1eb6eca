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

/** Extracts the screening facts from an INVITE the built-in front parsed (see {@link toFactsFromHeaders}). */
export function toInviteFacts(msg: ParsedSipMessage, meta: ArrivalMeta, selectorHeaderNames: readonly string[]): InviteFacts {
  return toFactsFromHeaders((name) => msg.headers.get(name), msg.uri, meta, selectorHeaderNames);
}
