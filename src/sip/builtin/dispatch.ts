/**
 * Built-in SIP front: what to answer to one received message, independent of the socket it came on. Owns the
 * INVITE transaction table and the call into screening; sockets live in listeners.ts.
 */
import { createTtlByteTable, type TtlByteTable } from '../../lib/index.js';
import { FLOOD_REASON, type FloodSummary, type InviteFacts, type Logger } from '../../screening/index.js';
import type { FrontMetrics, SipReply } from '../shared/index.js';
import { type ArrivalMeta, toInviteFacts } from './facts.js';
import {
  ACCEPT_HEADER,
  ALLOW_HEADER,
  type MalformedKind,
  type ResponseContext,
  type Source,
  checkRequest,
  isFinalReply,
  malformedReply,
  maxForwardsOf,
  protocolReply,
  renderResponse,
} from './response.js';
import { type ParsedSipMessage, isSipOrTelUri, parseSipMessage, salvageSipRequest } from './sip-parser.js';
import { createFloodGate, type FloodGate, type FloodOptions } from './flood.js';
import type { BuiltinMetrics } from './ports.js';
import { CONFIRMED_TTL_UDP_MS, decodeReply, encodeReply, inviteTransactionKey } from './transactions.js';

/** What the front calls once per new INVITE transaction (never for retransmissions): the final answer to send. */
export type InviteHandler = (facts: InviteFacts) => SipReply;

/** One received message and the way back to its sender. */
export interface Inbound {
  readonly bytes: Buffer;
  readonly meta: ArrivalMeta;
  /** Sends response bytes: UDP to the source address at `port`; TCP on the same connection (`port` unused). */
  readonly send: (bytes: Buffer, port: number) => void;
}

/** Dependencies of {@link createSipDispatcher}. */
export interface SipDispatcherDeps {
  readonly onInvite: InviteHandler;
  readonly metrics: FrontMetrics;
  readonly log: Logger;
  readonly now: () => number;
  readonly selectorHeaderNames: readonly string[];
  readonly serverHeader: string | undefined;
  readonly transactionTtlMs: number;
  readonly maxTransactions: number;
  /** Bound of the transaction table's memory, bytes. */
  readonly maxTransactionBytes: number;
  readonly builtinMetrics: BuiltinMetrics;
  readonly flood: FloodOptions;
  /** True for an address some configured trunk covers (flood control never limits those). */
  readonly isTrunkSource: (address: string) => boolean;
  /** Monotonic clock, ms (rate limits). */
  readonly monotonicMs: () => number;
  /** Receives flood control's per-source summaries of refused requests (see flood.ts). */
  readonly onFloodSummary?: ((summary: FloodSummary) => void) | undefined;
}

/**
 * Transport-independent request handling of the built-in front. Messages are read as latin1 (one char per byte) so
 * the header values a response echoes go back byte for byte, whatever bytes they hold; facts.ts decodes what the
 * screening reads as UTF-8.
 */
export interface SipDispatcher {
  /** Handles one whole message. Never throws. */
  handle(inbound: Inbound): void;
  /**
   * Handles what could not be taken whole (an oversize datagram, an unframeable TCP head): counts `kind` and answers
   * 513 (oversize) or 400 when the headers are routable. Never throws.
   */
  reject(inbound: Inbound, kind: MalformedKind): void;
  /** Flood control's summaries: `tick` emits an interval that has run its length, `flush` every pending one. */
  readonly flood: Pick<FloodGate, 'tick' | 'flush'>;
}

const METHOD_LABELS = new Set(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER']);
const WARN_INTERVAL_MS = 1000;
const DEFAULT_UDP_PORT = 5060;
/**
 * Largest transaction entry kept (key + reply), bytes. A key is at most ~1.4 KB (transactions.ts hashes long parts)
 * and a reply a few hundred bytes plus one Contact per route entry; an entry past this is answered but not kept.
 */
const MAX_KEPT_ENTRY_BYTES = 8192;

/** Metric label for a request method: the known ones as is, anything else `other`. */
export function methodLabel(method: string): string {
  return METHOD_LABELS.has(method) ? method : 'other';
}

interface DispatchState {
  readonly deps: SipDispatcherDeps;
  readonly transactions: TtlByteTable;
  readonly flood: FloodGate;
  readonly warnings: Map<MalformedKind, { at: number; suppressed: number }>;
}

function sourceOf(inbound: Inbound): Source {
  return { address: inbound.meta.sourceAddress, port: inbound.meta.sourcePort };
}

/** Logs a malformed message at warn, at most once per second per kind; the rest are counted into `suppressed`. */
function warnMalformed(state: DispatchState, kind: MalformedKind, meta: ArrivalMeta): void {
  const at = state.deps.now();
  const last = state.warnings.get(kind);
  if (last !== undefined && at - last.at < WARN_INTERVAL_MS) {
    last.suppressed++;
    return;
  }
  const { transport, sourceAddress, sourcePort } = meta;
  const fields = { kind, transport, sourceAddress, sourcePort, suppressed: last?.suppressed ?? 0 };
  state.deps.log.warn(fields, 'sip message malformed');
  state.warnings.set(kind, { at, suppressed: 0 });
}

function send(state: DispatchState, inbound: Inbound, ctx: ResponseContext, bytes: Buffer): void {
  const port = ctx.via.rport ? inbound.meta.sourcePort : (ctx.via.port ?? DEFAULT_UDP_PORT);
  try {
    inbound.send(bytes, port);
  } catch (err) {
    state.deps.log.debug({ err }, 'sip response not sent');
  }
}

function respond(state: DispatchState, inbound: Inbound, ctx: ResponseContext, reply: SipReply): Buffer {
  const bytes = renderResponse(ctx, reply, state.deps.serverHeader);
  state.deps.metrics.response(reply.status, inbound.meta.transport);
  send(state, inbound, ctx, bytes);
  return bytes;
}

/** Counts and logs a malformed message and answers it (400/416/513) when it is a routable non-ACK request. */
function malformed(state: DispatchState, inbound: Inbound, kind: MalformedKind, msg: ParsedSipMessage | undefined, ctx?: ResponseContext): void {
  state.deps.metrics.malformed(kind, inbound.meta.transport);
  warnMalformed(state, kind, inbound.meta);
  if (msg === undefined || msg.kind !== 'request' || msg.method === 'ACK') return;
  const routable = ctx ?? checkRequest(msg, sourceOf(inbound), inbound.meta.transport).ctx;
  if (routable !== undefined) respond(state, inbound, routable, malformedReply(kind));
}

/** Sends the final answer of a new INVITE transaction and keeps its reply for retransmissions. */
function finish(state: DispatchState, inbound: Inbound, ctx: ResponseContext, key: string, reply: SipReply): void {
  respond(state, inbound, ctx, reply);
  if (!state.transactions.set(key, encodeReply(reply))) state.deps.builtinMetrics.transactionNotKept();
}

/** Answers a retransmitted INVITE with its transaction's reply, rendered from the retransmission (the same request). */
function answerAgain(state: DispatchState, inbound: Inbound, ctx: ResponseContext, kept: Buffer): void {
  state.deps.metrics.retransmission('INVITE', inbound.meta.transport);
  send(state, inbound, ctx, renderResponse(ctx, decodeReply(kept), state.deps.serverHeader));
}

/**
 * Calls the screening handler for a new INVITE transaction (RFC 3261 17.2.1). The handler is synchronous, so no
 * retransmission can arrive before the answer is cached; a throw, or a reply that is not final, is answered 500.
 */
function screenInvite(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage, ctx: ResponseContext, key: string): void {
  let reply: SipReply;
  try {
    reply = state.deps.onInvite(toInviteFacts(msg, inbound.meta, state.deps.selectorHeaderNames));
  } catch (err) {
    state.deps.log.error({ err }, 'invite handler failed');
    reply = protocolReply(500);
  }
  if (!isFinalReply(reply)) {
    state.deps.log.error({ status: reply.status }, 'invite handler returned no final reply');
    reply = protocolReply(500);
  }
  finish(state, inbound, ctx, key, reply);
}

function invite(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage, ctx: ResponseContext): void {
  const key = inviteTransactionKey(ctx);
  const kept = state.transactions.get(key);
  if (kept !== undefined) {
    answerAgain(state, inbound, ctx, kept);
  } else if (maxForwardsOf(msg) === 0) {
    finish(state, inbound, ctx, key, protocolReply(483));
  } else if (ctx.hasToTag) {
    // A redirect/reject server never establishes dialogs, so an in-dialog INVITE matches none (RFC 3261 12.2.2).
    finish(state, inbound, ctx, key, protocolReply(481));
  } else if (!isSipOrTelUri(msg.uri)) {
    malformed(state, inbound, 'request-uri', undefined);
    finish(state, inbound, ctx, key, malformedReply('request-uri'));
  } else {
    screenInvite(state, inbound, msg, ctx, key);
  }
}

function request(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage): void {
  state.deps.metrics.message(methodLabel(msg.method), inbound.meta.transport);
  const check = checkRequest(msg, sourceOf(inbound), inbound.meta.transport);
  if (check.kind === 'malformed') return malformed(state, inbound, check.reason, msg, check.ctx);
  const ctx = check.ctx;
  switch (msg.method) {
    case 'INVITE':
      return invite(state, inbound, msg, ctx);
    case 'ACK':
      // The ACK of a non-2xx final response shares the INVITE's transaction key (RFC 3261 17.1.1.3): Confirmed.
      state.transactions.retain(inviteTransactionKey(ctx), inbound.meta.transport === 'udp' ? CONFIRMED_TTL_UDP_MS : 0);
      return;
    case 'CANCEL': {
      const known = state.transactions.has(inviteTransactionKey(ctx));
      respond(state, inbound, ctx, protocolReply(known ? 200 : 481));
      return;
    }
    case 'OPTIONS':
      respond(state, inbound, ctx, protocolReply(200, [ALLOW_HEADER, ACCEPT_HEADER]));
      return;
    default:
      respond(state, inbound, ctx, protocolReply(405, [ALLOW_HEADER]));
  }
}

/** The flood answer's headers besides Retry-After: the reason token, as on every reject. */
const FLOOD_REASON_HEADERS: readonly (readonly [string, string])[] = [['Reason', `SIP;cause=503;text="${FLOOD_REASON}"`], ['X-Reason', FLOOD_REASON]];

/**
 * Answers a request over its source's rate 503 with Retry-After (RFC 3261 21.5.4) and the `flood-limit` reason, when
 * it is a routable non-ACK request.
 */
function overRate(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage | undefined): void {
  if (msg === undefined || msg.kind !== 'request' || msg.method === 'ACK') return;
  const check = checkRequest(msg, sourceOf(inbound), inbound.meta.transport);
  if (check.ctx !== undefined) respond(state, inbound, check.ctx, protocolReply(503, [['Retry-After', String(state.deps.flood.retryAfterSeconds)], ...FLOOD_REASON_HEADERS]));
}

/** Creates the dispatcher; see {@link SipDispatcher}. */
export function createSipDispatcher(deps: SipDispatcherDeps): SipDispatcher {
  const state: DispatchState = {
    deps,
    transactions: createTtlByteTable({
      ttlMs: deps.transactionTtlMs, max: deps.maxTransactions, maxBytes: deps.maxTransactionBytes, maxEntryBytes: MAX_KEPT_ENTRY_BYTES, now: deps.now,
    }),
    flood: createFloodGate({
      options: deps.flood, isTrunkSource: deps.isTrunkSource, now: deps.monotonicMs, wallMs: deps.now, metrics: deps.builtinMetrics, log: deps.log, onSummary: deps.onFloodSummary,
    }),
    warnings: new Map(),
  };
  deps.builtinMetrics.watchTransactions(() => ({ entries: state.transactions.size, bytes: state.transactions.slabBytes }));
  const failedHandling = (err: unknown): void => deps.log.error({ err }, 'sip message handling failed');
  return {
    flood: { tick: () => state.flood.tick(), flush: () => state.flood.flush() },
    handle(inbound) {
      try {
        const verdict = state.flood.check(inbound.meta.sourceAddress, inbound.meta.transport);
        if (verdict === 'dropped') return;
        const text = inbound.bytes.toString('latin1');
        const msg = parseSipMessage(text);
        if (verdict === 'rejected') overRate(state, inbound, msg);
        else if (msg === undefined) malformed(state, inbound, 'parse', salvageSipRequest(text));
        else if (msg.kind === 'response') deps.metrics.message('response', inbound.meta.transport);
        else request(state, inbound, msg);
      } catch (err) {
        failedHandling(err);
      }
    },
    reject(inbound, kind) {
      try {
        if (state.flood.check(inbound.meta.sourceAddress, inbound.meta.transport) !== 'pass') return;
        const text = inbound.bytes.toString('latin1');
        malformed(state, inbound, kind, parseSipMessage(text) ?? salvageSipRequest(text));
      } catch (err) {
        failedHandling(err);
      }
    },
  };
}
