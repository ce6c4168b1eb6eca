import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InviteFacts } from '../../../src/screening/model.js';
import { createBuiltinSipServer } from '../../../src/sip/builtin/server.js';
import { builtinServerOptions } from '../../support/builtin-server.js';
import type { SipReply } from '../../../src/sip/shared/sip-reply.js';
import { createRecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import { type SipTestClient, connectTcpSipClient, createUdpSipClient, newBranch, sipRequest } from '../../support/sip-client.js';

const ALLOW: SipReply = { status: 302, phrase: 'Moved Temporarily', headers: [['Contact', '<sip:+12025550123@core.example.net>']] };

describe('built-in front: a request whose top Via is unusable', () => {
  const metrics = createRecordingFrontMetrics();
  const facts: InviteFacts[] = [];
  const server = createBuiltinSipServer(builtinServerOptions((f) => (facts.push(f), ALLOW), { metrics, builtinMetrics: metrics, maxTcpConnections: 8, maxTransactions: 100 }));
  const clients: SipTestClient[] = [];
  let udpPort = 0;
  let tcpPort = 0;

  beforeAll(async () => {
    const bound = await server.start();
    udpPort = bound.find((b) => b.transport === 'udp')?.port ?? 0;
    tcpPort = bound.find((b) => b.transport === 'tcp')?.port ?? 0;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    metrics.reset();
    facts.length = 0;
  });
  afterAll(() => server.stop());

  it.each([
    { name: 'sent-by port 0', via: (b: string) => `SIP/2.0/TCP 127.0.0.4:0;branch=${b}` },
    { name: 'sent-by port 65536', via: (b: string) => `SIP/2.0/TCP 127.0.0.4:65536;branch=${b}` },
    { name: 'no sent-by host', via: (b: string) => `SIP/2.0/TCP ;branch=${b}` },
  ])('answers 400 over TCP on the same connection ($name), echoing the Via as received', async ({ via }) => {
    const client = await connectTcpSipClient('127.0.0.4', tcpPort);
    clients.push(client);
    const value = via(newBranch());

    await client.send(sipRequest({ via: value, callId: 'via-tcp@t' }));
    const res = await client.response();

    expect(res.status).toBe(400);
    expect(res.all('Via')).toEqual([value.trim()]);
    expect(res.get('Call-ID')).toBe('via-tcp@t');
    expect(facts).toHaveLength(0);
    expect(metrics.count('malformed', 'bad-via', 'tcp')).toBe(1);
  });

  it('answers 400 over UDP to the source port when the unusable Via asks for rport', async () => {
    const client = await createUdpSipClient('127.0.0.2', udpPort);
    clients.push(client);
    const value = `SIP/2.0/UDP 127.0.0.2:0;branch=${newBranch()};rport`;

    await client.send(sipRequest({ via: value }));
    const res = await client.response();

    expect(res.status).toBe(400);
    expect(res.all('Via')).toEqual([value]);
    expect(metrics.count('malformed', 'bad-via', 'udp')).toBe(1);
  });

  it('drops a UDP request whose unusable Via gives no port to answer to, and counts it', async () => {
    const client = await createUdpSipClient('127.0.0.2', udpPort);
    clients.push(client);

    await client.send(sipRequest({ via: `SIP/2.0/UDP 127.0.0.2:0;branch=${newBranch()}` }));

    await client.none();
    expect(metrics.count('malformed', 'bad-via', 'udp')).toBe(1);
    expect(facts).toHaveLength(0);
  });
});
