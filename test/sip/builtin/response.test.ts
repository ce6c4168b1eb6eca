import { describe, expect, it } from 'vitest';
import { checkRequest, protocolReply, renderResponse } from '../../../src/sip/builtin/response.js';
import { parseSipMessage } from '../../../src/sip/builtin/sip-parser.js';
import { sipMessage } from '../../support/sip-text.js';

describe('checkRequest and renderResponse', () => {
  const source = { address: '203.0.113.9', port: 40000 };

  it('sets rport and received on the top Via and adds a stable To tag', () => {
    const msg = parseSipMessage(sipMessage());
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
    { name: 'bad Via with rport (answered to the source port)', edit: (t: string) => t.replace('SIP/2.0/UDP 192', 'SIP/2.0/UDP'), reason: 'bad-via', routable: true },
    { name: 'bad Via without rport', edit: (t: string) => t.replace('SIP/2.0/UDP 192', 'SIP/2.0/UDP').replace(';rport', ''), reason: 'bad-via', routable: false },
    { name: 'Via port 0 without rport', edit: (t: string) => t.replace(':5060;', ':0;').replace(';rport', ''), reason: 'bad-via', routable: false },
    { name: 'short body', edit: (t: string) => t.replace('Content-Length: 0', 'Content-Length: 10'), reason: 'content-length', routable: true },
  ])('flags $name', ({ edit, reason, routable }) => {
    const msg = parseSipMessage(edit(sipMessage()));
    if (msg === undefined) throw new Error('fixture did not parse');

    const check = checkRequest(msg, source);

    expect(check).toMatchObject({ kind: 'malformed', reason });
    expect(check.ctx !== undefined).toBe(routable);
  });

  it('answers an unusable Via over TCP, echoing it verbatim without received or rport', () => {
    const msg = parseSipMessage(sipMessage().replace('192.0.2.10:5060;branch=z9hG4bK-1;rport', '192.0.2.10:0;branch=z9hG4bK-1'));
    if (msg === undefined) throw new Error('fixture did not parse');

    const check = checkRequest(msg, source, 'tcp');
    if (check.ctx === undefined) throw new Error('not routable over tcp');
    const text = renderResponse(check.ctx, protocolReply(400), undefined).toString('utf8');

    expect(check).toMatchObject({ kind: 'malformed', reason: 'bad-via' });
    expect(text).toContain('\r\nVia: SIP/2.0/UDP 192.0.2.10:0;branch=z9hG4bK-1\r\n');
  });
});
