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
  const sink = new JsonlSink(opts);
  return { write: (r) => sink.write(r), flush: () => sink.flush(), close: () => sink.close(), queued: () => sink.queued() };
}

/** Records queued as lines per UTC day; one append per batch of one day; the day's file stays open until the day changes. */
class JsonlSink {
  private readonly batchSize: number;
  private queue: { day: string; line: string }[] = [];
  private current: { day: string; fh: FileHandle } | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private dirReady: Promise<unknown> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: JsonlCdrSinkOptions) {
    this.batchSize = opts.batchSize ?? 2000;
    this.timer = setInterval(() => void this.drain(), opts.flushIntervalMs);
    this.timer.unref();
  }

  write(record: CallRecord): void {
    if (this.closed) return this.opts.metrics.lost(1, 'closed');
    if (this.queue.length >= this.opts.maxQueue) return this.opts.metrics.lost(1, 'queue-full');
    this.queue.push({ day: dayOf(record), line: JSON.stringify(record) + '\n' });
    if (this.queue.length >= this.batchSize) void this.drain();
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.draining) await this.drain();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.closeCurrent();
  }

  queued(): number {
    return this.queue.length;
  }

  private drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    const { metrics, log } = this.opts;
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const started = this.opts.monotonicMs();
      try {
        const fh = await this.fileFor(batch.day);
        await fh.appendFile(batch.text);
        metrics.written(batch.count);
        metrics.writeSeconds((this.opts.monotonicMs() - started) / 1000);
      } catch (err) {
        metrics.lost(batch.count, 'write-error');
        log.error({ err, records: batch.count, dir: this.opts.dir }, 'cdr write failed');
        await this.closeCurrent();
      }
      metrics.queueDepth(this.queue.length);
    }
  }

  /** The longest run of queued lines of one day, at most batchSize. */
  private takeBatch(): { day: string; text: string; count: number } {
    const day = this.queue[0]!.day;
    let n = 0;
    while (n < this.queue.length && n < this.batchSize && this.queue[n]!.day === day) n++;
    const items = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    return { day, text: items.map((i) => i.line).join(''), count: n };
  }

  private async fileFor(day: string): Promise<FileHandle> {
    if (this.current?.day === day) return this.current.fh;
    await this.closeCurrent();
    this.dirReady ??= mkdir(this.opts.dir, { recursive: true });
    await this.dirReady;
    const fh = await open(join(this.opts.dir, `cdr-${day}.jsonl`), 'a');
    this.current = { day, fh };
    return fh;
  }

  private async closeCurrent(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    this.dirReady = undefined;
    await c?.fh.close().catch(() => undefined);
  }
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
