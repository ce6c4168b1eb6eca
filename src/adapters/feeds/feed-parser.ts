/**
 * The FeedParser adapter: blocklists are parsed inline (small); RMD bodies in a worker thread when the compiled worker
 * is available (dist/), streamed back in batches, else inline (tests run from sources).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FeedError } from '../../app/feed-error.js';
import type { FeedData, FeedParser, FeedSpec } from '../../app/feed-ports.js';
import type { RmdSnapshot } from '../../core/model.js';
import { parseListFeed, parseRmdFeed, type FeedParseJob } from './feed-parse.js';
import { isShared } from './shared-body.js';
import { createAssembly, revive, type BaseSnapshot, type ToWorker, type WorkerReply } from './rmd-worker-protocol.js';

const WORKER_URL = new URL('./rmd-parse-worker.js', import.meta.url);

/**
 * One long-lived worker running one parse at a time, respawned after a crash. It remembers the last snapshot it sent,
 * which is the base of the next delta; messages are pulled one at a time (see rmd-worker-protocol.ts).
 */
function createRmdWorker(parseTimeoutMs: number): { run(bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }>; close(): Promise<void> } {
  let worker: Worker | undefined;
  let base: BaseSnapshot | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let nextId = 1;
  const runOne = (bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }> =>
    new Promise((resolve, reject) => {
      if (worker === undefined) base = undefined;
      const w = (worker ??= new Worker(WORKER_URL));
      const id = nextId++;
      const assembly = createAssembly(base);
      const deadline = setTimeout(() => {
        broken(new FeedError('ERR_FEED_TIMEOUT', `RMD parse did not finish within ${parseTimeoutMs} ms; parser worker restarted`));
      }, parseTimeoutMs);
      const done = (): void => {
        clearTimeout(deadline);
        w.off('message', onMessage).off('error', onFail).off('exit', onFail);
        w.unref();
      };
      const broken = (err: unknown): void => {
        done();
        worker = undefined;
        void w.terminate();
        reject(err);
      };
      const onFail = (err: unknown): void => {
        done();
        worker = undefined;
        reject(new FeedError('ERR_FEED_INTERNAL', `RMD parser worker failed: ${String(err)}`, { cause: err }));
      };
      const onMessage = (m: WorkerReply): void => {
        if (m.id !== id) return;
        if (m.type === 'error') {
          done();
          reject(revive(m.error));
          return;
        }
        try {
          assembly.take(m);
        } catch (err) {
          broken(err);
          return;
        }
        if (m.type !== 'done') {
          // Pull the next message on a later turn, after the I/O this one may have held up.
          setImmediate(() => w.postMessage({ type: 'more', id } satisfies ToWorker));
          return;
        }
        done();
        assembly.finish().then((result) => {
          base = result.base;
          resolve(result);
        }, broken);
      };
      w.ref();
      w.on('message', onMessage).once('error', onFail).once('exit', onFail);
      // A body in shared memory is read by the worker in place; any other is copied once and the copy moved.
      const payload = isShared(bytes) ? bytes : bytes.slice();
      w.postMessage({ type: 'job', id, bytes: payload, job, baseId: base?.snapshot.id } satisfies ToWorker, payload === bytes ? [] : [payload.buffer as ArrayBuffer]);
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
  /**
   * Longest an RMD parse may take in the worker before it is abandoned (ERR_FEED_TIMEOUT, the last good data stays in
   * force) and the worker is restarted, so a pathological body cannot wedge every later refresh. Default 60 s — a
   * 10,000-row export parses in ~0.1 s.
   */
  readonly parseTimeoutMs?: number;
}

/** Creates the parser. close() terminates the worker. */
export function createFeedParser(opts: FeedParserOptions): FeedParser & { readonly usesWorker: boolean } {
  const usesWorker = opts.worker === true || (opts.worker !== false && existsSync(fileURLToPath(WORKER_URL)));
  const worker = usesWorker ? createRmdWorker(opts.parseTimeoutMs ?? 60_000) : undefined;
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
