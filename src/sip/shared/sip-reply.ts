/**
 * The SIP answer for a decision, as plain data both fronts put on the wire identically.
 * PURE.
 */
import type { Decision } from '../../screening/index.js';

/** A final response to send: status, reason phrase and extra headers (in order). */
export interface SipReply {
  readonly status: number;
  readonly phrase: string;
  /** Extra headers beyond Via/From/To/Call-ID/CSeq/Content-Length, in order. Values are trusted (built here). */
  readonly headers: readonly (readonly [name: string, value: string])[];
}

/** Options for rendering replies (from config). */
export interface ReplyOptions {
  /** Header that carries the verdict on allowed calls, e.g. `X-RMDGate-Verdict`. */
  readonly verdictHeader: string;
}

/**
 * Renders a decision: allow → 302 with one Contact per route entry (q-values descending) and the verdict header;
 * reject → the reason's status and phrase, `Reason` (RFC 3326) when configured, and always `X-Reason: <reason>`.
 */
export function toSipReply(decision: Decision, opts: ReplyOptions, requestUri = ''): SipReply {
  if (decision.kind === 'reject') {
    const headers: (readonly [string, string])[] = [];
    if (decision.answer.reasonHeader !== undefined) headers.push(['Reason', decision.answer.reasonHeader]);
    headers.push(['X-Reason', decision.reason]);
    return { status: decision.answer.status, phrase: decision.answer.phrase, headers };
  }
  const user = requestUser(requestUri);
  const headers: (readonly [string, string])[] = decision.route.map((route, i, all) => {
    const uri = withUser(route, user);
    return ['Contact', all.length > 1 ? `<${uri}>;q=${((all.length - i) / all.length).toFixed(2)}` : `<${uri}>`];
  });
  const verdict = decision.wouldBlock && decision.reason !== undefined ? `would-block;reason=${decision.reason}` : 'allow';
  headers.push([opts.verdictHeader, verdict]);
  return { status: REDIRECT_STATUS, phrase: 'Moved Temporarily', headers };
}

/** Status of the answer {@link toSipReply} renders: the reject answer's, or 302 for an allowed call. */
export function answerStatus(decision: Decision): number {
  return decision.kind === 'reject' ? decision.answer.status : REDIRECT_STATUS;
}

/** Allowed calls are redirected with this status (the drachtio front may proxy them instead). */
export const REDIRECT_STATUS = 302;

const USER_RE = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]{1,128}$/;

/** The Request-URI's user part when it is safe to copy into a Contact (RFC 3261 user characters only). */
function requestUser(requestUri: string): string | undefined {
  const m = /^sips?:([^@]+)@/i.exec(requestUri);
  const user = m?.[1];
  return user !== undefined && USER_RE.test(user) ? user : undefined;
}

/** Puts the called user into a route URI that has none (`sip:core:5060` → `sip:+1202...@core:5060`). */
function withUser(route: string, user: string | undefined): string {
  if (user === undefined || route.includes('@')) return route;
  const colon = route.indexOf(':');
  return colon < 0 ? route : `${route.slice(0, colon + 1)}${user}@${route.slice(colon + 1)}`;
}
