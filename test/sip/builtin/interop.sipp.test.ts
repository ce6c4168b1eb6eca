/**
 * Interop: sipp (Debian `sip-tester`) against the real `rmdgate serve` process on the example config, from the four
 * loopback sources the README documents — 127.0.0.1 → 302, .2 → 603 provider-not-in-rmd, .3 → 603
 * provider-designated, .4 → 403 unknown-trunk — over UDP and TCP; then every call has its CDR line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSipp, runSipp } from '../../support/sipp.js';
import { repoPath } from '../../support/paths.js';

const ROOT = repoPath();
const SCENARIOS = join(ROOT, 'test/sip/builtin/scenarios');
const sipp = findSipp();
if (!sipp) console.warn('\n*** sipp interop tests SKIPPED: sipp not found — install the Debian package `sip-tester` (apt-get install -y sip-tester) ***\n');

interface Server {
  readonly child: ChildProcess;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly dir: string;
}

async function startServer(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-sipp-'));
  const example = await readFile(join(ROOT, 'config/example.yaml'), 'utf8');
  const config = example
    .replace(/port: 5060/g, 'port: 0')
    .replace('path: samples/', `path: ${join(ROOT, 'config/samples')}/`)
    .replace(/path: samples\/lists\//g, `path: ${join(ROOT, 'config/samples/lists')}/`)
    .replace('dir: ../var/cdr', `dir: ${join(dir, 'cdr')}`)
    .replace('port: 9464', 'port: 0')
    // sipp places 10 calls (INVITE + ACK each) from every unknown source here: over the default per-source flood
    // limit (burst 10, 2/s), which test/sip/builtin/attacks.edge.test.ts covers. Raised so every call is answered.
    .replace('front: builtin', 'front: builtin\n  flood: { ratePerSecond: 1000, burst: 1000 }');
  await writeFile(join(dir, 'config.yaml'), config);
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--config', join(dir, 'config.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
  for await (const line of lines) {
    const rec = JSON.parse(line) as { msg?: string; sip?: { transport: string; port: number }[] };
    if (rec.msg === 'rmdgate started' && rec.sip) {
      clearTimeout(deadline);
      lines.on('line', () => undefined);
      const udp = rec.sip.find((s) => s.transport === 'udp')!.port;
      const tcp = rec.sip.find((s) => s.transport === 'tcp')!.port;
      return { child, udpPort: udp, tcpPort: tcp, dir };
    }
  }
  throw new Error('rmdgate exited before it started');
}

async function readCdrs(dir: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(join(dir, 'cdr'))).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(join(dir, 'cdr', f), 'utf8')))).join('');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const CASES = [
  { name: 'an RMD-listed provider', source: '127.0.0.1', scenario: 'uac-allowed-expect-302.xml', status: 302, reason: null, trunk: 'harborline-1' },
  { name: 'a provider absent from the RMD', source: '127.0.0.2', scenario: 'uac-not-in-rmd-expect-603.xml', status: 603, reason: 'provider-not-in-rmd', trunk: 'driftwood-1' },
  { name: 'a K4-listed provider', source: '127.0.0.3', scenario: 'uac-designated-expect-603.xml', status: 603, reason: 'provider-designated', trunk: 'tallgrass-1' },
  { name: 'an unknown source', source: '127.0.0.4', scenario: 'uac-unknown-expect-403.xml', status: 403, reason: 'unknown-trunk', trunk: null },
] as const;

describe.skipIf(!sipp)('rmdgate serve with sipp as the peer', () => {
  let server: Server;
  const callsPerCase = 5;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await once(server.child, 'exit');
    }
    if (server) await rm(server.dir, { recursive: true, force: true });
  });

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
    const cdrs = await readCdrs(server.dir);

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
