import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/screening/ports.js';
import type { InviteFacts } from '../../../src/screening/model.js';
import type { SipReply } from '../../../src/sip/shared/sip-reply.js';
import {
  type BuiltinSipServer,
  type BuiltinSipServerOptions,
  createBuiltinSipServer,
} from '../../../src/sip/builtin/server.js';
import { builtinServerOptions } from '../../support/builtin-server.js';
import { type RecordingFrontMetrics, createRecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import {
  type SipTestClient,
  connectTcpSipClient,
  createUdpSipClient,
  newBranch,
  sipRequest,
} from '../../support/sip-client.js';
import { recordingLog } from '../../support/fakes.js';

const MAX_MESSAGE_BYTES = 4096;

type LogLine = { level: string; msg: string | undefined; obj: object };

const ALLOW_REPLY: SipReply = {
  status: 302,
  phrase: 'Moved Temporarily',
  headers: [
    ['Contact', '<sip:+12025550123@core.example.net;user=phone>'],
    ['X-RMDGate-Verdict', 'allow'],
  ],
};
const BLOCK_REPLY: SipReply = {
  status: 603,
  phrase: 'Decline',
  headers: [
    ['Reason', 'SIP;cause=603;text="provider-not-in-rmd"'],
    ['X-Reason', 'provider-not-in-rmd'],
  ],
};

/** Test use case: the Request-URI user picks the outcome. */
function createTestHandler() {
  const facts: InviteFacts[] = [];
  const onInvite = (f: InviteFacts): SipReply => {
    facts.push(f);
    const user = /^sips?:([^@;]+)@/.exec(f.requestUri)?.[1] ?? '';
    if (user === 'throw') throw new Error('handler exploded');
    if (user === 'provisional') return { status: 180, phrase: 'Ringing', headers: [] };
    if (user.startsWith('+1202')) return ALLOW_REPLY;
    return BLOCK_REPLY;
  };
  return { facts, onInvite };
}

function serverOptions(
  metrics: RecordingFrontMetrics,
  log: Logger,
  onInvite: BuiltinSipServerOptions['onInvite'],
  overrides: Partial<BuiltinSipServerOptions> = {},
): BuiltinSipServerOptions {
  return builtinServerOptions(onInvite, {
    metrics,
    builtinMetrics: metrics,
    log,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    selectorHeaderNames: ['x-trunk-id'],
    serverHeader: 'rmdgate/test',
    ...overrides,
  });
}

function headerLines(raw: string): string[] {
  return raw.split(/\r\n|\r|\n/);
}

describe('built-in SIP server', () => {
  const metrics = createRecordingFrontMetrics();
  const logLines: LogLine[] = [];
  const handler = createTestHandler();
  let clock = 1_700_000_000_000;
  const server = createBuiltinSipServer(
    serverOptions(metrics, recordingLog(logLines), handler.onInvite, { now: () => clock }),
  );
  const clients: SipTestClient[] = [];
  let udpPort = 0;
  let tcpPort = 0;

  const udp = async (address = '127.0.0.2', localPort = 0): Promise<SipTestClient> => {
    const client = await createUdpSipClient(address, udpPort, localPort);
    clients.push(client);
    return client;
  };
  const tcp = async (address = '127.0.0.4') => {
    const client = await connectTcpSipClient(address, tcpPort);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const bound = await server.start();
    udpPort = bound.find((b) => b.transport === 'udp')?.port ?? 0;
    tcpPort = bound.find((b) => b.transport === 'tcp')?.port ?? 0;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    metrics.reset();
    handler.facts.length = 0;
  });
  afterAll(() => server.stop());

  describe('INVITE over UDP', () => {
    it('answers 302 with Contact, the copied headers, a To tag and rport/received on the top Via', async () => {
      const client = await udp();
      const branch = newBranch();
      const via = `SIP/2.0/UDP 127.0.0.2:5099;branch=${branch};rport`;
      const secondVia = 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-upstream';

      await client.send(sipRequest({ via: `${via},${secondVia}`, callId: 'c-302@test', extra: ['X-Trunk-Id: t1'] }));
      const res = await client.response();

      expect(res.status).toBe(302);
      expect(res.phrase).toBe('Moved Temporarily');
      expect(res.all('Via')).toEqual([
        `SIP/2.0/UDP 127.0.0.2:5099;branch=${branch};rport=${client.localPort};received=127.0.0.2`,
        secondVia,
      ]);
      expect(res.get('From')).toBe('"Caller" <sip:+13035550100@example.net>;tag=from-1');
      expect(res.get('To')).toMatch(/^<sip:\+12025550123@example\.com>;tag=[\w-]+$/);
      expect(res.get('Call-ID')).toBe('c-302@test');
      expect(res.get('CSeq')).toBe('1 INVITE');
      expect(res.get('Server')).toBe('rmdgate/test');
      expect(res.get('Contact')).toBe('<sip:+12025550123@core.example.net;user=phone>');
      expect(res.get('X-RMDGate-Verdict')).toBe('allow');
      expect(res.headers.at(-1)).toEqual(['Content-Length', '0']);
      expect(handler.facts[0]).toMatchObject({
        transport: 'udp',
        sourceAddress: '127.0.0.2',
        sourcePort: client.localPort,
        callId: 'c-302@test',
        selectorHeaders: { 'x-trunk-id': 't1' },
      });
      expect(metrics.count('message', 'INVITE', 'udp')).toBe(1);
      expect(metrics.count('response', 302, 'udp')).toBe(1);
    });

    it('answers 603 with Reason and X-Reason', async () => {
      const client = await udp();

      await client.send(sipRequest({ uri: 'sip:+15555550100@127.0.0.1' }));
      const res = await client.response();

      expect(res.status).toBe(603);
      expect(res.get('Reason')).toBe('SIP;cause=603;text="provider-not-in-rmd"');
      expect(res.get('X-Reason')).toBe('provider-not-in-rmd');
    });

    it('sends to the Via sent-by port without rport, adding received only when sent-by differs from the source', async () => {
      const client = await udp('127.0.0.3');
      const port = client.localPort;

      await client.send(sipRequest({ via: `SIP/2.0/UDP 127.0.0.3:${port};branch=${newBranch()};maddr=127.0.0.9` }));
      const same = await client.response();
      await client.send(sipRequest({ via: `SIP/2.0/UDP pbx.example.net:${port};branch=${newBranch()}` }));
      const other = await client.response();

      expect(same.get('Via')).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.3:${port};branch=[^;]+;maddr=127\\.0\\.0\\.9$`));
      expect(other.get('Via')).toMatch(/;received=127\.0\.0\.3$/);
    });

    it('answers a retransmitted INVITE with the identical bytes without calling the handler again', async () => {
      const client = await udp();
      const invite = sipRequest();

      await client.send(invite);
      const first = await client.next();
      await client.send(invite);
      const second = await client.next();

      expect(second).toBe(first);
      expect(handler.facts).toHaveLength(1);
      expect(metrics.count('retransmission', 'INVITE', 'udp')).toBe(1);
      expect(metrics.count('response')).toBe(1);
    });

    it('keeps the final response 5 s (Timer I = T4) after the ACK instead of the full transaction TTL', async () => {
      const client = await udp();
      const common = { via: `SIP/2.0/UDP 127.0.0.2:5099;branch=${newBranch()};rport`, callId: `timer-i-${newBranch()}@test` };
      const unacked = { via: `SIP/2.0/UDP 127.0.0.2:5099;branch=${newBranch()};rport`, callId: `timer-i-${newBranch()}@test` };
      const invite = sipRequest({ ...common, cseq: '7 INVITE' });
      const other = sipRequest({ ...unacked, cseq: '7 INVITE' });

      await client.send(invite);
      const first = await client.next();
      await client.send(other);
      await client.next();
      await client.send(sipRequest({ ...common, method: 'ACK', cseq: '7 ACK' }));
      await client.none();
      clock += 4_000;
      await client.send(invite);
      const within = await client.next();
      clock += 2_000;
      await client.send(invite);
      await client.next();
      await client.send(other);
      await client.next();

      expect(within).toBe(first);
      // 6 s after its ACK the acknowledged transaction is gone (the INVITE is screened again); the other is still cached.
      expect(handler.facts.map((f) => f.callId)).toEqual([common.callId, unacked.callId, common.callId]);
    });

    it('forgets an acknowledged transaction at once over TCP (Timer I = 0)', async () => {
      const client = await tcp();
      const common = { via: `SIP/2.0/TCP 127.0.0.4:5099;branch=${newBranch()}`, callId: `timer-i-tcp-${newBranch()}@test` };
      const invite = sipRequest({ ...common, cseq: '3 INVITE' });

      await client.send(invite);
      await client.next();
      await client.send(invite);
      await client.next();
      await client.send(sipRequest({ ...common, method: 'ACK', cseq: '3 ACK' }));
      await client.send(invite);
      await client.next();

      expect(handler.facts.map((f) => f.callId)).toEqual([common.callId, common.callId]);
    });

    it('absorbs ACK without a response', async () => {
      const client = await udp();

      await client.send(sipRequest({ method: 'ACK' }));

      await client.none();
      expect(metrics.count('message', 'ACK', 'udp')).toBe(1);
    });

    it('answers CANCEL 200 with the INVITE To tag for a known transaction and 481 otherwise', async () => {
      const client = await udp();
      const via = `SIP/2.0/UDP 127.0.0.2:5099;branch=${newBranch()};rport`;
      const common = { via, callId: 'cancel-1@test' };

      await client.send(sipRequest({ ...common, cseq: '5 INVITE' }));
      const invite = await client.response();
      await client.send(sipRequest({ ...common, method: 'CANCEL', cseq: '5 CANCEL' }));
      const cancel = await client.response();
      await client.send(sipRequest({ method: 'CANCEL' }));
      const unknown = await client.response();

      expect(cancel.status).toBe(200);
      expect(cancel.get('To')).toBe(invite.get('To'));
      expect(unknown.status).toBe(481);
      expect(unknown.phrase).toBe('Call/Transaction Does Not Exist');
    });

    it.each([
      { name: 'OPTIONS → 200 with Allow and Accept', method: 'OPTIONS', status: 200, accept: 'application/sdp' },
      { name: 'REGISTER → 405 with Allow', method: 'REGISTER', status: 405, accept: undefined },
    ])('answers $name', async ({ method, status, accept }) => {
      const client = await udp();

      await client.send(sipRequest({ method, uri: 'sip:127.0.0.1' }));
      const res = await client.response();

      expect(res.status).toBe(status);
      expect(res.get('Allow')).toBe('INVITE, ACK, CANCEL, OPTIONS');
      expect(res.get('Accept')).toBe(accept);
      expect(metrics.count('message', method, 'udp')).toBe(1);
    });

    it('answers 481 to an in-dialog INVITE (To tag present) without calling the handler', async () => {
      const client = await udp();

      await client.send(sipRequest({ to: '<sip:+12025550123@example.com>;tag=dialog-1' }));
      const res = await client.response();

      expect(res.status).toBe(481);
      expect(res.get('To')).toBe('<sip:+12025550123@example.com>;tag=dialog-1');
      expect(handler.facts).toHaveLength(0);
    });

    it('answers 483 when Max-Forwards is 0', async () => {
      const client = await udp();

      await client.send(sipRequest({ maxForwards: '0' }));

      expect((await client.response()).status).toBe(483);
      expect(handler.facts).toHaveLength(0);
    });
  });

  describe('malformed and hostile input', () => {
    it('answers 400 to an INVITE without Call-ID and counts it', async () => {
      const client = await udp();

      await client.send(sipRequest({ callId: null }));
      const res = await client.response();

      expect(res.status).toBe(400);
      expect(res.get('Call-ID')).toBeUndefined();
      expect(metrics.count('malformed', 'missing-header', 'udp')).toBe(1);
      expect(logLines.some((l) => l.level === 'warn' && l.msg === 'sip message malformed')).toBe(true);
    });

    it.each([
      { name: 'a garbage start line', text: 'HELLO THERE\r\nVia: SIP/2.0/UDP 127.0.0.2\r\n\r\n', kind: 'parse' },
      { name: 'a missing Via', text: sipRequest({ via: null }), kind: 'missing-header' },
    ])('drops $name silently and counts it', async ({ text, kind }) => {
      const client = await udp();

      await client.send(text);

      await client.none();
      expect(metrics.count('malformed', kind, 'udp')).toBe(1);
    });

    it('logs malformed messages at most once per second per kind, counting the suppressed ones', async () => {
      const client = await udp();
      const garbage = 'HELLO THERE\r\n\r\n';
      const parseWarnings = () => logLines.filter((l) => l.level === 'warn' && 'kind' in l.obj && l.obj.kind === 'parse');
      clock += 1000;
      const before = parseWarnings().length;

      for (let i = 0; i < 3; i++) await client.send(garbage);
      await vi.waitFor(() => expect(metrics.count('malformed', 'parse', 'udp')).toBe(3));
      clock += 1000;
      await client.send(garbage);
      await vi.waitFor(() => expect(metrics.count('malformed', 'parse', 'udp')).toBe(4));

      expect(parseWarnings().slice(before).map((l) => 'suppressed' in l.obj && l.obj.suppressed)).toEqual([0, 2]);
    });

    it('answers 513 to an oversized datagram', async () => {
      const client = await udp();

      await client.send(sipRequest({ extra: [`X-Pad: ${'p'.repeat(MAX_MESSAGE_BYTES)}`] }));

      expect((await client.response()).status).toBe(513);
      expect(metrics.count('malformed', 'oversize', 'udp')).toBe(1);
      expect(handler.facts).toHaveLength(0);
    });

    it.each([
      { name: 'bare LF in From', edit: { from: '<sip:a@example.net>;tag=x\nX-Injected: 1' } },
      { name: 'bare CR in To', edit: { to: '<sip:b@example.com>\rX-Injected: 2' } },
      { name: 'NUL and LF in Call-ID', edit: { callId: 'abc\0def\nX-Injected: 3' } },
    ])('never reflects an injected header line ($name)', async ({ edit }) => {
      const client = await udp();

      await client.send(sipRequest(edit));
      const res = await client.response();

      expect(res.status).toBe(302);
      expect(headerLines(res.raw).filter((l) => /^x-injected/i.test(l))).toEqual([]);
      expect(res.raw).not.toContain('\0');
      expect(res.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    });

    it.each([
      { name: 'throws', uri: 'sip:throw@127.0.0.1', logged: 'invite handler failed' },
      { name: 'returns a reply that is not final', uri: 'sip:provisional@127.0.0.1', logged: 'invite handler returned no final reply' },
    ])('answers exactly one 500 when the handler $name', async ({ uri, logged }) => {
      const client = await udp();
      logLines.length = 0;

      await client.send(sipRequest({ uri }));

      expect((await client.response()).status).toBe(500);
      await client.none();
      expect(logLines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([logged]);
    });
  });

  describe('INVITE over TCP', () => {
    it('answers two messages written at once, in order, on the same connection', async () => {
      const client = await tcp();
      const via = () => `SIP/2.0/TCP 127.0.0.4:5099;branch=${newBranch()}`;

      await client.send(sipRequest({ via: via(), callId: 'a@t' }) + sipRequest({ via: via(), callId: 'b@t' }));
      const first = await client.response();
      const second = await client.response();

      expect([first.get('Call-ID'), second.get('Call-ID')]).toEqual(['a@t', 'b@t']);
      expect(handler.facts.map((f) => f.transport)).toEqual(['tcp', 'tcp']);
      expect(metrics.count('message', 'INVITE', 'tcp')).toBe(2);
    });

    it('answers one message split over three writes, and a keepalive ping with a pong', async () => {
      const client = await tcp();
      const text = sipRequest({ via: `SIP/2.0/TCP 127.0.0.4:5099;branch=${newBranch()}`, body: 'v=0\r\n' });

      await client.send('\r\n\r\n');
      const pong = await client.next();
      await client.send(text.slice(0, 30));
      await client.send(text.slice(30, 200));
      await client.send(text.slice(200));
      const res = await client.response();

      expect(pong).toBe('\r\n');
      expect(res.status).toBe(302);
      expect(handler.facts).toHaveLength(1);
    });

    it('answers 400 and closes the connection when Content-Length is missing', async () => {
      const client = await tcp();

      await client.send(sipRequest({ via: `SIP/2.0/TCP 127.0.0.4;branch=${newBranch()}`, contentLength: null }));

      expect((await client.response()).status).toBe(400);
      await client.closed();
      expect(metrics.count('malformed', 'content-length', 'tcp')).toBe(1);
    });

    it.each([
      { name: 'declared body', text: () => sipRequest({ contentLength: MAX_MESSAGE_BYTES }) },
      { name: 'unframed header block', text: () => sipRequest({ extra: [`X-Pad: ${'p'.repeat(MAX_MESSAGE_BYTES)}`] }) },
    ])('answers 513 and closes on an oversized $name', async ({ text }) => {
      const client = await tcp();

      await client.send(text());

      expect((await client.response()).status).toBe(513);
      await client.closed();
      expect(metrics.count('malformed', 'oversize', 'tcp')).toBe(1);
    });
  });
});

describe('built-in SIP server limits and shutdown', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  async function startServer(overrides: Partial<BuiltinSipServerOptions>): Promise<[BuiltinSipServer, number, number]> {
    const handler = createTestHandler();
    const server = createBuiltinSipServer(serverOptions(createRecordingFrontMetrics(), recordingLog([]), handler.onInvite, overrides));
    const bound = await server.start();
    return [server, bound.find((b) => b.transport === 'udp')?.port ?? 0, bound.find((b) => b.transport === 'tcp')?.port ?? 0];
  }

  const options = (): string => sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', via: `SIP/2.0/TCP 127.0.0.5;branch=${newBranch()}` });

  it('closes TCP connections beyond maxTcpConnections at once and keeps serving the others', async () => {
    const [server, , tcpPort] = await startServer({ maxTcpConnections: 2 });
    const first = await connectTcpSipClient('127.0.0.5', tcpPort);
    const second = await connectTcpSipClient('127.0.0.5', tcpPort);
    await first.send(options());
    await first.response();
    await second.send(options());
    await second.response();
    open.push(first, second);

    const third = await connectTcpSipClient('127.0.0.5', tcpPort);
    open.push(third);

    await third.closed();
    await first.send(options());
    expect((await first.response()).status).toBe(200);
    await server.stop();
  });

  it('stop() closes the listeners and every connection, leaving no socket handle behind', async () => {
    const socketHandles = (): number => process.getActiveResourcesInfo().filter((r) => /^(UDP|TCP)/.test(r)).length;
    const handlesBefore = socketHandles();
    const [server, udpPort, tcpPort] = await startServer({});
    const tcpClient = await connectTcpSipClient('127.0.0.6', tcpPort);
    const udpClient = await createUdpSipClient('127.0.0.6', udpPort);
    expect(server.isListening()).toBe(true);

    await server.stop();

    expect(server.isListening()).toBe(false);
    await tcpClient.closed();
    await udpClient.send(sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1' }));
    await udpClient.none();
    await udpClient.close();
    await vi.waitFor(() => expect(socketHandles()).toBe(handlesBefore));
    await expect(
      new Promise((resolve, reject) => connect({ host: '127.0.0.1', port: tcpPort }).once('connect', resolve).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
