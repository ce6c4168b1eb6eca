/**
 * Built-in SIP front: INVITE server transactions (RFC 3261 17.2.1). The table (lib/ttl-byte-table.ts) keeps each
 * transaction's final response bytes so retransmissions get the identical answer; this file names transactions.
 */
import type { ResponseContext } from './response.js';
import { BRANCH_MAGIC_COOKIE } from './sip-parser.js';

/** How long an answered transaction is kept after its ACK over UDP: Timer I = T4 (RFC 3261 17.2.1, Table 4). Over TCP Timer I is 0. */
export const CONFIRMED_TTL_UDP_MS = 5000;

/**
 * Key of the INVITE transaction a request belongs to (an INVITE, its retransmissions, or its CANCEL): top-Via
 * branch + sent-by + Call-ID + CSeq number when the branch carries the RFC 3261 magic cookie, otherwise the
 * RFC 2543-style Call-ID + From tag + CSeq number + top Via value.
 */
export function inviteTransactionKey(ctx: ResponseContext): string {
  const via = ctx.via;
  const callId = ctx.callId ?? '';
  if (via.branch?.startsWith(BRANCH_MAGIC_COOKIE) === true) {
    return `b\0${via.branch}\0${via.host}:${via.port ?? ''}\0${callId}\0${ctx.cseqNumber}`;
  }
  return `v\0${callId}\0${ctx.fromTag}\0${ctx.cseqNumber}\0${via.values[0] ?? ''}`;
}
