import { describe, expect, it } from 'vitest';
import { bitAt, parseAddress, parseCidr, parseIPv4, parseIPv6, toAddressKey } from '../../src/screening/ip-address.js';

describe('parseIPv4', () => {
  it.each([
    { name: 'a documentation address', input: '192.0.2.1', expected: 0xc0000201 },
    { name: 'all zeros', input: '0.0.0.0', expected: 0 },
    { name: 'all ones', input: '255.255.255.255', expected: 0xffffffff },
    { name: 'single zero octets between others', input: '10.0.0.1', expected: 0x0a000001 },
    { name: 'three-digit octets', input: '172.100.200.250', expected: 0xac64c8fa },
  ])('parses $name ($input)', ({ input, expected }) => {
    expect(parseIPv4(input)).toBe(expected);
  });

  it.each([
    { name: 'a leading zero in the first octet', input: '01.2.3.4' },
    { name: 'a leading zero in the last octet', input: '1.2.3.04' },
    { name: 'a double zero octet', input: '1.00.3.4' },
    { name: 'an octet above 255', input: '256.1.1.1' },
    { name: 'a four-digit octet', input: '1.2.3.1000' },
    { name: 'three octets', input: '1.2.3' },
    { name: 'five octets', input: '1.2.3.4.5' },
    { name: 'an empty octet', input: '1..2.3' },
    { name: 'a trailing dot', input: '1.2.3.' },
    { name: 'a leading dot', input: '.1.2.3' },
    { name: 'trailing whitespace', input: '1.2.3.4 ' },
    { name: 'letters', input: 'a.b.c.d' },
    { name: 'a sign', input: '+1.2.3.4' },
    { name: 'an empty string', input: '' },
    { name: 'a CIDR suffix', input: '1.2.3.4/32' },
  ])('rejects $name ($input)', ({ input }) => {
    expect(parseIPv4(input)).toBeUndefined();
  });
});

describe('parseIPv6', () => {
  it.each([
    { name: 'the unspecified address', input: '::', expected: [0, 0, 0, 0] },
    { name: 'loopback', input: '::1', expected: [0, 0, 0, 1] },
    { name: 'the full form', input: '2001:0db8:0000:0000:0000:0000:0000:0001', expected: [0x20010db8, 0, 0, 1] },
    { name: 'the full form without leading zeros', input: '2001:db8:0:0:0:0:0:1', expected: [0x20010db8, 0, 0, 1] },
    { name: 'compression in the middle', input: '2001:db8::8:800:200c:417a', expected: [0x20010db8, 0, 0x00080800, 0x200c417a] },
    { name: 'compression at the end', input: 'fe80::', expected: [0xfe800000, 0, 0, 0] },
    { name: 'compression of a single group', input: '1:2:3:4:5:6::8', expected: [0x00010002, 0x00030004, 0x00050006, 0x00000008] },
    { name: 'upper-case hex', input: '2001:DB8::ABCD', expected: [0x20010db8, 0, 0, 0xabcd] },
    { name: 'an embedded IPv4 tail', input: '64:ff9b::192.0.2.33', expected: [0x0064ff9b, 0, 0, 0xc0000221] },
    { name: 'an embedded IPv4 tail in the full form', input: '0:0:0:0:0:ffff:192.0.2.1', expected: [0, 0, 0xffff, 0xc0000201] },
    { name: 'a zone id', input: 'fe80::1%eth0', expected: [0xfe800000, 0, 0, 1] },
    { name: 'brackets', input: '[2001:db8::1]', expected: [0x20010db8, 0, 0, 1] },
    { name: 'brackets around a zone id', input: '[fe80::1%25en0]', expected: [0xfe800000, 0, 0, 1] },
  ])('parses $name ($input)', ({ input, expected }) => {
    const words = parseIPv6(input);

    expect(words && Array.from(words)).toEqual(expected);
  });

  it.each([
    { name: 'three colons', input: ':::' },
    { name: 'two compressions', input: '1::2::3' },
    { name: 'a triple colon inside', input: '2001:db8:::1' },
    { name: 'a five-digit group', input: '12345::' },
    { name: 'a non-hex digit', input: 'g::1' },
    { name: 'nine groups', input: '1:2:3:4:5:6:7:8:9' },
    { name: 'seven groups without compression', input: '1:2:3:4:5:6:7' },
    { name: 'compression standing for zero groups', input: '1:2:3:4:5:6:7::8' },
    { name: 'a single leading colon', input: ':1::' },
    { name: 'a single trailing colon', input: '1::2:' },
    { name: 'an invalid embedded IPv4', input: '::ffff:192.0.2.256' },
    { name: 'an embedded IPv4 that is not last', input: '::1.2.3.4:5' },
    { name: 'an unbalanced bracket', input: '[::1' },
    { name: 'a bare IPv4 address', input: '192.0.2.1' },
    { name: 'an empty string', input: '' },
  ])('rejects $name ($input)', ({ input }) => {
    expect(parseIPv6(input)).toBeUndefined();
  });

  it('rejects an embedded IPv4 that precedes the compression (1.2.3.4::)', () => {
    expect(parseIPv6('1.2.3.4::')).toBeUndefined();
    expect(parseCidr('1.2.3.4::/128')).toBe('not an IP address: "1.2.3.4::"');
  });
});

describe('parseAddress', () => {
  it.each([
    { name: 'IPv4', input: '203.0.113.7', expected: { family: 4, v4: 0xcb007107 } },
    { name: 'IPv4-mapped IPv6 (dotted tail) as IPv4', input: '::ffff:203.0.113.7', expected: { family: 4, v4: 0xcb007107 } },
    { name: 'IPv4-mapped IPv6 (hex tail) as IPv4', input: '::ffff:cb00:7107', expected: { family: 4, v4: 0xcb007107 } },
    { name: 'bracketed IPv4-mapped IPv6 as IPv4', input: '[::ffff:203.0.113.7]', expected: { family: 4, v4: 0xcb007107 } },
  ])('returns family 4 for $name', ({ input, expected }) => {
    expect(parseAddress(input)).toEqual(expected);
  });

  it.each([
    { name: 'a global IPv6 address', input: '2001:db8::7', words: [0x20010db8, 0, 0, 7] },
    { name: 'the deprecated IPv4-compatible form', input: '::203.0.113.7', words: [0, 0, 0, 0xcb007107] },
    { name: 'a NAT64 address', input: '64:ff9b::203.0.113.7', words: [0x0064ff9b, 0, 0, 0xcb007107] },
    { name: 'ffff in groups 5-6 behind a non-zero first word', input: '2001:db8::ffff:c000:201', words: [0x20010db8, 0, 0xffff, 0xc0000201] },
    { name: 'ffff in groups 5-6 behind a non-zero second word', input: '0:0:0:1:0:ffff:c000:201', words: [0, 1, 0xffff, 0xc0000201] },
    { name: 'a zero prefix with 0xfffe in group 6', input: '::fffe:c000:201', words: [0, 0, 0xfffe, 0xc0000201] },
    { name: 'a zero prefix with ffff in group 5, not 6', input: '::ffff:0:c000:201', words: [0, 0, 0xffff0000, 0xc0000201] },
  ])('returns family 6 for $name', ({ input, words }) => {
    const parsed = parseAddress(input);

    expect(parsed?.family).toBe(6);
    expect(parsed?.family === 6 ? Array.from(parsed.words) : undefined).toEqual(words);
  });

  it.each([
    { name: 'a hostname', input: 'sbc.example.net' },
    { name: 'an address with a port', input: '203.0.113.7:5060' },
    { name: 'an empty string', input: '' },
  ])('returns undefined for $name', ({ input }) => {
    expect(parseAddress(input)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it.each([
    { name: 'an IPv4 /8', input: '10.0.0.0/8', address: { family: 4, v4: 0x0a000000 }, prefix: 8 },
    { name: 'an IPv4 /0', input: '0.0.0.0/0', address: { family: 4, v4: 0 }, prefix: 0 },
    { name: 'an IPv4 /32', input: '203.0.113.7/32', address: { family: 4, v4: 0xcb007107 }, prefix: 32 },
    { name: 'a bare IPv4 address as a host route', input: '203.0.113.7', address: { family: 4, v4: 0xcb007107 }, prefix: 32 },
    { name: 'a bare IPv4-mapped address as an IPv4 host route', input: '::ffff:203.0.113.7', address: { family: 4, v4: 0xcb007107 }, prefix: 32 },
  ])('parses $name', ({ input, address, prefix }) => {
    expect(parseCidr(input)).toEqual({ address, prefix });
  });

  it.each([
    { name: 'an IPv6 /48', input: '2001:db8:1::/48', words: [0x20010db8, 0x00010000, 0, 0], prefix: 48 },
    { name: 'an IPv6 /0', input: '::/0', words: [0, 0, 0, 0], prefix: 0 },
    { name: 'an IPv6 /128', input: '2001:db8::1/128', words: [0x20010db8, 0, 0, 1], prefix: 128 },
    { name: 'a bare IPv6 address as a host route', input: '2001:db8::1', words: [0x20010db8, 0, 0, 1], prefix: 128 },
  ])('parses $name', ({ input, words, prefix }) => {
    const cidr = parseCidr(input);

    expect(typeof cidr).toBe('object');
    if (typeof cidr === 'string') return;
    expect(cidr.prefix).toBe(prefix);
    expect(cidr.address.family === 6 ? Array.from(cidr.address.words) : cidr.address).toEqual(words);
  });

  it.each([
    { name: 'host bits set (IPv4)', input: '10.0.0.1/24', error: 'host bits set beyond /24 (did you mean 10.0.0.0/24?)' },
    { name: 'host bits set at /0', input: '10.0.0.0/0', error: 'host bits set beyond /0 (did you mean 0.0.0.0/0?)' },
    { name: 'host bits set (IPv6)', input: '2001:db8::1/64', error: 'host bits set beyond /64 (did you mean the network address of that /64?)' },
    { name: 'an IPv4 prefix of 33', input: '10.0.0.0/33', error: 'prefix length must be 0..32' },
    { name: 'an IPv6 prefix of 129', input: '2001:db8::/129', error: 'prefix length must be 0..128' },
    { name: 'letters after the slash', input: '10.0.0.0/ab', error: 'prefix length must be 0..32' },
    { name: 'a number with letters after the slash', input: '10.0.0.0/8a', error: 'prefix length must be 0..32' },
    { name: 'an empty prefix', input: '10.0.0.0/', error: 'prefix length must be 0..32' },
    { name: 'a negative prefix', input: '10.0.0.0/-1', error: 'prefix length must be 0..32' },
    { name: 'a signed prefix', input: '10.0.0.0/+8', error: 'prefix length must be 0..32' },
    { name: 'a fractional prefix', input: '10.0.0.0/8.0', error: 'prefix length must be 0..32' },
    { name: 'two slashes', input: '10.0.0.0/8/8', error: 'prefix length must be 0..32' },
    { name: 'no address', input: '/24', error: 'not an IP address: ""' },
    { name: 'a hostname', input: 'sbc.example.net/32', error: 'not an IP address: "sbc.example.net"' },
    { name: 'an invalid IPv4 address', input: '10.0.0.256/32', error: 'not an IP address: "10.0.0.256"' },
  ])('returns an error text for $name ($input)', ({ input, error }) => {
    expect(parseCidr(input)).toBe(error);
  });
});

describe('bitAt', () => {
  it('reads IPv4 bits most-significant first', () => {
    const a = { family: 4, v4: 0x80000001 } as const;

    expect([bitAt(a, 0), bitAt(a, 1), bitAt(a, 30), bitAt(a, 31)]).toEqual([1, 0, 0, 1]);
  });

  it('reads IPv6 bits across word boundaries', () => {
    const a = { family: 6, words: new Uint32Array([0x80000000, 1, 0x80000000, 1]) } as const;

    expect([bitAt(a, 0), bitAt(a, 31), bitAt(a, 63), bitAt(a, 64), bitAt(a, 127), bitAt(a, 126)]).toEqual([1, 0, 1, 1, 1, 0]);
  });
});

describe('edge cases found by mutation testing', () => {
  it('refuses colons in IPv4 text', () => {
    expect(parseIPv4('10:0:0:1')).toBeUndefined();
  });

  it('refuses a closing bracket without an opening one', () => {
    expect(parseIPv6('1::1]')).toBeUndefined();
  });

  it('gives different keys to IPv6 addresses whose words differ only in where one ends', () => {
    expect(toAddressKey('::1:0:b')).not.toBe(toAddressKey('::b:0:1'));
  });

  it('suggests the network address of a /24 with host bits set', () => {
    expect(parseCidr('10.1.2.3/24')).toBe('host bits set beyond /24 (did you mean 10.1.2.0/24?)');
  });
});
