/**
 * CdrSink writing one JSON line per record (screening or disposition) to daily files `cdr-YYYY-MM-DD.jsonl` (UTC day).
 * write() only queues; a timer (or a full batch) drains the queue with one append per batch, so the SIP path never
 * waits on disk. A failed append is cut back off the file and its records wait in the retry backlog.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord, Logger } from '../screening/index.js';
import type { Backlog, HeldRecord } from './backlog.js';
import type { SinkHealth } from './ports.js';
import { cutTornTail } from './torn-tail.js';
import { createLossLog, TicketFifo, type RecordOutcomes, type Ticket } from './record-outcomes.js';

/** Options of the JSON-lines sink. */
export interface JsonlCdrSinkOptions {
  readonly dir: string;
  readonly flushIntervalMs: number;
  readonly maxQueue: number;
  /** Bytes of queued lines (2 per character) before new records are counted lost (`queue-full`). */
  readonly maxQueueBytes: number;
  readonly log: Logger;
  readonly outcomes: RecordOutcomes;
  /** Backlog gauges and write latency. */
  readonly report: { writeSeconds(s: number): void; queueDepth(n: number): void; backlog(records: number, bytes: number): void };
  /** Monotonic ms, for write latency and retry timing. */
  readonly monotonicMs: () => number;
  /** Where failed batches wait (opened by the caller). */
  readonly backlog: Backlog;
  /** How often held records are written back, ms. */
  readonly retryIntervalMs: number;
  /** Records per append when the queue is long. */
  readonly batchSize?: number;
}

/** A daily-file JSON-lines CDR sink. */
export interface JsonlCdrSink {
  write(record: CallRecord, ticket?: Ticket): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  queued(): number;
  health(): SinkHealth;
}

/** Creates the sink (the backlog is written back first, on the first timer tick). */
export function createJsonlCdrSink(opts: JsonlCdrSinkOptions): JsonlCdrSink {
  const sink = new JsonlSink(opts);
  return { write: (r, t) => sink.write(r, t), flush: () => sink.flush(), close: () => sink.close(), queued: () => sink.queued(), health: () => sink.health() };
}

interface Queued {
  readonly day: string;
  readonly line: string;
  readonly ticket: Ticket;
}

/** Records queued as lines per UTC day; one append per batch of one day; the day's file stays open until the day changes. */
class JsonlSink {
  private readonly batchSize: number;
  private queue: Queued[] = [];
  private current: { day: string; fh: FileHandle; size: number } | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private queuedBytes = 0;
  private dirReady: Promise<unknown> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly held = new TicketFifo();
  private lastRetry = -Infinity;
  private lastError: string | undefined;
  private readonly lossLog: ReturnType<typeof createLossLog>;

  constructor(private readonly opts: JsonlCdrSinkOptions) {
    this.batchSize = opts.batchSize ?? 2000;
    this.lossLog = createLossLog(opts.log, 'jsonl');
    this.timer = setInterval(() => void this.drain(), opts.flushIntervalMs);
    this.timer.unref();
    opts.report.backlog(opts.backlog.records, opts.backlog.bytes);
  }

  write(record: CallRecord, ticket: Ticket = this.opts.outcomes.ticket(1, record.type)): void {
    if (this.closed) return this.lose([ticket], 'closed', undefined);
    if (this.queue.length >= this.opts.maxQueue) return this.lose([ticket], 'queue-full', undefined);
    const line = JSON.stringify(record);
    // The line is what the queue holds: 2 bytes per character bounds it (one-byte strings take less).
    if (this.queuedBytes + 2 * line.length > this.opts.maxQueueBytes) return this.lose([ticket], 'queue-full', undefined);
    this.queuedBytes += 2 * line.length;
    this.queue.push({ day: dayOf(record), line, ticket });
    if (this.queue.length >= this.batchSize) void this.drain();
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.draining) await this.drain();
  }

  /** Drains the queue, tries the backlog once more, and keeps what is still held in the spool for the next start. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    this.lastRetry = -Infinity;
    await this.drain();
    const { lost, error } = await this.opts.backlog.close();
    this.lose(this.held.pop(lost), 'write-error', error);
    if (this.opts.backlog.records > 0) this.opts.log.warn({ sink: 'jsonl', records: this.opts.backlog.records }, 'cdr records still held at close; written back at the next start');
    await this.closeCurrent();
  }

  queued(): number {
    return this.queue.length;
  }

  /** Failing while records are held for retry (the detail says how many and why). */
  health(): SinkHealth {
    const b = this.opts.backlog;
    if (b.records > 0) return { ok: false, detail: `${b.describe()}; last error: ${this.lastError ?? 'none'}` };
    return { ok: true, detail: `appending to ${this.opts.dir}` };
  }

  private drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    await this.retryDue();
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      if (this.opts.backlog.records > 0) await this.hold(batch.items);
      else await this.append(batch.day, batch.items);
      this.opts.report.queueDepth(this.queue.length);
    }
  }

  private async append(day: string, items: readonly Queued[]): Promise<void> {
    const started = this.opts.monotonicMs();
    try {
      await this.appendLines(day, items.map((i) => i.line));
      this.opts.outcomes.written('jsonl', items.map((i) => i.ticket));
      this.opts.report.writeSeconds((this.opts.monotonicMs() - started) / 1000);
    } catch (err) {
      this.lastError = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      this.lastRetry = this.opts.monotonicMs();
      this.opts.log.warn({ sink: 'jsonl', err, records: items.length, dir: this.opts.dir }, 'cdr append failed; records held for retry');
      await this.hold(items);
    }
  }

  private async hold(items: readonly Queued[]): Promise<void> {
    const r = await this.opts.backlog.hold(items.map((i): HeldRecord => ({ key: i.day, line: i.line })));
    this.held.push(items.slice(0, r.kept).map((i) => i.ticket));
    if (r.kept < items.length) this.lose(items.slice(r.kept).map((i) => i.ticket), r.cause ?? 'backlog-full', r.error);
    this.opts.report.backlog(this.opts.backlog.records, this.opts.backlog.bytes);
  }

  /**
   * Writes the backlog back, at most RETRY_ROUND batches per drain so new batches are not held up: on every drain
   * while write-back succeeds, else once per retryIntervalMs.
   */
  private async retryDue(): Promise<void> {
    const b = this.opts.backlog;
    if (b.records === 0 || this.opts.monotonicMs() - this.lastRetry < this.opts.retryIntervalMs) return;
    const r = await b.retry((day, lines) => this.appendLines(day, lines), this.batchSize * RETRY_ROUND);
    this.lastRetry = r.error === undefined ? -Infinity : this.opts.monotonicMs();
    this.opts.outcomes.written('jsonl', this.held.shift(r.written - r.recovered));
    this.opts.outcomes.recovered('jsonl', r.recovered);
    if (r.error !== undefined) this.lastError = r.error;
    if (r.written > 0) this.opts.log.info({ sink: 'jsonl', records: r.written, left: b.records }, 'cdr records written back from the retry backlog');
    this.opts.report.backlog(b.records, b.bytes);
  }

  /** One append of whole lines; on failure the file is cut back to its size before, so no torn record stays. */
  private async appendLines(day: string, lines: readonly string[]): Promise<void> {
    const f = await this.fileFor(day);
    const text = lines.join('\n') + '\n';
    try {
      await f.fh.appendFile(text);
      f.size += Buffer.byteLength(text);
    } catch (err) {
      await f.fh.truncate(f.size).catch(() => undefined);
      await this.closeCurrent();
      throw err;
    }
  }

  private lose(tickets: readonly Ticket[], cause: 'queue-full' | 'backlog-full' | 'write-error' | 'closed', error: string | undefined): void {
    if (tickets.length === 0) return;
    this.opts.outcomes.lost('jsonl', tickets, cause);
    this.lossLog(tickets.length, cause, error);
  }

  /** The longest run of queued lines of one day, at most batchSize. */
  private takeBatch(): { day: string; items: Queued[] } {
    const day = this.queue[0]!.day;
    let n = 0;
    while (n < this.queue.length && n < this.batchSize && this.queue[n]!.day === day) n++;
    const items = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    for (const i of items) this.queuedBytes -= 2 * i.line.length;
    return { day, items };
  }

  private async fileFor(day: string): Promise<{ fh: FileHandle; size: number }> {
    if (this.current?.day === day) return this.current;
    await this.closeCurrent();
    this.dirReady ??= mkdir(this.opts.dir, { recursive: true });
    await this.dirReady;
    const fh = await open(join(this.opts.dir, `cdr-${day}.jsonl`), 'a+');
    try {
      const size = await cutTornTail(fh);
      this.current = { day, fh, size };
      return this.current;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  private async closeCurrent(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    this.dirReady = undefined;
    await c?.fh.close().catch(() => undefined);
  }
}

/** Batches written back per drain while the backlog drains. */
const RETRY_ROUND = 10;

const DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * UTC day file of a record: a screening record's receipt day, a disposition's event day, a flood summary's interval
 * start day; a record of any other (future) type goes to today's file rather than failing.
 */
function dayOf(record: CallRecord): string {
  const stamp: unknown = record.type === 'screening' ? record.receivedAt : record.type === 'disposition' ? record.at : record.type === 'flood-summary' ? record.intervalStart : undefined;
  return typeof stamp === 'string' && DAY.test(stamp) ? stamp.slice(0, 10) : new Date().toISOString().slice(0, 10);
}
