/**
 * Built-in SIP front: INVITE server transactions (RFC 3261 17.2.1). The table (lib/ttl-byte-table.ts) keeps each
 * transaction's final reply (status, phrase, the headers rmdgate added) so a retransmission is answered the same;
 * the response is rendered again from the retransmitted request, which carries the same Via/From/To/Call-ID/CSeq.
 * What is kept per call therefore does not grow with the size of the request: an outsider sending fat INVITEs
 * cannot make the table hold fat answers. This file names transactions and encodes what is kept.
 */
import { createHash } from 'node:crypto';
import type { SipReply } from '../shared/index.js';
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
  const callId = bounded(ctx.callId ?? '');
  if (via.branch?.startsWith(BRANCH_MAGIC_COOKIE) === true) {
    return `b\0${bounded(via.branch)}\0${bounded(`${via.host}:${via.port ?? ''}`)}\0${callId}\0${ctx.cseqNumber}`;
  }
  return `v\0${callId}\0${bounded(ctx.fromTag)}\0${ctx.cseqNumber}\0${bounded(via.values[0] ?? '')}`;
}

/**
 * Longest part of a transaction key kept as is, characters. Real branches, Call-IDs and tags are far shorter
 * (tens of characters); a longer part stands in the key as its SHA-256, so a key is at most a few hundred bytes
 * whatever the request, and two different long parts still never share a key.
 */
export const KEY_PART_LIMIT = 256;

function bounded(part: string): string {
  return part.length <= KEY_PART_LIMIT ? part : `\x01${part.length}:${createHash('sha256').update(part).digest('base64')}`;
}

/** The bytes kept for a transaction: its reply, which rmdgate built (never request text beyond the dialed number). */
export function encodeReply(reply: SipReply): Buffer {
  return Buffer.from(JSON.stringify([reply.status, reply.phrase, reply.headers]));
}

/** The reply kept by {@link encodeReply}. */
export function decodeReply(bytes: Buffer): SipReply {
  const [status, phrase, headers] = JSON.parse(bytes.toString()) as [number, string, [string, string][]];
  return { status, phrase, headers };
}
