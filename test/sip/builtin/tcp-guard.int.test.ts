/**
 * TCP that cannot be taken over (issue #12 item 3), over real loopback sockets: a flood of idle or trickling
 * connections from unknown sources cannot lock a configured trunk out, per-source caps hold, a message must arrive
 * within its deadline, a trickle does not extend idle, and a connection holding too many bytes is closed.
 * Small caps stand in for the measured 1,100-connection attack (total 64, reserve 8).
 */
import { describe, expect, it } from 'vitest';
import type { SipReply } from '../../../src/sip/shared/sip-reply.js';
import { type BuiltinSipServerOptions, createBuiltinSipServer } from '../../../src/sip/builtin/server.js';
import type { BuiltinTcpMetrics } from '../../../src/sip/builtin/ports.js';
import { builtinServerOptions } from '../../support/builtin-server.js';
import { recordReliability } from '../../support/reliability.js';
import { createRecordingFrontMetrics } from '../../support/recording-front-metrics.js';
import { type TcpSipTestClient, connectTcpSipClient, newBranch, sipRequest } from '../../support/sip-client.js';
import { closeAndCheckTcpAfterEach, waitUntil } from '../../support/wait.js';

const TRUNK = '127.0.0.1';
const BLOCK: SipReply = { status: 603, phrase: 'Decline', headers: [['X-Reason', 'provider-not-in-rmd']] };

interface CountingTcpMetrics extends BuiltinTcpMetrics {
  count(event: string): number;
}

function countingTcpMetrics(): CountingTcpMetrics {
  const counts = new Map<string, number>();
  const inc = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    refused: (reason) => inc(`refused:${reason}`),
    closed: (reason) => inc(`closed:${reason}`),
    count: (event) => counts.get(event) ?? 0,
  };
}

const cleanups = closeAndCheckTcpAfterEach(3000);

/** Starts a TCP-only server whose only trunk source is 127.0.0.1; returns its port and TCP metrics. */
async function startServer(overrides: Partial<BuiltinSipServerOptions> = {}): Promise<{ port: number; tcp: CountingTcpMetrics }> {
  const tcp = countingTcpMetrics();
  const front = createRecordingFrontMetrics();
  const server = createBuiltinSipServer(builtinServerOptions(() => BLOCK, {
    listen: [{ transport: 'tcp', address: '127.0.0.1', port: 0 }],
    metrics: front,
    builtinMetrics: front,
    maxTcpConnections: 64,
    tcpTrunkReserve: 8,
    maxTcpConnectionsPerSource: 4,
    maxTcpConnectionsPerTrunkSource: 16,
    tcpMaxBufferedBytes: 65_536,
    isTrunkSource: (address) => address === TRUNK,
    tcpMetrics: tcp,
    ...overrides,
  }));
  const [bound] = await server.start();
  cleanups.push(() => server.stop());
  return { port: bound?.port ?? 0, tcp };
}

async function connect(source: string, port: number): Promise<TcpSipTestClient> {
  const client = await connectTcpSipClient(source, port);
  cleanups.push(() => client.close());
  return client;
}

/** Opens `perSource` connections from each of `sources` loopback addresses 127.0.0.10 and up. */
async function flood(port: number, sources: number, perSource: number): Promise<TcpSipTestClient[]> {
  const clients: TcpSipTestClient[] = [];
  for (let i = 0; i < sources; i++) for (let j = 0; j < perSource; j++) clients.push(await connect(`127.0.0.${10 + i}`, port));
  return clients;
}

const isOpen = (c: TcpSipTestClient): boolean => !c.socket.destroyed && !c.socket.readableEnded;

function invite(source: string): string {
  return sipRequest({ via: `SIP/2.0/TCP ${source}:5099;branch=${newBranch()}` });
}

function options(source: string): string {
  return sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', via: `SIP/2.0/TCP ${source}:5099;branch=${newBranch()}` });
}

/** Sends one INVITE on a new connection from the trunk; resolves to the status, or rejects when the connection closed first. */
async function trunkInvite(port: number): Promise<number> {
  const client = await connect(TRUNK, port);
  await client.send(invite(TRUNK));
  return (await client.response(2000)).status;
}

/** Status of an OPTIONS on a new connection from `source`, or undefined when the connection is refused. */
async function optionsAnswered(source: string, port: number): Promise<number | undefined> {
  const client = await connect(source, port);
  await client.send(options(source)).catch(() => undefined);
  const res = await client.response(300).catch(() => undefined);
  await client.close();
  return res?.status;
}

describe('built-in TCP listener: admission under a flood from unknown sources', () => {
  it('keeps answering the trunk\'s TCP INVITEs while idle connections from 20 unknown sources fill the rest', async () => {
    const { port, tcp } = await startServer();

    const attackers = await flood(port, 20, 5);
    await waitUntil(() => tcp.count('refused:reserve') + tcp.count('refused:per-source') === 100 - 56, 2000, 'the flood to be refused beyond 56');

    expect(await trunkInvite(port)).toBe(603);
    expect(await trunkInvite(port)).toBe(603);
    const late = await connect('127.0.0.200', port);
    await late.closed();
    expect(tcp.count('refused:reserve')).toBeGreaterThan(0);
    expect(tcp.count('refused:per-source')).toBeGreaterThan(0);
    expect(attackers.filter(isOpen)).toHaveLength(56);
    recordReliability(import.meta.url, {
      attack: 'idle TCP connections from 20 unknown sources (total 64, reserve 8)', tried: 100, unit: 'connections', result: 'held',
      detail: `56 admitted, ${tcp.count('refused:reserve')} refused (reserve), ${tcp.count('refused:per-source')} (per source); the trunk's TCP INVITEs answered`,
    });
  });

  it('locks the trunk out without a reserve and per-source cap (the measured finding, at small scale)', async () => {
    const { port, tcp } = await startServer({ tcpTrunkReserve: 0, maxTcpConnectionsPerSource: 64 });

    await flood(port, 16, 4);
    const trunk = await connect(TRUNK, port);

    await trunk.closed();
    expect(tcp.count('refused:limit')).toBe(1);
  });

  it('keeps answering the trunk while trickling connections fill the unreserved slots, and closes the trickles at their message deadline', async () => {
    const { port, tcp } = await startServer({ tcpMessageTimeoutMs: 400 });
    const attackers = await flood(port, 14, 4);
    const text = invite('127.0.0.10');
    let sent = 0;
    const trickle = setInterval(() => {
      for (const a of attackers) if (isOpen(a)) a.socket.write(text.charAt(sent));
      sent++;
    }, 100);
    cleanups.push(() => clearInterval(trickle));

    const late = await connect('127.0.0.201', port);
    await late.closed();
    expect(await trunkInvite(port)).toBe(603);
    await waitUntil(() => tcp.count('closed:message-timeout') === 56, 2000, 'every trickling connection to be closed');
    await waitUntil(() => attackers.every((a) => !isOpen(a)), 2000, 'the attackers to see their connections closed');
    expect(await trunkInvite(port)).toBe(603);
    recordReliability(import.meta.url, {
      attack: 'slowloris: one byte per 100 ms on every unreserved TCP connection', tried: 56, unit: 'connections', result: 'held',
      detail: `all 56 closed at the 400 ms message deadline; the trunk answered before and after`,
    });
  });
});

describe('built-in TCP listener: per-source caps', () => {
  it('refuses a source\'s connection beyond its cap and admits other sources and the trunk beyond it', async () => {
    const { port, tcp } = await startServer({ maxTcpConnectionsPerSource: 3, maxTcpConnectionsPerTrunkSource: 6 });
    const own = [await connect('127.0.0.30', port), await connect('127.0.0.30', port), await connect('127.0.0.30', port)];

    const fourth = await connect('127.0.0.30', port);
    const other = await connect('127.0.0.31', port);
    const trunks = await Promise.all(Array.from({ length: 6 }, () => connect(TRUNK, port)));

    await fourth.closed();
    expect(tcp.count('refused:per-source')).toBe(1);
    await other.send(options('127.0.0.31'));
    expect((await other.response()).status).toBe(200);
    for (const t of trunks) await t.send(invite(TRUNK));
    for (const t of trunks) expect((await t.response()).status).toBe(603);
    await own[0]!.close();
    const answered = await waitUntil(() => optionsAnswered('127.0.0.30', port), 2000, 'the closed connection\'s slot to be free');
    expect(answered).toBe(200);
  });
});

describe('built-in TCP listener: deadlines', () => {
  it('closes a connection whose message is still incomplete at tcpMessageTimeoutMs after its first byte', async () => {
    const { port, tcp } = await startServer({ tcpMessageTimeoutMs: 300 });
    const slow = await connect('127.0.0.40', port);
    const text = invite('127.0.0.40');
    const startedAt = Date.now();
    let i = 0;
    const trickle = setInterval(() => void (isOpen(slow) && slow.socket.write(text.charAt(i++))), 50);
    cleanups.push(() => clearInterval(trickle));

    await slow.closed(2000);

    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(tcp.count('closed:message-timeout')).toBe(1);
  });

  it('answers a message split over writes within the deadline', async () => {
    const { port, tcp } = await startServer({ tcpMessageTimeoutMs: 300 });
    const client = await connect('127.0.0.41', port);
    const text = invite('127.0.0.41');

    await client.send(text.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.send(text.slice(40));

    expect((await client.response()).status).toBe(603);
    expect(tcp.count('closed:message-timeout')).toBe(0);
  });

  it('closes at tcpIdleTimeoutMs after the last complete message although bytes keep trickling in', async () => {
    const { port, tcp } = await startServer({ tcpIdleTimeoutMs: 400 });
    const client = await connect('127.0.0.42', port);
    await client.send(options('127.0.0.42'));
    await client.response();
    const answeredAt = Date.now();
    const text = invite('127.0.0.42');
    let i = 0;
    const trickle = setInterval(() => void (isOpen(client) && client.socket.write(text.charAt(i++))), 50);
    cleanups.push(() => clearInterval(trickle));

    await client.closed(2000);

    expect(Date.now() - answeredAt).toBeLessThan(1200);
    expect(tcp.count('closed:idle')).toBe(1);
  });

  it('keeps a connection that sends complete messages more often than tcpIdleTimeoutMs', async () => {
    const { port, tcp } = await startServer({ tcpIdleTimeoutMs: 400 });
    const client = await connect('127.0.0.43', port);

    for (let n = 0; n < 5; n++) {
      await client.send(n % 2 === 0 ? options('127.0.0.43') : '\r\n\r\n');
      await client.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    expect(isOpen(client)).toBe(true);
    expect(tcp.count('closed:idle')).toBe(0);
  });
});

describe('built-in TCP listener: bytes held per connection', () => {
  it('closes a connection whose unread responses exceed tcpMaxBufferedBytes', async () => {
    const { port, tcp } = await startServer({ tcpMaxBufferedBytes: 16_384 });
    const reader = await connect('127.0.0.50', port);
    reader.socket.pause();
    const vias = Array.from({ length: 40 }, (_, n) => `Via: SIP/2.0/TCP 192.0.2.${n}:5060;branch=${newBranch()}`);
    const fat = sipRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1', via: `SIP/2.0/TCP 127.0.0.50:5099;branch=${newBranch()}`, extra: vias });
    let written = 0;

    while (isOpen(reader) && tcp.count('closed:buffer') === 0 && written < 20_000) {
      reader.socket.write(fat);
      written++;
      if (written % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waitUntil(() => tcp.count('closed:buffer') === 1, 3000, 'the connection to be closed for its buffer');

    expect(written).toBeLessThan(20_000);
  });
});
