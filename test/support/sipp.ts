/**
 * Runs sipp (Debian package `sip-tester`) as a real SIP peer from a chosen loopback source address, bounded in
 * calls and time; reports whether sipp is installed so suites can skip with a visible notice.
 */
import { execFileSync, spawn } from 'node:child_process';

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
    '-timeout', `${timeout}s`, '-recv_timeout', '5000', '-nostdin', '-trace_screen', '-screen_file', '/dev/stdout',
    '-max_socket', '64',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeout + 5) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output, successful: countOf(output, 'Successful call'), failed: countOf(output, 'Failed call') });
    });
  });
}

function countOf(output: string, label: string): number {
  const lines = output.split('\n').filter((l) => l.includes(label));
  const last = lines[lines.length - 1];
  const nums = last?.match(/\d+/g);
  return nums ? Number(nums[nums.length - 1]) : 0;
}
