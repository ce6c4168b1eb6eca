/**
 * The FeedParser adapter: blocklists are parsed inline (small); RMD bodies in a child process when the compiled entry
 * is available (dist/), streamed back in batches, else inline (tests run from sources).
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { FeedError } from './errors.js';
import type { FeedData, FeedParser, FeedSpec } from './ports.js';
import type { RmdSnapshot } from '../screening/model.js';
import { parseListFeed, parseRmdFeed, type FeedParseJob } from './parse.js';
import { BODY_FD, createAssembly, revive, type BaseSnapshot, type ToWorker, type WorkerReply } from './rmd/parser-protocol.js';

const CHILD_URL = new URL('./rmd/parser-child.js', import.meta.url);

/**
 * Starts the parser process: structured-clone IPC for messages, a data pipe (fd BODY_FD) for bodies, no inherited runtime
 * flags (profilers, inspectors, loaders).
 */
function spawnParser(): ChildProcess {
  const stdio: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc'];
  for (let fd = stdio.length; fd <= BODY_FD; fd++) stdio.push('pipe');
  const child = fork(fileURLToPath(CHILD_URL), [], { serialization: 'advanced', execArgv: [], stdio });
  // A parser that dies mid-write must not take the gate with it (EPIPE): its exit fails the job.
  bodyPipe(child).on('error', () => undefined);
  return child;
}

function bodyPipe(child: ChildProcess): Writable & { ref(): void; unref(): void } {
  return child.stdio[BODY_FD] as Writable & { ref(): void; unref(): void };
}

/** Lets the gate exit while the parser idles (and keeps it alive while a parse runs). */
function holdOpen(child: ChildProcess, hold: boolean): void {
  const handles = [child.channel as { ref(): void; unref(): void } | null | undefined, bodyPipe(child)];
  if (hold) {
    child.ref();
    for (const h of handles) h?.ref();
  } else {
    child.unref();
    for (const h of handles) h?.unref();
  }
}

/**
 * One long-lived parser process running one parse at a time, respawned after a crash or a timeout. It remembers the
 * last snapshot it sent, which is the base of the next delta; messages are pulled one at a time (see
 * rmd-worker-protocol.ts). The body goes down the data pipe (the kernel moves it; the SIP thread neither serialises
 * nor stages it on disk).
 */
function createRmdParserProcess(parseTimeoutMs: number): { run(bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }>; close(): Promise<void>; readonly pid: number | undefined } {
  let child: ChildProcess | undefined;
  let base: BaseSnapshot | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let nextId = 1;
  const stop = (c: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  const runOne = (bytes: Uint8Array, job: FeedParseJob): Promise<{ snapshot: RmdSnapshot; headers: string[] }> =>
    new Promise((resolve, reject) => {
      if (child === undefined) {
        base = undefined; // a new process knows no snapshot
        const spawned = spawnParser();
        spawned.once('exit', () => {
          if (child === spawned) child = undefined; // died while idle: the next job starts a new one
        });
        child = spawned;
      }
      const c = child;
      const id = nextId++;
      const assembly = createAssembly(base);
      const deadline = setTimeout(() => {
        broken(new FeedError('ERR_FEED_TIMEOUT', `RMD parse did not finish within ${parseTimeoutMs} ms; parser process restarted`));
      }, parseTimeoutMs);
      const done = (): void => {
        clearTimeout(deadline);
        c.off('message', onMessage).off('error', onFail).off('exit', onExit);
        holdOpen(c, false);
      };
      const broken = (err: unknown): void => {
        done();
        child = undefined;
        void stop(c);
        reject(err);
      };
      const onFail = (err: unknown): void => {
        done();
        child = undefined;
        void stop(c);
        reject(new FeedError('ERR_FEED_INTERNAL', `RMD parser process failed: ${String(err)}`, { cause: err }));
      };
      const onExit = (code: number | null, signal: string | null): void => onFail(new Error(`exited (${signal ?? `code ${code}`})`));
      const onMessage = (m: WorkerReply): void => {
        if (m.id !== id) return;
        if (m.type === 'error') {
          done();
          reject(revive(m.error));
          return;
        }
        let result: ReturnType<typeof assembly.finish> | undefined;
        try {
          assembly.take(m);
          if (m.type === 'done') result = assembly.finish();
        } catch (err) {
          broken(err);
          return;
        }
        if (result === undefined) {
          // Pull the next message on a later turn, after the I/O this one may have held up.
          setImmediate(() => c.connected && c.send({ type: 'more', id } satisfies ToWorker));
          return;
        }
        done();
        base = result.base;
        resolve(result);
      };
      holdOpen(c, true);
      c.on('message', onMessage).once('error', onFail).once('exit', onExit);
      c.send({ type: 'job', id, length: bytes.length, job, baseId: base?.snapshot.id } satisfies ToWorker);
      bodyPipe(c).write(bytes);
    });
  return {
    get pid() {
      return child?.pid;
    },
    run(bytes, job) {
      const result = chain.then(() => runOne(bytes, job));
      chain = result.catch(() => undefined);
      return result;
    },
    async close() {
      const c = child;
      child = undefined;
      if (c !== undefined) await stop(c);
    },
  };
}

/** Options of {@link createFeedParser}. `worker`: 'auto' uses the parser process when its compiled entry exists. */
export interface FeedParserOptions {
  readonly maxBytes: number;
  readonly worker?: 'auto' | boolean;
  /**
   * Longest an RMD parse may take in the parser process before it is abandoned (ERR_FEED_TIMEOUT, the last good data
   * stays in force) and the process is restarted, so a pathological body cannot wedge every later refresh. Default
   * 60 s — a 10,000-row export parses in ~0.1 s.
   */
  readonly parseTimeoutMs?: number;
}

/** Creates the parser. close() stops the parser process. */
export function createFeedParser(opts: FeedParserOptions): FeedParser & { readonly usesWorker: boolean; readonly parserPid: number | undefined } {
  const usesWorker = opts.worker === true || (opts.worker !== false && existsSync(fileURLToPath(CHILD_URL)));
  const worker = usesWorker ? createRmdParserProcess(opts.parseTimeoutMs ?? 60_000) : undefined;
  return {
    usesWorker,
    get parserPid() {
      return worker?.pid;
    },
    async parse(spec: FeedSpec, bytes, o): Promise<FeedData> {
      const job: FeedParseJob = { source: o.source, loadedAt: o.loadedAt, maxBytes: opts.maxBytes, contentType: o.contentType };
      if (spec.kind === 'list') return { kind: 'list', entries: parseListFeed(bytes, { name: spec.name, format: spec.format, kind: spec.listKind }, job) };
      const { snapshot, headers } = worker ? await worker.run(bytes, job) : parseRmdFeed(bytes, job);
      return { kind: 'rmd', snapshot, headers };
    },
    close: async () => worker?.close(),
  };
}
