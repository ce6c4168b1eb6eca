/**
 * The drachtio front end to end in-process: the real app (`start()` with `sip.front: drachtio`) against the
 * drachtio-server stand-in over loopback; answers compared with the built-in front's for the same INVITEs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/main.js';
import { createUdpSipClient, type SipResponse } from '../../support/sip-client.js';
import type { AppConn, AppResponse } from '../../support/drachtio-standin.js';
import { FRONT_ROUTES, inviteText, optionsText, startBothFronts, waitUntil, type BothFronts, type DrachtioApp } from './harness.js';

const CASES = [
  { name: 'an RMD-listed provider', source: '127.0.0.1', status: 302, phrase: 'Moved Temporarily', reason: undefined, trunk: 'harborline-1' },
  { name: 'a provider absent from the RMD', source: '127.0.0.2', status: 603, phrase: 'Decline', reason: 'provider-not-in-rmd', trunk: 'driftwood-1' },
  { name: 'a K4-designated provider', source: '127.0.0.3', status: 603, phrase: 'Decline', reason: 'provider-designated', trunk: 'tallgrass-1' },
  { name: 'an unknown source', source: '127.0.0.4', status: 403, phrase: 'Forbidden', reason: 'unknown-trunk', trunk: null },
] as const;

/** The headers both fronts must agree on, from the stand-in's view of the app's response. */
function answerOf(res: AppResponse): Record<string, unknown> {
  const h = res.headers;
  return { status: res.status, phrase: res.reason, contact: h['contact'], verdict: h['x-rmdgate-verdict'], reason: h['reason'], xReason: h['x-reason'] };
}

function builtinAnswerOf(res: SipResponse): Record<string, unknown> {
  const one = (name: string): string | undefined => (res.all(name).length > 0 ? res.all(name).join(', ') : undefined);
  return { status: res.status, phrase: res.phrase, contact: one('Contact'), verdict: one('X-RMDGate-Verdict'), reason: one('Reason'), xReason: one('X-Reason') };
}

describe('drachtio front: screening through drachtio-server (redirect mode)', () => {
  let rig: DrachtioApp;
  let conn: AppConn;
  let builtin: App;
  let both: BothFronts | undefined;

  beforeAll(async () => {
    both = await startBothFronts();
    ({ rig, conn, builtin } = both);
  });

  afterAll(() => both?.close());

  it('authenticates with the configured secret, registers invite and options (no CDR events when nothing is proxied)', async () => {
    expect(conn.authenticated).toBe(true);
    expect([...conn.routes].sort()).toEqual(FRONT_ROUTES.filter((r) => !r.startsWith('cdr:')).sort());
    await waitUntil(() => rig.app.readiness.run().checks['front']?.ok, 2000, 'front readiness');
    expect(rig.app.readiness.run().checks['front']).toEqual({ ok: true, detail: 'up: drachtio' });
    expect(await rig.metricsText()).toContain(`rmdgate_drachtio_connected{server="127.0.0.1:${rig.port}"} 1`);
    expect(rig.app.sip).toEqual([{ transport: 'drachtio', address: '127.0.0.1', port: rig.port }]);
  });

  it.each(CASES)('answers $name ($source) with $status exactly as the built-in front does', async (c) => {
    const { text } = inviteText({ source: c.source });
    const sent = conn.sendRequest(text, { sourceAddress: c.source });
    const viaDrachtio = answerOf(await conn.nextResponse(sent.transactionId));
    const client = await createUdpSipClient(c.source, builtin.sip[0]?.port ?? 0);
    await client.send(text.replace(`${c.source}:5081`, `${c.source}:${client.localPort}`));
    const viaBuiltin = builtinAnswerOf(await client.response(2000));
    await client.close();

    expect(viaDrachtio).toMatchObject({ status: c.status, phrase: c.phrase, xReason: c.reason });
    if (c.reason !== undefined) expect(viaDrachtio['reason']).toBe(`SIP;cause=${c.status};text="${c.reason}"`);
    else expect(viaDrachtio).toMatchObject({ contact: '<sip:+12025550123@127.0.0.1:5070;transport=udp>', verdict: 'allow' });
    expect(viaDrachtio).toEqual(viaBuiltin);
    await expect(sent.responses).resolves.toHaveLength(1);
  });

  it('writes one screening CDR per INVITE with the drachtio request meta as facts', async () => {
    const { text, callId } = inviteText({ source: '127.0.0.2' });
    const sent = conn.sendRequest(text, { sourceAddress: '127.0.0.2', sourcePort: 5999, transport: 'tcp', localAddress: '127.0.0.1', localPort: 5080 });
    await conn.nextResponse(sent.transactionId);

    const cdr = await waitUntil(async () => (await rig.cdrs()).find((r) => r['callId'] === callId), 3000, 'the CDR line');
    expect(cdr).toMatchObject({
      type: 'screening', sourceAddress: '127.0.0.2', sourcePort: 5999, transport: 'tcp', localAddress: '127.0.0.1', localPort: 5080,
      trunkId: 'driftwood-1', decision: 'reject', reason: 'provider-not-in-rmd', sipStatus: 603, calledE164: '+12025550123', callingE164: '+12025550100',
    });
    await new Promise((r) => setTimeout(r, 150));
    // drachtio also reports the rejection as cdr:stop application call-rejected; only proxied calls get dispositions
    expect((await rig.cdrs()).filter((r) => r['callId'] === callId)).toHaveLength(1);
  });

  it('answers OPTIONS with 200 OK', async () => {
    const sent = conn.sendRequest(optionsText());
    const res = await conn.nextResponse(sent.transactionId);

    expect(res).toMatchObject({ status: 200, reason: 'OK', accepted: true });
    expect(await rig.metricsText()).toMatch(/rmdgate_sip_responses_total\{status="200",transport="udp"\} [1-9]/);
  });

  it('counts every INVITE and final response in the front metrics', async () => {
    const text = await rig.metricsText();

    expect(text).toMatch(/rmdgate_sip_messages_total\{method="INVITE",transport="udp"\} [4-9]/);
    expect(text).toMatch(/rmdgate_sip_responses_total\{status="403",transport="udp"\} 1/);
    expect(text).toMatch(/rmdgate_invites_total\{trunk="unknown",decision="reject",reason="unknown-trunk",mode="enforce"\} 1/);
  });
});
