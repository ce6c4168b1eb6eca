/**
 * Interop, calling-number screening and emergency protection: sipp against the real `rmdgate serve` process on the
 * example config. A call from a DNO-listed number on the allowed trunk (127.0.0.1) is answered 603 calling-number-dno;
 * a call to 911 on the K4-designated trunk (127.0.0.3) is allowed (302, recorded as would-block); the same 911 call
 * from an unknown source (127.0.0.4) is still 403. Then every call has its CDR line with the finding.
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
if (!sipp) console.warn('\n*** sipp calling-number tests SKIPPED: sipp not found — install the Debian package `sip-tester` ***\n');

interface Server {
  readonly child: ChildProcess;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly dir: string;
}

async function startServer(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-sipp-cn-'));
  const example = await readFile(join(ROOT, 'config/example.yaml'), 'utf8');
  const config = example
    .replace(/port: 5060/g, 'port: 0')
    .replace(/path: samples\//g, `path: ${join(ROOT, 'config/samples')}/`)
    .replace('dir: ../var/cdr', `dir: ${join(dir, 'cdr')}`)
    .replace('stateDir: ../var/state/feeds', `stateDir: ${join(dir, 'state')}`)
    .replace('port: 9464', 'port: 0')
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
      return { child, udpPort: rec.sip.find((s) => s.transport === 'udp')!.port, tcpPort: rec.sip.find((s) => s.transport === 'tcp')!.port, dir };
    }
  }
  throw new Error('rmdgate exited before it started');
}

async function readCdrs(dir: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(join(dir, 'cdr'))).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(join(dir, 'cdr', f), 'utf8')))).join('');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

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
  let server: Server;

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
    const cdrs = await readCdrs(server.dir);

    expect(code).toBe(0);
    for (const c of CASES) {
      const mine = cdrs.filter((r) => r['sourceAddress'] === c.source);
      expect(mine, c.source).toHaveLength(CALLS * 2);
      for (const r of mine) expect(r).toMatchObject(c.cdr);
    }
  });
});
