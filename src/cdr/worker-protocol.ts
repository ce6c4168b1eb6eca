/**
 * The message protocol between the main thread's worker CDR sink and a store worker (SQLite or PostgreSQL), and
 * the worker-side loop that serves it: messages are handled strictly in order, each batch acknowledged once.
 */
import { parentPort } from 'node:worker_threads';
import type { StoreEnvelope } from './columns.js';
import { setThreadPriority } from '../lib/index.js';

/**
 * Outcome of one batch. `error` is the first failure's message (e.g. SQLITE_FULL) when some records were not written.
 * `outcomes`, when present, has one letter per item in order: `w` written, `h` held for retry, `l` lost (`cause`);
 * without it the first `written` items were written and the rest lost.
 */
export interface BatchResult {
  readonly written: number;
  readonly lost: number;
  readonly error?: string;
  readonly outcomes?: string;
  readonly cause?: 'backlog-full' | 'write-error';
}

/**
 * What the retry backlog did since the last report: the oldest `written` held records were written back (`recovered`
 * of them held by an earlier run), the newest `lost` could not be kept at close; `records`/`bytes` are still held.
 */
export interface BacklogReport {
  readonly t: 'backlog';
  readonly written: number;
  readonly recovered: number;
  readonly lost: number;
  readonly records: number;
  readonly bytes: number;
  readonly detail: string;
  readonly error?: string;
}

/** Main thread → worker. */
export type ToStoreWorker =
  | { readonly t: 'batch'; readonly id: number; readonly items: readonly StoreEnvelope[] }
  | { readonly t: 'sync'; readonly id: number }
  | { readonly t: 'close'; readonly id: number };

/** Worker → main thread. */
export type FromStoreWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'init-failed'; readonly error: string }
  | { readonly t: 'ack'; readonly id: number; readonly written: number; readonly lost: number; readonly seconds: number; readonly error?: string; readonly outcomes?: string; readonly cause?: 'backlog-full' | 'write-error' }
  | BacklogReport
  | { readonly t: 'done'; readonly id: number }
  | { readonly t: 'health'; readonly ok: boolean; readonly detail: string }
  | { readonly t: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly msg: string; readonly fields: Readonly<Record<string, unknown>> };

/** What a store worker implements; `batch` is durable when it resolves (committed or spooled with fsync). */
export interface StoreWorkerHandler {
  batch(items: readonly StoreEnvelope[]): BatchResult | Promise<BatchResult>;
  /** Everything acknowledged is durable; may do extra work (e.g. ship the spool). */
  sync(): void | Promise<void>;
  /** Flushes and releases resources; the worker exits after it. */
  close(): void | Promise<void>;
}

/** Nice value of store worker threads (0 = normal, 19 = lowest). */
export const STORE_WORKER_NICE = 10;

/** Posts a message to the main thread (no-op outside a worker, e.g. in unit tests). */
export function postToMain(msg: FromStoreWorker): void {
  parentPort?.postMessage(msg);
}

/** Sends a log line to the main thread's logger. */
export function workerLog(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  postToMain({ t: 'log', level, msg, fields });
}

/**
 * Serves the protocol: initialises the handler (reporting `ready` or `init-failed`), then processes messages in
 * arrival order on one promise chain. After `close` it detaches so the worker thread can exit.
 */
export function serveStoreWorker(init: () => Promise<StoreWorkerHandler>): void {
  const port = parentPort;
  if (!port) throw new Error('serveStoreWorker must run in a worker thread');
  // Writing CDRs is queued background work: below normal priority, the thread answering SIP gets the CPU first when
  // both want it (the queue absorbs the delay); when the CPU is free the worker runs at full speed.
  setThreadPriority(STORE_WORKER_NICE);
  let chain: Promise<unknown> = init().then(
    (h) => {
      postToMain({ t: 'ready' });
      return h;
    },
    (err: unknown) => {
      postToMain({ t: 'init-failed', error: err instanceof Error ? err.message : String(err) });
      port.close();
      return undefined;
    },
  );
  const handlerReady = chain as Promise<StoreWorkerHandler | undefined>;
  port.on('message', (msg: ToStoreWorker) => {
    chain = chain.then(async () => {
      const h = await handlerReady;
      if (h) await handle(h, msg, port);
    });
  });
}

async function handle(h: StoreWorkerHandler, msg: ToStoreWorker, port: NonNullable<typeof parentPort>): Promise<void> {
  if (msg.t === 'batch') {
    const started = performance.now();
    let r: BatchResult;
    try {
      r = await h.batch(msg.items);
    } catch (err) {
      r = { written: 0, lost: msg.items.length, error: err instanceof Error ? err.message : String(err) };
    }
    const { written, lost, error, outcomes, cause } = r;
    postToMain({ t: 'ack', id: msg.id, written, lost, seconds: (performance.now() - started) / 1000, ...(error === undefined ? {} : { error }), ...(outcomes === undefined ? {} : { outcomes }), ...(cause === undefined ? {} : { cause }) });
  } else if (msg.t === 'sync') {
    await safely(() => h.sync(), 'store sync failed');
    postToMain({ t: 'done', id: msg.id });
  } else {
    await safely(() => h.close(), 'store close failed');
    postToMain({ t: 'done', id: msg.id });
    port.close();
  }
}

async function safely(fn: () => void | Promise<void>, msg: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    workerLog('error', msg, { err: err instanceof Error ? err.message : String(err) });
  }
}
