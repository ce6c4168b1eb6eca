/**
 * Built-in SIP front: what to answer to one received message, independent of the socket it came on. Owns the
 * INVITE transaction cache and the call into the use case; sockets live in builtin-listeners.ts.
 */
import type { FrontMetrics, InviteHandler, Logger } from '../../screening/ports.js';
import type { SipReply } from '../shared/sip-reply.js';
import { type ArrivalMeta, toInviteFacts } from './facts.js';
import { type ParsedSipMessage, isSipOrTelUri, parseSipMessage, salvageSipRequest } from './sip-parser.js';
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
import { CONFIRMED_TTL_UDP_MS, PENDING, type TransactionCache, createTransactionCache, inviteTransactionKey } from './transactions.js';

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
}

/** Transport-independent request handling of the built-in front. */
export interface SipDispatcher {
  /** Handles one whole message. Never throws. */
  handle(inbound: Inbound): void;
  /**
   * Handles what could not be taken whole (an oversize datagram, an unframeable TCP head): counts `kind` and answers
   * 513 (oversize) or 400 when the headers are routable. Never throws.
   */
  reject(inbound: Inbound, kind: MalformedKind): void;
  /** Answers new INVITEs with 503 from now on; resolves when in-flight handlers settle or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

const METHOD_LABELS = new Set(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE', 'REGISTER']);
const WARN_INTERVAL_MS = 1000;
const DEFAULT_UDP_PORT = 5060;

/** Metric label for a request method: the known ones as is, anything else `other`. */
export function methodLabel(method: string): string {
  return METHOD_LABELS.has(method) ? method : 'other';
}

interface DispatchState {
  readonly deps: SipDispatcherDeps;
  readonly transactions: TransactionCache;
  readonly inFlight: Set<Promise<void>>;
  readonly warnings: Map<MalformedKind, { at: number; suppressed: number }>;
  draining: boolean;
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
function malformed(
  state: DispatchState,
  inbound: Inbound,
  kind: MalformedKind,
  msg: ParsedSipMessage | undefined,
  ctx?: ResponseContext,
): void {
  state.deps.metrics.malformed(kind, inbound.meta.transport);
  warnMalformed(state, kind, inbound.meta);
  if (msg === undefined || msg.kind !== 'request' || msg.method === 'ACK') return;
  const routable = ctx ?? checkRequest(msg, sourceOf(inbound)).ctx;
  if (routable !== undefined) respond(state, inbound, routable, malformedReply(kind));
}

function finish(state: DispatchState, inbound: Inbound, ctx: ResponseContext, key: string, reply: SipReply): void {
  const valid = isFinalReply(reply);
  if (!valid) state.deps.log.error({ status: reply.status }, 'invite handler returned no final reply');
  state.transactions.set(key, respond(state, inbound, ctx, valid ? reply : protocolReply(500)));
}

function failed(state: DispatchState, inbound: Inbound, ctx: ResponseContext, key: string, err: unknown): void {
  state.deps.log.error({ err }, 'invite handler failed');
  finish(state, inbound, ctx, key, protocolReply(500));
}

/** Answers once the handler's promise settles; the promise is tracked so drain() can wait for it. */
function settle(
  state: DispatchState,
  inbound: Inbound,
  ctx: ResponseContext,
  key: string,
  pending: PromiseLike<SipReply>,
): void {
  const done = (fn: () => void): void => {
    state.inFlight.delete(tracked);
    try {
      fn();
    } catch (err) {
      state.deps.log.error({ err }, 'sip response failed');
    }
  };
  const tracked: Promise<void> = Promise.resolve(pending).then(
    (reply) => done(() => finish(state, inbound, ctx, key, reply)),
    (err: unknown) => done(() => failed(state, inbound, ctx, key, err)),
  );
  state.inFlight.add(tracked);
}

function isThenable(value: SipReply | PromiseLike<SipReply>): value is PromiseLike<SipReply> {
  return typeof (value as Partial<PromiseLike<SipReply>>).then === 'function';
}

/**
 * Calls the use case for a new INVITE transaction (RFC 3261 17.2.1), guarding against throws and rejections. The
 * transaction is marked PENDING only while an asynchronous handler runs: a synchronous one leaves no gap in which a
 * retransmission could arrive, so its final response is cached at once.
 */
function callHandler(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage, ctx: ResponseContext, key: string): void {
  let result: SipReply | PromiseLike<SipReply>;
  try {
    result = state.deps.onInvite(toInviteFacts(msg, inbound.meta, state.deps.selectorHeaderNames));
  } catch (err) {
    state.transactions.set(key, PENDING);
    failed(state, inbound, ctx, key, err);
    return;
  }
  if (isThenable(result)) {
    state.transactions.set(key, PENDING);
    settle(state, inbound, ctx, key, result);
    return;
  }
  try {
    finish(state, inbound, ctx, key, result);
  } catch (err) {
    state.transactions.set(key, PENDING); // as if it had been marked before the call: retransmissions get 100
    throw err;
  }
}

function invite(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage, ctx: ResponseContext): void {
  const key = inviteTransactionKey(ctx);
  const cached = state.transactions.get(key);
  if (cached !== undefined) {
    state.deps.metrics.retransmission('INVITE', inbound.meta.transport);
    const trying = (): Buffer => renderResponse(ctx, protocolReply(100), state.deps.serverHeader);
    send(state, inbound, ctx, cached === PENDING ? trying() : cached);
  } else if (maxForwardsOf(msg) === 0) {
    finish(state, inbound, ctx, key, protocolReply(483));
  } else if (ctx.hasToTag) {
    // A redirect/reject server never establishes dialogs, so an in-dialog INVITE matches none (RFC 3261 12.2.2).
    finish(state, inbound, ctx, key, protocolReply(481));
  } else if (!isSipOrTelUri(msg.uri)) {
    malformed(state, inbound, 'request-uri', undefined);
    finish(state, inbound, ctx, key, malformedReply('request-uri'));
  } else if (state.draining) {
    finish(state, inbound, ctx, key, protocolReply(503));
  } else {
    callHandler(state, inbound, msg, ctx, key);
  }
}

function request(state: DispatchState, inbound: Inbound, msg: ParsedSipMessage): void {
  state.deps.metrics.message(methodLabel(msg.method), inbound.meta.transport);
  const check = checkRequest(msg, sourceOf(inbound));
  if (check.kind === 'malformed') return malformed(state, inbound, check.reason, msg, check.ctx);
  const ctx = check.ctx;
  switch (msg.method) {
    case 'INVITE':
      return invite(state, inbound, msg, ctx);
    case 'ACK':
      // The ACK of a non-2xx final response shares the INVITE's transaction key (RFC 3261 17.1.1.3).
      state.transactions.confirm(inviteTransactionKey(ctx), inbound.meta.transport === 'udp' ? CONFIRMED_TTL_UDP_MS : 0);
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

async function drain(state: DispatchState, timeoutMs: number): Promise<void> {
  state.draining = true;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.allSettled([...state.inFlight]), deadline]);
  clearTimeout(timer);
}

/** Creates the dispatcher; see {@link SipDispatcher}. */
export function createSipDispatcher(deps: SipDispatcherDeps): SipDispatcher {
  const state: DispatchState = {
    deps,
    transactions: createTransactionCache({ ttlMs: deps.transactionTtlMs, max: deps.maxTransactions, now: deps.now }),
    inFlight: new Set(),
    warnings: new Map(),
    draining: false,
  };
  const failedHandling = (err: unknown): void => deps.log.error({ err }, 'sip message handling failed');
  return {
    handle(inbound) {
      try {
        const text = inbound.bytes.toString('utf8');
        const msg = parseSipMessage(text);
        if (msg === undefined) malformed(state, inbound, 'parse', salvageSipRequest(text));
        else if (msg.kind === 'response') deps.metrics.message('response', inbound.meta.transport);
        else request(state, inbound, msg);
      } catch (err) {
        failedHandling(err);
      }
    },
    reject(inbound, kind) {
      try {
        const text = inbound.bytes.toString('utf8');
        malformed(state, inbound, kind, parseSipMessage(text) ?? salvageSipRequest(text));
      } catch (err) {
        failedHandling(err);
      }
    },
    drain: (timeoutMs) => drain(state, timeoutMs),
  };
}
