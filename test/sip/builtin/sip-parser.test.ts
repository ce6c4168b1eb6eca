import { describe, expect, it } from 'vitest';
import { parseSipMessage, parseSipUri, parseTopVia, salvageSipRequest } from '../../../src/sip/builtin/sip-parser.js';
import { CRLF, sipMessage } from '../../support/sip-text.js';

describe('parseSipMessage', () => {
  it('normalises header names: lower case, compact forms expanded, X- names merged case-insensitively', () => {
    const text = sipMessage('', ['X-Trunk: a', 'x-trunk: b', 'v: SIP/2.0/UDP 198.51.100.1', 'y: tok.en;info=<x>']);

    const msg = parseSipMessage(text);

    expect(msg?.kind).toBe('request');
    expect(msg?.method).toBe('INVITE');
    expect(msg?.headers.get('x-trunk')).toBe('a,b');
    expect(msg?.headers.get('via')).toBe('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport,SIP/2.0/UDP 198.51.100.1');
    expect(msg?.headers.get('identity')).toBe('tok.en;info=<x>');
    expect(msg?.headers.get('call-id')).toBe('call-1@example.net');
  });

  it('reads responses and rejects garbage', () => {
    expect(parseSipMessage(`SIP/2.0 180 Ringing${CRLF}Via: x${CRLF}${CRLF}`)?.status).toBe(180);
    expect(parseSipMessage(`hello world${CRLF}${CRLF}`)).toBeUndefined();
  });

  it('salvages a request whose header block has an unusable line', () => {
    const text = sipMessage('', ['this line has no colon']);

    expect(parseSipMessage(text)).toBeUndefined();
    expect(salvageSipRequest(text)?.headers.get('cseq')).toBe('7 INVITE');
    expect(salvageSipRequest(`garbage${CRLF}Via: x${CRLF}${CRLF}`)).toBeUndefined();
  });

  it('parses sip and tel URIs and refuses other schemes', () => {
    expect(parseSipUri('sip:+12025550123@gw.example.com;user=phone')).toMatchObject({ scheme: 'sip', user: '+12025550123' });
    expect(parseSipUri('tel:+12025550123')).toMatchObject({ scheme: 'tel', user: '+12025550123' });
    expect(parseSipUri('http://example.com/')).toBeUndefined();
  });
});

describe('parseTopVia', () => {
  it('extracts sent-by, branch, rport and received from the top value', () => {
    const via = parseTopVia('SIP/2.0/udp 192.0.2.10:5070;branch=z9hG4bK-1;rport;received=10.0.0.1, SIP/2.0/TCP h2');

    expect(via).toMatchObject({
      protocol: 'UDP',
      host: '192.0.2.10',
      port: 5070,
      branch: 'z9hG4bK-1',
      rport: true,
      rportValue: undefined,
      received: '10.0.0.1',
      values: ['SIP/2.0/udp 192.0.2.10:5070;branch=z9hG4bK-1;rport;received=10.0.0.1', 'SIP/2.0/TCP h2'],
    });
  });

  it('reads an rport value, IPv6 sent-by and a missing port', () => {
    expect(parseTopVia('SIP/2.0/UDP [2001:db8::1];rport=5062;branch=z9hG4bKx')).toMatchObject({
      host: '2001:db8::1',
      hostText: '[2001:db8::1]',
      port: undefined,
      rport: true,
      rportValue: 5062,
    });
    expect(parseTopVia('SIP/2.0/UDP PBX.Example.net')).toMatchObject({
      host: 'pbx.example.net',
      hostText: 'PBX.Example.net',
      rport: false,
      branch: undefined,
    });
  });

  it.each([
    { name: 'absent', value: undefined },
    { name: 'not SIP/2.0', value: 'SIP/3.0/UDP h;branch=z9hG4bK1' },
    { name: 'no host', value: 'SIP/2.0/UDP ;branch=z9hG4bK1' },
    { name: 'port out of range', value: 'SIP/2.0/UDP h:70000;branch=z9hG4bK1' },
  ])('rejects a Via that is $name', ({ value }) => {
    expect(parseTopVia(value)).toBeUndefined();
  });
});
