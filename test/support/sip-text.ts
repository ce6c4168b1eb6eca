/** SIP message texts for the SIP front tests. */

export const CRLF = '\r\n';

/** An INVITE from 192.0.2.10 with a body and extra header lines; Content-Length matches the body. */
export function sipMessage(body = '', extra: readonly string[] = []): string {
  return [
    'INVITE sip:+12025550123@gw.example.com;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport',
    'From: <sip:+13035550100@example.net>;tag=f1',
    'To: <sip:+12025550123@example.com>',
    'Call-ID: call-1@example.net',
    'CSeq: 7 INVITE',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join(CRLF) + CRLF + CRLF + body;
}

/** A PASSporT-shaped token (three base64url parts) numbered `n`. */
export const jwt = (n: number): string => `eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7InRuIjoi${n}In19.c2lnbmF0dXJl${n}`;
