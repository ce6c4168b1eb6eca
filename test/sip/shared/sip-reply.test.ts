import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/screening/model.js';
import { toSipReply } from '../../../src/sip/shared/sip-reply.js';

const OPTS = { verdictHeader: 'X-RMDGate-Verdict' };

function allowDecision(route: readonly string[], overrides: Partial<Extract<Decision, { kind: 'allow' }>> = {}): Decision {
  return { kind: 'allow', reason: undefined, wouldBlock: false, evidence: {}, route, ...overrides };
}

describe('toSipReply: rejects', () => {
  it('answers with the status, phrase, Reason header and X-Reason of a plain 603', () => {
    const decision: Decision = {
      kind: 'reject', reason: 'provider-not-in-rmd', evidence: {},
      answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-not-in-rmd"' },
    };

    const reply = toSipReply(decision, OPTS, 'sip:+12025550123@gw');

    expect(reply).toEqual({
      status: 603,
      phrase: 'Decline',
      headers: [['Reason', 'SIP;cause=603;text="provider-not-in-rmd"'], ['X-Reason', 'provider-not-in-rmd']],
    });
  });

  it('answers 603+ with "Network Blocked" and the ATIS-1000099 Reason header', () => {
    const reasonHeader = 'SIP;cause=603;text="v=analytics1;url=https://x/redress";location=TN';
    const decision: Decision = {
      kind: 'reject', reason: 'provider-designated', evidence: {}, answer: { status: 603, phrase: 'Network Blocked', reasonHeader },
    };

    const reply = toSipReply(decision, OPTS);

    expect(reply).toEqual({ status: 603, phrase: 'Network Blocked', headers: [['Reason', reasonHeader], ['X-Reason', 'provider-designated']] });
  });

  it('answers 403 Forbidden for unknown-trunk', () => {
    const decision: Decision = {
      kind: 'reject', reason: 'unknown-trunk', evidence: {}, answer: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="unknown-trunk"' },
    };

    const reply = toSipReply(decision, OPTS);

    expect([reply.status, reply.phrase]).toEqual([403, 'Forbidden']);
    expect(reply.headers).toContainEqual(['X-Reason', 'unknown-trunk']);
  });

  it('always carries X-Reason, even when no Reason header is configured', () => {
    const decision: Decision = { kind: 'reject', reason: 'screening-error', evidence: {}, answer: { status: 500, phrase: 'Server Internal Error' } };

    const reply = toSipReply(decision, OPTS);

    expect(reply.headers).toEqual([['X-Reason', 'screening-error']]);
  });

  it('never adds Contact or the verdict header to a reject', () => {
    const decision: Decision = { kind: 'reject', reason: 'unknown-trunk', evidence: {}, answer: { status: 403, phrase: 'Forbidden' } };

    const names = toSipReply(decision, OPTS, 'sip:+12025550123@gw').headers.map(([n]) => n);

    expect(names).toEqual(['X-Reason']);
  });
});

describe('toSipReply: 302 redirects', () => {
  it.each([
    { name: 'inserts the called user into a route without one', route: 'sip:127.0.0.1:5070', ruri: 'sip:+12025550123@gw', contact: '<sip:+12025550123@127.0.0.1:5070>' },
    { name: 'keeps route parameters after the inserted user', route: 'sip:127.0.0.1:5070;transport=udp', ruri: 'sip:+12025550123@gw;user=phone', contact: '<sip:+12025550123@127.0.0.1:5070;transport=udp>' },
    { name: 'inserts the user from a sips Request-URI', route: 'sip:core.example.net', ruri: 'sips:2025550123@gw', contact: '<sip:2025550123@core.example.net>' },
    { name: 'inserts into a sips route', route: 'sips:core.example.net:5061', ruri: 'sip:+12025550123@gw', contact: '<sips:+12025550123@core.example.net:5061>' },
    { name: 'keeps a route that already has a user', route: 'sip:trunk@core.example.net', ruri: 'sip:+12025550123@gw', contact: '<sip:trunk@core.example.net>' },
    { name: 'inserts a percent-encoded user as received', route: 'sip:core.example.net', ruri: 'sip:%2B12025550123@gw', contact: '<sip:%2B12025550123@core.example.net>' },
    // decide() refuses these as unusable-request-uri; toSipReply alone never copies them.
    { name: 'does not insert a user containing a space', route: 'sip:core.example.net', ruri: 'sip:+1202 5550123@gw', contact: '<sip:core.example.net>' },
    { name: 'does not insert a user containing a quote', route: 'sip:core.example.net', ruri: 'sip:a"b@gw', contact: '<sip:core.example.net>' },
    { name: 'does not insert a user containing angle brackets', route: 'sip:core.example.net', ruri: 'sip:a>b<c@gw', contact: '<sip:core.example.net>' },
    { name: 'does not insert a user longer than 128 characters', route: 'sip:core.example.net', ruri: `sip:${'1'.repeat(129)}@gw`, contact: '<sip:core.example.net>' },
    { name: 'does not insert from a Request-URI without a user', route: 'sip:core.example.net', ruri: 'sip:gw.example.net', contact: '<sip:core.example.net>' },
    { name: 'inserts a tel Request-URI\'s number with user=phone', route: 'sip:core.example.net', ruri: 'tel:+12025550123', contact: '<sip:+12025550123@core.example.net;user=phone>' },
    { name: 'inserts a tel number with its parameters, user=phone after the route\'s', route: 'sip:core:5070;transport=tcp', ruri: 'tel:+1-202-555-0123;ext=7', contact: '<sip:+1-202-555-0123;ext=7@core:5070;transport=tcp;user=phone>' },
    { name: 'keeps the route\'s own user= for a tel number', route: 'sip:core;user=ip', ruri: 'TEL:+12025550123', contact: '<sip:+12025550123@core;user=ip>' },
    { name: 'puts user=phone before route headers', route: 'sip:core?X-A=1', ruri: 'tel:+12025550123', contact: '<sip:+12025550123@core;user=phone?X-A=1>' },
    { name: 'drops the password of user:password', route: 'sip:core.example.net', ruri: 'sip:+12025550123:secret@gw', contact: '<sip:+12025550123@core.example.net>' },
    { name: 'does not insert when the Request-URI is unknown', route: 'sip:core.example.net', ruri: '', contact: '<sip:core.example.net>' },
  ])('$name', ({ route, ruri, contact }) => {
    const reply = toSipReply(allowDecision([route]), OPTS, ruri);

    expect(reply).toEqual({ status: 302, phrase: 'Moved Temporarily', headers: [['Contact', contact], ['X-RMDGate-Verdict', 'allow']] });
  });

  it('defaults the Request-URI to none when it is not passed', () => {
    const reply = toSipReply(allowDecision(['sip:core.example.net']), OPTS);

    expect(reply.headers[0]).toEqual(['Contact', '<sip:core.example.net>']);
  });

  it.each([
    { name: 'two routes', routes: ['sip:a.example.net', 'sip:b.example.net'], q: ['1.00', '0.50'] },
    { name: 'three routes', routes: ['sip:a.example.net', 'sip:b.example.net', 'sip:c.example.net'], q: ['1.00', '0.67', '0.33'] },
    { name: 'four routes', routes: ['sip:a.example.net', 'sip:b.example.net', 'sip:c.example.net', 'sip:d.example.net'], q: ['1.00', '0.75', '0.50', '0.25'] },
  ])('gives $name descending q-values in route order', ({ routes, q }) => {
    const reply = toSipReply(allowDecision(routes), OPTS, 'sip:+12025550123@gw');

    const contacts = reply.headers.filter(([n]) => n === 'Contact').map(([, v]) => v);

    expect(contacts).toEqual(routes.map((r, i) => `<${r.replace('sip:', 'sip:+12025550123@')}>;q=${q[i]}`));
  });

  it('puts the verdict header after the Contacts', () => {
    const reply = toSipReply(allowDecision(['sip:a.example.net', 'sip:b.example.net']), OPTS);

    expect(reply.headers.map(([n]) => n)).toEqual(['Contact', 'Contact', 'X-RMDGate-Verdict']);
  });

  it.each([
    { name: 'allow for a clean allow', decision: allowDecision(['sip:a']), verdict: 'allow' },
    { name: 'would-block with the reason for a monitored block', decision: allowDecision(['sip:a'], { reason: 'provider-not-in-rmd', wouldBlock: true }), verdict: 'would-block;reason=provider-not-in-rmd' },
    { name: 'would-block with unknown-trunk in monitor mode', decision: allowDecision(['sip:a'], { reason: 'unknown-trunk', wouldBlock: true }), verdict: 'would-block;reason=unknown-trunk' },
    { name: 'allow when a reason is recorded but nothing would have blocked', decision: allowDecision(['sip:a'], { reason: 'screening-error', wouldBlock: false }), verdict: 'allow' },
  ])('sets the verdict header to $name', ({ decision, verdict }) => {
    const reply = toSipReply(decision, { verdictHeader: 'X-Verdict' });

    expect(reply.headers.at(-1)).toEqual(['X-Verdict', verdict]);
  });
});
