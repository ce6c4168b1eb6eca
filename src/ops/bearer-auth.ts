/**
 * Bearer-token check for the admin listener (RFC 6750): compares sha256 digests with crypto.timingSafeEqual, so the
 * time taken does not depend on where a wrong token differs or on its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Header value sent with every 401 (RFC 6750 §3). */
export const WWW_AUTHENTICATE = 'Bearer realm="rmdgate-admin"';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Returns a predicate over an `Authorization` header value: true only for `Bearer <token>` with exactly `token`.
 * @throws Error when `token` is empty (an empty token would make the admin listener open).
 */
export function createBearerCheck(token: string): (authorization: string | undefined) => boolean {
  if (token.length === 0) throw new Error('admin bearer token must not be empty');
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization ?? '');
    const same = timingSafeEqual(digest(match?.[1] ?? ''), expected);
    return match !== null && same;
  };
}
