/**
 * Interop, calling-number screening and emergency protection: sipp against the real `rmdgate serve` process on the
 * example config. A call from a DNO-listed number on the allowed trunk (127.0.0.1) is answered 603 calling-number-dno;
 * a call to 911 on the K4-designated trunk (127.0.0.3) is allowed (302, recorded as would-block); the same 911 call
 * from an unknown source (127.0.0.4) is still 403. Then every call has its CDR line with the finding.
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
if (!sipp) console.warn('\n*** sipp calling-number tests SKIPPED: sipp not found — install the Debian package `sip-tester` ***\n');

const CALLS = 3;
const CASES = [
  {
    name: 'a DNO-listed calling number on the allowed trunk', source: '127.0.0.1', scenario: 'uac-dno-expect-603.xml', service: '2025550123',
    cdr: { sipStatus: 603, decision: 'reject', wouldBlock: false, reason: 'calling-number-dno', callingNumberList: 'operator-dno', callingNumberEntry: '+12025550166', callingNumberSource: 'subscriber-request', protectedCall: null },
  },
  {
    name: 'a call to 911 on the K4-designated trunk', source: '127.0.0.3', scenario: 'uac-emergency-expect-302.xml', service: '911',
    cdr: { sipStatus: 302, decision: 'allow', wouldBlock: true, reason: 'provider-designated', listEntryId: 'fcc-k4:tallgrass', protectedCall: 'emergency' },
  },
  {
    name: 'the same 911 call from an unknown source', source: '127.0.0.4', scenario: 'uac-emergency-unknown-expect-403.xml', service: '911',
    cdr: { sipStatus: 403, decision: 'reject', reason: 'unknown-trunk', trunkId: null, protectedCall: null },
  },
] as const;

describe.skipIf(!sipp)('rmdgate serve: calling-number screening and emergency calls, with sipp as the peer', () => {
  let server: ExampleServe;

  beforeAll(async () => {
    server = await startExampleServe('rmdgate-sipp-cn-');
  });

  afterAll(() => stopExampleServe(server));

  it.each(CASES)('answers $name ($source) as documented, over UDP and TCP', async (c) => {
    for (const [transport, port] of [['u1', server.udpPort], ['t1', server.tcpPort]] as const) {
      const r = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: `127.0.0.1:${port}`, sourceIp: c.source, transport, calls: CALLS, rate: 20, service: c.service });

      expect(r.output).not.toMatch(/Failed regexp match/);
      expect(r.code, r.output.slice(-2000)).toBe(0);
    }
  });

  it('records each call with its finding, the emergency call as protected, and counts it', async () => {
    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number | null];
    const cdrs = await readJsonlCdrs(server.dir);

    expect(code).toBe(0);
    for (const c of CASES) {
      const mine = cdrs.filter((r) => r['sourceAddress'] === c.source);
      expect(mine, c.source).toHaveLength(CALLS * 2);
      for (const r of mine) expect(r).toMatchObject(c.cdr);
    }
  });
});
