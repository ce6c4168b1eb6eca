/**
 * drachtio front: the INVITE handler. srf request → InviteFacts → the same screening as the built-in front → reject,
 * redirect, proxy or silent drop, with exactly one final response even when something throws.
 */
import type Srf from 'drachtio-srf';
import type { Decision, InviteFacts, Logger } from '../../screening/index.js';
import { type FrontMetrics, type ReplyOptions, type SipReply, toSipReply } from '../shared/index.js';
import { tagOf, type DispositionRecorder } from './dispositions.js';
import { toInviteFacts } from './facts.js';
import { startProxy, type ProxyOutcome, type SrfProxier } from './proxy.js';
import { sendReply, sendServerError } from './respond.js';
import { forgetPendingInvite } from './srf-internals.js';

/** The `sip.drachtio` settings the handler applies (config/schema.ts documents each). */
export interface InviteSettings {
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
  /** The screening use case: synchronous, never throws. */
  readonly screen: (facts: InviteFacts) => Decision;
  readonly settings: InviteSettings;
  readonly reply: ReplyOptions;
  readonly dispositions: DispositionRecorder;
  readonly metrics: FrontMetrics;
  readonly log: Logger;
  /** Epoch ms. */
  readonly now: () => number;
}

interface Call {
  readonly req: Srf.SrfRequest;
  readonly res: Srf.SrfResponse;
  readonly transport: string;
  callId: string;
  /** open until the call is answered, handed to the proxy or dropped. */
  state: 'open' | 'answered' | 'proxied' | 'dropped';
}

/**
 * Creates the `srf.invite` handler. Screening is synchronous, so the call is answered (or handed to the proxy, or
 * dropped) before the handler returns; anything that throws before that gets the last-resort `500`.
 */
export function createInviteHandler(deps: InviteHandlerDeps): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  return (req, res) => {
    const call: Call = { req, res, transport: String(req.protocol ?? ''), callId: '', state: 'open' };
    try {
      handle(call, deps);
    } catch (err) {
      deps.log.error({ err, callId: call.callId }, 'invite handler failed');
    } finally {
      lastResort(call, deps);
    }
  };
}

/** What the front does with a decision: answer it, hand it to drachtio-server's proxy, or drop it. */
export function allowActionOf(settings: Pick<InviteSettings, 'allowAction' | 'trunkAllowAction'>, trunkId: string | undefined): 'proxy' | 'redirect' {
  return (trunkId === undefined ? undefined : settings.trunkAllowAction.get(trunkId)) ?? settings.allowAction;
}

function handle(call: Call, deps: InviteHandlerDeps): void {
  deps.metrics.message('INVITE', call.transport);
  const facts = toInviteFacts(call.req, deps.now(), deps.settings.selectorHeaderNames);
  call.callId = facts.callId;
  const decision = deps.screen(facts);
  const reply = toSipReply(decision, deps.reply, facts.requestUri);
  if (decision.kind === 'reject') {
    if (deps.settings.silentDropUnknown && decision.reason === 'unknown-trunk') return drop(call, facts, deps);
    return answer(call, reply, deps);
  }
  const destinations = deps.settings.proxy.destinations ?? decision.route;
  if (allowActionOf(deps.settings, decision.evidence.trunkId) === 'redirect' || destinations.length === 0) return answer(call, reply, deps);
  proxy(call, facts, destinations, reply, deps);
}

function answer(call: Call, reply: SipReply, deps: InviteHandlerDeps): void {
  const sent = sendReply(call.res, reply, (err) => deps.log.error({ err, callId: call.callId, status: reply.status }, 'response not sent'));
  if (sent !== 'sent') return;
  call.state = 'answered';
  deps.metrics.response(reply.status, call.transport);
  deps.endSession(call.req);
}

/**
 * No final response (silentDropUnknown). drachtio-server has already sent 100 Trying and forgets the request after
 * 64 s; drachtio-srf would keep it in its pending-INVITE map until a CANCEL, so it is removed there.
 */
function drop(call: Call, facts: InviteFacts, deps: InviteHandlerDeps): void {
  call.state = 'dropped';
  forgetPendingInvite(call.req, facts.callId);
  deps.dispositions.own(facts.callId, 'dropped', null, 'unknown-trunk');
  deps.endSession(call.req);
}

function proxy(call: Call, facts: InviteFacts, destinations: readonly string[], reply: SipReply, deps: InviteHandlerDeps): void {
  const verdict = reply.headers.find(([name]) => name === deps.reply.verdictHeader);
  const { recordRoute, provisionalTimeoutMs } = deps.settings.proxy;
  const plan = { destinations, recordRoute, provisionalTimeoutMs, headers: verdict ? { [verdict[0]]: verdict[1] } : {} };
  startProxy(deps.srf, call.req, plan, (outcome) => proxyDone(call, outcome, deps));
  call.state = 'proxied';
  deps.dispositions.proxied(facts.callId, tagOf(facts.from ?? ''));
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
