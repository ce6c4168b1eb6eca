/**
 * The real drachtio-srf 5.0.29 client (unmodified) against the drachtio-server stand-in, over 127.0.0.1 only.
 * Test code only; expectations follow the recorded v0.9.4 traffic in test/fixtures/drachtio-wire.
 */
import Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { STACK_TIME_RE, UUID_V4_RE, cdrSummary, splitPayload } from '../../support/drachtio-wire.js';
import { createDrachtioStandin } from '../../support/drachtio-standin.js';
import { closeAndCheckTcpAfterEach, waitUntil } from '../../support/wait.js';
import { optionsText } from './harness.js';
import type { AppConn, DrachtioStandin, DrachtioStandinOptions, StandinFrame } from '../../support/drachtio-standin.js';
import { stopReconnecting } from '../../../src/sip/drachtio/srf-internals.js';

const SECRET = 'cymru';
const ALL_ROUTES = ['cdr:attempt', 'cdr:start', 'cdr:stop', 'options', 'invite'];
const SDP = ['v=0', 'o=user1 53655765 2353687637 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6004 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

let seq = 0;

/** An INVITE shaped like the recorded sipp UAC's. */
function inviteText(user: string, transport: 'UDP' | 'TCP' = 'UDP'): { text: string; callId: string; fromTag: string } {
  const n = ++seq;
  const callId = `${n}-client@127.0.0.1`;
  const text = [
    `INVITE sip:${user}@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:5081;branch=z9hG4bK-client-${n}`,
    `From: <sip:15551230000@127.0.0.1:5081>;tag=client${n}`,
    `To: <sip:${user}@127.0.0.1:5060>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:15551230000@127.0.0.1:5081;transport=${transport}>`,
    'Max-Forwards: 70',
    'Subject: stand-in client test',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n');
  return { text, callId, fromTag: `client${n}` };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** srf.disconnect(); it throws while drachtio-srf sits between reconnect attempts, so then stop its retry timer. */
function stopSrf(srf: Srf): void {
  try {
    srf.disconnect();
  } catch {
    stopReconnecting(srf);
  }
}

const cleanups = closeAndCheckTcpAfterEach(2000);

interface Rig {
  readonly standin: DrachtioStandin;
  readonly port: number;
  readonly srf: Srf;
  readonly errors: unknown[];
  readonly cdrs: { event: string; args: unknown[] }[];
}

async function rig(options: Partial<DrachtioStandinOptions> = {}): Promise<Rig> {
  const standin = createDrachtioStandin({ secret: SECRET, ...options });
  const { port } = await standin.listen();
  const srf = new Srf();
  const errors: unknown[] = [];
  srf.on('error', (err: unknown) => errors.push(err));
  cleanups.push(() => standin.close());
  cleanups.push(() => stopSrf(srf));
  return { standin, port, srf, errors, cdrs: [] };
}

/** Connects like the recorded app: cdr handlers, then `register` (options/invite handlers); resolves on srf 'connect'. */
async function connect(r: Rig, register: (srf: Srf) => void, extra: Record<string, unknown> = {}): Promise<{ conn: AppConn; connectArgs: unknown[] }> {
  const connected = new Promise<unknown[]>((resolve) => r.srf.on('connect', (...args: unknown[]) => resolve(args)));
  const config = { host: '127.0.0.1', port: r.port, secret: SECRET, ...extra };
  r.srf.connect(config);
  r.srf.on('cdr:attempt', (...args: unknown[]) => r.cdrs.push({ event: 'attempt', args }));
  r.srf.on('cdr:start', (...args: unknown[]) => r.cdrs.push({ event: 'start', args }));
  r.srf.on('cdr:stop', (...args: unknown[]) => r.cdrs.push({ event: 'stop', args }));
  register(r.srf);
  const conn = await r.standin.waitForApp({ routes: ALL_ROUTES });
  return { conn, connectArgs: await connected };
}

function typesAfter(frames: readonly StandinFrame[], from: number, conn: AppConn): string[] {
  return frames
    .slice(from)
    .filter((f) => f.conn === conn.id)
    .map((f) => {
      const { fields } = splitPayload(f.payload);
      const type = fields[1] ?? '';
      if (type === 'response') return `response ${fields.slice(3).filter((x) => x !== '' && !UUID_V4_RE.test(x) && !STACK_TIME_RE.test(x) && !/^\d+$/.test(x)).slice(0, 3).join(' ')}`;
      if (type.startsWith('cdr:')) return `${type} ${fields.slice(2).filter((x) => !STACK_TIME_RE.test(x)).join(' ')}`;
      return `${f.dir === 'app->server' ? '>' : '<'} ${type}`;
    });
}


describe('drachtio-srf against the stand-in', () => {
  it('authenticates with the right secret and registers its routes', async () => {
    const r = await rig();
    const { conn, connectArgs } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((_req, res) => res.send(480));
    });
    expect(connectArgs).toEqual([null, 'tcp/127.0.0.1:5060,udp/127.0.0.1:5060', 'v0.9.4', 'tcp/127.0.0.1:5060,udp/127.0.0.1:5060']);
    expect([...conn.routes].sort()).toEqual([...ALL_ROUTES].sort());
    const appFrames = r.standin.frames.filter((f) => f.dir === 'app->server').map((f) => splitPayload(f.payload).fields.slice(1).join('|'));
    expect(appFrames).toEqual(['authenticate|cymru|', ...ALL_ROUTES.map((v) => `route|${v}`)]);

    const from = r.standin.frames.length;
    r.srf.use('register', (_req, res) => res.send(403));
    await waitUntil(() => conn.routes.has('register'), 2000, 'late route');
    await sleep(30);
    // drachtio-srf 5.0.29 never marks a route as sent, so a late registration re-sends every route
    expect(r.standin.frames.slice(from).filter((f) => f.dir === 'app->server').map((f) => splitPayload(f.payload).fields[2])).toEqual([...ALL_ROUTES, 'register']);
    expect(r.errors).toEqual([]);
  });

  it('with a wrong secret gets NO|incorrect secret, reports connect(err), and retries every ~255 ms', async () => {
    const r = await rig();
    const connectErrors: unknown[] = [];
    const reconnecting: unknown[] = [];
    r.srf.on('connect', (err: unknown) => connectErrors.push(err));
    const events: NodeJS.EventEmitter = r.srf;
    events.on('reconnecting', (info: unknown) => reconnecting.push(info));
    const authAt: number[] = [];
    r.standin.on('frame', (f: StandinFrame) => {
      if (f.dir !== 'app->server') return;
      authAt.push(f.at);
      if (authAt.length === 3) stopSrf(r.srf);
    });
    r.srf.connect({ host: '127.0.0.1', port: r.port, secret: 'wrong-secret' });
    await waitUntil(() => authAt.length === 3, 3000, 'three authenticate attempts');
    await sleep(600);
    expect(authAt).toHaveLength(3);
    expect(r.standin.connections).toHaveLength(3);
    const replies = r.standin.frames.filter((f) => f.dir === 'server->app').map((f) => splitPayload(f.payload).fields.slice(3).join('|'));
    expect(replies).toEqual(['NO|incorrect secret', 'NO|incorrect secret', 'NO|incorrect secret']);
    const gaps = authAt.slice(1).map((t, i) => t - (authAt[i] ?? t));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(250);
      expect(gap).toBeLessThan(800);
    }
    expect(connectErrors.length).toBeGreaterThanOrEqual(2);
    expect(connectErrors.every((e) => e instanceof Error && e.message === 'failed to authenticate to server')).toBe(true);
    expect(reconnecting.slice(0, 2)).toEqual([
      { delay: 255, attempt: 2 },
      { delay: 255, attempt: 2 },
    ]);
    expect(r.errors).toEqual([]);
  });

  it('OPTIONS -> 200; the echo has an empty transport and dialogId', async () => {
    const r = await rig();
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((_req, res) => res.send(480));
    });
    const sent = conn.sendRequest(optionsText('200001'));
    const res = await conn.nextResponse(sent.transactionId);
    expect(res).toMatchObject({ status: 200, reason: 'OK', accepted: true });
    expect(res.sent).toMatch(/^SIP\/2\.0 200 OK\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:5081;branch=z9hG4bK-opt-\d+;rport=5081\r\n/);
    await expect(sent.responses).resolves.toHaveLength(1);
    const echo = r.standin.frames.find((f) => f.dir === 'server->app' && splitPayload(f.payload).fields[4] === 'application');
    const fields = echo ? splitPayload(echo.payload).fields : [];
    expect([fields[6], fields[10], fields[11]]).toEqual(['', sent.transactionId, '']);
    expect(r.cdrs).toEqual([]);
  });

  it('INVITE -> 603 Network Blocked with Reason and X-Reason in the echo; srf sees the request meta and CDRs', async () => {
    const r = await rig();
    const echoes: { err: unknown; msg: Srf.SipMessage }[] = [];
    const reqs: Srf.SrfRequest[] = [];
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req, res) => {
        reqs.push(req);
        res.send(
          603,
          'Network Blocked',
          { headers: { Reason: 'SIP;cause=603;text="upstream-not-in-rmd"', 'X-Reason': 'upstream-not-in-rmd' } },
          (err: unknown, msg: Srf.SipMessage) => echoes.push({ err, msg }),
        );
      });
    });
    const { text, callId, fromTag } = inviteText('603001', 'TCP');
    const sent = conn.sendRequest(text, { transport: 'tcp', sourceAddress: '127.0.0.1', sourcePort: 5081 });
    const res = await conn.nextResponse(sent.transactionId);
    expect(res).toMatchObject({ status: 603, reason: 'Network Blocked', accepted: true });
    expect(res.headers['reason']).toBe('SIP;cause=603;text="upstream-not-in-rmd"');
    expect(res.headers['x-reason']).toBe('upstream-not-in-rmd');
    expect(res.sent).toContain('\r\nReason: SIP;cause=603;text="upstream-not-in-rmd"\r\nContent-Length: 0\r\nX-Reason: upstream-not-in-rmd\r\n\r\n');
    expect(res.sent).toMatch(/\r\nTo: <sip:603001@127\.0\.0\.1:5060>;tag=[A-Za-z0-9]{13}\r\n/);
    await waitUntil(() => echoes.length === 1 && r.cdrs.length === 2, 2000, 'echo and CDRs at srf');
    expect(echoes[0]?.msg.get('X-Reason')).toBe('upstream-not-in-rmd');
    expect(cdrSummary(r.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 603']);
    const meta = reqs[0] as unknown as Record<string, unknown>;
    expect([meta['source_address'], meta['source_port'], meta['protocol'], meta['receivedOn'], meta['stackTxnId']]).toEqual([
      '127.0.0.1',
      5081,
      'tcp',
      '127.0.0.1:5060',
      sent.transactionId,
    ]);
    const echo = r.standin.frames.find((f) => f.dir === 'server->app' && splitPayload(f.payload).fields[4] === 'application');
    expect(echo && splitPayload(echo.payload).fields.slice(6, 12)).toEqual(['tcp', '127.0.0.1', '5081', expect.stringMatching(STACK_TIME_RE), sent.transactionId, `${callId};from-tag=${fromTag}`]);
    expect(r.errors).toEqual([]);
  });

  it('proxyRequest to two destinations: 503 from the first, 200 from the second', async () => {
    const r = await rig();
    const results: { err: unknown; results: unknown }[] = [];
    r.standin.setProxyBehaviour((destination) =>
      destination === 'sip:127.0.0.1:5091' ? { status: 503 } : { status: 200, body: SDP, headers: { 'X-Target': 'b' } },
    );
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req) => {
        srf.proxyRequest(req, ['sip:127.0.0.1:5091', 'sip:127.0.0.1:5090'], {}, (err: unknown, res: unknown) => results.push({ err, results: res }));
      });
    });
    const from = r.standin.frames.length;
    const { text, callId } = inviteText('5090001');
    conn.sendRequest(text);
    const cmd = await conn.nextProxy();
    expect(cmd).toMatchObject({
      remainInDialog: false,
      fullResponse: true,
      followRedirects: false,
      forking: 'serial',
      provisionalTimeout: '',
      finalTimeout: '',
      destinations: ['sip:127.0.0.1:5091', 'sip:127.0.0.1:5090'],
    });
    expect(cmd.sip).toBe('INVITE sip:127.0.0.1:5091 SIP/2.0\r\nContent-Length: 0\r\n\r\n');
    await expect(cmd.outcome).resolves.toEqual({
      attempts: [
        { destination: 'sip:127.0.0.1:5091', status: 503, reason: 'Service Unavailable' },
        { destination: 'sip:127.0.0.1:5090', status: 200, reason: 'OK' },
      ],
      finalStatus: 200,
      connected: true,
      destination: 'sip:127.0.0.1:5090',
    });
    await waitUntil(() => results.length === 1 && r.cdrs.length === 5, 2000, 'srf proxy result and CDRs');
    expect(typesAfter(r.standin.frames, from, conn)).toEqual([
      '< sip',
      'cdr:attempt network',
      '> proxy',
      'cdr:attempt application',
      'response OK network udp',
      'cdr:attempt application',
      'cdr:start network proxy-uac',
      'response OK network udp',
      'response OK done',
      'cdr:start application proxy-uas',
    ]);
    const out = results[0]?.results as { connected: boolean; finalStatus: number; responses: { address: string; port: number; msgs: { status: number }[] }[] };
    expect(results[0]?.err).toBeNull();
    expect(out.connected).toBe(true);
    expect(out.finalStatus).toBe(200);
    // drachtio-srf 5.0.29 groups by `port === previous port` (inverted), so both targets land in one entry
    expect(out.responses.map((x) => [x.port, x.msgs.map((m) => m.status)])).toEqual([[5091, [503, 200]]]);
    const forwarded = r.cdrs.filter((c) => c.event === 'attempt' && c.args[0] === 'application').map((c) => (c.args[2] as { uri: string }).uri);
    expect(forwarded).toEqual(['sip:127.0.0.1:5091', 'sip:127.0.0.1:5090']);
    expect(conn.sendBye(callId)).toBe(false);
  });

  it('proxyRequest with recordRoute: BYE from the caller -> cdr:stop network then application normal-release', async () => {
    const r = await rig();
    r.standin.setProxyBehaviour(() => ({ status: 200, body: SDP }));
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req) => srf.proxyRequest(req, 'sip:127.0.0.1:5090', { recordRoute: true }));
    });
    const { text, callId } = inviteText('5091001');
    conn.sendRequest(text);
    const cmd = await conn.nextProxy();
    expect(cmd.remainInDialog).toBe(true);
    await expect(cmd.outcome).resolves.toMatchObject({ connected: true });
    await waitUntil(() => r.cdrs.length === 4, 2000, 'start CDRs');
    const forwarded = r.cdrs[1]?.args[2] as Srf.SipMessage;
    expect(forwarded.get('Record-Route')).toBe('<sip:127.0.0.1:5060;lr>');
    expect(conn.sendBye(callId)).toBe(true);
    await waitUntil(() => r.cdrs.length === 6, 2000, 'stop CDRs');
    expect(cdrSummary(r.cdrs).slice(4)).toEqual(['stop network normal-release BYE', 'stop application normal-release BYE']);
    const byes = r.cdrs.slice(4).map((c) => (c.args[3] as Srf.SipMessage).getParsedHeader('Via').map((v) => v.host));
    expect(byes).toEqual([['127.0.0.1'], ['127.0.0.1', '127.0.0.1']]);
  });

  it('proxyRequest where every target fails: best final response, done, then cdr:stop call-rejected', async () => {
    const r = await rig();
    const results: unknown[] = [];
    r.standin.setProxyBehaviour((destination) => (destination.endsWith('5091') ? { status: 503 } : { status: 486 }));
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req) => srf.proxyRequest(req, ['sip:127.0.0.1:5091', 'sip:127.0.0.1:5092'], {}, (_e: unknown, res: unknown) => results.push(res)));
    });
    conn.sendRequest(inviteText('5091001').text);
    const cmd = await conn.nextProxy();
    await expect(cmd.outcome).resolves.toMatchObject({ finalStatus: 486, connected: false, destination: 'sip:127.0.0.1:5092' });
    await waitUntil(() => results.length === 1 && r.cdrs.length === 4, 2000, 'srf result');
    expect(results[0]).toMatchObject({ connected: false, finalStatus: 486 });
    expect(cdrSummary(r.cdrs).at(-1)).toBe('stop application call-rejected 486');
  });

  it('CANCEL after 180: cdr:stop call-canceled, the cancel event, and NOK for a late answer', async () => {
    const r = await rig();
    const cancels: unknown[] = [];
    const late: unknown[] = [];
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((req, res) => {
        req.on('cancel', () => {
          cancels.push(req.get('Call-ID'));
          res.send(480, (err: unknown) => late.push(err));
        });
        res.send(180);
      });
    });
    const { text, callId } = inviteText('4872001');
    const sent = conn.sendRequest(text);
    expect((await conn.nextResponse(sent.transactionId)).status).toBe(180);
    expect(conn.sendCancel(sent.transactionId)).toBe(true);
    const lateRes = await conn.nextResponse(sent.transactionId);
    expect(lateRes).toMatchObject({ status: 480, accepted: false, sent: undefined });
    await waitUntil(() => late.length === 1, 2000, 'NOK at srf');
    expect(late[0]).toBe('Response not sent due to unknown transaction');
    expect(cancels).toEqual([callId]);
    expect(cdrSummary(r.cdrs)).toEqual(['attempt network INVITE', 'stop network call-canceled INVITE']);
    const cancelFrame = r.standin.frames.find((f) => f.payload.includes('\r\nCANCEL '));
    expect(cancelFrame && splitPayload(cancelFrame.payload).fields).toHaveLength(11);
  });

  it('an app frame over 12228 bytes is never processed and silences the connection', async () => {
    const r = await rig();
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((_req, res) => res.send(603, { headers: { 'X-Big': 'a'.repeat(20000) } }));
    });
    const invite = conn.sendRequest(inviteText('9001').text);
    await waitUntil(() => conn.stalledAt, 2000, 'stall');
    expect(conn.stalledAt).toBeGreaterThan(12228);
    await expect(conn.nextResponse(invite.transactionId, 300)).rejects.toThrow(/timed out/);
    const options = conn.sendRequest(optionsText('200002'));
    await expect(conn.nextResponse(options.transactionId, 300)).rejects.toThrow(/timed out/);
    expect(conn.closed).toBe(false);
  });

  it('reconnects by itself after the server drops the connection', async () => {
    const r = await rig();
    const reconnecting: unknown[] = [];
    const events: NodeJS.EventEmitter = r.srf;
    events.on('reconnecting', (info: unknown) => reconnecting.push(info));
    const { conn } = await connect(r, (srf) => {
      srf.use('options', (_req, res) => res.send(200));
      srf.invite((_req, res) => res.send(480));
    });
    const droppedAt = Date.now();
    r.standin.dropConnections();
    const conn2 = await r.standin.waitForApp({ routes: ALL_ROUTES, timeoutMs: 5000 });
    const elapsed = Date.now() - droppedAt;
    expect(conn2).not.toBe(conn);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
    expect(reconnecting).toEqual([{ delay: 255, attempt: 2 }]);
    const sent = conn2.sendRequest(optionsText('200003'));
    expect((await conn2.nextResponse(sent.transactionId)).status).toBe(200);
    expect(r.errors).toEqual([]);
  });

  it('enablePing: ping every pingInterval, answered OK|pong', async () => {
    const r = await rig();
    const { conn } = await connect(
      r,
      (srf) => {
        srf.use('options', (_req, res) => res.send(200));
        srf.invite((_req, res) => res.send(480));
      },
      { enablePing: true, pingInterval: 5000 },
    );
    const connectedAt = Date.now();
    const ping = await r.standin.nextFrame((f) => f.conn === conn.id && splitPayload(f.payload).fields[1] === 'ping', { fromIndex: 0, timeoutMs: 7000 });
    expect(ping.at - connectedAt).toBeGreaterThan(4500);
    const pingId = splitPayload(ping.payload).fields[0];
    const pong = await r.standin.nextFrame((f) => f.dir === 'server->app' && splitPayload(f.payload).fields[2] === pingId, { fromIndex: 0 });
    expect(splitPayload(pong.payload).fields.slice(3)).toEqual(['OK', 'pong']);
    const sent = conn.sendRequest(optionsText('200004'));
    expect((await conn.nextResponse(sent.transactionId)).status).toBe(200);
  }, 15_000);
});
