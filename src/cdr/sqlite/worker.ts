/**
 * Worker-thread entry of the SQLite CDR store: owns the day files, applies retention at start and daily, and keeps
 * the records of failed transactions (disk full, read-only) in the retry backlog, writing them back in order.
 * Spawned by the worker CDR sink; never imported by the main thread.
 */
import { workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { openBacklog, type Backlog, type BacklogOptions } from '../backlog.js';
import { envelopeMs, parseStoreEnvelopeLines, toEnvelopeLine, toUtcDay, type StoreEnvelope } from '../columns.js';
import { applyRetention } from './day-files.js';
import { createSqliteWriter, type SqliteWriter } from './writer.js';
import { postToMain, serveStoreWorker, workerLog, type BatchResult, type StoreWorkerHandler } from '../worker-protocol.js';
import { createLock } from '../../lib/index.js';

/** workerData of the SQLite store worker. */
export interface SqliteWorkerData {
  readonly dir: string;
  readonly retentionDays: number;
  /** How often retention runs after the start, ms (default one day). */
  readonly retentionIntervalMs?: number;
  /** Where failed batches wait, and how often they are written back, ms. */
  readonly backlog: BacklogOptions;
  readonly retryIntervalMs: number;
}

const DAY_MS = 86_400_000;
/** Records written back per round (one round holds the store for about 100 ms at most). */
const RETRY_ROUND = 10_000;

/**
 * Batches go straight to the writer while nothing is held; the records of a failed day are held, and while anything
 * is held new batches are held behind it (order is kept). A timer writes the backlog back, one day run at a time.
 */
class RetryingStore {
  private readonly lock = createLock();
  private readonly timer: NodeJS.Timeout;
  private lastError: string | undefined;
  private closing = false;

  constructor(private readonly writer: SqliteWriter, private readonly backlog: Backlog, retryIntervalMs: number) {
    this.timer = setInterval(() => void this.retryNow(), retryIntervalMs);
    this.timer.unref();
    // After `ready` (posted once init resolves): the main thread listens for reports from then on.
    setImmediate(() => this.report({ written: 0, recovered: 0, lost: 0 }));
  }

  batch(items: readonly StoreEnvelope[]): Promise<BatchResult> {
    return this.lock(async () => {
      if (this.backlog.records > 0) return this.hold(items, items.map(isWellFormed), items.filter((e) => !isWellFormed(e)).length, undefined);
      const r = this.writer.write(items);
      if (r.lost === 0) return r;
      this.lastError = r.error;
      const failed = r.failedDays ?? new Set<string>();
      const retry = items.map((e) => { const ms = envelopeMs(e); return ms !== undefined && failed.has(toUtcDay(ms)); });
      return this.hold(items, retry, r.lost - retry.filter(Boolean).length, r.error);
    });
  }

  /**
   * Writes back at most RETRY_ROUND records under the lock; while that succeeds and records are left, the next round
   * follows on the next turn (batches arriving meanwhile go first), else at the next timer tick.
   */
  retryNow(): Promise<void> {
    return this.lock(async () => {
      if (this.backlog.records === 0) return;
      const r = await this.backlog.retry((_day, lines) => {
        const { envelopes } = parseStoreEnvelopeLines(lines);
        const w = this.writer.write(envelopes);
        if (w.lost > 0) throw new Error(w.error ?? 'write failed');
      }, RETRY_ROUND);
      if (r.error !== undefined) this.lastError = r.error;
      if (r.written > 0) workerLog('info', 'cdr records written back from the retry backlog', { records: r.written, left: this.backlog.records });
      this.report({ written: r.written, recovered: r.recovered, lost: 0 });
      if (r.error === undefined && this.backlog.records > 0 && !this.closing) setImmediate(() => void this.retryNow());
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closing = true;
    await this.retryNow();
    await this.lock(async () => {
      const { lost, error } = await this.backlog.close();
      if (error !== undefined) this.lastError = error;
      this.report({ written: 0, recovered: 0, lost });
      if (this.backlog.records > 0) workerLog('warn', 'cdr records still held at close; written back at the next start', { records: this.backlog.records });
    });
  }

  /** Holds the items flagged `retry` (in order); the others were written, or lost when malformed. Builds the per-item outcomes. */
  private async hold(items: readonly StoreEnvelope[], retry: readonly boolean[], otherLost: number, error: string | undefined): Promise<BatchResult> {
    const toHold = items.filter((_, i) => retry[i]);
    const h = await this.backlog.hold(toHold.map((e) => ({ key: toUtcDay(envelopeMs(e)!), line: toEnvelopeLine(e.r, e.x) })));
    let k = 0;
    let outcomes = '';
    for (let i = 0; i < items.length; i++) {
      if (!retry[i]) outcomes += isWellFormed(items[i]) ? 'w' : 'l';
      else outcomes += k++ < h.kept ? 'h' : 'l';
    }
    this.report({ written: 0, recovered: 0, lost: 0 });
    const refused = toHold.length - h.kept;
    const lost = otherLost + refused;
    const cause = refused > 0 ? h.cause ?? 'backlog-full' : 'write-error';
    const err = h.error ?? error ?? this.lastError;
    return { written: outcomes.split('w').length - 1, lost, outcomes, ...(lost > 0 ? { cause } : {}), ...(err === undefined ? {} : { error: err }) };
  }

  private report(r: { written: number; recovered: number; lost: number }): void {
    const b = this.backlog;
    postToMain({ t: 'backlog', ...r, records: b.records, bytes: b.bytes, detail: b.describe(), ...(this.lastError === undefined ? {} : { error: this.lastError }) });
  }
}

function isWellFormed(e: StoreEnvelope | undefined): boolean {
  return envelopeMs(e) !== undefined;
}


serveStoreWorker(async (): Promise<StoreWorkerHandler> => {
  const data = workerData as SqliteWorkerData;
  mkdirSync(data.dir, { recursive: true });
  const retain = (): void => {
    try {
      const deleted = applyRetention(data.dir, data.retentionDays, Date.now());
      if (deleted.length > 0) workerLog('info', 'cdr day files deleted by retention', { dir: data.dir, days: deleted, retentionDays: data.retentionDays });
    } catch (err) {
      workerLog('error', 'cdr retention failed', { dir: data.dir, err: (err as Error).message });
    }
  };
  retain();
  const timer = setInterval(retain, data.retentionIntervalMs ?? DAY_MS);
  timer.unref();
  const writer = createSqliteWriter({ dir: data.dir });
  const store = new RetryingStore(writer, await openBacklog(data.backlog), data.retryIntervalMs);
  return {
    batch: (items) => store.batch(items),
    sync: () => store.retryNow(),
    async close() {
      clearInterval(timer);
      await store.close();
      writer.close();
    },
  };
});
