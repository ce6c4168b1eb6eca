/**
 * Starts the real rmdgate in-process with `sip.front: drachtio` against the drachtio-server stand-in (loopback only):
 * sample data from config/samples, JSON-lines CDRs in a temp dir, logs captured; plus SIP request builders.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfigText } from '../../../src/config/load.js';
import { type App, start } from '../../../src/main.js';
import { createDrachtioStandin, type AppConn, type DrachtioStandin, type DrachtioStandinOptions } from '../../support/drachtio-standin.js';
import { ROOT } from '../../support/prometheus.js';
import { SAMPLE_PARTIES } from '../../support/sample-parties.js';

export const SECRET = 'cymru';
const SAMPLES = join(ROOT, 'config/samples');



/** Config text of a drachtio-front test app; `drachtio` is YAML for extra `sip.drachtio` keys (indented by 4). */
export function drachtioConfigYaml(cdrDir: string, port: number, drachtio = ''): string {
  return `mode: enforce
node: { id: drachtio-test }
sip:
  front: drachtio
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
  drachtio:
    host: 127.0.0.1
    port: ${port}
    pingIntervalMs: 0
    reconnectMaxDelayMs: 300
${drachtio}data:
  rmd: { path: ${JSON.stringify(join(SAMPLES, 'rmd.csv'))} }
  blocklists:
    - { name: fcc-k4, path: ${JSON.stringify(join(SAMPLES, 'lists/fcc-k4.yaml'))}, kind: k4 }
${SAMPLE_PARTIES}policy:
  reasons:
    unknown-trunk: { action: block, status: 403 }
cdr: { dir: ${JSON.stringify(cdrDir)}, flushIntervalMs: 20, sinks: { sqlite: { enabled: false }, jsonl: { enabled: true } } }
log: { level: debug }
ops: { listen: { address: 127.0.0.1, port: 0 } }
admin: { listen: false }
`;
}

/** A running app with its stand-in. */
export interface DrachtioApp {
  readonly app: App;
  readonly standin: DrachtioStandin;
  readonly port: number;
  readonly dir: string;
  readonly logs: Record<string, unknown>[];
  /** Every CDR line written so far (after a flush). */
  cdrs(): Promise<Record<string, unknown>[]>;
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link startDrachtioApp}. */
export interface DrachtioAppOptions {
  readonly drachtio?: string;
  readonly secret?: string;
  readonly standin?: Partial<DrachtioStandinOptions>;
  /** Config text instead of {@link drachtioConfigYaml} (given the CDR dir and the stand-in port). */
  readonly yaml?: (cdrDir: string, port: number) => string;
}

/** Starts the stand-in and then rmdgate connected to it (does not wait for the connection). */
export async function startDrachtioApp(opts: DrachtioAppOptions = {}): Promise<DrachtioApp> {
  const standin = createDrachtioStandin({ secret: SECRET, ...opts.standin });
  const { port } = await standin.listen();
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-drachtio-'));
  const logs: Record<string, unknown>[] = [];
  const logDestination = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  const cdrDir = join(dir, 'cdr');
  const yaml = (opts.yaml ?? ((d, p) => drachtioConfigYaml(d, p, opts.drachtio)))(cdrDir, port);
  const loaded = parseConfigText(yaml, join(ROOT, 'config/drachtio-test.yaml'), { DRACHTIO_SECRET: opts.secret ?? SECRET });
  let app: App;
  try {
    app = await start(loaded, { logDestination, defaultMetrics: false, watchConfig: false, handleSignals: false });
  } catch (err) {
    await standin.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    app, standin, port, dir, logs,
    cdrs: () => readCdrs(cdrDir),
    metricsText: async () => (await fetch(`http://127.0.0.1:${app.ops?.port ?? 0}/metrics`)).text(),
    close: async () => {
      await app.stop();
      await standin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readCdrs(dir: string): Promise<Record<string, unknown>[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

let seq = 0;

/** An INVITE as a carrier trunk would send it (the stand-in adds `;rport=` and delivers it from `sourceAddress`). */
export function inviteText(opts: { source?: string; called?: string; headers?: readonly string[] } = {}): { text: string; callId: string; fromTag: string } {
  const n = ++seq;
  const source = opts.source ?? '127.0.0.1';
  const called = opts.called ?? '+12025550123';
  const callId = `${n}-${Date.now()}-front@${source}`;
  const text = [
    `INVITE sip:${called}@127.0.0.1:5060;user=phone SIP/2.0`,
    `Via: SIP/2.0/UDP ${source}:5081;branch=z9hG4bK-front-${n}`,
    `From: <sip:+12025550100@${source}:5081;user=phone>;tag=front${n}`,
    `To: <sip:${called}@127.0.0.1:5060;user=phone>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:+12025550100@${source}:5081>`,
    'Max-Forwards: 70',
    `P-Asserted-Identity: <sip:+12025550100@${source};user=phone>`,
    ...(opts.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { text, callId, fromTag: `front${n}` };
}

/** An OPTIONS request from 127.0.0.1:5081, to `user` at 127.0.0.1:5060 (a keepalive without one). */
export function optionsText(user?: string): string {
  const n = ++seq;
  const target = user === undefined ? 'sip:127.0.0.1:5060' : `sip:${user}@127.0.0.1:5060`;
  return [
    `OPTIONS ${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5081;branch=z9hG4bK-opt-${n}`,
    `From: <sip:ping@127.0.0.1:5081>;tag=opt${n}`,
    `To: <${target}>`,
    `Call-ID: ${n}-opt@127.0.0.1`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

export { tcpHandles, waitUntil } from '../../support/wait.js';

/** The routes rmdgate registers in inbound mode. */
export const FRONT_ROUTES = ['invite', 'options', 'cdr:attempt', 'cdr:start', 'cdr:stop'] as const;

/** The drachtio front (redirect mode, behind the stand-in) and the built-in front on the same config, for parity tests. */
export interface BothFronts {
  readonly rig: DrachtioApp;
  readonly conn: AppConn;
  readonly builtin: App;
  close(): Promise<void>;
}

/** Starts {@link BothFronts}; the built-in front listens on an ephemeral UDP port and logs nowhere. */
export async function startBothFronts(): Promise<BothFronts> {
  const rig = await startDrachtioApp({ drachtio: '    allowAction: redirect\n' });
  const conn = await rig.standin.waitForApp({ routes: ['invite', 'options'] });
  const builtinYaml = drachtioConfigYaml(join(rig.dir, 'builtin-cdr'), 1, '    allowAction: redirect\n')
    .replace('  front: drachtio\n', '  front: builtin\n  listen: [ { transport: udp, address: 127.0.0.1, port: 0 } ]\n');
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  const builtin = await start(parseConfigText(builtinYaml, join(ROOT, 'config/builtin-parity.yaml'), {}), { logDestination: quiet, defaultMetrics: false, watchConfig: false, handleSignals: false });
  return {
    rig, conn, builtin,
    close: async () => {
      await builtin.stop();
      await rig.close();
    },
  };
}
