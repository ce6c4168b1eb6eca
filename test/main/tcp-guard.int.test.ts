/**
 * The composition's part of TCP admission (issue #12 item 3): main.ts hands the built-in front the trunk sources of
 * the screening world in force, so an unknown flood cannot take the trunks' reserved TCP connections, and the refusals
 * reach /metrics.
 */
import { describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app-harness.js';
import { connectTcpSipClient, newBranch, sipRequest, type TcpSipTestClient } from '../support/sip-client.js';
import { closeAndCheckTcpAfterEach, waitUntil } from '../support/wait.js';

const SIP_LIMITS = `  maxTcpConnections: 16
  tcpTrunkReserve: 4
  maxTcpConnectionsPerSource: 4
`;

describe('rmdgate: TCP connections reserved for configured trunks', () => {
  const cleanups = closeAndCheckTcpAfterEach(3000);

  async function connect(source: string, port: number): Promise<TcpSipTestClient> {
    const client = await connectTcpSipClient(source, port);
    cleanups.push(() => client.close());
    return client;
  }

  it('answers the trunk\'s TCP INVITE once unknown sources hold every unreserved connection, and counts the refusals', async () => {
    const gate: TestApp = await startTestApp({ sip: SIP_LIMITS, defaultMetrics: false });
    cleanups.push(() => gate.close());
    const port = gate.app.sip.find((l) => l.transport === 'tcp')?.port ?? 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) await connect(`127.0.0.${20 + i}`, port);

    const unknown = await connect('127.0.0.23', port);
    await unknown.closed();
    const trunk = await connect('127.0.0.1', port);
    await trunk.send(sipRequest({ via: `SIP/2.0/TCP 127.0.0.1:5099;branch=${newBranch()}` }));

    expect((await trunk.response(3000)).status).toBe(302);
    const text = await waitUntil(async () => {
      const t = await gate.metricsText();
      return t.includes('rmdgate_sip_tcp_refused_total{reason="reserve"} 1') && t;
    }, 2000, 'the refusal on /metrics');
    expect(text).toContain('rmdgate_sip_tcp_refused_total{reason="per-source"} 0');
    expect(text).toContain('rmdgate_sip_tcp_closed_total{reason="idle"} 0');
  });
});
