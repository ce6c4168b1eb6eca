/**
 * Header values from untrusted requests, made safe and split the same way by both SIP fronts: sanitising (unfold,
 * strip control characters, cap the length), comma splitting outside quotes and angle brackets, header parameters.
 */

/** Default cap on one sanitised header value, in UTF-16 code units. */
export const MAX_HEADER_VALUE_CHARS = 2048;

const NEEDS_CLEANING = /[\x00-\x08\x0a-\x1f\x7f]/;
const FOLD = /\r?\n[ \t]+/g;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;

/**
 * Makes an untrusted header value safe to store, log or echo: unfolds continuation lines, removes CR, LF, NUL and
 * every other control character except HTAB, trims, and caps the length (default {@link MAX_HEADER_VALUE_CHARS}).
 */
export function sanitiseHeaderValue(value: string, maxLength: number = MAX_HEADER_VALUE_CHARS): string {
  const clean = NEEDS_CLEANING.test(value) ? value.replace(FOLD, ' ').replace(CONTROL, '') : value;
  const trimmed = clean.trim();
  return trimmed.length > maxLength ? trimmed.slice(0, maxLength) : trimmed;
}

/**
 * Splits a header value at commas outside quoted strings and `<...>`; empty parts are dropped.
 * `isBoundary(value, commaIndex)` may veto a split (Identity uses it).
 */
export function splitHeaderValues(
  value: string,
  isBoundary: (value: string, commaIndex: number) => boolean = () => true,
): string[] {
  if (!value.includes(',')) {
    const only = value.trim();
    return only.length > 0 ? [only] : [];
  }
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x3c) depth++;
    else if (c === 0x3e && depth > 0) depth--;
    else if (c === 0x2c && depth === 0 && isBoundary(value, i)) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Value of a header parameter of a name-addr/addr-spec header (From, To): the params after the last `>`,
 * or after the URI when there are no angle brackets. '' for a valueless param; undefined when absent.
 */
export function headerParam(value: string, name: string): string | undefined {
  let at = value.indexOf(';', value.lastIndexOf('>') + 1);
  while (at >= 0) {
    const next = value.indexOf(';', at + 1);
    const param = next < 0 ? value.slice(at + 1) : value.slice(at + 1, next);
    const eq = param.indexOf('=');
    if ((eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase() === name) {
      return eq < 0 ? '' : param.slice(eq + 1).trim();
    }
    at = next;
  }
  return undefined;
}
