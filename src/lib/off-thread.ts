/**
 * Starts a store worker thread from the compiled `.js` next to this module, or — when running from the `.ts`
 * sources (vitest) — from the `.ts` file through a tiny TypeScript-transpiling loader, since Node 20 runs no TS.
 */
import { Worker } from 'node:worker_threads';

/** Store worker entries (module names in this folder). */
export type StoreWorkerEntry = 'sqlite-worker' | 'pg-worker';

const HERE = import.meta.url;
const FROM_SOURCES = HERE.endsWith('.ts');

/** Spawns a store worker; `workerData` is structured-cloned into it. */
export function spawnStoreWorker(entry: StoreWorkerEntry, workerData: unknown): Worker {
  const path = entry === 'sqlite-worker' ? '../cdr/sqlite/worker' : '../cdr/postgres/worker';
  const url = new URL(`${path}.${FROM_SOURCES ? 'ts' : 'js'}`, HERE);
  return new Worker(url, { workerData, ...(FROM_SOURCES ? { execArgv: tsLoaderExecArgv() } : {}) });
}

/**
 * Node options that make a process or worker run `.ts` ESM sources: `import './x.js'` resolves to `x.ts` when no
 * `x.js` exists, and `.ts` files are transpiled (types erased) with the repo's `typescript`. Development and tests
 * only; production runs `dist/`. Exported so tests can start child processes on the sources the same way.
 */
export function tsLoaderExecArgv(): string[] {
  const hooks = `
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
let ts;
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL?.endsWith('.ts') && /^(\\.|file:)/.test(spec) && spec.endsWith('.js')) {
    const u = new URL(spec, ctx.parentURL);
    if (!existsSync(fileURLToPath(u))) return { url: u.href.slice(0, -3) + '.ts', format: 'module', shortCircuit: true };
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, ctx);
  ts ??= createRequire(${JSON.stringify(HERE)})('typescript');
  const file = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(file, 'utf8'), { fileName: file, compilerOptions: {
    module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}
