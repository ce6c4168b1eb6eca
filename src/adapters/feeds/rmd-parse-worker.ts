/**
 * Worker-thread entry: parses RMD bodies off the main thread and sends the snapshot back in small messages, as a
 * delta against the previous snapshot (see rmd-worker-protocol.ts), so the event loop that answers SIP never blocks
 * on a 10,000-row parse and allocates only what changed.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { feedErrorCode } from '../../app/feed-error.js';
import type { RmdFiling } from '../../core/model.js';
import { parseRmdFeed } from './feed-parse.js';
import type { WireError, WorkerJob, WorkerReply } from './rmd-worker-protocol.js';

/** Batch sizes keep each message's main-thread handling (deserialise + map inserts) well under a millisecond. */
const FILINGS_PER_MESSAGE = 200;
const KEYS_PER_MESSAGE = 500;

/** The last snapshot sent: its id and each filing's serialised form (to find what changed). */
let base: { readonly id: string; readonly forms: ReadonlyMap<string, string> } | undefined;

function toWire(err: unknown): WireError {
  const e = err as Partial<WireError> & { name?: string; message?: string; retryable?: boolean };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    code: typeof e.code === 'string' ? e.code : undefined,
    feedCode: feedErrorCode(err),
    file: e.file,
    line: e.line,
    column: e.column,
    problems: e.problems,
    retryable: e.retryable === true,
  };
}

function inBatches<T>(items: readonly T[], size: number, send: (batch: T[]) => void): void {
  for (let i = 0; i < items.length; i += size) send(items.slice(i, i + size));
}

function handle(job: WorkerJob): void {
  const post = (reply: WorkerReply): void => parentPort?.postMessage(reply);
  try {
    const { snapshot, headers } = parseRmdFeed(job.bytes, job.job);
    const delta = base !== undefined && base.id === job.baseId ? base : undefined;
    const forms = new Map<string, string>();
    const changed: RmdFiling[] = [];
    for (const [k, f] of snapshot.byRmdNumber) {
      const form = JSON.stringify(f);
      forms.set(k, form);
      if (delta?.forms.get(k) !== form) changed.push(f);
    }
    post({ id: job.id, type: 'head', snapshotId: snapshot.id, source: snapshot.source, loadedAt: snapshot.loadedAt, headers, base: delta?.id ?? null });
    inBatches(changed, FILINGS_PER_MESSAGE, (filings) => post({ id: job.id, type: 'filings', filings }));
    inBatches([...snapshot.byRmdNumber.keys()], KEYS_PER_MESSAGE, (keys) => post({ id: job.id, type: 'keys', keys }));
    inBatches([...snapshot.byFrn].map(([frn, f]): [string, string] => [frn, f.rmdNumber]), KEYS_PER_MESSAGE, (pairs) => post({ id: job.id, type: 'frns', pairs }));
    post({ id: job.id, type: 'done' });
    base = { id: snapshot.id, forms };
  } catch (err) {
    post({ id: job.id, type: 'error', error: toWire(err) });
  }
}

/**
 * Lowers this thread's CPU priority (Linux: setpriority on the thread id from /proc/thread-self), so on a busy host
 * the main thread answering SIP wins the CPU over a parse. Best effort: elsewhere, or without permission, a no-op.
 */
function deprioritise(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_LOW);
  } catch {
    // not Linux, or not allowed: the parse runs at normal priority
  }
}

deprioritise();
parentPort?.on('message', handle);
