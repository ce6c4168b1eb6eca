/**
 * Runs sipp (Debian package `sip-tester`) as a real SIP peer from a chosen loopback source address, bounded in
 * calls and time; reports whether sipp is installed so suites can skip with a visible notice.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the sipp binary, or undefined when the `sip-tester` package is not installed. */
export function findSipp(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v sipp'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** One sipp run. */
export interface SippRun {
  readonly scenario: string;
  readonly target: string;
  readonly sourceIp: string;
  readonly transport?: 'u1' | 't1';
  readonly calls: number;
  readonly rate?: number;
  readonly service?: string;
  readonly timeoutS?: number;
}

/** The outcome: sipp's exit code (0 = every call succeeded) and its output. */
export interface SippResult {
  readonly code: number | null;
  readonly output: string;
  readonly successful: number;
  readonly failed: number;
}

/** Runs sipp to completion (killed after timeoutS + 5 s at the latest). */
export function runSipp(run: SippRun): Promise<SippResult> {
  const timeout = run.timeoutS ?? 20;
  const args = [
    run.target, '-sf', run.scenario, '-i', run.sourceIp, '-p', '0', '-t', run.transport ?? 'u1',
    '-m', String(run.calls), '-r', String(run.rate ?? 50), '-s', run.service ?? '2025550123',
    '-timeout', `${timeout}s`, '-recv_timeout', '5000', '-nostdin', '-max_socket', '64',
  ];
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  args.push('-trace_err', '-error_file', join(dir, 'errors.log'), '-trace_stat', '-stf', join(dir, 'stats.csv'));
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeout + 5) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const errors = readIfExists(join(dir, 'errors.log'));
      const stats = parseStats(readIfExists(join(dir, 'stats.csv')));
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output: output + errors, successful: stats['SuccessfulCall(C)'] ?? 0, failed: stats['FailedCall(C)'] ?? 0 });
    });
  });
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Last row of sipp's `-trace_stat` CSV (`;`-separated, header row first) as numbers by column name. */
function parseStats(csv: string): Record<string, number> {
  const rows = csv.trim().split('\n');
  const header = rows[0]?.split(';') ?? [];
  const last = rows[rows.length - 1]?.split(';') ?? [];
  return Object.fromEntries(header.map((h, i) => [h, Number(last[i])]));
}
