/**
 * Child-process entry of the RMD parser: parses RMD bodies away from the gate and sends each snapshot back as a delta
 * against the previous one, one small message per pull from the gate (parser-protocol.ts), so the event loop that
 * answers SIP never blocks on a large parse and allocates only what changed.
 *
 * A process, not a worker thread: a parse allocates about 100 MB, and inside the gate's process its garbage collection
 * would run on helper threads at normal priority, in the gate's heap. This process runs every thread at the lowest
 * priority and has its own memory (docs/feeds.md has the measurements).
 */
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { RmdFiling } from '../../screening/index.js';
import { setProcessPriority } from '../../lib/index.js';
import { parseRmdFeed } from '../parse.js';
import { buildFilingIndexes } from './filing-index.js';
import { BODY_FD, FILINGS_PER_MESSAGE, ORDER_PER_MESSAGE, sameFiling, toWire, type ParseJob, type ParserReply, type ToParser } from './parser-protocol.js';

/** The last snapshot sent: its id, and each filing with its index in file order (to find what changed). */
let base: { readonly id: string; readonly rows: ReadonlyMap<string, { readonly filing: RmdFiling; readonly index: number }> } | undefined;
/** The messages of the job in progress not yet pulled by the main thread. */
let outbox: { readonly id: number; readonly replies: ParserReply[] } | undefined;

/** Consecutive slices of at most `size` items (arrays and typed arrays alike). */
function batches<T extends { readonly length: number; slice(start: number, end: number): T }>(items: T, size: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Parses, diffs against the base and queues the job's messages (sent one per `more`). */
function replies(job: ParseJob, body: Buffer): ParserReply[] {
  try {
    const { snapshot, headers, report } = parseRmdFeed(body, job.job);
    const delta = base !== undefined && base.id === job.baseId ? base : undefined;
    const rows = new Map<string, { filing: RmdFiling; index: number }>();
    const changed: RmdFiling[] = [];
    const order = new Int32Array(snapshot.byRmdNumber.size);
    let index = 0;
    for (const [k, f] of snapshot.byRmdNumber) {
      const before = delta?.rows.get(k);
      if (before !== undefined && sameFiling(before.filing, f)) order[index] = before.index;
      else order[index] = -changed.push(f); // -1 - (its index in `changed`)
      rows.set(k, { filing: f, index });
      index++;
    }
    base = { id: snapshot.id, rows };
    const id = job.id;
    const { byRmdNumber, byFrn } = buildFilingIndexes(snapshot);
    return [
      { id, type: 'head', snapshotId: snapshot.id, source: snapshot.source, loadedAt: snapshot.loadedAt, headers, report, base: delta?.id ?? null, rows: order.length },
      ...batches(changed, FILINGS_PER_MESSAGE).map((filings): ParserReply => ({ id, type: 'filings', filings })),
      ...batches(order, ORDER_PER_MESSAGE).map((part): ParserReply => ({ id, type: 'order', order: part })),
      { id, type: 'index', byRmdNumber, byFrn },
      { id, type: 'done' },
    ];
  } catch (err) {
    return [{ id: job.id, type: 'error', error: toWire(err) }];
  }
}

function sendNext(): void {
  const next = outbox?.replies.shift();
  if (outbox === undefined || next === undefined) return;
  if (outbox.replies.length === 0) outbox = undefined;
  process.send?.(next);
}

/** Bodies arrive, in job order, as raw bytes on the data pipe (fd BODY_FD); `take(n)` resolves with the next n bytes. */
function bodyReader(stream: Socket): { take(n: number): Promise<Buffer> } {
  let chunks: Buffer[] = [];
  let have = 0;
  let want: { readonly n: number; readonly resolve: (b: Buffer) => void } | undefined;
  const check = (): void => {
    if (want === undefined || have < want.n) return;
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
    const rest = all.subarray(want.n);
    chunks = rest.length > 0 ? [rest] : [];
    have = rest.length;
    const w = want;
    want = undefined;
    w.resolve(all.subarray(0, w.n));
  };
  stream.on('data', (c: Buffer) => {
    chunks.push(c);
    have += c.length;
    check();
  });
  return {
    take: (n) =>
      new Promise((resolve) => {
        want = { n, resolve };
        check();
      }),
  };
}

const bodies = bodyReader(new Socket({ fd: BODY_FD, readable: true, writable: false }));
/** Jobs are handled one after the other (their bodies arrive in that order). */
let jobs: Promise<void> = Promise.resolve();

function handle(m: ToParser): void {
  if (m.type === 'job') {
    jobs = jobs.then(async () => {
      const body = await bodies.take(m.length);
      // A new job replaces one the gate stopped pulling (it failed or gave up on it).
      outbox = { id: m.id, replies: replies(m, body) };
      sendNext();
    });
  } else if (m.type === 'more' && outbox?.id === m.id) sendNext();
}

// The parse is background work: at the lowest priority (every thread, the GC helpers included) it never takes the CPU
// from the gate. Threads started later inherit it.
setProcessPriority(constants.priority.PRIORITY_LOW);
process.on('message', handle);
// The gate went away (or closed the channel): nothing left to do.
process.on('disconnect', () => process.exit(0));
