/**
 * What both SIP fronts share: the screening facts of an INVITE read from its headers, header sanitising, the SIP
 * answer of a decision, and the metrics they report to. Either front imports this; neither imports the other.
 */
export { MAX_HEADER_VALUE_CHARS, headerParam, sanitiseHeaderValue, splitHeaderValues } from './header-values.js';
export { MAX_IDENTITY_TOTAL_CHARS, splitIdentityHeader, toFactsFromHeaders, type FactsMeta, type HeaderLookup } from './invite-facts.js';
export type { FrontMetrics } from './ports.js';
export { REDIRECT_STATUS, answerStatus, toSipReply, type ReplyOptions, type SipReply } from './sip-reply.js';
