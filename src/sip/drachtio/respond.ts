/**
 * drachtio front: puts a core SipReply on the wire through drachtio-srf's Response without ever throwing. The one
 * place that knows which statuses drachtio-srf 5.0.29 can send at all (its `sip-status` map lacks 607 and 608).
 */
import { createRequire } from 'node:module';
import type Srf from 'drachtio-srf';
import type { SipReply } from '../shared/sip-reply.js';

const require = createRequire(import.meta.url);
/** The very map lib/response.js checks (`status in status_codes`), resolved from drachtio-srf's own location. */
const SRF_STATUS_CODES = createRequire(require.resolve('drachtio-srf'))('sip-status') as Readonly<Record<string, string>>;

/** The parts of a drachtio-srf response used here. */
export type SrfReplyTarget = Pick<Srf.SrfResponse, 'send' | 'finalResponseSent'>;

/**
 * Whether drachtio-srf's `Response#send` accepts `status`. It throws for codes missing from `sip-status` 0.1.0
 * (607, 608, ...) before it looks at the reason phrase, so an explicit phrase does not help.
 */
export function isSendableStatus(status: number): boolean {
  return Number.isInteger(status) && status in SRF_STATUS_CODES;
}

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
