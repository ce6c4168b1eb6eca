import { describe, expect, it } from 'vitest';
import { MAX_IDENTITY_TOTAL_CHARS, splitIdentityHeader, toInviteFacts } from '../../../src/sip/builtin/facts.js';
import { type FrameEvent, createSipStreamFramer, findContentLength } from '../../../src/sip/builtin/framing.js';
import {
  headerParam,
  parseSipMessage,
  parseSipUri,
  parseTopVia,
  salvageSipRequest,
  sanitiseHeaderValue,
  splitHeaderValues,
} from '../../../src/sip/builtin/sip-parser.js';
import { checkRequest, protocolReply, renderResponse } from '../../../src/sip/builtin/response.js';

const CRLF = '\r\n';

function message(body = '', extra: readonly string[] = []): string {
  return [
    'INVITE sip:+12025550123@gw.example.com;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport',
    'From: <sip:+13035550100@example.net>;tag=f1',
    'To: <sip:+12025550123@example.com>',
    'Call-ID: call-1@example.net',
    'CSeq: 7 INVITE',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join(CRLF) + CRLF + CRLF + body;
}

function push(framer: ReturnType<typeof createSipStreamFramer>, ...chunks: string[]): FrameEvent[] {
  return chunks.flatMap((chunk) => framer.push(Buffer.from(chunk, 'utf8')));
}

function texts(events: readonly FrameEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? e.bytes.toString('utf8') : e.kind === 'error' ? `error:${e.reason}` : 'ping'));
}

const jwt = (n: number): string => `eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7InRuIjoi${n}In19.c2lnbmF0dXJl${n}`;

describe('parseSipMessage', () => {
  it('normalises header names: lower case, compact forms expanded, X- names merged case-insensitively', () => {
    const text = message('', ['X-Trunk: a', 'x-trunk: b', 'v: SIP/2.0/UDP 198.51.100.1', 'y: tok.en;info=<x>']);

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
    const text = message('', ['this line has no colon']);

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

describe('sanitiseHeaderValue', () => {
  it.each([
    { name: 'unfolds continuation lines', input: 'a\r\n  b', expected: 'a b' },
    { name: 'removes a bare LF (header injection)', input: '<sip:a@b>\nX-Injected: 1', expected: '<sip:a@b>X-Injected: 1' },
    { name: 'removes CR, NUL and DEL', input: 'a\rb\0c\x7fd', expected: 'abcd' },
    { name: 'keeps HTAB inside', input: 'a\tb', expected: 'a\tb' },
    { name: 'trims', input: '  a  ', expected: 'a' },
  ])('$name', ({ input, expected }) => {
    expect(sanitiseHeaderValue(input)).toBe(expected);
  });

  it('caps the length', () => {
    expect(sanitiseHeaderValue('x'.repeat(5000))).toHaveLength(2048);
    expect(sanitiseHeaderValue('abcdef', 3)).toBe('abc');
  });
});

describe('header helpers', () => {
  it('splits at commas outside quotes and angle brackets', () => {
    expect(splitHeaderValues('"a, b" <sip:x,y@h>;p=1, <sip:z@h> ,')).toEqual(['"a, b" <sip:x,y@h>;p=1', '<sip:z@h>']);
  });

  it('reads name-addr header params after the URI', () => {
    expect(headerParam('"x" <sip:a@b;tag=uri>;tag=hdr', 'tag')).toBe('hdr');
    expect(headerParam('sip:a@b;tag=t1', 'tag')).toBe('t1');
    expect(headerParam('<sip:a@b;tag=uri>', 'tag')).toBeUndefined();
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

describe('createSipStreamFramer', () => {
  it('joins a message split across chunks, body included', () => {
    const text = message('v=0\r\n');
    const framer = createSipStreamFramer(65535);

    const events = push(framer, text.slice(0, 10), text.slice(10, text.length - 3), text.slice(text.length - 3));

    expect(texts(events)).toEqual([text]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('splits two messages that arrive in one chunk', () => {
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, message('ab') + message()))).toEqual([message('ab'), message()]);
  });

  it('recognises CRLFCRLF keepalive pings, also split, and skips a lone CRLF before a message', () => {
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, '\r\n\r\n'))).toEqual(['ping']);
    expect(texts(push(framer, '\r\n', '\r\n'))).toEqual(['ping']);
    expect(texts(push(framer, `\r\n${message()}`))).toEqual([message()]);
  });

  it('accepts the compact l: form', () => {
    const text = message('xyz').replace('Content-Length:', 'l:');

    expect(texts(push(createSipStreamFramer(65535), text))).toEqual([text]);
  });

  it('fails on a missing or unreadable Content-Length and then stays silent', () => {
    const noLength = message().replace(/Content-Length: 0\r\n/, '');
    const framer = createSipStreamFramer(65535);

    expect(texts(push(framer, noLength))).toEqual(['error:no-content-length']);
    expect(push(framer, message())).toEqual([]);
    expect(texts(push(createSipStreamFramer(65535), message().replace('Length: 0', 'Length: x')))).toEqual([
      'error:bad-content-length',
    ]);
  });

  it('fails with oversize on a declared length or an unframed header block past the limit, keeping the head', () => {
    const declared = push(createSipStreamFramer(1024), message().replace('Content-Length: 0', 'Content-Length: 5000'));
    const unframed = push(createSipStreamFramer(1024), `${message().slice(0, 200)}X-Pad: ${'p'.repeat(2000)}`);

    expect(texts(declared)).toEqual(['error:oversize']);
    expect(texts(unframed)).toEqual(['error:oversize']);
    const head = unframed[0]?.kind === 'error' ? unframed[0].head.toString('utf8') : '';
    expect(head.startsWith('INVITE ')).toBe(true);
    expect(head.endsWith('\r\n')).toBe(true);
  });

  it('reads Content-Length values', () => {
    const head = (lines: string): Buffer => Buffer.from(`INVITE sip:a@b SIP/2.0\r\n${lines}`, 'latin1');

    expect(findContentLength(head('content-length :  12 '))).toBe(12);
    expect(findContentLength(head('Content-Length: 3\r\nl: 3'))).toBe(3);
    expect(findContentLength(head('Content-Length: 3\r\nl: 4'))).toBe('bad');
    expect(findContentLength(head('X-Content-Length: 3'))).toBe('missing');
  });
});

describe('splitIdentityHeader', () => {
  it('splits repeated Identity values but not commas inside info=<...>', () => {
    const first = `${jwt(1)};info=<https://cert.example.org/a,b.pem>;alg=ES256;ppt=shaken`;
    const second = `${jwt(2)};info=<https://cert.example.org/c.pem>;ppt=div`;

    expect(splitIdentityHeader(`${first},${second}`)).toEqual([first, second]);
    expect(splitIdentityHeader(`${first},  ${second}`)).toEqual([first, second]);
  });

  it('handles the compact form and drops values past the total budget', () => {
    const compact = 'eyJhbGciOiJFUzI1NiJ9..c2ln;info=<https://c.example/x.pem>';
    const big = `${'a'.repeat(MAX_IDENTITY_TOTAL_CHARS - 10)}.b;info=<https://c.example/x>`;

    expect(splitIdentityHeader(`${compact},${compact}`)).toEqual([compact, compact]);
    expect(splitIdentityHeader(`${compact},${big}`)).toEqual([compact]);
  });
});

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
    const text = message('', [
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
    const msg = parseSipMessage(message());
    if (msg === undefined) throw new Error('fixture did not parse');

    const facts = toInviteFacts(msg, meta, ['x-trunk-id']);

    expect(facts.identity).toBeUndefined();
    expect(facts.pAssertedIdentity).toBeUndefined();
    expect(facts.selectorHeaders).toBeUndefined();
  });
});

describe('checkRequest and renderResponse', () => {
  const source = { address: '203.0.113.9', port: 40000 };

  it('sets rport and received on the top Via and adds a stable To tag', () => {
    const msg = parseSipMessage(message());
    if (msg === undefined) throw new Error('fixture did not parse');

    const check = checkRequest(msg, source);
    if (check.kind !== 'ok') throw new Error(`unexpected ${check.reason}`);
    const text = renderResponse(check.ctx, protocolReply(200), 'rmdgate/test').toString('utf8');

    expect(text).toContain('\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport=40000;received=203.0.113.9\r\n');
    expect(text).toMatch(/\r\nTo: <sip:\+12025550123@example\.com>;tag=[\w-]{16}\r\n/);
    expect(renderResponse(check.ctx, protocolReply(200), undefined).toString('utf8')).not.toContain('Server:');
    expect(text).toBe(renderResponse(check.ctx, protocolReply(200), 'rmdgate/test').toString('utf8'));
  });

  it.each([
    { name: 'missing Call-ID', edit: (t: string) => t.replace('Call-ID: call-1@example.net\r\n', ''), reason: 'missing-header', routable: true },
    { name: 'CSeq method mismatch', edit: (t: string) => t.replace('7 INVITE', '7 BYE'), reason: 'cseq-mismatch', routable: true },
    { name: 'bad CSeq', edit: (t: string) => t.replace('7 INVITE', 'seven'), reason: 'bad-cseq', routable: false },
    { name: 'bad Via', edit: (t: string) => t.replace('SIP/2.0/UDP 192', 'SIP/2.0/UDP'), reason: 'bad-via', routable: false },
    { name: 'short body', edit: (t: string) => t.replace('Content-Length: 0', 'Content-Length: 10'), reason: 'content-length', routable: true },
  ])('flags $name', ({ edit, reason, routable }) => {
    const msg = parseSipMessage(edit(message()));
    if (msg === undefined) throw new Error('fixture did not parse');

    const check = checkRequest(msg, source);

    expect(check).toMatchObject({ kind: 'malformed', reason });
    expect(check.ctx !== undefined).toBe(routable);
  });
});
