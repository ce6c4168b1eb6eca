/**
 * Calling/called number extraction and E.164 normalisation from SIP/tel URIs and name-addr headers. PURE.
 */

/** A number as found in a header and its E.164 form (`+` and digits) when one can be derived. */
export interface PhoneNumber {
  /** The user part (sip/sips) or number (tel) as received, without URI parameters; '' when none. */
  readonly raw: string;
  readonly e164: string | undefined;
}

const EMPTY: PhoneNumber = { raw: '', e164: undefined };

/**
 * Extracts the URI of a name-addr / addr-spec header value (`"Name" <sip:+1202...@h;user=phone>;tag=x`, `tel:+1-202-...`)
 * and normalises its user part. Undefined input yields an empty number.
 */
export function toPhoneNumber(headerOrUri: string | undefined): PhoneNumber {
  if (headerOrUri === undefined) return EMPTY;
  const uri = extractUri(headerOrUri);
  let user: string;
  if (/^tel:/i.test(uri)) {
    user = before(uri.slice(4), ';');
  } else if (/^sips?:/i.test(uri)) {
    const rest = uri.slice(uri.indexOf(':') + 1);
    const at = rest.lastIndexOf('@');
    // Stryker disable next-line EqualityOperator: equivalent, an '@' at 0 leaves an empty user, which is EMPTY too
    if (at < 0) return EMPTY;
    user = before(before(rest.slice(0, at), ';'), ':');
  } else {
    return EMPTY;
  }
  user = safeDecode(user);
  return { raw: user, e164: toE164(user) };
}

/** `s` up to the first `ch` (all of it when there is none). */
function before(s: string, ch: string): string {
  const i = s.indexOf(ch);
  return i < 0 ? s : s.slice(0, i);
}

function extractUri(value: string): string {
  const lt = indexOutsideQuotes(value, '<');
  if (lt >= 0) {
    const gt = value.indexOf('>', lt);
    // Stryker disable next-line EqualityOperator: equivalent, the '>' is searched from the '<', so it is never at 0
    return value.slice(lt + 1, gt < 0 ? undefined : gt).trim();
  }
  // Stryker disable next-line StringLiteral,Regex: equivalent, split always yields a first element; '.*' already runs to the end of a string without line breaks
  return (value.trim().split(/[\s,]/)[0] ?? '').replace(/;tag=.*$/i, '');
}

function indexOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  // Stryker disable next-line EqualityOperator: equivalent, s[s.length] is undefined and matches nothing
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

/**
 * E.164 from a dialled string: visual separators (`-`, `.`, `(`, `)`, space) are removed; `+digits` is kept;
 * 10-digit NANP (NXX-NXX-XXXX) and 11-digit `1`+NANP get `+1`; `011` international prefix becomes `+`.
 * Anything else (short codes, letters, too short/long) yields undefined.
 */
export function toE164(dialled: string): string | undefined {
  const s = dialled.replace(/[-.()\s]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(s)) return s;
  if (!/^\d+$/.test(s)) return undefined;
  if (s.length === 10 && isNanp(s)) return `+1${s}`;
  if (s.length === 11 && s.startsWith('1') && isNanp(s.slice(1))) return `+${s}`;
  if (s.startsWith('011') && s.length >= 10 && s.length <= 18 && s[3] !== '0') return `+${s.slice(3)}`;
  return undefined;
}

function isNanp(ten: string): boolean {
  return ten.charCodeAt(0) >= 50 && ten.charCodeAt(3) >= 50;
}

/**
 * A contact phone as filed (RMD `contact_telephone_number`): its E.164 form when one can be derived (`(202) 555-0123`
 * → `+12025550123`), else the text as filed, trimmed — so a formatting-only difference is no difference.
 */
export function normaliseContactPhone(text: string): string {
  const trimmed = text.trim();
  return toE164(trimmed) ?? trimmed;
}

/**
 * Digits-only key used to match a traceback's number to CDRs regardless of `+1`/`1`/10-digit form:
 * the E.164 digits without `+` (`2025550123`, `12025550123` and `+1 202-555-0123` all give `12025550123`).
 */
export function toNumberKey(value: string): string | undefined {
  return toE164(value)?.slice(1);
}

function safeDecode(s: string): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, a fast path: decoding a string without '%' returns it unchanged
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
