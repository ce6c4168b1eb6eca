/**
 * Fact parity: the same raw INVITE gives the same InviteFacts through drachtio-srf's Request (as the drachtio front
 * sees it) and through the built-in front's parser — repeated and compact headers, folding, control bytes, caps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { ROOT } from '../../support/prometheus.js';
import { toInviteFacts as builtinFacts } from '../../../src/sip/builtin/facts.js';
import { parseSipMessage } from '../../../src/sip/builtin/sip-parser.js';
import { MAX_HEADER_VALUE_CHARS } from '../../../src/sip/shared/header-values.js';
import { toInviteFacts as drachtioFacts, type SrfInvite } from '../../../src/sip/drachtio/facts.js';

const jwt = (n: number): string => `eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7InRuIjoi${n}In19.c2lnbmF0dXJl${n}`;

function raw(extra: readonly string[]): string {
  return [
    'INVITE sip:+12025550123@gw.example.com;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport=5060',
    'f: "Alice" <sip:+13035550100@example.net;user=phone>;tag=f1',
    'To: <sip:+12025550123@example.com>',
    'i: call-1@example.net',
    'CSeq: 7 INVITE',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A drachtio-srf Request as lib/drachtio-agent.js builds it from a `sip` frame (meta fields included). */
function srfRequest(text: string, meta: Record<string, unknown>): SrfInvite {
  const SipRequest = (Srf as unknown as { SipRequest: new (msg: unknown, meta: unknown) => SrfInvite }).SipRequest;
  const SipMessage = (Srf as unknown as { SipMessage: new (raw: string) => unknown }).SipMessage;
  return new SipRequest(new SipMessage(text), meta);
}

const CASES = [
  { name: 'plain headers', extra: ['P-Asserted-Identity: <sip:+13035550100@example.net;user=phone>', 'Diversion: <sip:+12025550199@example.com>;reason=unconditional'], expect: { pAssertedIdentity: '<sip:+13035550100@example.net;user=phone>' } },
  { name: 'two Identity headers and the compact form y', extra: [`Identity: ${jwt(1)};info=<https://cert.example.org/a.pem>;alg=ES256;ppt=shaken`, `y: ${jwt(2)};info=<https://cert.example.org/b.pem>;ppt=div`], expect: { identity: [`${jwt(1)};info=<https://cert.example.org/a.pem>;alg=ES256;ppt=shaken`, `${jwt(2)};info=<https://cert.example.org/b.pem>;ppt=div`] } },
  { name: 'a folded header and control bytes', extra: ['P-Asserted-Identity: <sip:+13035550100@example.net>\r\n  ;user=phone', 'Diversion: <sip:+1202\x01555\x7f0199@example.com>'], expect: { pAssertedIdentity: '<sip:+13035550100@example.net> ;user=phone', diversion: '<sip:+12025550199@example.com>' } },
  { name: 'an oversize value (capped)', extra: [`Diversion: <sip:${'9'.repeat(MAX_HEADER_VALUE_CHARS + 500)}@example.com>`], expect: { diversion: `<sip:${'9'.repeat(MAX_HEADER_VALUE_CHARS - 5)}` } },
  { name: 'the trunk selector header in another case', extra: ['x-trunk-id: Trunk-A'], expect: { selectorHeaders: { 'x-trunk-id': 'Trunk-A' } } },
] as const;

describe('drachtio front: InviteFacts from a drachtio-srf request', () => {
  it.each(CASES)('match the built-in front for $name', ({ extra, expect: expected }) => {
    const text = raw(extra);
    const viaSrf = drachtioFacts(srfRequest(text, { source: 'network', address: '192.0.2.10', port: '5060', protocol: 'udp', receivedOn: '198.51.100.1:5060' }), 1_700_000_000_000, ['x-trunk-id']);
    const parsed = parseSipMessage(text);
    const viaBuiltin = builtinFacts(parsed!, { receivedAt: 1_700_000_000_000, transport: 'udp', sourceAddress: '192.0.2.10', sourcePort: 5060, localAddress: '198.51.100.1', localPort: 5060 }, ['x-trunk-id']);

    expect(viaSrf).toEqual(viaBuiltin);
    expect(viaSrf).toMatchObject({ callId: 'call-1@example.net', from: '"Alice" <sip:+13035550100@example.net;user=phone>;tag=f1', ...expected });
  });

  it('reads the meta drachtio-srf sets: numeric source_port, transport, receivedOn (IPv6 included)', () => {
    const facts = drachtioFacts(srfRequest(raw([]), { source: 'network', address: '[2001:db8::7]', port: '5099', protocol: 'tcp', receivedOn: '[2001:db8::1]:5080' }), 1, []);

    expect(facts).toMatchObject({ sourceAddress: '2001:db8::7', sourcePort: 5099, transport: 'tcp', localAddress: '2001:db8::1', localPort: 5080, callId: 'call-1@example.net' });
    expect(facts.identity).toBeUndefined();
    expect(facts.selectorHeaders).toBeUndefined();
  });

  it('leaves the local address undefined when the server sent no local fields', () => {
    const facts = drachtioFacts(srfRequest(raw([]), { source: 'network', address: '192.0.2.10', port: 5060, protocol: 'udp' }), 1, []);

    expect([facts.localAddress, facts.localPort, facts.sourcePort]).toEqual([undefined, undefined, 5060]);
  });
});

describe('config/example-drachtio.yaml', () => {
  it('is a valid drachtio-front config with the secret taken from DRACHTIO_SECRET', () => {
    const file = join(ROOT, 'config/example-drachtio.yaml');
    const loaded = parseConfigText(readFileSync(file, 'utf8'), file, { DRACHTIO_SECRET: 's3cret' });

    expect(loaded.config.sip.front).toBe('drachtio');
    expect(loaded.config.sip.drachtio).toMatchObject({ mode: 'inbound', port: 9022, allowAction: 'proxy', proxy: { recordRoute: true } });
    expect(loaded.drachtioSecret).toBe('s3cret');
  });
});
