/**
 * The FeedParser adapter: blocklists are parsed inline (small); RMD bodies in a worker thread when the compiled worker
 * is available (dist/), streamed back in batches, else inline (tests run from sources).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FeedError, type FeedErrorCode } from '../../app/feed-error.js';
import type { FeedData, FeedParser, FeedSpec } from '../../app/feed-ports.js';
import type { RmdFiling, RmdSnapshot } from '../../core/model.js';
import { DataFileError, type DataFileErrorCode, type DataFileProblem } from '../data/rmd-csv.js';
import { parseListFeed, parseRmdFeed, type FeedParseJob } from './feed-parse.js';

/** A parse request sent to the worker. */
export interface WorkerJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly job: FeedParseJob;
}

/** An error as it crosses the thread boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
  readonly feedCode: FeedErrorCode;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: string | undefined;
  readonly problems?: readonly DataFileProblem[] | undefined;
  readonly retryable?: boolean | undefined;
}

/** Messages from the worker: head, then filings and FRN index batches, then done (or error). */
export type WorkerReply =
  | { readonly id: number; readonly type: 'head'; readonly snapshotId: string; readonly source: string; readonly loadedAt: number; readonly headers: string[] }
  | { readonly id: number; readonly type: 'filings'; readonly filings: RmdFiling[] }
  | { readonly id: number; readonly type: 'frns'; readonly pairs: [string, string][] }
  | { readonly id: number; readonly type: 'done' }
  | { readonly id: number; readonly type: 'error'; readonly error: WireError };

const WORKER_URL = new URL('./rmd-parse-worker.js', import.meta.url);

function revive(e: WireError): Error {
  if (e.name === 'DataFileError' && e.file !== undefined) {
    const cause = e.feedCode === 'ERR_FEED_TRUNCATED' ? { code: 'CSV_QUOTE_NOT_CLOSED' } : undefined;
    return new DataFileError((e.code ?? 'ERR_DATA_PARSE') as DataFileErrorCode, e.message, { file: e.file, line: e.line, column: e.column, problems: e.problems, cause });
  }
  return new FeedError(e.feedCode, e.message, { retryable: e.retryable });
}

interface Collected {
  head?: Extract<WorkerReply, { type: 'head' }>;
  readonly filings: RmdFiling[];
  readonly pairs: [string, string][];
}

function assemble(c: Collected): { snapshot: RmdSnapshot; headers: string[] } {
  const head = c.head;
  if (head === undefined) throw new FeedError('ERR_FEED_INTERNAL', 'parser worker sent no head');
  const byRmdNumber = new Map(c.filings.map((f) => [f.rmdNumber, f] as const));
  const byFrn = new Map<string, RmdFiling>();
  for (const [frn, number] of c.pairs) {
    const f = byRmdNumber.get(number);
    if (f !== undefined) byFrn.set(frn, f);
  }
  return { snapshot: { id: head.snapshotId, source: head.source, loadedAt: head.loadedAt, rows: byRmdNumber.size, byRmdNumber, byFrn }, headers: head.headers };
}

/** One long-lived worker running one parse at a time; respawned after a crash. */
function createRmdWorker(): { run(bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }>; close(): Promise<void> } {
  let worker: Worker | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let nextId = 1;
  const runOne = (bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }> =>
    new Promise((resolve, reject) => {
      const w = (worker ??= new Worker(WORKER_URL));
      const id = nextId++;
      const got: Collected = { filings: [], pairs: [] };
      const done = (): void => {
        w.off('message', onMessage).off('error', onFail).off('exit', onFail);
        w.unref();
      };
      const onFail = (err: unknown): void => {
        done();
        worker = undefined;
        reject(new FeedError('ERR_FEED_INTERNAL', `RMD parser worker failed: ${String(err)}`, { cause: err }));
      };
      const onMessage = (m: WorkerReply): void => {
        if (m.id !== id) return;
        if (m.type === 'head') got.head = m;
        else if (m.type === 'filings') got.filings.push(...m.filings);
        else if (m.type === 'frns') got.pairs.push(...m.pairs);
        else {
          done();
          if (m.type === 'error') reject(revive(m.error));
          else resolve(assemble(got));
        }
      };
      w.ref();
      w.on('message', onMessage).once('error', onFail).once('exit', onFail);
      w.postMessage({ id, bytes, job } satisfies WorkerJob);
    });
  return {
    run(bytes, job) {
      const result = chain.then(() => runOne(bytes, job));
      chain = result.catch(() => undefined);
      return result;
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w !== undefined) await w.terminate();
    },
  };
}

/** Options of {@link createFeedParser}. `worker`: 'auto' uses the compiled worker when it exists. */
export interface FeedParserOptions {
  readonly maxBytes: number;
  readonly worker?: 'auto' | boolean;
}

/** Creates the parser. close() terminates the worker. */
export function createFeedParser(opts: FeedParserOptions): FeedParser & { readonly usesWorker: boolean } {
  const usesWorker = opts.worker === true || (opts.worker !== false && existsSync(fileURLToPath(WORKER_URL)));
  const worker = usesWorker ? createRmdWorker() : undefined;
  return {
    usesWorker,
    async parse(spec: FeedSpec, bytes, o): Promise<FeedData> {
      const job: FeedParseJob = { source: o.source, loadedAt: o.loadedAt, maxBytes: opts.maxBytes, contentType: o.contentType };
      if (spec.kind === 'list') return { kind: 'list', entries: parseListFeed(bytes, { name: spec.name, format: spec.format, kind: spec.listKind }, job) };
      const { snapshot, headers } = worker ? await worker.run(bytes, job) : parseRmdFeed(bytes, job);
      return { kind: 'rmd', snapshot, headers };
    },
    close: async () => worker?.close(),
  };
}
