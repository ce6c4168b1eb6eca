/**
 * The drachtio front's allow path: proxying through drachtio-server's stateful proxy (serial failover, Record-Route,
 * CANCEL) and the disposition records built from drachtio's CDR events, joined to the screening CDR by Call-ID.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConn } from '../../support/drachtio-standin.js';
import { FRONT_ROUTES, drachtioConfigYaml, inviteText, startDrachtioApp, waitUntil, type DrachtioApp } from './harness.js';

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0', ''].join('\r\n');
const FIRST = 'sip:127.0.0.1:5091';
const SECOND = 'sip:127.0.0.1:5090';

async function recordsOf(rig: DrachtioApp, callId: string, count: number): Promise<Record<string, unknown>[]> {
  return waitUntil(async () => {
    const mine = (await rig.cdrs()).filter((r) => r['callId'] === callId);
    return mine.length >= count ? mine : undefined;
  }, 3000, `${count} CDR lines for ${callId}`);
}

describe('drachtio front: proxying allowed calls', () => {
  let rig: DrachtioApp;
  let conn: AppConn;

  beforeAll(async () => {
    rig = await startDrachtioApp({
      drachtio: `    proxy: { destinations: [ "${FIRST}", "${SECOND}" ], recordRoute: true, provisionalTimeoutMs: 150 }\n`,
      standin: { timerBMs: 5000 },
    });
    conn = await rig.standin.waitForApp({ routes: [...FRONT_ROUTES] });
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('registers invite, options and the three CDR events', () => {
    expect([...conn.routes].sort()).toEqual([...FRONT_ROUTES].sort());
  });

  it('sends the proxy command with both destinations, Record-Route, the provisional timeout and the verdict header', async () => {
    rig.standin.setProxyBehaviour(() => ({ status: 200, body: SDP }));
    const { text } = inviteText({ source: '127.0.0.1' });
    const sent = conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    const cmd = await conn.nextProxy();

    expect(cmd).toMatchObject({ transactionId: sent.transactionId, remainInDialog: true, fullResponse: true, forking: 'serial', provisionalTimeout: '150ms', destinations: [FIRST, SECOND] });
    expect(cmd.sip).toContain('\r\nX-RMDGate-Verdict: allow\r\n');
    await expect(cmd.outcome).resolves.toMatchObject({ connected: true, finalStatus: 200, destination: FIRST });
    await expect(sent.responses).resolves.toEqual([]);
  });

  it('fails over from a 503 to the next destination, records the answer and the caller\'s BYE', async () => {
    rig.standin.setProxyBehaviour((d) => (d === FIRST ? { status: 503 } : { status: 200, body: SDP }));
    const { text, callId } = inviteText({ source: '127.0.0.1' });
    conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    const cmd = await conn.nextProxy();

    await expect(cmd.outcome).resolves.toMatchObject({ attempts: [{ destination: FIRST, status: 503 }, { destination: SECOND, status: 200 }], finalStatus: 200, connected: true });
    await recordsOf(rig, callId, 2);
    expect(conn.sendBye(callId)).toBe(true);
    const [screening, answered, released] = await recordsOf(rig, callId, 3);
    expect(screening).toMatchObject({ type: 'screening', decision: 'allow', trunkId: 'harborline-1', sipStatus: 100 });
    expect(answered).toMatchObject({ type: 'disposition', event: 'answered', sipStatus: 200, attempts: 2, node: 'drachtio-test', serverTime: expect.stringMatching(/^\d{2}:\d{2}:\d{2}\.\d{6}$/) });
    expect(released).toMatchObject({ type: 'disposition', event: 'released', cause: 'normal-release', releasedBy: 'caller', sipStatus: null });
  });

  it('records the status the caller got when every destination fails (best response: 486 over 503)', async () => {
    rig.standin.setProxyBehaviour((d) => (d === FIRST ? { status: 503 } : { status: 486 }));
    const { text, callId } = inviteText({ source: '127.0.0.1' });
    conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    const cmd = await conn.nextProxy();

    await expect(cmd.outcome).resolves.toMatchObject({ finalStatus: 486, connected: false });
    const [, failed] = await recordsOf(rig, callId, 2);
    expect(failed).toMatchObject({ type: 'disposition', event: 'failed', sipStatus: 486, cause: 'call-rejected', attempts: 2 });
  });

  it('moves on from a destination that sends nothing after provisionalTimeoutMs', async () => {
    rig.standin.setProxyBehaviour((d) => (d === FIRST ? 'timeout' : { status: 200, body: SDP }));
    const { text } = inviteText({ source: '127.0.0.1' });
    conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    const cmd = await conn.nextProxy();
    const started = Date.now();

    await expect(cmd.outcome).resolves.toMatchObject({ attempts: [{ destination: FIRST, status: 'timeout' }, { destination: SECOND, status: 200 }], connected: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('leaves a CANCEL of a proxied call to drachtio-server (487 to the caller) and records it as canceled', async () => {
    rig.standin.setProxyBehaviour(() => ({ status: 200, body: SDP, delayMs: 3000 }));
    const { text, callId } = inviteText({ source: '127.0.0.1' });
    const sent = conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    const cmd = await conn.nextProxy();

    expect(conn.sendCancel(sent.transactionId)).toBe(true);
    await expect(cmd.outcome).resolves.toMatchObject({ finalStatus: 487, connected: false });
    await expect(sent.responses).resolves.toEqual([]);
    const [, canceled] = await recordsOf(rig, callId, 2);
    expect(canceled).toMatchObject({ type: 'disposition', event: 'canceled', sipStatus: 487 });
  });

  it('still rejects blocked trunks itself, without a proxy command', async () => {
    const before = conn.proxyCommands.length;
    const { text } = inviteText({ source: '127.0.0.2' });
    const sent = conn.sendRequest(text, { sourceAddress: '127.0.0.2' });

    expect(await conn.nextResponse(sent.transactionId)).toMatchObject({ status: 603, headers: { 'x-reason': 'provider-not-in-rmd' } });
    expect(conn.proxyCommands.length).toBe(before);
  });
});

describe('drachtio front: per-trunk allowAction', () => {
  let rig: DrachtioApp;

  afterAll(async () => {
    await rig?.close();
  });

  it('answers 302 for a trunk set to redirect although the default is proxy', async () => {
    rig = await startDrachtioApp({ drachtio: '    allowAction: proxy\n    trunkAllowAction: { harborline-1: redirect }\n' });
    const conn = await rig.standin.waitForApp({ routes: [...FRONT_ROUTES] });
    const sent = conn.sendRequest(inviteText({ source: '127.0.0.1' }).text, { sourceAddress: '127.0.0.1' });

    expect(await conn.nextResponse(sent.transactionId)).toMatchObject({ status: 302, headers: { contact: '<sip:+12025550123@127.0.0.1:5070;transport=udp>' } });
    expect(conn.proxyCommands).toHaveLength(0);
  });
});

describe('drachtio front: dispositions with the SQLite store on', () => {
  let rig: DrachtioApp;

  afterAll(async () => {
    await rig?.close();
  });

  it('keeps dispositions in the JSON-lines file while the store skips them without failing', async () => {
    rig = await startDrachtioApp({
      yaml: (dir, port) => drachtioConfigYaml(dir, port).replace('sqlite: { enabled: false }', 'sqlite: { enabled: true }'),
    });
    const conn = await rig.standin.waitForApp({ routes: [...FRONT_ROUTES] });
    rig.standin.setProxyBehaviour(() => ({ status: 200, body: SDP }));
    const { text, callId } = inviteText({ source: '127.0.0.1' });
    conn.sendRequest(text, { sourceAddress: '127.0.0.1' });
    await (await conn.nextProxy()).outcome;
    await recordsOf(rig, callId, 2);
    conn.sendBye(callId);

    expect((await recordsOf(rig, callId, 3)).map((r) => r['event'] ?? r['type'])).toEqual(['screening', 'answered', 'released']);
    await new Promise((r) => setTimeout(r, 300));
    expect(rig.app.readiness.run().checks['cdr-store']).toMatchObject({ ok: true });
    expect(rig.logs.filter((l) => typeof l['msg'] === 'string' && /cdr .*(failed|lost)/.test(l['msg'] as string))).toEqual([]);
  });
});
