/**
 * "Respond once and always" for the drachtio front's INVITE handler, on a real drachtio-srf against the stand-in:
 * a throwing screening, bugs before and after the answer, silent drop and unsendable statuses.
 */
import { join } from 'node:path';
import Srf from 'drachtio-srf';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispositionRecorder } from '../../../src/sip/drachtio/dispositions.js';
import { createInviteHandler, type InviteHandlerDeps } from '../../../src/sip/drachtio/invite.js';
import { createDrachtioLink } from '../../../src/sip/drachtio/link.js';
import { isSendableStatus } from '../../../src/sip/drachtio/srf-internals.js';
import { parseConfigText } from '../../../src/config/load.js';
import type { CallRecord } from '../../../src/screening/cdr-record.js';
import type { Decision } from '../../../src/screening/model.js';
import { createDrachtioStandin, type AppConn, type DrachtioStandin } from '../../support/drachtio-standin.js';
import { ROOT } from '../../support/prometheus.js';
import { createRecordingFrontMetrics, type RecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import { SECRET, drachtioConfigYaml, inviteText } from './harness.js';
import { silentLog as silent } from '../../support/fakes.js';

const ROUTE = 'sip:127.0.0.1:5070;transport=udp';
const REPLY = { verdictHeader: 'X-RMDGate-Verdict' };
const ALLOW: Decision = { kind: 'allow', reason: undefined, wouldBlock: false, evidence: { trunkId: 'harborline-1' }, route: [ROUTE] };
const UNKNOWN: Decision = { kind: 'reject', reason: 'unknown-trunk', evidence: {}, answer: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="unknown-trunk"' } };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


interface Rig {
  readonly standin: DrachtioStandin;
  readonly conn: AppConn;
  readonly srf: Srf;
  readonly records: CallRecord[];
  readonly metrics: RecordingFrontMetrics;
}

const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** The handler on a real Srf linked to a fresh stand-in; `settings` overrides `sip.drachtio` keys. */
async function rig(overrides: Partial<Omit<InviteHandlerDeps, 'settings'>> & { settings?: Partial<InviteHandlerDeps['settings']> } = {}): Promise<Rig> {
  const standin = createDrachtioStandin({ secret: SECRET });
  const { port } = await standin.listen();
  const cfg = parseConfigText(drachtioConfigYaml('/tmp/unused', port, '    allowAction: redirect\n'), join(ROOT, 'config/robustness.yaml'), {}).config.sip.drachtio;
  const srf = new Srf();
  const records: CallRecord[] = [];
  const metrics = createRecordingFrontMetrics();
  const link = createDrachtioLink(srf, { mode: 'inbound', address: '127.0.0.1', port, secret: SECRET, pingIntervalMs: 0, reconnectMaxDelayMs: 300, log: silent, metrics: { connected() {}, reconnect() {} } });
  stops.push(() => standin.close(), () => link.stop());
  const dispositions = createDispositionRecorder({ node: 'n1', write: (r) => records.push(r), now: Date.now, log: silent, maxTracked: 10, maxTrackedAgeMs: 60_000, expectRelease: true });
  srf.invite(createInviteHandler({
    srf, endSession: () => undefined, screen: () => ALLOW, reply: REPLY, dispositions, metrics, log: silent, now: Date.now,
    ...overrides,
    settings: { ...cfg, trunkAllowAction: new Map(), selectorHeaderNames: [], ...overrides.settings },
  }));
  await link.start();
  const conn = await standin.waitForApp({ routes: ['invite'] });
  return { standin, conn, srf, records, metrics };
}

/** Sends an INVITE and returns every response the app wrote for it once it settles (plus a grace period). */
async function invite(r: Rig, source = '127.0.0.1', graceMs = 50, timeoutMs = 2000): Promise<{ responses: { status: number; reason: string; headers: Record<string, string> }[]; transactionId: string }> {
  const sent = r.conn.sendRequest(inviteText({ source }).text, { sourceAddress: source });
  const responses = await Promise.race([sent.responses, sleep(timeoutMs).then(() => [])]);
  await sleep(graceMs);
  return { responses: [...responses], transactionId: sent.transactionId };
}

describe('drachtio front: exactly one final response per INVITE', () => {
  it('sends the last-resort 500 once when the screening throws (it never does: it answers screening-error itself)', async () => {
    const r = await rig({ screen: () => { throw new Error('screening bug'); } });
    const { responses, transactionId } = await invite(r);

    expect(responses.map((x) => [x.status, x.reason])).toEqual([[500, 'Server Internal Error']]);
    expect(r.standin.frames.filter((f) => f.dir === 'app->server' && f.payload.includes(`|sip|${transactionId}|`))).toHaveLength(1);
    expect(r.records).toEqual([]);
  });

  it('sends the last-resort 500 when the handler itself fails before answering', async () => {
    const r = await rig({ now: () => { throw new Error('clock broke'); } });
    const { responses } = await invite(r);

    expect(responses.map((x) => [x.status, x.reason, x.headers['x-reason']])).toEqual([[500, 'Server Internal Error', undefined]]);
  });

  it('sends nothing more when the handler fails after answering', async () => {
    const metrics = { ...createRecordingFrontMetrics(), response: () => { throw new Error('metrics bug'); } };
    const r = await rig({ metrics });
    const { responses, transactionId } = await invite(r);

    expect(responses.map((x) => x.status)).toEqual([302]);
    expect(r.standin.frames.filter((f) => f.dir === 'app->server' && f.payload.includes(`|sip|${transactionId}|`))).toHaveLength(1);
  });
});

describe('drachtio front: silent drop and unsendable statuses', () => {
  it('silentDropUnknown: no answer to an unknown trunk, no INVITE left pending in drachtio-srf, a dropped record', async () => {
    const r = await rig({ screen: () => UNKNOWN, settings: { silentDropUnknown: true } });
    const { transactionId } = await invite(r, '127.0.0.4', 0, 300);

    expect(r.standin.frames.filter((f) => f.dir === 'app->server' && f.payload.includes(`|sip|${transactionId}|`))).toHaveLength(0);
    const pending = (r.srf as unknown as { _app: { client: { mapServer: Map<unknown, { pendingNetworkInvites: Map<string, unknown> }> } } })._app.client.mapServer;
    expect([...pending.values()].map((o) => o.pendingNetworkInvites.size)).toEqual([0]);
    expect(r.records).toEqual([expect.objectContaining({ event: 'dropped', cause: 'unknown-trunk', sipStatus: null })]);
  });

  it('still answers other rejections with silentDropUnknown on', async () => {
    const designated: Decision = { kind: 'reject', reason: 'provider-designated', evidence: {}, answer: { status: 603, phrase: 'Decline' } };
    const r = await rig({ screen: () => designated, settings: { silentDropUnknown: true } });

    expect((await invite(r, '127.0.0.3')).responses.map((x) => x.status)).toEqual([603]);
  });

  it('knows drachtio-srf cannot send 607/608 and sends 603 with the configured phrase instead of throwing', async () => {
    const unwanted: Decision = { kind: 'reject', reason: 'provider-designated', evidence: {}, answer: { status: 607, phrase: 'Unwanted' } };
    const r = await rig({ screen: () => unwanted });

    expect([isSendableStatus(607), isSendableStatus(608), isSendableStatus(603), isSendableStatus(403)]).toEqual([false, false, true, true]);
    expect((await invite(r, '127.0.0.3')).responses.map((x) => [x.status, x.reason, x.headers['x-reason']])).toEqual([[603, 'Unwanted', 'provider-designated']]);
  });

  it('refuses a 607 or 608 answer in config validation when the front is drachtio', () => {
    const yaml = drachtioConfigYaml('/tmp/unused', 9022).replace('unknown-trunk: { action: block, status: 403 }', 'unknown-trunk: { action: block, status: 607 }\n    provider-designated: { status: 608 }');

    expect(() => parseConfigText(yaml, 'drachtio.yaml', {})).toThrow(/policy\.reasons\.unknown-trunk\.status: 607 cannot be sent through drachtio-srf[\s\S]*provider-designated\.status: 608/);
    expect(() => parseConfigText(yaml.replace('front: drachtio', 'front: builtin'), 'builtin.yaml', {})).not.toThrow();
  });
});
