/**
 * drachtio front: the INVITE handler. srf request → InviteFacts → the same screen() as the built-in front, bounded by
 * a deadline → reject, redirect, proxy or silent drop, with exactly one final response even when something throws.
 */
import type Srf from 'drachtio-srf';
import type { FrontMetrics, Logger } from '../../screening/ports.js';
import type { Decision, InviteFacts } from '../../screening/model.js';
import { toSipReply, type ReplyOptions, type SipReply } from '../shared/sip-reply.js';
import { tagOf, type DispositionRecorder } from './dispositions.js';
import { toInviteFacts } from './facts.js';
import { startProxy, type ProxyOutcome, type SrfProxier } from './proxy.js';
import { sendReply, sendServerError } from './respond.js';

/** A screened INVITE: the core's decision and the reply both fronts render from it. */
export interface ScreenedInvite {
  readonly decision: Decision;
  readonly reply: SipReply;
}

/** The `sip.drachtio` settings the handler applies (config/schema.ts documents each). */
export interface InviteSettings {
  readonly decisionDeadlineMs: number;
  readonly onDeadline: 'open' | 'closed';
  readonly allowAction: 'proxy' | 'redirect';
  readonly trunkAllowAction: ReadonlyMap<string, 'proxy' | 'redirect'>;
  readonly proxy: { readonly destinations?: readonly string[] | undefined; readonly recordRoute: boolean; readonly provisionalTimeoutMs: number };
  readonly silentDropUnknown: boolean;
  /** Lower-case trunk-narrowing header names copied into the facts. */
  readonly selectorHeaderNames: readonly string[];
}

/** Collaborators of the handler. */
export interface InviteHandlerDeps {
  readonly srf: SrfProxier;
  /** Releases the per-call connection in outbound mode (`srf.endSession`); a no-op inbound. */
  readonly endSession: (req: Srf.SrfRequest) => void;
  /** The screening use case (synchronous today; a promise is bounded by the deadline). */
  readonly screen: (facts: InviteFacts) => ScreenedInvite | Promise<ScreenedInvite>;
  /** The decision when screening missed its deadline or failed: `open` = the screening-error policy, `closed` = reject. */
  readonly failure: (mode: 'open' | 'closed') => Decision;
  readonly settings: InviteSettings;
  readonly reply: ReplyOptions;
  readonly dispositions: DispositionRecorder;
  readonly metrics: FrontMetrics;
  /** Counts screenings answered by the fail mode. */
  readonly screeningError: () => void;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
}

interface Call {
  readonly req: Srf.SrfRequest;
  readonly res: Srf.SrfResponse;
  readonly transport: string;
  callId: string;
  /** open until the call is answered, handed to the proxy, dropped or cancelled by the caller. */
  state: 'open' | 'answered' | 'proxied' | 'dropped' | 'cancelled';
}

/** What act() did: the status answered (undefined when proxied or dropped). */
type Acted = { readonly status: number | undefined };

/**
 * Creates the `srf.invite` handler. drachtio-srf's middleware runner does not catch async errors, so the work runs
 * in a promise whose `finally` sends `500` when nothing else answered; a CANCEL before the answer is left to drachtio.
 */
export function createInviteHandler(deps: InviteHandlerDeps): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  return (req, res) => {
    const call: Call = { req, res, transport: String(req.protocol ?? ''), callId: '', state: 'open' };
    void handle(call, deps)
      .catch((err: unknown) => deps.log.error({ err, callId: call.callId }, 'invite handler failed'))
      .finally(() => lastResort(call, deps));
  };
}

async function handle(call: Call, deps: InviteHandlerDeps): Promise<void> {
  call.req.on('cancel', () => {
    if (call.state === 'open') call.state = 'cancelled';
  });
  deps.metrics.message('INVITE', call.transport);
  const facts = toInviteFacts(call.req, deps.now(), deps.settings.selectorHeaderNames);
  call.callId = facts.callId;
  const { screened, cause } = await screenWithin(facts, deps);
  if (call.state === 'cancelled') {
    deps.dispositions.own(facts.callId, 'canceled', 487, 'caller-cancel');
    return deps.endSession(call.req);
  }
  const acted = act(call, facts, screened ?? fallback(facts, deps), deps);
  if (screened === undefined) deps.dispositions.own(facts.callId, 'fallback', acted.status ?? null, cause ?? 'deadline');
}

/** Runs screen(); a promise gets `decisionDeadlineMs`. A miss or a failure returns `screened: undefined` and why. */
async function screenWithin(facts: InviteFacts, deps: InviteHandlerDeps): Promise<{ screened?: ScreenedInvite; cause?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = deps.screen(facts);
    if (!isPromiseLike(result)) return { screened: result };
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(resolve, deps.settings.decisionDeadlineMs, 'deadline')));
    const first = await Promise.race([result, deadline]);
    if (first !== 'deadline') return { screened: first };
    deps.log.warn({ callId: facts.callId, deadlineMs: deps.settings.decisionDeadlineMs }, 'screening missed its deadline; fail mode answers');
    deps.screeningError();
    return { cause: 'deadline' };
  } catch (err) {
    deps.log.error({ err, callId: facts.callId }, 'screening failed; fail mode answers');
    deps.screeningError();
    return { cause: 'screening-failed' };
  } finally {
    clearTimeout(timer);
  }
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function fallback(facts: InviteFacts, deps: InviteHandlerDeps): ScreenedInvite {
  const decision = deps.failure(deps.settings.onDeadline);
  return { decision, reply: toSipReply(decision, deps.reply, facts.requestUri) };
}

function act(call: Call, facts: InviteFacts, { decision, reply }: ScreenedInvite, deps: InviteHandlerDeps): Acted {
  if (decision.kind === 'reject') {
    if (deps.settings.silentDropUnknown && decision.reason === 'unknown-trunk') return drop(call, facts, deps);
    return answer(call, reply, deps);
  }
  const action = deps.settings.trunkAllowAction.get(decision.evidence.trunkId ?? '') ?? deps.settings.allowAction;
  const destinations = deps.settings.proxy.destinations ?? decision.route;
  if (action === 'redirect' || destinations.length === 0) return answer(call, reply, deps);
  return proxy(call, facts, destinations, reply, deps);
}

function answer(call: Call, reply: SipReply, deps: InviteHandlerDeps): Acted {
  const sent = sendReply(call.res, reply, (err) => deps.log.error({ err, callId: call.callId, status: reply.status }, 'response not sent'));
  if (sent !== 'sent') return { status: undefined };
  call.state = 'answered';
  deps.metrics.response(reply.status, call.transport);
  deps.endSession(call.req);
  return { status: reply.status };
}

/**
 * No final response (silentDropUnknown). drachtio-server has already sent 100 Trying and forgets the request after
 * 64 s; drachtio-srf would keep it in its pending-INVITE map until a CANCEL, so it is removed there.
 */
function drop(call: Call, facts: InviteFacts, deps: InviteHandlerDeps): Acted {
  call.state = 'dropped';
  forgetPendingInvite(call.req, facts.callId);
  deps.dispositions.own(facts.callId, 'dropped', null, 'unknown-trunk');
  deps.endSession(call.req);
  return { status: undefined };
}

function proxy(call: Call, facts: InviteFacts, destinations: readonly string[], reply: SipReply, deps: InviteHandlerDeps): Acted {
  const verdict = reply.headers.find(([name]) => name === deps.reply.verdictHeader);
  const { recordRoute, provisionalTimeoutMs } = deps.settings.proxy;
  const plan = { destinations, recordRoute, provisionalTimeoutMs, headers: verdict ? { [verdict[0]]: verdict[1] } : {} };
  startProxy(deps.srf, call.req, plan, (outcome) => proxyDone(call, outcome, deps));
  call.state = 'proxied';
  deps.dispositions.proxied(facts.callId, tagOf(facts.from ?? ''));
  return { status: undefined };
}

function proxyDone(call: Call, outcome: ProxyOutcome, deps: InviteHandlerDeps): void {
  const fields = { callId: call.callId, attempts: outcome.attempts, finalStatus: outcome.finalStatus };
  if (outcome.error !== undefined) deps.log.warn({ ...fields, error: outcome.error }, 'proxy refused by drachtio-server');
  else if (!outcome.connected) deps.log.info(fields, 'proxied call not answered');
  else if (deps.log.isLevelEnabled('debug')) deps.log.debug(fields, 'proxied call answered');
  if (outcome.finalStatus !== undefined) deps.metrics.response(outcome.finalStatus, call.transport);
  deps.endSession(call.req);
}

function lastResort(call: Call, deps: InviteHandlerDeps): void {
  if (call.state !== 'open') return;
  call.state = 'answered';
  const sent = sendServerError(call.res, (err) => deps.log.error({ err, callId: call.callId }, 'last-resort 500 not sent'));
  if (sent === 'sent') deps.metrics.response(500, call.transport);
  deps.endSession(call.req);
}

/** drachtio-srf internals: the per-connection map of INVITEs awaiting a final response (lib/drachtio-agent.js). */
interface PendingInvites {
  readonly agent?: { readonly mapServer?: Map<unknown, { readonly pendingNetworkInvites?: Map<string, unknown> }> };
  readonly socket?: unknown;
}

function forgetPendingInvite(req: Srf.SrfRequest, callId: string): void {
  const r = req as unknown as PendingInvites;
  r.agent?.mapServer?.get(r.socket)?.pendingNetworkInvites?.delete(String(req.get('call-id') ?? callId));
}
