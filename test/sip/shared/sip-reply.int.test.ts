/**
 * The dialed number reaches the redirect on both fronts, or the call is refused with one reason token everywhere:
 * the real app behind the drachtio-server stand-in and the real built-in front, sent the same INVITEs over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/main.js';
import type { AppConn, AppResponse } from '../../support/drachtio-standin.js';
import { createUdpSipClient, type SipResponse } from '../../support/sip-client.js';
import { inviteText, startBothFronts, waitUntil, type BothFronts, type DrachtioApp } from '../drachtio/harness.js';

const ROUTE = 'sip:127.0.0.1:5070;transport=udp';

const ALLOWED = [
  { name: 'a tel: number', ruri: 'tel:+12025550123', contact: '<sip:+12025550123@127.0.0.1:5070;transport=udp;user=phone>', ruriUser: '+12025550123' },
  { name: 'user:password', ruri: 'sip:+12025550123:secret@127.0.0.1:5060', contact: '<sip:+12025550123@127.0.0.1:5070;transport=udp>', ruriUser: '+12025550123' },
] as const;

const REFUSED = [
  { name: 'a user over 128 characters', ruri: `sip:+1${'2'.repeat(130)}@127.0.0.1:5060`, status: 400, phrase: 'Request-URI User Too Long' },
  { name: 'an encoded CR/LF', ruri: 'sip:+1202555%0D%0A0123@127.0.0.1:5060', status: 400, phrase: 'Request-URI User Encodes Control Characters' },
] as const;

function withRequestUri(text: string, ruri: string): string {
  return text.replace(/^INVITE \S+ SIP\/2\.0/, `INVITE ${ruri} SIP/2.0`);
}

function viaDrachtio(res: AppResponse): Record<string, unknown> {
  const h = res.headers;
  return { status: res.status, phrase: res.reason, contact: h['contact'], reason: h['reason'], xReason: h['x-reason'] };
}

function viaBuiltin(res: SipResponse): Record<string, unknown> {
  const one = (name: string): string | undefined => (res.all(name).length > 0 ? res.all(name).join(', ') : undefined);
  return { status: res.status, phrase: res.phrase, contact: one('Contact'), reason: one('Reason'), xReason: one('X-Reason') };
}

describe('the Request-URI user in the redirect, on both fronts', () => {
  let rig: DrachtioApp;
  let conn: AppConn;
  let builtin: App;
  let both: BothFronts | undefined;

  beforeAll(async () => {
    both = await startBothFronts();
    ({ rig, conn, builtin } = both);
  });

  afterAll(() => both?.close());

  /** Sends the INVITE with `ruri` through both fronts; returns both answers and the drachtio front's Call-ID. */
  async function sendBoth(ruri: string): Promise<{ drachtio: Record<string, unknown>; builtin: Record<string, unknown>; callId: string }> {
    const { text, callId } = inviteText({ source: '127.0.0.1' });
    const invite = withRequestUri(text, ruri);
    const sent = conn.sendRequest(invite, { sourceAddress: '127.0.0.1' });
    const drachtio = viaDrachtio(await conn.nextResponse(sent.transactionId));
    const client = await createUdpSipClient('127.0.0.1', builtin.sip[0]?.port ?? 0);
    await client.send(invite.replace('127.0.0.1:5081;branch', `127.0.0.1:${client.localPort};branch`));
    const answer = viaBuiltin(await client.response(2000));
    await client.close();
    return { drachtio, builtin: answer, callId };
  }

  it.each(ALLOWED)('redirects $name with the dialed number in the Contact, as the CDR records it', async (c) => {
    const { drachtio, builtin: b, callId } = await sendBoth(c.ruri);

    expect(drachtio).toMatchObject({ status: 302, contact: c.contact });
    expect(b).toEqual(drachtio);
    const cdr = await waitUntil(async () => (await rig.cdrs()).find((r) => r['callId'] === callId), 3000, 'the CDR line');
    expect(cdr).toMatchObject({ decision: 'allow', sipStatus: 302, ruriUser: c.ruriUser, calledE164: '+12025550123' });
    expect(JSON.stringify(cdr)).not.toContain('secret');
  });

  it.each(REFUSED)('refuses $name with $status and the one reason token on the wire, in the CDR, the log and the metric', async (c) => {
    const { drachtio, builtin: b, callId } = await sendBoth(c.ruri);

    expect(drachtio).toEqual({
      status: c.status, phrase: c.phrase, contact: undefined,
      reason: `SIP;cause=${c.status};text="unusable-request-uri"`, xReason: 'unusable-request-uri',
    });
    expect(b).toEqual(drachtio);
    const cdr = await waitUntil(async () => (await rig.cdrs()).find((r) => r['callId'] === callId), 3000, 'the CDR line');
    expect(cdr).toMatchObject({ decision: 'reject', reason: 'unusable-request-uri', sipStatus: c.status, trunkId: 'harborline-1' });
    expect(rig.logs.find((l) => l['callId'] === callId && l['msg'] === 'invite rejected')).toMatchObject({ reason: 'unusable-request-uri', sipStatus: c.status });
    expect(await rig.metricsText()).toMatch(/rmdgate_invites_total\{trunk="harborline-1",decision="reject",reason="unusable-request-uri",mode="enforce"\} [1-9]/);
  });

  it('keeps a plain sip: user as before', async () => {
    const { drachtio, builtin: b } = await sendBoth('sip:+12025550123@127.0.0.1:5060;user=phone');

    expect(drachtio).toMatchObject({ status: 302, contact: `<${ROUTE.replace('sip:', 'sip:+12025550123@')}>` });
    expect(b).toEqual(drachtio);
  });
});
