/**
 * The dialed user of a Request-URI as a redirect carries it into its Contacts, or why it cannot be carried. PURE.
 * decide() refuses an allowed call whose user is unusable, and toSipReply() (sip/shared) puts a usable one into
 * each route URI, so both read the URI through the same function.
 */
import type { RejectAnswer } from './model.js';

/** Longest Request-URI user carried into a Contact, in characters; a longer one is refused (400). */
export const MAX_CONTACT_USER_CHARS = 128;

/**
 * What a Request-URI gives a redirect: the user part for each route URI without one (`phone` when it came from a
 * tel: URI, whose number becomes the user of a sip: URI with `;user=phone`, RFC 3261 19.1.6), nothing (a sip: URI
 * with no user part), or the answer that refuses it.
 */
export type RequestUriUser =
  | { readonly kind: 'user'; readonly user: string; readonly phone: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'unusable'; readonly answer: RejectAnswer };

/** RFC 3261 25.1: user = 1*( unreserved / escaped / user-unreserved ). */
const USER_CHARS = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
/** A '%' that does not start an escape (two hex digits). */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
/** An escape of a control character (%00–%1F, %7F): CR/LF smuggled into the dialed number. */
const ENCODED_CONTROL = /%(?:[01][0-9A-Fa-f]|7[Ff])/;

function refusal(status: 400 | 416, phrase: string): RejectAnswer {
  return Object.freeze({ status, phrase, reasonHeader: `SIP;cause=${status};text="unusable-request-uri"` });
}

/** The answers, one per problem; the phrase says what is wrong, the reason token is always `unusable-request-uri`. */
export const UNUSABLE_REQUEST_URI_ANSWERS = Object.freeze({
  tooLong: refusal(400, 'Request-URI User Too Long'),
  notUserCharacters: refusal(400, 'Request-URI User Not Valid'),
  encodedControl: refusal(400, 'Request-URI User Encodes Control Characters'),
  scheme: refusal(416, 'Unsupported URI Scheme'),
});

const A = UNUSABLE_REQUEST_URI_ANSWERS;

/** The user part to carry (password dropped), undefined when a sip:/sips: URI has none, or the refusal. */
function dialedUser(requestUri: string): string | undefined | RejectAnswer {
  const scheme = requestUri.slice(0, 5).toLowerCase();
  let user: string;
  if (scheme.startsWith('tel:')) {
    user = requestUri.slice(4);
  } else if (scheme.startsWith('sip:') || scheme === 'sips:') {
    const rest = requestUri.slice(scheme === 'sips:' ? 5 : 4);
    const at = rest.indexOf('@');
    if (at < 0) return undefined;
    const userinfo = rest.slice(0, at);
    // `user:password@host`: the password is never passed on (RFC 3261 19.1.1 advises against it).
    const colon = userinfo.indexOf(':');
    // Stryker disable next-line EqualityOperator: equivalent, a colon first leaves an empty user, refused as not user characters just as ':password' is
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  } else {
    return A.scheme;
  }
  if (user.length > MAX_CONTACT_USER_CHARS) return A.tooLong;
  if (!USER_CHARS.test(user) || BAD_ESCAPE.test(user)) return A.notUserCharacters;
  if (ENCODED_CONTROL.test(user)) return A.encodedControl;
  return user;
}

/** The refusal of a Request-URI whose user cannot be carried into a redirect; undefined when it can (or has none). */
export function unusableRequestUri(requestUri: string): RejectAnswer | undefined {
  const user = dialedUser(requestUri);
  return typeof user === 'object' ? user : undefined;
}

/** The Request-URI's user as a redirect carries it; see {@link RequestUriUser}. */
export function toRequestUriUser(requestUri: string): RequestUriUser {
  const user = dialedUser(requestUri);
  if (user === undefined) return { kind: 'none' };
  if (typeof user === 'object') return { kind: 'unusable', answer: user };
  return { kind: 'user', user, phone: requestUri.charCodeAt(0) === 0x74 || requestUri.charCodeAt(0) === 0x54 };
}
