import { describe, expect, it } from 'vitest';
import { toInviteFacts } from '../../../src/sip/builtin/facts.js';
import { parseSipMessage } from '../../../src/sip/builtin/sip-parser.js';
import { jwt, sipMessage } from '../../support/sip-text.js';

describe('toInviteFacts', () => {
  const meta = {
    receivedAt: 1_700_000_000_000,
    transport: 'udp' as const,
    sourceAddress: '192.0.2.10',
    sourcePort: 5060,
    localAddress: '198.51.100.5',
    localPort: 5060,
  };

  it('copies the screening headers, sanitised, and only the configured selector headers', () => {
    const text = sipMessage('', [
      'P-Asserted-Identity: <sip:+13035550100@example.net>',
      `Identity: ${jwt(1)};info=<https://c.example/a.pem>`,
      `Identity: ${jwt(2)};info=<https://c.example/b.pem>`,
      'Diversion: <sip:+12025550000@example.com>;reason=unconditional',
      'X-Trunk-Id: carrier-a',
      'X-Other: nope',
    ]).replace('Call-ID: call-1@example.net', 'Call-ID: call\0-1@example.net');
    const msg = parseSipMessage(text);
    if (msg === undefined) throw new Error('fixture did not parse');

    const facts = toInviteFacts(msg, meta, ['x-trunk-id', 'x-missing']);

    expect(facts).toEqual({
      ...meta,
      callId: 'call-1@example.net',
      requestUri: 'sip:+12025550123@gw.example.com;user=phone',
      from: '<sip:+13035550100@example.net>;tag=f1',
      to: '<sip:+12025550123@example.com>',
      pAssertedIdentity: '<sip:+13035550100@example.net>',
      identity: [`${jwt(1)};info=<https://c.example/a.pem>`, `${jwt(2)};info=<https://c.example/b.pem>`],
      diversion: '<sip:+12025550000@example.com>;reason=unconditional',
      selectorHeaders: { 'x-trunk-id': 'carrier-a' },
    });
  });

  it('leaves absent optional headers undefined', () => {
    const msg = parseSipMessage(sipMessage());
    if (msg === undefined) throw new Error('fixture did not parse');

    const facts = toInviteFacts(msg, meta, ['x-trunk-id']);

    expect(facts.identity).toBeUndefined();
    expect(facts.pAssertedIdentity).toBeUndefined();
    expect(facts.selectorHeaders).toBeUndefined();
  });
});
