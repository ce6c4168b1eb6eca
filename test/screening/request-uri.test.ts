import { describe, expect, it } from 'vitest';
import { decide } from '../../src/screening/policy.js';
import { MAX_CONTACT_USER_CHARS, UNUSABLE_REQUEST_URI_ANSWERS as A, toRequestUriUser, unusableRequestUri } from '../../src/screening/request-uri.js';
import { buildFacts, buildPolicy, buildProvider, buildWorld } from '../support/builders.js';

describe('toRequestUriUser', () => {
  it.each([
    { name: 'an upper-case TEL number (a telephone number: the Contact gets user=phone)', uri: 'TEL:+12025550123', user: '+12025550123', phone: true },
    { name: 'a sip user', uri: 'sip:+12025550123@gw;user=phone', user: '+12025550123', phone: false },
    { name: 'a sips user', uri: 'sips:2025550123@gw:5061', user: '2025550123', phone: false },
    { name: 'a user with RFC 4904 parameters', uri: 'sip:+12025550123;tgrp=T1;trunk-context=gw.example@gw', user: '+12025550123;tgrp=T1;trunk-context=gw.example', phone: false },
    { name: 'an escaped user as received', uri: 'sip:%2B12025550123@gw', user: '%2B12025550123', phone: false },
    { name: 'the user of user:password, without the password', uri: 'sip:+12025550123:hunter2@gw', user: '+12025550123', phone: false },
    { name: 'a tel number, as the user with user=phone', uri: 'tel:+12025550123', user: '+12025550123', phone: true },
    { name: 'a tel number with its parameters', uri: 'tel:+1-202-555-0123;ext=7', user: '+1-202-555-0123;ext=7', phone: true },
    { name: `a user of exactly ${MAX_CONTACT_USER_CHARS} characters`, uri: `sip:${'1'.repeat(MAX_CONTACT_USER_CHARS)}@gw`, user: '1'.repeat(MAX_CONTACT_USER_CHARS), phone: false },
  ])('carries $name', ({ uri, user, phone }) => {
    expect(toRequestUriUser(uri)).toEqual({ kind: 'user', user, phone });
    expect(unusableRequestUri(uri)).toBeUndefined();
  });

  it('has nothing to carry from a sip URI without a user', () => {
    expect(toRequestUriUser('sip:gw.example.net;transport=tcp')).toEqual({ kind: 'none' });
    expect(unusableRequestUri('sip:gw.example.net')).toBeUndefined();
  });

  it.each([
    { name: 'a user over 128 characters', uri: `sip:${'1'.repeat(MAX_CONTACT_USER_CHARS + 1)}@gw`, answer: A.tooLong },
    { name: 'a tel number over 128 characters', uri: `tel:+1${'2'.repeat(MAX_CONTACT_USER_CHARS)}`, answer: A.tooLong },
    { name: 'an encoded CR/LF before a header line', uri: 'sip:+12025550123%0D%0AX-Injected:%201@gw', answer: A.encodedControl },
    { name: 'an encoded CR/LF alone', uri: 'sip:+1202%0d%0a5550123@gw', answer: A.encodedControl },
    { name: 'an encoded NUL', uri: 'sip:1202%00@gw', answer: A.encodedControl },
    { name: 'an encoded DEL', uri: 'sip:1202%7f@gw', answer: A.encodedControl },
    { name: 'a bad escape', uri: 'sip:1202%2@gw', answer: A.notUserCharacters },
    { name: 'a space', uri: 'sip:+1202 5550123@gw', answer: A.notUserCharacters },
    { name: 'a quote', uri: 'sip:a"b@gw', answer: A.notUserCharacters },
    { name: 'non-ASCII text', uri: 'sip:josé@gw', answer: A.notUserCharacters },
    { name: 'an empty user', uri: 'sip:@gw', answer: A.notUserCharacters },
    { name: 'a password without a user', uri: 'sip::pw@gw', answer: A.notUserCharacters },
    { name: 'an empty tel number', uri: 'tel:', answer: A.notUserCharacters },
    { name: 'another scheme', uri: 'urn:service:sos', answer: A.scheme },
    { name: 'no URI at all', uri: '', answer: A.scheme },
  ])('refuses $name', ({ uri, answer }) => {
    expect(toRequestUriUser(uri)).toEqual({ kind: 'unusable', answer });
    expect(unusableRequestUri(uri)).toBe(answer);
  });

  it('answers 400 with a phrase that says why, and 416 for a scheme, all with the one reason token', () => {
    expect(Object.values(A).map((a) => [a.status, a.phrase, a.reasonHeader])).toEqual([
      [400, 'Request-URI User Too Long', 'SIP;cause=400;text="unusable-request-uri"'],
      [400, 'Request-URI User Not Valid', 'SIP;cause=400;text="unusable-request-uri"'],
      [400, 'Request-URI User Encodes Control Characters', 'SIP;cause=400;text="unusable-request-uri"'],
      [416, 'Unsupported URI Scheme', 'SIP;cause=416;text="unusable-request-uri"'],
    ]);
  });
});

describe('decide: a Request-URI that cannot be carried', () => {
  const longUri = `sip:${'1'.repeat(MAX_CONTACT_USER_CHARS + 1)}@gw`;

  it('refuses an allowed call, keeping the evidence', () => {
    const decision = decide(buildFacts({ requestUri: longUri }), buildWorld({}));

    expect(decision).toMatchObject({ kind: 'reject', reason: 'unusable-request-uri', answer: A.tooLong, evidence: { trunkId: 'trunk-1' } });
  });

  it('refuses a would-block in monitor mode too', () => {
    const world = buildWorld({ providers: [buildProvider({ rmdNumber: 'RMD0000001', frn: '0000000009' })], policy: buildPolicy({ mode: 'monitor' }) });

    expect(decide(buildFacts(), world)).toMatchObject({ kind: 'allow', wouldBlock: true });
    expect(decide(buildFacts({ requestUri: longUri }), world)).toMatchObject({ kind: 'reject', reason: 'unusable-request-uri' });
  });

  it('leaves a policy reject and an unknown source as they are', () => {
    const world = buildWorld({ providers: [buildProvider({ rmdNumber: 'RMD0000001', frn: '0000000009' })] });

    expect(decide(buildFacts({ requestUri: longUri }), world)).toMatchObject({ kind: 'reject', reason: 'provider-not-in-rmd' });
    expect(decide(buildFacts({ requestUri: longUri, sourceAddress: '198.51.100.200' }), world)).toMatchObject({ kind: 'reject', reason: 'unknown-trunk' });
  });

  it('allows a tel: or user:password Request-URI', () => {
    expect(decide(buildFacts({ requestUri: 'tel:+12025550123' }), buildWorld({}))).toMatchObject({ kind: 'allow' });
    expect(decide(buildFacts({ requestUri: 'sip:+12025550123:pw@gw' }), buildWorld({}))).toMatchObject({ kind: 'allow' });
  });
});
