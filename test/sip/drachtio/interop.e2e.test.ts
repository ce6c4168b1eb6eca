/**
 * Interop against a REAL drachtio-server (DRACHTIO_ADDRESS=host:port of its admin port, DRACHTIO_SECRET): sipp from
 * the loopback trunk sources gets the same answers through drachtio as from the built-in front, proxied calls reach
 * a sipp UAS and hang up through drachtio, and every call has its CDR (proxied ones their dispositions).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { start, type App } from '../../../src/main.js';
import { findSipp, runSipp } from '../../support/sipp.js';
import { SAMPLE_PARTIES } from '../../support/sample-parties.js';
import { repoPath } from '../../support/paths.js';

const ROOT = repoPath();
const SCENARIOS = join(ROOT, 'test/sip/drachtio/scenarios');
const SAMPLES = join(ROOT, 'config/samples');
const [ADMIN_HOST = '', ADMIN_PORT = ''] = (process.env['DRACHTIO_ADDRESS'] ?? '').split(':');
const SECRET = process.env['DRACHTIO_SECRET'] ?? '';
/** Where drachtio-server takes SIP; it must see the sipp source addresses, so run it on this host (e.g. --network host). */
const SIP_TARGET = process.env['DRACHTIO_SIP_ADDRESS'] ?? `${ADMIN_HOST}:5060`;
const sipp = findSipp();
const enabled = ADMIN_HOST !== '' && /^\d+$/.test(ADMIN_PORT) && SECRET !== '' && sipp !== undefined;
if (!enabled) {
  console.warn('\n*** drachtio e2e SKIPPED: set DRACHTIO_ADDRESS=<host:admin-port> and DRACHTIO_SECRET for a real drachtio-server ' +
    '(with <cdrs>true</cdrs>, SIP on DRACHTIO_SIP_ADDRESS, default <host>:5060, on this host) and install sipp (sip-tester) ***\n');
}

const CASES = [
  { name: 'an RMD-listed provider', source: '127.0.0.1', scenario: 'uac-allowed-expect-302.xml', status: 302 },
  { name: 'a provider absent from the RMD', source: '127.0.0.2', scenario: 'uac-not-in-rmd-expect-603.xml', status: 603 },
  { name: 'a K4-designated provider', source: '127.0.0.3', scenario: 'uac-designated-expect-603.xml', status: 603 },
  { name: 'an unknown source', source: '127.0.0.4', scenario: 'uac-unknown-expect-403.xml', status: 403 },
] as const;
const CALLS = 5;

function configYaml(cdrDir: string, front: string): string {
  return `mode: enforce
node: { id: e2e-${Date.now()} }
sip:
${front}
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
data:
  rmd: { path: ${JSON.stringify(join(SAMPLES, 'rmd.csv'))} }
  blocklists:
    - { name: fcc-k4, path: ${JSON.stringify(join(SAMPLES, 'lists/fcc-k4.yaml'))}, kind: k4 }
${SAMPLE_PARTIES}policy: { reasons: { unknown-trunk: { action: block, status: 403 } } }
cdr: { dir: ${JSON.stringify(cdrDir)}, flushIntervalMs: 50, sinks: { sqlite: { enabled: false }, jsonl: { enabled: true } } }
ops: { listen: false }
admin: { listen: false }
`;
}

interface Running {
  readonly app: App;
  readonly dir: string;
}

async function startApp(front: string): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-e2e-'));
  const loaded = parseConfigText(configYaml(join(dir, 'cdr'), front), join(ROOT, 'config/e2e.yaml'), { DRACHTIO_SECRET: SECRET });
  const app = await start(loaded, { logDestination: new Writable({ write: (_c, _e, done) => done() }), defaultMetrics: false, watchConfig: false, handleSignals: false });
  return { app, dir };
}

function drachtioFront(extra: string): string {
  return `  front: drachtio\n  drachtio: { host: ${ADMIN_HOST}, port: ${ADMIN_PORT}${extra} }`;
}

async function ready(r: Running): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!r.app.readiness.run().checks['front']?.ok) {
    if (Date.now() > deadline) throw new Error(`rmdgate did not connect to drachtio-server at ${ADMIN_HOST}:${ADMIN_PORT}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function stopAndReadCdrs(r: Running): Promise<Record<string, unknown>[]> {
  await r.app.stop();
  const dir = join(r.dir, 'cdr');
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
  await rm(r.dir, { recursive: true, force: true });
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((res) => socket.bind(0, '127.0.0.1', res));
  const { port } = socket.address();
  await new Promise<void>((res) => socket.close(() => res()));
  return port;
}

/** A sipp UAS on 127.0.0.1:port answering `calls` proxied INVITEs; resolves with its exit code. */
function startUas(port: number, calls: number): Promise<number | null> {
  const child = spawn('sipp', ['-sf', join(SCENARIOS, 'uas-180-200.xml'), '-i', '127.0.0.1', '-p', String(port), '-m', String(calls), '-nostdin', '-timeout', '40s'], { stdio: 'ignore' });
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((res) => child.on('close', (code) => (clearTimeout(killer), res(code))));
}

describe.skipIf(!enabled)('drachtio front with a real drachtio-server and sipp', () => {
  let builtin: Running;
  let builtinPort = 0;
  const screened = new Map<string, number>();

  beforeAll(async () => {
    builtin = await startApp('  front: builtin\n  listen: [ { transport: udp, address: 127.0.0.1, port: 0 } ]');
    builtinPort = builtin.app.sip[0]?.port ?? 0;
  });

  afterAll(async () => {
    if (builtin) await stopAndReadCdrs(builtin);
  });

  it('answers every trunk exactly as the built-in front does (redirect mode), with one CDR per call', async () => {
    const redirect = await startApp(drachtioFront(', allowAction: redirect'));
    try {
      await ready(redirect);
      for (const c of CASES) {
        const viaBuiltin = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: `127.0.0.1:${builtinPort}`, sourceIp: c.source, calls: CALLS, rate: 20 });
        const viaDrachtio = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: SIP_TARGET, sourceIp: c.source, calls: CALLS, rate: 20 });
        expect(viaBuiltin.code, `built-in ${c.source}: ${viaBuiltin.output.slice(-1500)}`).toBe(0);
        expect(viaDrachtio.code, `drachtio ${c.source}: ${viaDrachtio.output.slice(-1500)}`).toBe(0);
        screened.set(c.source, CALLS);
      }
    } finally {
      const cdrs = await stopAndReadCdrs(redirect);
      for (const c of CASES) {
        const mine = cdrs.filter((r) => r['type'] === 'screening' && r['sourceAddress'] === c.source);
        expect(mine, c.source).toHaveLength(screened.get(c.source) ?? 0);
        for (const r of mine) expect(r['sipStatus']).toBe(c.status);
      }
    }
  });

  it('proxies allowed calls to the destination (180/200/ACK/BYE through drachtio) and records their dispositions', async () => {
    const uasPort = await freeUdpPort();
    const proxy = await startApp(drachtioFront(`, allowAction: proxy, proxy: { destinations: [ "sip:127.0.0.1:${uasPort}" ], recordRoute: true }`));
    let cdrs: Record<string, unknown>[] = [];
    try {
      await ready(proxy);
      const uas = startUas(uasPort, CALLS);
      const uac = await runSipp({ scenario: join(SCENARIOS, 'uac-proxied-expect-200.xml'), target: SIP_TARGET, sourceIp: '127.0.0.1', calls: CALLS, rate: 10, timeoutS: 40 });
      expect(uac.code, uac.output.slice(-2000)).toBe(0);
      expect(await uas).toBe(0);
      for (const c of CASES.slice(1)) {
        const r = await runSipp({ scenario: join(SCENARIOS, c.scenario), target: SIP_TARGET, sourceIp: c.source, calls: CALLS, rate: 20 });
        expect(r.code, `${c.source}: ${r.output.slice(-1500)}`).toBe(0);
      }
      await new Promise((res) => setTimeout(res, 500));
    } finally {
      cdrs = await stopAndReadCdrs(proxy);
    }
    const allowed = cdrs.filter((r) => r['type'] === 'screening' && r['sourceAddress'] === '127.0.0.1');
    expect(allowed).toHaveLength(CALLS);
    for (const s of allowed) {
      const events = cdrs.filter((r) => r['type'] === 'disposition' && r['callId'] === s['callId']).map((r) => r['event']);
      expect(events, String(s['callId'])).toEqual(['answered', 'released']);
    }
    expect(cdrs.filter((r) => r['type'] === 'screening' && r['decision'] === 'reject')).toHaveLength(CALLS * 3);
  });
});
