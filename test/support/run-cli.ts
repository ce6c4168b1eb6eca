/**
 * Runs the `rmdgate` CLI as its own process and collects exit code and output: the built one (dist/cli.js, as users run
 * it) or, with `source`, src/cli.ts under tsx (no build needed). CONFIG_FILE is cleared so the caller's environment
 * cannot pick a config; `env` adds variables. Bounded by `timeoutMs`.
 */
import { execFile } from 'node:child_process';
import { repoPath } from './paths.js';
import { CLI } from './serve-process.js';
import { TS_EXEC_ARGV } from './ts-entry.js';

/** What one CLI run gave. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export function runCli(args: readonly string[], opts: { source?: boolean; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  const argv = opts.source === true ? [...TS_EXEC_ARGV, repoPath('src/cli.ts'), ...args] : [CLI, ...args];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { timeout: opts.timeoutMs ?? 20_000, env: { ...process.env, CONFIG_FILE: '', ...opts.env } }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}
