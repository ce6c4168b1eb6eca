import { beforeAll, describe, expect, it } from 'vitest';
import type { InviteFacts, Trunk } from '../../src/screening/model.js';
import { createTrunkTable, toTrunkGroupHints, type TrunkTable } from '../../src/screening/trunk-table.js';
import { buildFacts, buildTrunk } from '../support/builders.js';

function lookupId(trunks: readonly Trunk[], facts: InviteFacts, trunkHeader?: string): string | undefined {
  return createTrunkTable(trunks, { trunkHeader }).lookup(facts)?.id;
}

describe('createTrunkTable: longest prefix', () => {
  const trunks = [
    buildTrunk({ id: 'all', sources: ['0.0.0.0/0'] }),
    buildTrunk({ id: 'slash16', sources: ['203.0.0.0/16'] }),
    buildTrunk({ id: 'slash24', sources: ['203.0.113.0/24'] }),
    buildTrunk({ id: 'slash32', sources: ['203.0.113.10/32'] }),
    buildTrunk({ id: 'v6-48', sources: ['2001:db8:1::/48'] }),
    buildTrunk({ id: 'v6-128', sources: ['2001:db8:1::10/128'] }),
    buildTrunk({ id: 'v6-64-bare-host', sources: ['2001:db8:2::/64', '2001:db8:3::7'] }),
  ];

  it.each([
    { name: '/32 over /24, /16 and /0', source: '203.0.113.10', expected: 'slash32' },
    { name: '/24 over /16 and /0 for a neighbour of the /32', source: '203.0.113.11', expected: 'slash24' },
    { name: '/16 over /0', source: '203.0.5.1', expected: 'slash16' },
    { name: '/0 for anything else IPv4', source: '198.51.100.1', expected: 'all' },
    { name: 'IPv6 /128 over /48', source: '2001:db8:1::10', expected: 'v6-128' },
    { name: 'IPv6 /48 for another host in the prefix', source: '2001:db8:1:ffff::1', expected: 'v6-48' },
    { name: 'IPv6 /48 for the /128 written in full form', source: '2001:0db8:0001:0000:0000:0000:0000:0011', expected: 'v6-48' },
    { name: 'IPv6 /128 written in full form', source: '2001:0db8:0001:0000:0000:0000:0000:0010', expected: 'v6-128' },
    { name: 'IPv6 /64 sources of a multi-source trunk', source: '2001:db8:2::abcd', expected: 'v6-64-bare-host' },
    { name: 'a bare IPv6 host source', source: '2001:db8:3::7', expected: 'v6-64-bare-host' },
    { name: 'an IPv4-mapped source against the v4 /32', source: '::ffff:203.0.113.10', expected: 'slash32' },
    { name: 'an IPv4-mapped source against the v4 /24', source: '::ffff:203.0.113.99', expected: 'slash24' },
    { name: 'the IPv4 /0 for an IPv4-mapped source', source: '::ffff:192.0.2.1', expected: 'all' },
  ])('picks $name', ({ source, expected }) => {
    expect(lookupId(trunks, buildFacts({ sourceAddress: source }))).toBe(expected);
  });

  it('returns undefined for an IPv6 source outside every IPv6 prefix (the IPv4 /0 does not cover IPv6)', () => {
    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:4::1' }))).toBeUndefined();
  });

  it('returns undefined for a source outside every CIDR', () => {
    const table = createTrunkTable([buildTrunk({ sources: ['203.0.113.0/24'] })]);

    expect(table.lookup(buildFacts({ sourceAddress: '203.0.114.1' }))).toBeUndefined();
  });

  it.each([
    { name: 'a hostname', source: 'sbc.example.net' },
    { name: 'an empty string', source: '' },
    { name: 'an octet above 255', source: '203.0.113.256' },
    { name: 'an address with a port', source: '203.0.113.10:5060' },
  ])('returns undefined for an unparseable source: $name', ({ source }) => {
    const table = createTrunkTable([buildTrunk({ sources: ['0.0.0.0/0', '::/0'] })]);

    expect(table.lookup(buildFacts({ sourceAddress: source }))).toBeUndefined();
  });

  it('reports its size as the number of trunks, not sources', () => {
    const table = createTrunkTable([buildTrunk({ id: 'a', sources: ['10.0.0.0/8', '10.1.0.0/16'] }), buildTrunk({ id: 'b' })]);

    expect(table.size).toBe(2);
  });

  it('throws naming the trunk and the source when a CIDR is invalid', () => {
    expect(() => createTrunkTable([buildTrunk({ id: 'bad', sources: ['10.0.0.1/8'] })])).toThrow(
      'trunk bad: 10.0.0.1/8: host bits set beyond /8 (did you mean 10.0.0.0/8?)',
    );
  });
});

describe('createTrunkTable: narrowing', () => {
  const SRC = '203.0.113.10/32';

  it.each([
    { name: 'the trunk whose receivedOn address matches', local: '198.51.100.2', port: 5060, expected: 'on-2' },
    { name: 'the trunk whose receivedOn address and port match', local: '198.51.100.1', port: 5080, expected: 'on-1-5080' },
    { name: 'the address-only trunk when the port differs', local: '198.51.100.1', port: 5060, expected: 'on-1' },
    { name: 'the unnarrowed trunk when no listener matches', local: '198.51.100.9', port: 5060, expected: 'plain' },
  ])('picks $name', ({ local, port, expected }) => {
    const trunks = [
      buildTrunk({ id: 'plain', sources: [SRC] }),
      buildTrunk({ id: 'on-1', sources: [SRC], receivedOn: { address: '198.51.100.1' } }),
      buildTrunk({ id: 'on-1-5080', sources: [SRC], receivedOn: { address: '198.51.100.1', port: 5080 } }),
      buildTrunk({ id: 'on-2', sources: [SRC], receivedOn: { address: '198.51.100.2' } }),
    ];

    expect(lookupId(trunks, buildFacts({ localAddress: local, localPort: port }))).toBe(expected);
  });

  it('does not match a receivedOn-narrowed trunk when the front does not know the local address', () => {
    const trunks = [buildTrunk({ id: 'on-1', sources: [SRC], receivedOn: { address: '198.51.100.1' } })];

    expect(lookupId(trunks, buildFacts({ localAddress: undefined, localPort: undefined }))).toBeUndefined();
  });

  it('matches receivedOn.address by value, not spelling (2001:DB8::0001 in config, 2001:db8::1 on the wire)', () => {
    const trunks = [buildTrunk({ id: 'on-v6', sources: [SRC], receivedOn: { address: '2001:DB8::0001' } })];

    expect(lookupId(trunks, buildFacts({ localAddress: '2001:db8::1' }))).toBe('on-v6');
  });

  const tgrpTrunks = [
    buildTrunk({ id: 'plain', sources: [SRC] }),
    buildTrunk({ id: 'tg1', sources: [SRC], tgrp: 'TG1', trunkContext: 'example.com' }),
    buildTrunk({ id: 'tg2', sources: [SRC], tgrp: 'TG2' }),
  ];

  it.each([
    { name: 'tgrp and trunk-context in the user part', uri: 'sip:+12025550123;tgrp=TG1;trunk-context=example.com@gw', expected: 'tg1' },
    { name: 'tgrp as a URI parameter', uri: 'sip:gw.example.net;tgrp=TG2', expected: 'tg2' },
    { name: 'tgrp in the user part with user=phone after the host', uri: 'sip:+12025550123;tgrp=TG2@gw;user=phone', expected: 'tg2' },
    { name: 'trunk-context compared case-insensitively', uri: 'sip:+12025550123;tgrp=TG1;trunk-context=EXAMPLE.COM@gw', expected: 'tg1' },
    { name: 'a percent-encoded tgrp', uri: 'sip:+12025550123;tgrp=TG%31;trunk-context=example.com@gw', expected: 'tg1' },
    { name: 'the unnarrowed trunk when trunk-context differs', uri: 'sip:+12025550123;tgrp=TG1;trunk-context=other.net@gw', expected: 'plain' },
    { name: 'the unnarrowed trunk when trunk-context is missing', uri: 'sip:+12025550123;tgrp=TG1@gw', expected: 'plain' },
    { name: 'the unnarrowed trunk without trunk-group data', uri: 'sip:+12025550123@gw', expected: 'plain' },
    { name: 'the unnarrowed trunk for a look-alike parameter name', uri: 'sip:+12025550123;xtgrp=TG2@gw', expected: 'plain' },
  ])('picks $name', ({ uri, expected }) => {
    expect(lookupId(tgrpTrunks, buildFacts({ requestUri: uri }))).toBe(expected);
  });

  it.each([
    { name: 'the trunk whose header value matches', headers: { 'x-trunk': 'blue' }, expected: 'blue' },
    { name: 'the header value after trimming whitespace', headers: { 'x-trunk': '  green ' }, expected: 'green' },
    { name: 'the unnarrowed trunk when the value differs', headers: { 'x-trunk': 'red' }, expected: 'plain' },
    { name: 'the unnarrowed trunk when the header is absent', headers: {}, expected: 'plain' },
    { name: 'the unnarrowed trunk when another header carries the value', headers: { 'x-other': 'blue' }, expected: 'plain' },
  ])('picks $name (selectorHeaders)', ({ headers, expected }) => {
    const trunks = [
      buildTrunk({ id: 'plain', sources: [SRC] }),
      buildTrunk({ id: 'blue', sources: [SRC], headerValue: 'blue' }),
      buildTrunk({ id: 'green', sources: [SRC], headerValue: 'green' }),
    ];

    expect(lookupId(trunks, buildFacts({ selectorHeaders: headers }), 'X-Trunk')).toBe(expected);
  });

  it('never matches a headerValue-narrowed trunk when no trunk header is configured', () => {
    const trunks = [buildTrunk({ id: 'blue', sources: [SRC], headerValue: 'blue' })];

    expect(lookupId(trunks, buildFacts({ selectorHeaders: { 'x-trunk': 'blue' } }))).toBeUndefined();
  });

  it('never identifies a trunk by narrowing alone: a source outside all CIDRs with a matching tgrp is unknown', () => {
    const trunks = [buildTrunk({ id: 'tg1', sources: [SRC], tgrp: 'TG1' })];

    const found = lookupId(trunks, buildFacts({ sourceAddress: '198.51.100.77', requestUri: 'sip:+12025550123;tgrp=TG1@gw' }));

    expect(found).toBeUndefined();
  });

  it('never identifies a trunk by a selector header alone', () => {
    const trunks = [buildTrunk({ id: 'blue', sources: [SRC], headerValue: 'blue' })];

    const found = lookupId(trunks, buildFacts({ sourceAddress: '198.51.100.77', selectorHeaders: { 'x-trunk': 'blue' } }), 'x-trunk');

    expect(found).toBeUndefined();
  });

  it('prefers the more specific candidate within the same prefix even when it comes later in config', () => {
    const trunks = [
      buildTrunk({ id: 'address-only', sources: ['203.0.113.0/24'], receivedOn: { address: '198.51.100.1' } }),
      buildTrunk({ id: 'address-port-tgrp', sources: ['203.0.113.0/24'], receivedOn: { address: '198.51.100.1', port: 5060 }, tgrp: 'TG1' }),
    ];

    const found = lookupId(trunks, buildFacts({ localAddress: '198.51.100.1', localPort: 5060, requestUri: 'sip:+12025550123;tgrp=TG1@gw' }));

    expect(found).toBe('address-port-tgrp');
  });

  it.each([
    { name: 'the first of two equally specific matching trunks', order: ['by-tgrp', 'by-port'], expected: 'by-tgrp' },
    { name: 'the first of the same two trunks listed the other way round', order: ['by-port', 'by-tgrp'], expected: 'by-port' },
  ])('breaks ties by config order: $name', ({ order, expected }) => {
    const all: Record<string, Trunk> = {
      'by-tgrp': buildTrunk({ id: 'by-tgrp', sources: [SRC], tgrp: 'TG1' }),
      'by-port': buildTrunk({ id: 'by-port', sources: [SRC], receivedOn: { port: 5060 } }),
    };
    const trunks = order.map((id) => all[id]!);

    expect(lookupId(trunks, buildFacts({ localPort: 5060, requestUri: 'sip:+12025550123;tgrp=TG1@gw' }))).toBe(expected);
  });

  it('breaks ties between unnarrowed trunks on the same prefix by config order', () => {
    const trunks = [buildTrunk({ id: 'first', sources: ['203.0.113.0/24'] }), buildTrunk({ id: 'second', sources: ['203.0.113.0/24'] })];

    expect(lookupId(trunks, buildFacts())).toBe('first');
  });

  it('falls back from a non-matching narrowed /32 to a covering /24', () => {
    const trunks = [
      buildTrunk({ id: 'covering-24', sources: ['203.0.113.0/24'] }),
      buildTrunk({ id: 'narrow-32', sources: [SRC], tgrp: 'TG9' }),
    ];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123@gw' }))).toBe('covering-24');
    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;tgrp=TG9@gw' }))).toBe('narrow-32');
  });

  it('falls back from a non-matching narrowed /24 to a covering /16', () => {
    const trunks = [
      buildTrunk({ id: 'covering-16', sources: ['203.0.0.0/16'] }),
      buildTrunk({ id: 'narrow-24', sources: ['203.0.113.0/24'], receivedOn: { port: 5080 } }),
    ];

    expect(lookupId(trunks, buildFacts({ localPort: 5060 }))).toBe('covering-16');
    expect(lookupId(trunks, buildFacts({ localPort: 5080 }))).toBe('narrow-24');
  });

  it('falls back from a non-matching narrowed IPv6 /128 to a covering /48', () => {
    const trunks = [
      buildTrunk({ id: 'covering-48', sources: ['2001:db8:1::/48'] }),
      buildTrunk({ id: 'narrow-128', sources: ['2001:db8:1::10/128'], receivedOn: { address: '2001:db8:ff::1' } }),
    ];

    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1::10', localAddress: '2001:db8:ff::2' }))).toBe('covering-48');
    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1::10', localAddress: '2001:db8:ff::1' }))).toBe('narrow-128');
  });

  it('returns undefined when every candidate is narrowed and none matches', () => {
    const trunks = [buildTrunk({ id: 'tg1', sources: ['203.0.113.0/24'], tgrp: 'TG1' }), buildTrunk({ id: 'tg2', sources: [SRC], tgrp: 'TG2' })];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;tgrp=TG3@gw' }))).toBeUndefined();
  });
});

describe('createTrunkTable: narrowing gaps found by mutation testing', () => {
  const SRC = '203.0.113.10/32';

  it('does not let a trunk narrowed only by trunk-context capture its prefix when the context is missing or differs', () => {
    const trunks = [buildTrunk({ id: 'ctx', sources: [SRC], trunkContext: 'example.com' })];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123@gw' }))).toBeUndefined();
    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;trunk-context=other.net@gw' }))).toBeUndefined();
    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;trunk-context=example.com@gw' }))).toBe('ctx');
  });

  it('prefers a trunk narrowed only by trunk-context over an unnarrowed trunk listed before it', () => {
    const trunks = [buildTrunk({ id: 'plain', sources: [SRC] }), buildTrunk({ id: 'ctx', sources: [SRC], trunkContext: 'example.com' })];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;trunk-context=example.com@gw' }))).toBe('ctx');
    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123@gw' }))).toBe('plain');
  });

  it('matches a trunk narrowed only by trunk-context when the request also carries a tgrp', () => {
    const trunks = [buildTrunk({ id: 'ctx', sources: [SRC], trunkContext: 'example.com' })];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;tgrp=TG7;trunk-context=example.com@gw' }))).toBe('ctx');
  });

  it('prefers a matching narrowed trunk listed before an unnarrowed one on the same prefix', () => {
    const trunks = [buildTrunk({ id: 'tg1', sources: [SRC], tgrp: 'TG1' }), buildTrunk({ id: 'plain', sources: [SRC] })];

    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123;tgrp=TG1@gw' }))).toBe('tg1');
    expect(lookupId(trunks, buildFacts({ requestUri: 'sip:+12025550123@gw' }))).toBe('plain');
  });

  it('files an IPv6 /32 as a prefix, not as an IPv4 host', () => {
    const trunks = [buildTrunk({ id: 'v6-32', sources: ['2001:db8::/32'] }), buildTrunk({ id: 'v4-host', sources: ['0.0.0.0/32'] })];
    const table = createTrunkTable(trunks);

    expect(table.lookup(buildFacts({ sourceAddress: '2001:db8:abcd::1' }))?.id).toBe('v6-32');
    expect(table.lookup(buildFacts({ sourceAddress: '2001:db9::1' }))).toBeUndefined();
    expect(table.hasSource('2001:db8:ffff::2')).toBe(true);
    expect(table.hasSource('2001:db9::2')).toBe(false);
  });

  it('falls back in the IPv6 prefix tree from a non-matching narrowed /64 to a covering /48', () => {
    const trunks = [
      buildTrunk({ id: 'covering-48', sources: ['2001:db8:1::/48'] }),
      buildTrunk({ id: 'narrow-64', sources: ['2001:db8:1:2::/64'], tgrp: 'TG6' }),
    ];

    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1:2::99', requestUri: 'sip:+12025550123@gw' }))).toBe('covering-48');
    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1:2::99', requestUri: 'sip:+12025550123;tgrp=TG6@gw' }))).toBe('narrow-64');
    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1:3::99', requestUri: 'sip:+12025550123;tgrp=TG6@gw' }))).toBe('covering-48');
  });

  it('returns undefined in the IPv6 prefix tree when the only candidate is narrowed and does not match', () => {
    const trunks = [buildTrunk({ id: 'narrow-64', sources: ['2001:db8:1:2::/64'], tgrp: 'TG6' })];

    expect(lookupId(trunks, buildFacts({ sourceAddress: '2001:db8:1:2::99', requestUri: 'sip:+12025550123@gw' }))).toBeUndefined();
  });

  describe('a selector header mixed with tgrp and port narrowing', () => {
    const trunks = [
      buildTrunk({ id: 'plain', sources: [SRC] }),
      buildTrunk({ id: 'tgrp', sources: [SRC], tgrp: 'TG1' }),
      buildTrunk({ id: 'header', sources: [SRC], headerValue: 'blue' }),
      buildTrunk({ id: 'header-tgrp', sources: [SRC], headerValue: 'blue', tgrp: 'TG1' }),
      buildTrunk({ id: 'header-port', sources: [SRC], headerValue: 'green', receivedOn: { port: 5080 } }),
    ];
    const TG1 = 'sip:+12025550123;tgrp=TG1@gw';
    const NO_TG = 'sip:+12025550123@gw';

    it.each([
      { name: 'header and tgrp over either alone', uri: TG1, headers: { 'x-trunk': 'blue' }, port: 5060, expected: 'header-tgrp' },
      { name: 'the header-only trunk when tgrp is absent', uri: NO_TG, headers: { 'x-trunk': 'blue' }, port: 5060, expected: 'header' },
      { name: 'the tgrp-only trunk when the header differs', uri: TG1, headers: { 'x-trunk': 'red' }, port: 5060, expected: 'tgrp' },
      { name: 'header and port together', uri: NO_TG, headers: { 'x-trunk': 'green' }, port: 5080, expected: 'header-port' },
      { name: 'not the header-and-port trunk on another port', uri: NO_TG, headers: { 'x-trunk': 'green' }, port: 5060, expected: 'plain' },
      { name: 'the tgrp-only trunk when the request carries no selector headers at all', uri: TG1, headers: undefined, port: 5060, expected: 'tgrp' },
      { name: 'the unnarrowed trunk when the request carries no selector headers and no tgrp', uri: NO_TG, headers: undefined, port: 5080, expected: 'plain' },
    ])('picks $name', ({ uri, headers, port, expected }) => {
      const facts = buildFacts({ requestUri: uri, localPort: port, ...(headers === undefined ? {} : { selectorHeaders: headers }) });

      expect(lookupId(trunks, facts, 'X-Trunk')).toBe(expected);
    });
  });

  it.each([
    { name: 'two unnarrowed trunks on one /32 host', a: { sources: [SRC] }, b: { sources: [SRC] }, uri: 'sip:+12025550123@gw', source: '203.0.113.10' },
    { name: 'two equally narrowed trunks on one /32 host', a: { sources: [SRC], tgrp: 'TG1' }, b: { sources: [SRC], tgrp: 'TG1' }, uri: 'sip:+12025550123;tgrp=TG1@gw', source: '203.0.113.10' },
    { name: 'two unnarrowed trunks on one IPv6 /64', a: { sources: ['2001:db8:5::/64'] }, b: { sources: ['2001:db8:5::/64'] }, uri: 'sip:+12025550123@gw', source: '2001:db8:5::1' },
  ])('picks the first listed of $name (ties go to config order)', ({ a, b, uri, source }) => {
    const trunks = [buildTrunk({ id: 'first', ...a }), buildTrunk({ id: 'second', ...b })];

    expect(lookupId(trunks, buildFacts({ sourceAddress: source, requestUri: uri }))).toBe('first');
  });

  it('never matches a header-narrowed trunk when a header is configured but the request carries no selector headers', () => {
    const trunks = [buildTrunk({ id: 'blue', sources: [SRC], headerValue: 'blue' })];

    expect(lookupId(trunks, buildFacts(), 'x-trunk')).toBeUndefined();
  });
});

describe('toTrunkGroupHints', () => {
  it.each([
    { name: 'both from the user part', uri: 'sip:+12025550123;tgrp=TG1;trunk-context=example.com@gw', tgrp: 'TG1', trunkContext: 'example.com' },
    { name: 'RFC 4904 example with user=phone', uri: 'sip:+441304380808;tgrp=PST_IB2_B2BUA_04_01;trunk-context=hex-mgc-01.gamma.uktel.org.uk@10.123.128.137:5060;user=phone', tgrp: 'PST_IB2_B2BUA_04_01', trunkContext: 'hex-mgc-01.gamma.uktel.org.uk' },
    { name: 'a URI parameter', uri: 'sip:gw.example.net;tgrp=TG2', tgrp: 'TG2', trunkContext: undefined },
    { name: 'percent-encoded values', uri: 'sip:+1;tgrp=CT%2A4;trunk-context=10.18.49.164@gw', tgrp: 'CT*4', trunkContext: '10.18.49.164' },
    { name: 'an undecodable percent sequence kept raw', uri: 'sip:+1;tgrp=TG%zz@gw', tgrp: 'TG%zz', trunkContext: undefined },
    { name: 'upper-case parameter names', uri: 'sip:+1;TGRP=TG5;TRUNK-CONTEXT=x.net@gw', tgrp: 'TG5', trunkContext: 'x.net' },
    { name: 'nothing', uri: 'sip:+12025550123@gw', tgrp: undefined, trunkContext: undefined },
  ])('extracts $name', ({ uri, tgrp, trunkContext }) => {
    expect(toTrunkGroupHints(uri)).toEqual({ tgrp, trunkContext });
  });
});

describe('createTrunkTable at scale (correctness, not timing)', () => {
  const HOSTS = 100_000;
  const CIDRS = 1_000;
  const hostAddress = (i: number): string => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  // 999 × /24 in 172.16.0.0/12 plus one 10.0.0.0/8 covering the hosts.
  const cidrNetwork = (k: number): string => {
    const n = 0xac100000 + k * 256;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.0`;
  };
  // Built in a hook, not at module load: a table that fails to build fails these tests, not the whole file.
  let table: TrunkTable;
  beforeAll(() => {
    const trunks: Trunk[] = [];
    for (let i = 1; i <= HOSTS; i++) trunks.push(buildTrunk({ id: `host-${i}`, sources: [`${hostAddress(i)}/32`] }));
    for (let k = 0; k < CIDRS - 1; k++) trunks.push(buildTrunk({ id: `net-${k}`, sources: [`${cidrNetwork(k)}/24`] }));
    trunks.push(buildTrunk({ id: 'ten-slash-8', sources: ['10.0.0.0/8'] }));
    table = createTrunkTable(trunks);
  });

  it('holds every trunk', () => {
    expect(table.size).toBe(HOSTS + CIDRS);
  });

  it('finds the exact /32 trunk for sampled host addresses', () => {
    const samples = [1, 2, 255, 256, 257, 65_535, 65_536, 99_999, 100_000];
    for (let i = 1; i <= HOSTS; i += 997) samples.push(i);

    const mismatches = samples.filter((i) => table.lookup(buildFacts({ sourceAddress: hostAddress(i) }))?.id !== `host-${i}`);

    expect(mismatches).toEqual([]);
  });

  it('finds the covering /8 for addresses next to the hosts', () => {
    expect(table.lookup(buildFacts({ sourceAddress: hostAddress(0) }))?.id).toBe('ten-slash-8');
    expect(table.lookup(buildFacts({ sourceAddress: hostAddress(HOSTS + 1) }))?.id).toBe('ten-slash-8');
    expect(table.lookup(buildFacts({ sourceAddress: '10.255.255.255' }))?.id).toBe('ten-slash-8');
  });

  it('finds the /24 trunk for sampled addresses in each CIDR', () => {
    const samples = [0, 1, 254, 255, 256, 500, 998];
    for (let k = 0; k < CIDRS - 1; k += 37) samples.push(k);

    const found = samples.map((k) => table.lookup(buildFacts({ sourceAddress: cidrNetwork(k).replace(/\.0$/, `.${(k * 7) % 256}`) }))?.id);

    expect(found).toEqual(samples.map((k) => `net-${k}`));
  });

  it('returns undefined just past the last /24 and outside every CIDR', () => {
    expect(table.lookup(buildFacts({ sourceAddress: cidrNetwork(CIDRS - 1).replace(/\.0$/, '.1') }))).toBeUndefined();
    expect(table.lookup(buildFacts({ sourceAddress: '192.0.2.1' }))).toBeUndefined();
  });
});

describe('createTrunkTable: hasSource', () => {
  // Built in the test, not at collection: a table that fails to build must fail these tests, not the whole file.
  const table = (): TrunkTable => createTrunkTable([
    buildTrunk({ id: 'host', sources: ['192.0.2.10'] }),
    buildTrunk({ id: 'net', sources: ['203.0.113.0/24', '2001:db8:5::/48'], tgrp: 'tg1' }),
    buildTrunk({ id: 'v6host', sources: ['2001:db8:9::1'] }),
  ]);

  it.each([
    { name: 'an exact IPv4 host', address: '192.0.2.10', expected: true },
    { name: 'an IPv4-mapped spelling of that host', address: '::ffff:192.0.2.10', expected: true },
    { name: 'an address inside a narrowed CIDR (narrowing ignored)', address: '203.0.113.77', expected: true },
    { name: 'an IPv6 address inside a /48', address: '2001:db8:5:1::2', expected: true },
    { name: 'an exact IPv6 host', address: '2001:db8:9::1', expected: true },
    { name: 'a neighbour of the IPv4 host', address: '192.0.2.11', expected: false },
    { name: 'an IPv6 address outside every CIDR', address: '2001:db8:6::1', expected: false },
    { name: 'no address at all', address: 'sbc.example.net', expected: false },
  ])('answers $expected for $name', ({ address, expected }) => {
    expect(table().hasSource(address)).toBe(expected);
  });
});
