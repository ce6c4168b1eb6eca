/**
 * `rmdgate serve` (the built CLI) as a child process, the way a supervisor runs it: config written to a temp dir,
 * stdout/stderr captured, the listeners read from the "rmdgate started" log line. Each process carries a marker in
 * its environment, so a test can find every process it started (children included) in /proc and kill leftovers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './paths.js';
import { waitUntil } from './wait.js';

/** The built CLI; tests that use it run only when it exists (`npm test` builds first). */
export const CLI = repoPath('dist/cli.js');
const MARK = 'RMDGATE_TEST_PROCESS';

/** Pids of live processes whose environment carries `mark` (Linux /proc; empty elsewhere). */
export function markedPids(mark: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`${MARK}=${mark}`)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Resident set size of a process, bytes (Linux). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** A running (or ended) `rmdgate serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly mark: string;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the listeners of the "rmdgate started" line (15 s at most). */
  started(): Promise<{ sip: { transport: string; port: number }[]; ops?: { port: number } }>;
  /** SIGKILLs every process carrying the marker (cleanup). */
  killAll(): void;
  /** Resolves once no process carries the marker (5 s at most). */
  noneLeft(): Promise<true>;
}

let serial = 0;

/** Writes `config` to `dir`/gate.yaml and starts `node [nodeArgs] dist/cli.js serve --config …`. */
export function startServe(dir: string, config: string, nodeArgs: readonly string[] = []): ServeProcess {
  const file = join(dir, 'gate.yaml');
  writeFileSync(file, config);
  const mark = `${process.pid}-${serial++}-${Date.now()}`;
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--config', file], { env: { ...process.env, [MARK]: mark }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (b: Buffer) => stdout.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => stderr.push(b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child, mark, stdout, stderr, exited,
    async started() {
      const line = await waitUntil(() => stdout.join('').split('\n').find((l) => l.includes('"msg":"rmdgate started"')), 15_000, 'rmdgate started');
      return JSON.parse(line) as { sip: { transport: string; port: number }[]; ops?: { port: number } };
    },
    killAll: () => markedPids(mark).forEach((pid) => process.kill(pid, 'SIGKILL')),
    noneLeft: () => waitUntil(() => markedPids(mark).length === 0, 5000, `no process marked ${mark}`),
  };
}
