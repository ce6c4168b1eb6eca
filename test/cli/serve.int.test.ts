/**
 * `rmdgate serve` as a supervisor sees it: a listener that cannot bind exits 1 with one line (no stack) and leaves
 * no process behind (RMD parser child included); SIGTERM stops it with 0; an uncaught error while serving exits 1
 * after the bounded shutdown. Every process started here carries a marker in its environment, looked up in /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConfigYaml } from '../support/app-harness.js';
import { repoPath } from '../support/paths.js';
import { waitUntil } from '../support/wait.js';

const CLI = repoPath('dist/cli.js');
const MARK = 'RMDGATE_SERVE_TEST';

/** Pids of live processes whose environment carries `MARK=value` (Linux /proc; empty elsewhere). */
function markedPids(value: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`${MARK}=${value}`)) pids.push(Number(name));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

interface Run {
  readonly child: ChildProcess;
  readonly mark: string;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

describe.runIf(existsSync(CLI))('rmdgate serve: exits as a supervisor expects', () => {
  let dir: string;
  let held: Socket | undefined;
  const runs: Run[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-serve-'));
  });
  afterEach(() => {
    for (const r of runs.splice(0)) for (const pid of markedPids(r.mark)) process.kill(pid, 'SIGKILL');
    held?.close();
    held = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function serve(config: string, nodeArgs: string[] = []): Run {
    const file = join(dir, 'gate.yaml');
    writeFileSync(file, config);
    const mark = `${process.pid}-${runs.length}-${Date.now()}`;
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--config', file], { env: { ...process.env, [MARK]: mark }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { child, mark, stdout: [], stderr: [], exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    child.stdout?.on('data', (b: Buffer) => run.stdout.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => run.stderr.push(b.toString()));
    runs.push(run);
    return run;
  }

  const started = (r: Run): Promise<true> => waitUntil(() => r.stdout.join('').includes('"rmdgate started"'), 15_000, 'rmdgate started');
  const noneLeft = (r: Run): Promise<true> => waitUntil(() => markedPids(r.mark).length === 0, 5000, `no process marked ${r.mark}`);

  it('exits 1 with one line when the SIP port is taken, leaving no process', async () => {
    held = createSocket('udp4');
    await new Promise<void>((resolve) => held?.bind(0, '127.0.0.1', resolve));
    const port = held.address().port;
    const run = serve(testConfigYaml(join(dir, 'cdr'), { sipPort: port, extra: '' }));

    const t0 = Date.now();
    expect(await run.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const lines = run.stderr.join('').trim().split('\n');
    expect(lines).toEqual([`rmdgate: fatal: cannot listen for SIP on udp 127.0.0.1:${port}: address already in use (EADDRINUSE)`]);
    await noneLeft(run);
  });

  it('stops with 0 on SIGTERM, leaving no process', async () => {
    const run = serve(testConfigYaml(join(dir, 'cdr'), { extra: '' }));
    await started(run);
    expect(markedPids(run.mark).length).toBeGreaterThanOrEqual(2); // the gate and its RMD parser child

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout.join('')).toContain('"rmdgate stopped"');
    await noneLeft(run);
  });

  it('exits 1 after an uncaught error while serving, having stopped the gate', async () => {
    // A module preloaded into the gate's process throws from a timer once it has started: an uncaught exception.
    const bomb = join(dir, 'bomb.mjs');
    writeFileSync(bomb, "setTimeout(() => { throw new Error('boom from a timer'); }, 1500);\n");
    const run = serve(testConfigYaml(join(dir, 'cdr'), { extra: '' }), ['--import', bomb]);
    await started(run);

    expect(await run.exited).toBe(1);
    expect(run.stderr.join('')).toContain('rmdgate: fatal: uncaught exception: Error: boom from a timer');
    expect(run.stdout.join('')).toContain('"rmdgate stopped"');
    await noneLeft(run);
  });
});
