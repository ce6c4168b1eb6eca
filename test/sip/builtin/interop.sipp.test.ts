/**
 * Interop: sipp (Debian `sip-tester`) against the real `rmdgate serve` process on the example config, from the four
 * loopback sources the README documents — 127.0.0.1 → 302, .2 → 603 provider-not-in-rmd, .3 → 603
 * provider-designated, .4 → 403 unknown-trunk — over UDP and TCP; then every call has its CDR line.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSipp, runSipp } from '../../support/sipp.js';
import { repoPath } from '../../support/paths.js';
import { readJsonlCdrs, startExampleServe, stopExampleServe, type ExampleServe } from '../../support/example-serve.js';

const ROOT = repoPath();
const SCENARIOS = join(ROOT, 'test/sip/builtin/scenarios');
const sipp = findSipp();
if (!sipp) console.warn('\n*** sipp interop tests SKIPPED: sipp not found — install the Debian package `sip-tester` (apt-get install -y sip-tester) ***\n');

const CASES = [
  { name: 'an RMD-listed provider', source: '127.0.0.1', scenario: 'uac-allowed-expect-302.xml', status: 302, reason: null, trunk: 'harborline-1' },
  { name: 'a provider absent from the RMD', source: '127.0.0.2', scenario: 'uac-not-in-rmd-expect-603.xml', status: 603, reason: 'provider-not-in-rmd', trunk: 'driftwood-1' },
  { name: 'a K4-listed provider', source: '127.0.0.3', scenario: 'uac-designated-expect-603.xml', status: 603, reason: 'provider-designated', trunk: 'tallgrass-1' },
  { name: 'an unknown source', source: '127.0.0.4', scenario: 'uac-unknown-expect-403.xml', status: 403, reason: 'unknown-trunk', trunk: null },
] as const;

describe.skipIf(!sipp)('rmdgate serve with sipp as the peer', () => {
  let server: ExampleServe;
  const callsPerCase = 5;

  beforeAll(async () => {
    server = await startExampleServe('rmdgate-sipp-');
  });

  afterAll(() => stopExampleServe(server));

  it.each(CASES)('answers $name ($source) with $status and the documented headers over UDP', async (c) => {
    const r = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: `127.0.0.1:${server.udpPort}`, sourceIp: c.source, calls: callsPerCase, rate: 20 });

    expect(r.output).not.toMatch(/Failed regexp match/);
    expect(r.code, r.output.slice(-2000)).toBe(0);
  });

  it.each(CASES)('answers $name ($source) with $status over TCP', async (c) => {
    const r = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: `127.0.0.1:${server.tcpPort}`, sourceIp: c.source, transport: 't1', calls: callsPerCase, rate: 20 });

    expect(r.code, r.output.slice(-2000)).toBe(0);
  });

  it('handles a 300-call burst at 150 calls/s from one trunk without a failed call', async () => {
    const r = await runSipp({ scenario: join(SCENARIOS, 'uac-allowed-expect-302.xml'), target: `127.0.0.1:${server.udpPort}`, sourceIp: '127.0.0.1', calls: 300, rate: 150, timeoutS: 30 });

    expect(r.code, r.output.slice(-2000)).toBe(0);
  });

  it('writes one CDR per call, with the same reason as on the wire, and flushes on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number | null];
    const cdrs = await readJsonlCdrs(server.dir);

    expect(code).toBe(0);
    for (const c of CASES) {
      const mine = cdrs.filter((r) => r['sourceAddress'] === c.source);
      const expected = c.source === '127.0.0.1' ? callsPerCase * 2 + 300 : callsPerCase * 2;
      expect(mine, `${c.source}`).toHaveLength(expected);
      for (const r of mine) {
        expect(r).toMatchObject({ sipStatus: c.status, reason: c.reason, trunkId: c.trunk, calledE164: '+12025550123', callingE164: '+12025550100' });
      }
    }
    expect(new Set(cdrs.map((r) => r['callId'])).size).toBe(cdrs.length);
  });
});
