/**
 * Starts the real rmdgate in-process for the observability suites: sample data from config/samples (absolute paths),
 * every listener on an ephemeral loopback port, CDRs in a fresh temp dir, logs captured in memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Clock } from '../../src/screening/ports.js';
import { parseConfigText, type ConfigEnv } from '../../src/config/load.js';
import { type App, start } from '../../src/main.js';
import { ROOT } from './prometheus.js';
import { createUdpSipClient, sipRequest } from './sip-client.js';
import { SAMPLE_PARTIES } from './sample-parties.js';

const SAMPLES = join(ROOT, 'config/samples');

/** The default providers and trunks (as config/example.yaml): 127.0.0.1 allowed, .2 not in RMD, .3 designated. */
export { SAMPLE_PARTIES };

/** Config text for a test app; `parties` replaces the providers/trunks block, `extra` is appended, `sipPort` fixes both SIP ports, `sip` adds lines to the sip section and `policy` to the policy section (indented two spaces). */
export function testConfigYaml(cdrDir: string, opts: { parties?: string; extra?: string; sipPort?: number; sip?: string; policy?: string } = {}): string {
  const port = opts.sipPort ?? 0;
  return `mode: enforce
node: { id: obs-test }
sip:
  listen:
    - { transport: udp, address: 127.0.0.1, port: ${port} }
    - { transport: tcp, address: 127.0.0.1, port: ${port} }
  defaultRoute: [ "sip:127.0.0.1:5070;transport=udp" ]
${opts.sip ?? ''}
data:
  rmd: { path: ${JSON.stringify(join(SAMPLES, 'rmd.csv'))} }
  blocklists:
    - { name: fcc-k4, path: ${JSON.stringify(join(SAMPLES, 'lists/fcc-k4.yaml'))}, kind: k4 }
    - { name: operator, path: ${JSON.stringify(join(SAMPLES, 'lists/operator.csv'))}, kind: operator }
${opts.parties ?? SAMPLE_PARTIES}policy:
  reasons:
    unknown-trunk: { action: block, status: 403 }
${opts.policy ?? ''}
cdr: { dir: ${JSON.stringify(cdrDir)}, flushIntervalMs: 50 }
feeds: { stateDir: ${JSON.stringify(join(cdrDir, '..', 'feed-state'))} }
log: { level: info }
ops: { listen: { address: 127.0.0.1, port: 0 } }
${opts.extra ?? 'admin: { listen: { address: 127.0.0.1, port: 0 } }'}
`;
}

/** A started test app with its temp dir and captured log lines. */
export interface TestApp {
  readonly app: App;
  readonly opsUrl: string;
  readonly udpPort: number;
  readonly dir: string;
  readonly logs: string[];
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts rmdgate with {@link testConfigYaml}; `env` is what the config loader sees (admin token); `prepare` runs on the
 * temp dir before start (e.g. to write `feed-state/grace.json`, the feeds state dir).
 */
export async function startTestApp(
  opts: { parties?: string; extra?: string; sip?: string; policy?: string; env?: ConfigEnv; clock?: Clock; defaultMetrics?: boolean; prepare?: (dir: string) => Promise<void> } = {},
): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-obs-'));
  await opts.prepare?.(dir);
  const logs: string[] = [];
  const logDestination = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
  const loaded = parseConfigText(testConfigYaml(join(dir, 'cdr'), opts), join(ROOT, 'config/observability-test.yaml'), opts.env ?? {});
  const app = await start(loaded, { logDestination, defaultMetrics: opts.defaultMetrics ?? true, ...(opts.clock ? { clock: opts.clock } : {}) });
  const opsUrl = `http://127.0.0.1:${app.ops?.port ?? 0}`;
  return {
    app,
    opsUrl,
    udpPort: app.sip.find((l) => l.transport === 'udp')?.port ?? 0,
    dir,
    logs,
    metricsText: async () => (await fetch(`${opsUrl}/metrics`)).text(),
    close: async () => {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends `count` INVITEs over UDP from `source` (a loopback address) and waits for each final response; returns the statuses. */
export async function sendInvites(udpPort: number, source: string, count: number): Promise<number[]> {
  const client = await createUdpSipClient(source, udpPort);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      await client.send(sipRequest({ via: `SIP/2.0/UDP ${source}:${client.localPort};branch=z9hG4bK-obs${i}x${Date.now()};rport` }));
      statuses.push((await client.response(3000)).status);
    }
    return statuses;
  } finally {
    await client.close();
  }
}
