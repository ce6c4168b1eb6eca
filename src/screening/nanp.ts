/**
 * NANP calling numbers: the national 10-digit number of a SIP user part, and the structure rules that make a NANP
 * number invalid (a number that cannot exist may be put on a do-not-originate list; 47 CFR 64.1200(o), domain.md §9.1).
 * PURE; allocation-free per call (the number is carried as an integer).
 */

/** The user part is not a phone number at all (letters, `anonymous`, empty): calling-number rules do not apply. */
export const NOT_A_NUMBER = -1;
/** `+1` followed by something other than 10 digits: claims to be NANP but cannot be. */
export const NANP_BAD_LENGTH = -2;
/** A number of another country (`+44…`, `011…`, or a digit string that is no NANP form): rules do not apply. */
export const NOT_NANP = -3;

/** Visual separators RFC 3966 allows in a phone number (`-`, `.`, `(`, `)`), and the space many senders put in. */
function isSeparator(c: number): boolean {
  return c === 45 || c === 46 || c === 40 || c === 41 || c === 32;
}

/**
 * The national number (10 digits, NPA-NXX-XXXX, as an integer) of a calling number's user part, or a negative class:
 * `+1` + 10 digits, `1` + 10 digits and 10 digits are NANP; `+1` with another length is {@link NANP_BAD_LENGTH};
 * other `+` numbers and other digit strings are {@link NOT_NANP}; anything with a character that is not a digit or
 * a visual separator is {@link NOT_A_NUMBER}. Unlike toE164, a 10-digit string whose NPA or NXX starts with 0/1 is
 * still NANP here, so the structure rules can refuse it. `from`/`to` read a part of `user` in place.
 */
export function toNanpNational(user: string, from = 0, to = user.length): number {
  let digits = 0;
  let value = 0;
  let first = 0;
  let plus = false;
  for (let i = from; i < to; i++) {
    const c = user.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      digits++;
      // Stryker disable next-line ConditionalExpression: equivalent, a number of more than 11 digits is NOT_NANP or NANP_BAD_LENGTH whatever its value
      if (digits <= 11) value = value * 10 + (c - 48);
    } else if (c === 43 && i === from) plus = true;
    else if (!isSeparator(c)) return NOT_A_NUMBER;
  }
  if (digits === 0) return NOT_A_NUMBER;
  const leadingOne = first === 49;
  if (plus) {
    if (!leadingOne) return NOT_NANP;
    return digits === 11 ? value - 1e10 : NANP_BAD_LENGTH;
  }
  if (digits === 10) return value;
  return digits === 11 && leadingOne ? value - 1e10 : NOT_NANP;
}

/** Lower-cases an ASCII letter's char code. */
function lower(c: number): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, only t/e/l/s/i/p are compared: no other code maps onto them, and A and Z are not among them
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** The user part is percent-escaped: the caller decodes it (rare; may allocate). */
const ESCAPED = -2;
/** End (exclusive) of the user part found by the last {@link userStart} call (module scratch: calls are synchronous). */
let userEnd = 0;

/**
 * Finds the user part of a header value or URI in place (`"Name" <sip:user@host;…>;tag=…`, `<tel:number;…>`, a bare
 * URI): returns its start and leaves its end in `userEnd`; -1 when there is no sip/sips/tel URI or a sip URI has no
 * `@`; {@link ESCAPED} when the user part holds a `%` escape.
 */
function userStart(header: string): number {
  let quoted = false;
  let start = 0;
  // Stryker disable next-line EqualityOperator: equivalent, the code at header.length is NaN and matches nothing
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c === 92 && quoted) i++;
    else if (c === 34) quoted = !quoted;
    else if (c === 60 && !quoted) {
      start = i + 1;
      break;
    }
  }
  while (header.charCodeAt(start) === 32) start++;
  let sip = false;
  if (lower(header.charCodeAt(start)) === 116 && lower(header.charCodeAt(start + 1)) === 101 && lower(header.charCodeAt(start + 2)) === 108 && header.charCodeAt(start + 3) === 58) start += 4;
  else if (lower(header.charCodeAt(start)) === 115 && lower(header.charCodeAt(start + 1)) === 105 && lower(header.charCodeAt(start + 2)) === 112) {
    sip = true;
    start += lower(header.charCodeAt(start + 3)) === 115 ? 4 : 3;
    // Stryker disable next-line UnaryOperator: equivalent, read from index 1 a header that starts with a scheme meets one of its letters first: NOT_A_NUMBER
    if (header.charCodeAt(start) !== 58) return -1;
    start++;
  } else return -1;
  let end = start;
  for (; end < header.length; end++) {
    const c = header.charCodeAt(end);
    if (c === 37) return ESCAPED;
    if (c === 64 || c === 59 || c === 58 || c === 62 || (!sip && c === 44)) break;
  }
  // Stryker disable next-line EqualityOperator,UnaryOperator: equivalent, the search starts after the scheme, so an '@' is never at 0; from index 1 the reader meets a letter of the scheme first
  if (sip && header.indexOf('@', end) < 0) return -1;
  userEnd = end;
  return start;
}

/**
 * {@link toNanpNational} of the user part of a From / P-Asserted-Identity header value (`"Name" <sip:+1…@host;…>;tag=…`,
 * `<tel:+1…>`, a bare URI), read in place without allocating: the hot-path form of
 * `toNanpNational(toPhoneNumber(header).raw)`. A header without a sip/sips/tel URI, or a sip URI without `@`, is
 * {@link NOT_A_NUMBER}; a percent-escaped user part is decoded through `decodeUser` (rare, so it may allocate).
 */
export function nationalOfHeader(header: string | undefined, decodeUser: (header: string) => string): number {
  if (header === undefined) return NOT_A_NUMBER;
  const start = userStart(header);
  if (start === ESCAPED) return toNanpNational(decodeUser(header));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, reading from -1 meets NaN first, which is NOT_A_NUMBER; a user part never starts at 0
  return start < 0 ? NOT_A_NUMBER : toNanpNational(header, start, userEnd);
}

/**
 * A short dialed number (the Request-URI user of a call to 911) as a key, read in place: digits with visual
 * separators and a leading `+` ignored → `digits value × 100 + digit count` (so `0911` and `911` differ); -1 when the
 * user part is not such a number or has more than `maxDigits` digits (no allocation: every call that would be refused
 * asks this). A percent-escaped user part is decoded through `decodeUser`.
 */
export function dialedKey(uri: string, maxDigits: number, decodeUser: (uri: string) => string): number {
  const start = userStart(uri);
  if (start === ESCAPED) {
    const user = decodeUser(uri);
    return digitsKey(user, 0, user.length, maxDigits);
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, reading from -1 meets NaN first, which is -1; a user part never starts at 0
  return start < 0 ? -1 : digitsKey(uri, start, userEnd, maxDigits);
}

/** {@link dialedKey} of `s` from `from` to `to`. */
export function digitsKey(s: string, from: number, to: number, maxDigits: number): number {
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > maxDigits) return -1;
      value = value * 10 + (c - 48);
    } else if (!(c === 43 && i === from) && !isSeparator(c)) return -1;
  }
  return digits === 0 ? -1 : value * 100 + digits;
}

/**
 * The structure rules a NANP number can break, as recorded in the CDR (`callingNumberEntry`):
 * - `length`: `+1` with a national part other than 10 digits;
 * - `npa-first-digit`, `nxx-first-digit`: NPA and central office code are NXX, N = 2–9;
 * - `npa-n11`: N11 codes are service codes (211 … 911), never area codes;
 * - `npa-n9x`: NPAs with 9 as middle digit are reserved for expanding the NANP beyond 10 digits;
 * - `npa-37x`, `npa-96x`: 370–379 and 960–969 are set aside (unassignable) for the same purpose;
 * - `nxx-n11`: N11 codes are not assigned as central office codes.
 *
 * Sources: NANPA, "NPA (Area) Codes" and the INC's NPA Allocation Plan and Assignment Guidelines (NPA format NXX,
 * N11 and N9X unavailable, 37X/96X reserved); the INC's Central Office Code (NXX) Assignment Guidelines (NXX format,
 * N11 not assignable). https://www.nationalnanpa.com/area_codes/index.html ,
 * https://www.atis.org/inc/inc-documents/ . Not rules here: 555 line numbers (555-0100…0199 are fictitious but other
 * 555 numbers are assigned), and NPAs merely not in service yet (the allocation feed covers those).
 */
export const NANP_RULES = ['length', 'npa-first-digit', 'nxx-first-digit', 'npa-n11', 'npa-n9x', 'npa-37x', 'npa-96x', 'nxx-n11'] as const;
export type NanpRule = (typeof NANP_RULES)[number];

/**
 * The first structure rule a NANP national number (or {@link NANP_BAD_LENGTH}) breaks, in {@link NANP_RULES} order;
 * undefined when it is well-formed. Not for the other negative classes (they are not NANP numbers).
 */
export function nanpRuleBroken(national: number): NanpRule | undefined {
  if (national === NANP_BAD_LENGTH) return 'length';
  const npa = Math.floor(national / 1e7);
  const nxx = Math.floor(national / 1e4) % 1000;
  if (npa < 200) return 'npa-first-digit';
  if (nxx < 200) return 'nxx-first-digit';
  if (npa % 100 === 11) return 'npa-n11';
  if (Math.floor(npa / 10) % 10 === 9) return 'npa-n9x';
  if (Math.floor(npa / 10) === 37) return 'npa-37x';
  if (Math.floor(npa / 10) === 96) return 'npa-96x';
  return nxx % 100 === 11 ? 'nxx-n11' : undefined;
}

/** `+1` and the 10 digits of a national number (for records). */
export function nationalToE164(national: number): string {
  return `+1${String(national).padStart(10, '0')}`;
}
