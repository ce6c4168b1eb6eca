/**
 * The RMD parser process, seen from the gate: one long-lived child (parser-child.ts) running one parse at a time,
 * respawned after a crash or a timeout. Bodies go down a data pipe (the kernel moves them; the SIP thread neither
 * serialises nor stages them on disk); the snapshot comes back as pulled delta messages (parser-protocol.ts) against
 * the last snapshot this process sent, which both sides remember.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { entryOf, forkEntry } from '../../lib/index.js';
import type { RmdSnapshot } from '../../screening/index.js';
import { FeedError } from '../errors.js';
import type { FeedParseJob } from '../parse.js';
import type { RmdReadReport } from './csv.js';
import { BODY_FD, createAssembly, revive, type BaseSnapshot, type ParserReply, type ToParser } from './parser-protocol.js';

const CHILD = entryOf('./parser-child.js', import.meta.url);

/** A parsed RMD body: the snapshot, its header cells and the read report (columns, skipped rows). */
export interface ParsedRmd {
  readonly snapshot: RmdSnapshot;
  readonly headers: string[];
  readonly report: RmdReadReport;
}

type Handle = { ref(): void; unref(): void };

function bodyPipe(child: ChildProcess): Writable & Handle {
  return child.stdio[BODY_FD] as Writable & Handle;
}

/** Starts the child: structured-clone IPC for messages, a data pipe (fd BODY_FD) for bodies. */
function spawnParser(): ChildProcess {
  const stdio: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc'];
  for (let fd = stdio.length; fd <= BODY_FD; fd++) stdio.push('pipe');
  const child = forkEntry(CHILD, { serialization: 'advanced', stdio });
  // A parser that dies mid-write must not take the gate with it (EPIPE): its exit fails the job.
  bodyPipe(child).on('error', () => undefined);
  return child;
}

/** Lets the gate exit while the parser idles, and keeps it alive while a parse runs. */
function holdOpen(child: ChildProcess, hold: boolean): void {
  for (const h of [child, child.channel as Handle | null | undefined, bodyPipe(child)]) {
    if (hold) h?.ref();
    else h?.unref();
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.ref(); // an idle child is unref'd: without this the process could end before 'exit' arrives, mid-stop
    child.kill('SIGKILL');
  });
}

/** The gate's side of the parser process. */
export class RmdParserProcess {
  private child: ChildProcess | undefined;
  /** The last snapshot received from the current child: the base of its next delta. */
  private base: BaseSnapshot | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  /** @param parseTimeoutMs longest a parse may take before it is abandoned (ERR_FEED_TIMEOUT) and the child replaced. */
  constructor(private readonly parseTimeoutMs: number) {}

  /** The child's pid while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Parses a body; parses run one after another. Rejects with the parse error (DataFileError or FeedError). */
  run(bytes: Uint8Array, job: FeedParseJob): Promise<ParsedRmd> {
    const result = this.chain.then(() => this.runOne(bytes, job));
    this.chain = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c !== undefined) await kill(c);
  }

  private current(): ChildProcess {
    if (this.child !== undefined) return this.child;
    this.base = undefined; // a new process knows no snapshot
    const spawned = spawnParser();
    spawned.once('exit', () => {
      if (this.child === spawned) this.child = undefined; // died while idle: the next job starts a new one
    });
    this.child = spawned;
    return spawned;
  }

  /** Replaces a child that failed or overran: the next job gets a fresh one. */
  private discard(c: ChildProcess): void {
    if (this.child === c) this.child = undefined;
    void kill(c);
  }

  private runOne(bytes: Uint8Array, job: FeedParseJob): Promise<ParsedRmd> {
    return new Promise((resolve, reject) => {
      const c = this.current();
      const id = this.nextId++;
      const assembly = createAssembly(this.base);
      const deadline = setTimeout(() => fail(new FeedError('ERR_FEED_TIMEOUT', `RMD parse did not finish within ${this.parseTimeoutMs} ms; parser process restarted`)), this.parseTimeoutMs);
      const done = (): void => {
        clearTimeout(deadline);
        c.off('message', onMessage).off('error', onError).off('exit', onExit);
        holdOpen(c, false);
      };
      const fail = (err: unknown): void => {
        done();
        this.discard(c);
        reject(err);
      };
      const onError = (err: unknown): void => fail(new FeedError('ERR_FEED_INTERNAL', `RMD parser process failed: ${String(err)}`, { cause: err }));
      const onExit = (code: number | null, signal: string | null): void => onError(new Error(`exited (${signal ?? `code ${code}`})`));
      const onMessage = (m: ParserReply): void => {
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
          fail(err);
          return;
        }
        if (result === undefined) {
          // Pull the next message on a later turn, after the I/O this one may have held up.
          setImmediate(() => c.connected && c.send({ type: 'more', id } satisfies ToParser));
          return;
        }
        done();
        this.base = result.base;
        resolve(result);
      };
      holdOpen(c, true);
      c.on('message', onMessage).once('error', onError).once('exit', onExit);
      c.send({ type: 'job', id, length: bytes.length, job, baseId: this.base?.snapshot.id } satisfies ToParser);
      bodyPipe(c).write(bytes);
    });
  }
}
