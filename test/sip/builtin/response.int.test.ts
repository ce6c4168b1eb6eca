/**
 * Echoed header values are byte-exact over real sockets: bytes 0x80–0xFF that are not UTF-8 come back as sent in
 * Via, From, To and Call-ID, while the screening facts read the same headers as UTF-8 text.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteFacts } from '../../../src/screening/model.js';
import { createBuiltinSipServer } from '../../../src/sip/builtin/server.js';
import { builtinServerOptions } from '../../support/builtin-server.js';
import type { SipReply } from '../../../src/sip/shared/sip-reply.js';

const ALLOW: SipReply = { status: 302, phrase: 'Moved Temporarily', headers: [['Contact', '<sip:+12025550123@core.example.net>'], ['X-Note', 'café']] };

/** Every byte 0x80–0xFF once, split into chunks: none of them forms valid UTF-8 in this order. */
const HIGH = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
const part = (i: number): Buffer => HIGH.subarray(i * 32, (i + 1) * 32);

function invite(transport: 'UDP' | 'TCP', port: number, tag: string): { bytes: Buffer; echoed: Record<string, Buffer> } {
  const echoed = {
    Via: Buffer.concat([Buffer.from(`SIP/2.0/${transport} 127.0.0.2:${port};rport;branch=z9hG4bK-${tag}`), part(0)]),
    From: Buffer.concat([Buffer.from('"'), part(1), Buffer.from('" <sip:+13035550100@example.net>;tag=f1')]),
    To: Buffer.concat([Buffer.from('<sip:+12025550123@example.com;x='), part(2), Buffer.from('>')]),
    'Call-ID': Buffer.concat([Buffer.from(`${tag}-`), part(3), Buffer.from('@test')]),
  };
  const line = (name: string, value: Buffer): Buffer => Buffer.concat([Buffer.from(`${name}: `), value, Buffer.from('\r\n')]);
  const bytes = Buffer.concat([
    Buffer.from('INVITE sip:+12025550123@127.0.0.1 SIP/2.0\r\n'),
    ...Object.entries(echoed).map(([name, value]) => line(name, value)),
    Buffer.from('Max-Forwards: 70\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n'),
  ]);
  return { bytes, echoed };
}

/** The raw value bytes of header `name` in a response (first occurrence). */
function headerBytes(response: Buffer, name: string): Buffer | undefined {
  const prefix = Buffer.from(`\r\n${name}: `);
  const at = response.indexOf(prefix);
  if (at < 0) return undefined;
  const start = at + prefix.length;
  return response.subarray(start, response.indexOf('\r\n', start));
}

describe('built-in front: echoed headers are byte-exact', () => {
  const facts: InviteFacts[] = [];
  const server = createBuiltinSipServer(builtinServerOptions((f) => (facts.push(f), ALLOW), { maxTcpConnections: 8, serverHeader: 'rmdgate/tést', maxTransactions: 100 }));
  let udpPort = 0;
  let tcpPort = 0;

  beforeAll(async () => {
    const bound = await server.start();
    udpPort = bound.find((b) => b.transport === 'udp')?.port ?? 0;
    tcpPort = bound.find((b) => b.transport === 'tcp')?.port ?? 0;
  });
  afterAll(() => server.stop());

  const expectEchoed = (response: Buffer, echoed: Record<string, Buffer>, port: number): void => {
    expect(response.subarray(0, 29).toString('latin1')).toBe('SIP/2.0 302 Moved Temporarily');
    expect(headerBytes(response, 'From')).toEqual(echoed['From']);
    expect(headerBytes(response, 'Call-ID')).toEqual(echoed['Call-ID']);
    const to = headerBytes(response, 'To');
    expect(to?.subarray(0, echoed['To']?.length)).toEqual(echoed['To']);
    expect(to?.subarray(echoed['To']?.length ?? 0).toString('latin1')).toMatch(/^;tag=[\w-]{16}$/);
    // The top Via gets rport and received filled in; the branch and its high bytes stay as sent.
    const via = headerBytes(response, 'Via');
    expect(via?.includes(echoed['Via']?.subarray(echoed['Via'].indexOf(';branch=')) ?? Buffer.alloc(1))).toBe(true);
    expect(via?.toString('latin1')).toContain(`:${port};rport=${port};branch=`);
    expect(via?.toString('latin1').endsWith(';received=127.0.0.2')).toBe(true);
    expect(response.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    // What the gate writes itself stays UTF-8.
    expect(headerBytes(response, 'Server')).toEqual(Buffer.from('rmdgate/tést', 'utf8'));
    expect(headerBytes(response, 'X-Note')).toEqual(Buffer.from('café', 'utf8'));
  };

  it('over UDP', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));
    const port = socket.address().port;
    const { bytes, echoed } = invite('UDP', port, 'udp1');
    const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));

    socket.send(bytes, udpPort, '127.0.0.1');
    const response = await answer;
    socket.close();

    expectEchoed(response, echoed, port);
    expect(facts.at(-1)?.callId).toBe(`udp1-${part(3).toString('utf8')}@test`);
  });

  it('over TCP', async () => {
    const socket = connect({ host: '127.0.0.1', port: tcpPort, localAddress: '127.0.0.2' });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const port = socket.localPort ?? 0;
    const { bytes, echoed } = invite('TCP', port, 'tcp1');
    const chunks: Buffer[] = [];
    const answer = new Promise<Buffer>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        if (all.includes('\r\n\r\n')) resolve(all);
      });
    });

    socket.write(bytes);
    const response = await answer;
    socket.destroy();

    expectEchoed(response, echoed, port);
  });
});
