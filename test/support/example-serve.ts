/**
 * `rmdgate serve` (the built CLI) on config/example.yaml as the README runs it, made test-safe: ephemeral SIP and ops
 * ports, sample data by absolute path, CDRs and feed state in a temp dir, flood control raised (sipp places many calls
 * from each source, over the default per-source limit that test/sip/builtin/attacks.edge.test.ts covers).
 * Shared by the sipp interop suites.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoPath } from './paths.js';

const ROOT = repoPath();

/** A running gate: its process, the SIP ports it bound and its temp dir. */
export interface ExampleServe {
  readonly child: ChildProcess;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly dir: string;
}

/** Starts the gate; resolves once it logged `rmdgate started` (killed after 15 s otherwise). */
export async function startExampleServe(tempPrefix: string): Promise<ExampleServe> {
  const dir = await mkdtemp(join(tmpdir(), tempPrefix));
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

/** Kills the gate if it still runs and removes its temp dir. */
export async function stopExampleServe(server: ExampleServe | undefined): Promise<void> {
  if (server === undefined) return;
  if (server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
  }
  await rm(server.dir, { recursive: true, force: true });
}

/** Every CDR the gate wrote as JSON lines, in file order. */
export async function readJsonlCdrs(dir: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(join(dir, 'cdr'))).filter((f) => f.endsWith('.jsonl'));
  const text = (await Promise.all(files.map((f) => readFile(join(dir, 'cdr', f), 'utf8')))).join('');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
