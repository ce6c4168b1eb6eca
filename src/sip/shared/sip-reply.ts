/**
 * The SIP answer for a decision, as plain data both fronts put on the wire identically.
 * PURE.
 */
import { type Decision, toRequestUriUser } from '../../screening/index.js';

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
 * Renders a decision: allow → 302 with one Contact per route entry (q-values descending), the Request-URI's user
 * (screening/request-uri.ts) in each route URI without one, and the verdict header;
 * reject → the reason's status and phrase, `Reason` (RFC 3326) when configured, and always `X-Reason: <reason>`.
 */
export function toSipReply(decision: Decision, opts: ReplyOptions, requestUri = ''): SipReply {
  if (decision.kind === 'reject') {
    const headers: (readonly [string, string])[] = [];
    if (decision.answer.reasonHeader !== undefined) headers.push(['Reason', decision.answer.reasonHeader]);
    headers.push(['X-Reason', decision.reason]);
    return { status: decision.answer.status, phrase: decision.answer.phrase, headers };
  }
  const target = toRequestUriUser(requestUri);
  const headers: (readonly [string, string])[] = decision.route.map((route, i, all) => {
    const uri = target.kind === 'user' ? withUser(route, target.user, target.phone) : route;
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

/**
 * Puts the called user into a route URI that has none (`sip:core:5060` → `sip:+1202...@core:5060`); a number from a
 * tel: Request-URI also gets `;user=phone` (before any `?headers`) unless the route sets `user=` itself.
 */
function withUser(route: string, user: string, phone: boolean): string {
  if (route.includes('@')) return route;
  const colon = route.indexOf(':');
  if (colon < 0) return route;
  const uri = `${route.slice(0, colon + 1)}${user}@${route.slice(colon + 1)}`;
  if (!phone || /;user=/i.test(route)) return uri;
  const q = uri.indexOf('?', colon + user.length + 2);
  return q < 0 ? `${uri};user=phone` : `${uri.slice(0, q)};user=phone${uri.slice(q)}`;
}
