/**
 * CdrSink writing one JSON line per record (screening or disposition) to daily files `cdr-YYYY-MM-DD.jsonl` (UTC day).
 * write() only queues; a timer (or a full batch) drains the queue with one append per batch, so the SIP path never waits on disk.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord, CdrSink, Logger } from '../screening/index.js';
import type { CdrSinkMetrics } from './ports.js';

/** Options of the JSON-lines sink. */
export interface JsonlCdrSinkOptions {
  readonly dir: string;
  readonly flushIntervalMs: number;
  readonly maxQueue: number;
  readonly log: Logger;
  readonly metrics: CdrSinkMetrics;
  /** Monotonic ms, for write latency. */
  readonly monotonicMs: () => number;
  /** Records per append when the queue is long. */
  readonly batchSize?: number;
}

/** A daily-file JSON-lines CDR sink. */
export function createJsonlCdrSink(opts: JsonlCdrSinkOptions): CdrSink & { readonly queued: () => number } {
  const batchSize = opts.batchSize ?? 2000;
  let queue: { day: string; line: string }[] = [];
  let current: { day: string; fh: FileHandle } | undefined;
  let draining: Promise<void> | undefined;
  let closed = false;
  let dirReady: Promise<unknown> | undefined;
  const timer = setInterval(() => void drain(), opts.flushIntervalMs);
  timer.unref();

  function write(record: CallRecord): void {
    if (closed) return opts.metrics.lost(1, 'closed');
    if (queue.length >= opts.maxQueue) return opts.metrics.lost(1, 'queue-full');
    queue.push({ day: dayOf(record), line: JSON.stringify(record) + '\n' });
    if (queue.length >= batchSize) void drain();
  }

  function drain(): Promise<void> {
    draining ??= drainLoop().finally(() => (draining = undefined));
    return draining;
  }

  async function drainLoop(): Promise<void> {
    while (queue.length > 0) {
      const batch = takeBatch();
      const started = opts.monotonicMs();
      try {
        const fh = await fileFor(batch.day);
        await fh.appendFile(batch.text);
        opts.metrics.written(batch.count);
        opts.metrics.writeSeconds((opts.monotonicMs() - started) / 1000);
      } catch (err) {
        opts.metrics.lost(batch.count, 'write-error');
        opts.log.error({ err, records: batch.count, dir: opts.dir }, 'cdr write failed');
        await closeCurrent();
      }
      opts.metrics.queueDepth(queue.length);
    }
  }

  function takeBatch(): { day: string; text: string; count: number } {
    const day = queue[0]!.day;
    let n = 0;
    while (n < queue.length && n < batchSize && queue[n]!.day === day) n++;
    const items = queue.slice(0, n);
    queue = queue.slice(n);
    return { day, text: items.map((i) => i.line).join(''), count: n };
  }

  async function fileFor(day: string): Promise<FileHandle> {
    if (current?.day === day) return current.fh;
    await closeCurrent();
    dirReady ??= mkdir(opts.dir, { recursive: true });
    await dirReady;
    const fh = await open(join(opts.dir, `cdr-${day}.jsonl`), 'a');
    current = { day, fh };
    return fh;
  }

  async function closeCurrent(): Promise<void> {
    const c = current;
    current = undefined;
    dirReady = undefined;
    await c?.fh.close().catch(() => undefined);
  }

  async function flush(): Promise<void> {
    while (queue.length > 0 || draining) await drain();
  }

  async function close(): Promise<void> {
    clearInterval(timer);
    await flush();
    closed = true;
    await closeCurrent();
  }

  return { write, flush, close, queued: () => queue.length };
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * UTC day file of a record: a screening record's receipt day, a disposition's event day; a record of any other
 * (future) type goes to today's file rather than failing.
 */
function dayOf(record: CallRecord): string {
  const stamp: unknown = record.type === 'screening' ? record.receivedAt : record.type === 'disposition' ? record.at : undefined;
  return typeof stamp === 'string' && DAY.test(stamp) ? stamp.slice(0, 10) : new Date().toISOString().slice(0, 10);
}
