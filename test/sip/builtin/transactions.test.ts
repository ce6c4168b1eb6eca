import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../../src/sip/builtin/response.js';
import { parseSipMessage } from '../../../src/sip/builtin/sip-parser.js';
import { KEY_PART_LIMIT, decodeReply, encodeReply, inviteTransactionKey } from '../../../src/sip/builtin/transactions.js';
import { sipMessage } from '../../support/sip-text.js';

function keyOf(text: string): string {
  const msg = parseSipMessage(text);
  if (msg === undefined) throw new Error('unparsable');
  const check = checkRequest(msg, { address: '192.0.2.10', port: 5060 });
  if (check.ctx === undefined) throw new Error('unroutable');
  return inviteTransactionKey(check.ctx);
}

const withVia = (via: string): string => sipMessage().replace(/^Via: .*$/m, `Via: ${via}`);

describe('inviteTransactionKey', () => {
  it('is the same for a retransmission and for its CANCEL (same branch, sent-by, Call-ID and CSeq number)', () => {
    const invite = sipMessage();
    const cancel = invite.replace('INVITE sip:', 'CANCEL sip:').replace('CSeq: 7 INVITE', 'CSeq: 7 CANCEL');
    expect(keyOf(cancel)).toBe(keyOf(invite));
  });

  it.each([
    { name: 'another branch', text: withVia('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-2;rport') },
    { name: 'another sent-by port', text: withVia('SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK-1;rport') },
    { name: 'another Call-ID', text: sipMessage().replace('Call-ID: call-1@example.net', 'Call-ID: call-2@example.net') },
    { name: 'another CSeq number', text: sipMessage().replace('CSeq: 7 INVITE', 'CSeq: 8 INVITE') },
  ])('differs for $name (RFC 3261 branch matching)', ({ text }) => {
    expect(keyOf(text)).not.toBe(keyOf(sipMessage()));
  });

  it('matches a branch without the magic cookie by Call-ID, From tag, CSeq and the top Via (RFC 2543)', () => {
    const old = withVia('SIP/2.0/UDP 192.0.2.10:5060;branch=1234');
    expect(keyOf(old)).toBe(keyOf(old));
    expect(keyOf(old.replace('tag=f1', 'tag=f2'))).not.toBe(keyOf(old));
    expect(keyOf(old)).not.toBe(keyOf(sipMessage()));
  });
});

describe('transaction entries stay small whatever the request', () => {
  it('hashes a part longer than KEY_PART_LIMIT, so a fat request has a key of a few hundred bytes', () => {
    const fat = 'x'.repeat(1900);
    const text = sipMessage()
      .replace(/^Via: .*$/m, `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${fat};rport`)
      .replace('Call-ID: call-1@example.net', `Call-ID: ${fat}@example.net`);
    const key = keyOf(text);
    expect(Buffer.byteLength(key)).toBeLessThan(200);
    // Still one key per transaction: a retransmission matches, another long branch does not.
    expect(keyOf(text)).toBe(key);
    expect(keyOf(text.replace(`branch=z9hG4bK${fat}`, `branch=z9hG4bK${fat.slice(1)}y`))).not.toBe(key);
  });

  it('keeps parts up to the limit as they are (well-formed traffic is matched exactly as before)', () => {
    const branch = `z9hG4bK${'b'.repeat(KEY_PART_LIMIT - 7)}`;
    expect(keyOf(withVia(`SIP/2.0/UDP 192.0.2.10:5060;branch=${branch}`))).toContain(branch);
  });

  it('encodes a reply and decodes the same reply', () => {
    const reply = { status: 302, phrase: 'Moved Temporarily', headers: [['Contact', '<sip:+12025550123@core.example.net>;q=1.0'], ['X-RMDGate-Verdict', 'allow']] as const };
    const bytes = encodeReply(reply);
    expect(bytes.length).toBeLessThan(200);
    expect(decodeReply(bytes)).toEqual(reply);
  });
});
