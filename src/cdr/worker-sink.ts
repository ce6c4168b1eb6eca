/**
 * Main-thread half of a worker-owned CDR store: write() only queues the record; full chunks and a timer (every flush
 * interval) post records to the worker (structured clone, one bounded chunk per event-loop turn), so the SIP loop never waits.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { startWorker, type Entry } from '../lib/index.js';
import type { CallRecord, CdrRawFields, Logger } from '../screening/index.js';
import type { StoreEnvelope } from './columns.js';
import { recordBytes } from './record-size.js';
import type { CdrLossCause, CdrSinkMetrics, CdrSinkName, SinkHealth, StoreSink } from './ports.js';
import { createLossLog, RecordOutcomes, TicketFifo, type Ticket } from './record-outcomes.js';
import type { BacklogReport, FromStoreWorker } from './worker-protocol.js';

/** Options of a worker-backed sink. */
export interface WorkerCdrSinkOptions {
  /** Sink name for logs and the `sink` label (`sqlite`, `postgres`). */
  readonly name: CdrSinkName;
  /** The store worker's entry module. */
  readonly entry: Entry;
  readonly workerData: unknown;
  readonly flushIntervalMs: number;
  /** Records queued or in flight before new ones are counted lost (`queue-full`). */
  readonly maxQueue: number;
  /** Estimated bytes (record-size.ts) queued or in flight before new records are counted lost (`queue-full`). */
  readonly maxQueueBytes: number;
  /** Records per posted chunk (default {@link DEFAULT_BATCH}). */
  readonly batchSize?: number;
  /** How long health() stays failing after records were lost to a write error, ms (default 10000). */
  readonly unhealthyForMs?: number;
  /** How long close() waits for the worker to finish, ms (default 30000); then it is terminated. */
  readonly closeTimeoutMs?: number;
  readonly log: Logger;
  readonly metrics: CdrSinkMetrics;
  /** Per-record accounting shared by the sinks of one fan-out (default: this sink's own). */
  readonly outcomes?: RecordOutcomes;
  /** Called when the worker exits while the sink is open: the process cannot keep its CDRs any more (serve exits 1). */
  readonly onFatal?: (what: string, err: Error) => void;
  /** Whether the store keeps flood summary records (SQLite); else they are ignored like dispositions. */
  readonly floodSummaries?: boolean;
}

/** A worker-backed sink; `write` takes the fan-out's ticket of the record. */
export interface WorkerCdrSink extends StoreSink {
  write(record: CallRecord, raw?: CdrRawFields, ticket?: Ticket): void;
}

/** Starts the worker and resolves once it reports ready; rejects with its init error. */
export async function startWorkerCdrSink(opts: WorkerCdrSinkOptions): Promise<WorkerCdrSink> {
  const worker = startWorker(opts.entry, { workerData: opts.workerData });
  await waitReady(worker, opts.name);
  return new WorkerPump(worker, opts);
}

function waitReady(worker: Worker, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromStoreWorker): void => {
      if (m.t !== 'ready' && m.t !== 'init-failed') return;
      cleanup();
      if (m.t === 'ready') resolve();
      else reject(new Error(`cdr ${name} store failed to start: ${m.error}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`cdr ${name} store worker exited during start (code ${code})`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      worker.off('message', onMessage).off('exit', onExit).off('error', onError);
    };
    worker.on('message', onMessage).on('exit', onExit).on('error', onError);
  });
}

/** Records per posted chunk by default: under 1 ms of structured clone per chunk. */
const DEFAULT_BATCH = 200;
/**
 * The main-thread pump of one store worker: a queue of envelopes, chunks in flight (acknowledged by the worker with
 * what was written or lost), and health (failing while the worker is gone or for `unhealthyForMs` after a loss).
 */
class WorkerPump implements WorkerCdrSink {
  private queue: StoreEnvelope[] = [];
  private tickets: Ticket[] = [];
  /** Estimated bytes of each queued record (record-size.ts), parallel to `queue`. */
  private sizes: number[] = [];
  /** Estimated bytes queued and in flight. */
  private queuedBytes = 0;
  private readonly inflightBytes = new Map<number, number>();
  private readonly inflight = new Map<number, Ticket[]>();
  private readonly held = new TicketFifo();
  private backlogState: BacklogReport | undefined;
  private readonly outcomes: RecordOutcomes;
  private readonly lossLog: ReturnType<typeof createLossLog>;
  private readonly waiters = new Map<number, () => void>();
  private inflightCount = 0;
  private nextId = 1;
  private alive = true;
  private closed = false;
  private pumping = false;
  private state: SinkHealth;
  private lastLoss: { at: number; error: string } | undefined;
  private readonly batchSize: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly worker: Worker, private readonly opts: WorkerCdrSinkOptions) {
    this.batchSize = opts.batchSize ?? DEFAULT_BATCH;
    this.outcomes = opts.outcomes ?? new RecordOutcomes(opts.metrics);
    this.lossLog = createLossLog(opts.log, opts.name);
    opts.metrics.backlog(opts.name, 0, 0);
    this.state = { ok: true, detail: `${opts.name} store running` };
    this.timer = setInterval(() => this.pump(), opts.flushIntervalMs);
    this.timer.unref();
    worker.unref();
    worker.on('message', (m: FromStoreWorker) => this.onMessage(m));
    worker.on('error', (err) => opts.log.error({ err, sink: opts.name }, 'cdr store worker failed'));
    worker.on('exit', (code) => this.onExit(code));
  }

  write(record: CallRecord, raw?: CdrRawFields, ticket?: Ticket): void {
    // The stores hold screening rows (and SQLite flood summaries); dispositions are kept by the JSON-lines sink.
    if (record.type === 'disposition' || (record.type === 'flood-summary' && this.opts.floodSummaries !== true)) return;
    const t = ticket ?? this.outcomes.ticket(1, record.type);
    if (this.closed || !this.alive) return this.lose([t], this.closed ? 'closed' : 'write-error', undefined);
    if (this.queue.length + this.inflightCount >= this.opts.maxQueue) return this.lose([t], 'queue-full', undefined);
    const bytes = recordBytes(record, raw);
    if (this.queuedBytes + bytes > this.opts.maxQueueBytes) return this.lose([t], 'queue-full', undefined);
    this.queue.push(record.type === 'flood-summary' ? { r: record } : raw === undefined ? { r: record } : { r: record, x: raw });
    this.tickets.push(t);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    if (this.queue.length >= this.batchSize && !this.pumping) this.pump();
  }

  flush(): Promise<void> {
    return this.request('sync');
  }

  /** Drains, lets the worker finish (bounded by closeTimeoutMs, then terminated) and waits for its exit. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    const exited = this.alive ? new Promise<void>((resolve) => this.worker.once('exit', () => resolve())) : Promise.resolve();
    const deadline = setTimeout(() => void this.worker.terminate(), this.opts.closeTimeoutMs ?? 30_000);
    await this.request('close');
    this.closed = true;
    await exited;
    clearTimeout(deadline);
  }

  /**
   * Failing while the worker is gone, while records are held for retry, or for `unhealthyForMs` after a loss (no
   * flapping between chunks; recovers without traffic).
   */
  health(): SinkHealth {
    if (!this.alive) return { ok: false, detail: this.state.detail };
    const b = this.backlogState;
    if (b !== undefined && b.records > 0) return { ok: false, detail: `${b.detail}; last error: ${b.error ?? 'none'}` };
    const ago = this.lastLoss === undefined ? Infinity : Date.now() - this.lastLoss.at;
    if (this.lastLoss !== undefined && ago < (this.opts.unhealthyForMs ?? 10_000)) return { ok: false, detail: `records lost ${Math.round(ago / 1000)} s ago: ${this.lastLoss.error}` };
    return this.state;
  }

  queued(): number {
    return this.queue.length + this.inflightCount;
  }

  private onMessage(m: FromStoreWorker): void {
    if (m.t === 'ack') {
      const tickets = this.inflight.get(m.id) ?? [];
      this.inflightCount -= tickets.length;
      this.inflight.delete(m.id);
      this.queuedBytes -= this.inflightBytes.get(m.id) ?? 0;
      this.inflightBytes.delete(m.id);
      this.settle(tickets, m.outcomes ?? 'w'.repeat(m.written) + 'l'.repeat(m.lost), m.cause ?? 'write-error', m.error);
      this.opts.metrics.writeSeconds(this.opts.name, m.seconds);
      this.opts.metrics.queueDepth(this.queued());
    } else if (m.t === 'backlog') {
      this.outcomes.written(this.opts.name, this.held.shift(m.written - m.recovered));
      this.outcomes.recovered(this.opts.name, m.recovered);
      this.lose(this.held.pop(m.lost), 'write-error', m.error);
      this.backlogState = m;
      this.opts.metrics.backlog(this.opts.name, m.records, m.bytes);
    } else if (m.t === 'done') {
      this.waiters.get(m.id)?.();
      this.waiters.delete(m.id);
    } else if (m.t === 'health') {
      this.state = { ok: m.ok, detail: m.detail };
    } else if (m.t === 'log') {
      this.opts.log[m.level]({ sink: this.opts.name, ...m.fields }, m.msg);
    }
  }

  /** Settles a batch's tickets by the worker's per-item outcomes (`w` written, `h` held, `l` lost). */
  private settle(tickets: readonly Ticket[], outcomes: string, cause: CdrLossCause, error: string | undefined): void {
    const written: Ticket[] = [];
    const held: Ticket[] = [];
    const lost: Ticket[] = [];
    for (let i = 0; i < tickets.length; i++) {
      const o = outcomes[i];
      (o === 'w' ? written : o === 'h' ? held : lost).push(tickets[i]!);
    }
    this.outcomes.written(this.opts.name, written);
    this.held.push(held);
    this.lose(lost, cause, error);
  }

  private lose(tickets: readonly Ticket[], cause: CdrLossCause, error: string | undefined): void {
    if (tickets.length === 0) return;
    this.outcomes.lost(this.opts.name, tickets, cause);
    if (cause !== 'closed' && cause !== 'queue-full') this.lastLoss = { at: Date.now(), error: error ?? cause };
    this.lossLog(tickets.length, cause, error);
  }

  private onExit(code: number): void {
    this.alive = false;
    this.lose([...this.inflight.values()].flat(), 'write-error', `${this.opts.name} store worker exited`);
    if (!this.closed) {
      this.state = { ok: false, detail: `${this.opts.name} store worker exited (code ${code})` };
      this.opts.log.error({ sink: this.opts.name, code, lost: this.inflightCount + this.queue.length + this.held.length }, 'cdr store worker exited');
      this.lose([...this.held.shift(this.held.length), ...this.tickets], 'write-error', this.state.detail);
      this.queue = [];
      this.tickets = [];
      this.sizes = [];
      this.backlogState = undefined;
      this.opts.onFatal?.(`cdr ${this.opts.name} store`, new Error(this.state.detail));
    }
    this.inflight.clear();
    this.inflightBytes.clear();
    this.inflightCount = 0;
    this.queuedBytes = 0;
    for (const w of this.waiters.values()) w();
    this.waiters.clear();
  }

  private postChunk(): void {
    const items = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
    const tickets = this.queue.length <= this.batchSize ? this.tickets : this.tickets.slice(0, this.batchSize);
    const sizes = this.queue.length <= this.batchSize ? this.sizes : this.sizes.slice(0, this.batchSize);
    this.queue = items === this.queue ? [] : this.queue.slice(this.batchSize);
    this.tickets = tickets === this.tickets ? [] : this.tickets.slice(this.batchSize);
    this.sizes = sizes === this.sizes ? [] : this.sizes.slice(this.batchSize);
    const id = this.nextId++;
    this.inflight.set(id, tickets);
    this.inflightBytes.set(id, sizes.reduce((n, b) => n + b, 0));
    this.inflightCount += items.length;
    this.worker.postMessage({ t: 'batch', id, items });
  }

  /** Posts one chunk now and the rest on later event-loop turns (bounded work per turn). */
  private pump(): void {
    if (this.pumping || !this.alive || this.queue.length === 0) return;
    this.postChunk();
    if (this.queue.length === 0) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private async request(t: 'sync' | 'close'): Promise<void> {
    if (this.alive) this.worker.ref();
    while (this.alive && this.queue.length > 0) {
      this.postChunk();
      await nextTurn();
    }
    if (!this.alive) return;
    const id = this.nextId++;
    const done = new Promise<void>((resolve) => this.waiters.set(id, resolve));
    this.worker.postMessage({ t, id });
    await done;
    if (this.alive) this.worker.unref();
  }
}
