/**
 * drachtio front: puts a SipReply on the wire through drachtio-srf's Response without ever throwing; a status
 * drachtio-srf cannot send (srf-internals.ts) becomes 603.
 */
import type Srf from 'drachtio-srf';
import type { SipReply } from '../shared/index.js';
import { isSendableStatus } from './srf-internals.js';

/** The parts of a drachtio-srf response used here. */
export type SrfReplyTarget = Pick<Srf.SrfResponse, 'send' | 'finalResponseSent'>;

/** SipReply headers as drachtio-srf wants them: one entry per name, repeated names joined with ', ' (Contact lists). */
export function toSrfHeaders(headers: SipReply['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  return out;
}

/** What happened to one send attempt. */
export type SendResult = 'sent' | 'already-sent' | 'failed';

/**
 * Sends `reply` as the final (or provisional) response with its exact phrase and headers. Returns `already-sent`
 * when a final response went out before, `failed` when drachtio-srf threw (the error goes to `onError`). A status
 * drachtio-srf cannot send (config refuses them for this front) becomes `603` with the same phrase and headers.
 */
export function sendReply(res: SrfReplyTarget, reply: SipReply, onError: (err: unknown) => void): SendResult {
  if (res.finalResponseSent) return 'already-sent';
  const status = isSendableStatus(reply.status) ? reply.status : 603;
  try {
    res.send(status, reply.phrase, { headers: toSrfHeaders(reply.headers) });
    return 'sent';
  } catch (err) {
    onError(err);
    return 'failed';
  }
}

/** The last-resort answer when a handler failed before answering: `500 Server Internal Error`, never throws. */
export function sendServerError(res: SrfReplyTarget, onError: (err: unknown) => void): SendResult {
  return sendReply(res, { status: 500, phrase: 'Server Internal Error', headers: [] }, onError);
}
