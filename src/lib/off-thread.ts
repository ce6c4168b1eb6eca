/**
 * The one way off-thread code starts, worker threads and child processes alike, the same in production and tests.
 * An entry is a module next to its caller. Production runs the compiled `.js` modules of dist/; when the caller is a
 * TypeScript source (tests run src/ directly), the entry is the `.ts` module and runs under tsx's loader (a dev
 * dependency), so tests exercise the very entry production runs, compiled on the fly.
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** An off-thread entry: the module to run and the Node options it needs. */
export interface Entry {
  readonly url: URL;
  readonly execArgv: readonly string[];
}

/**
 * The entry `relative` (written with `.js`, e.g. `./sqlite/worker.js`) resolved against the caller's
 * `import.meta.url`: the `.js` module beside a compiled caller, the `.ts` one (run by tsx) beside a source.
 */
export function entryOf(relative: string, callerUrl: string): Entry {
  if (!callerUrl.endsWith('.ts')) return { url: new URL(relative, callerUrl), execArgv: [] };
  return { url: new URL(relative.replace(/\.js$/, '.ts'), callerUrl), execArgv: ['--import', tsxRegistration()] };
}

/** A worker thread running `entry`; no runtime flags of this process are inherited besides the entry's own. */
export function startWorker(entry: Entry, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  return new Worker(entry.url, { ...options, execArgv: [...entry.execArgv] });
}

/** A child process running `entry` (IPC channel included); no runtime flags of this process (profilers, inspectors) are inherited. */
export function forkEntry(entry: Entry, options: Omit<ForkOptions, 'execArgv'> = {}): ChildProcess {
  return fork(fileURLToPath(entry.url), [], { ...options, execArgv: [...entry.execArgv] });
}

/**
 * An `--import` module that registers tsx's ESM loader. tsx's own `--import tsx` registers only on the main thread,
 * so worker threads would not get it; its API registers wherever it runs.
 */
function tsxRegistration(): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `data:text/javascript,import{register}from${encodeURIComponent(JSON.stringify(api))};register();`;
}
