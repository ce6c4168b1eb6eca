/**
 * The PostgreSQL store worker's logic. Every batch is spooled (write + fdatasync) and acknowledged; a ship loop
 * then inserts it. If the database fails (or falls too far behind) shipping stops and a retry timer replays the
 * spool segments once it answers again. Inserts are idempotent on (node, seq): replays never duplicate.
 */
import { parseEnvelopeLines, toEnvelopeLine, type CdrEnvelope } from '../columns.js';
import { postToMain, workerLog, type BatchResult, type StoreWorkerHandler } from '../worker-protocol.js';
import { openCdrSpool, type CdrSpool } from './spool.js';
import { createPgTarget, type PgTarget, type PgTargetOptions } from './target.js';
import { createLock } from '../../lib/index.js';

/** Settings of the PostgreSQL store worker (its workerData). */
export interface PgShipperOptions extends PgTargetOptions {
  readonly spoolDir: string;
  readonly retryIntervalMs: number;
  /** A segment is closed once it holds this many bytes (default 8 MiB). */
  readonly segmentBytes?: number;
  /** How long close() keeps shipping, ms (default 10 s); the rest stays spooled for the next start. */
  readonly closeDrainMs?: number;
  /** Records waiting for insert before live shipping gives way to spool replay (default 50,000). */
  readonly maxPendingRecords?: number;
}

/** Creates the shipper: opens the spool (leftover segments are replayed) without needing the database to be up. */
export async function createPgShipper(o: PgShipperOptions): Promise<StoreWorkerHandler> {
  const spool = await openCdrSpool(o.spoolDir);
  const shipper = new PgShipper(o, spool, createPgTarget(o), (await spool.closedSegments()).length > 0);
  // Only screening CDRs reach this worker: its sink is started without `floodSummaries` (worker-sink.ts drops them).
  return { batch: (items) => shipper.batch(items as readonly CdrEnvelope[]), sync: () => undefined, close: () => shipper.close() };
}

/** A batch spooled and waiting for its insert, and the spool segment it was written to. */
interface PendingBatch {
  readonly items: readonly CdrEnvelope[];
  readonly segment: string;
}

/** Batches inserted per statement group while shipping live. */
const GROUP_BATCHES = 16;

/**
 * Two modes: **live** (batches are spooled, then shipped in order by one loop; a segment is deleted once all its
 * batches are in) and **backlog** (the database failed or fell behind: nothing ships live, a timer replays the closed
 * segments, and once none is left the active one is shipped under the lock and live shipping resumes). `epoch` changes
 * on every mode switch, so a loop of the old mode stops at its next step.
 */
class PgShipper {
  private readonly segmentBytes: number;
  private readonly maxPending: number;
  private spoolOk = true;
  private epoch = 0;
  private pending: PendingBatch[] = [];
  private pendingRecords = 0;
  /** Batches of each segment not yet inserted. */
  private readonly unshipped = new Map<string, number>();
  /** Rotated segments whose batches are still shipping; deleted when the last one is in. */
  private readonly closedLive = new Set<string>();
  private shipping: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private readonly lock = createLock();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly o: PgShipperOptions,
    private readonly spool: CdrSpool,
    private readonly target: PgTarget,
    private backlog: boolean,
  ) {
    this.segmentBytes = o.segmentBytes ?? 8 * 1024 * 1024;
    this.maxPending = o.maxPendingRecords ?? 50_000;
    this.timer = setInterval(() => (this.backlog ? void this.replay(Number.POSITIVE_INFINITY) : this.kickShip()), o.retryIntervalMs);
    this.timer.unref();
  }

  /** Spools a batch (durable when this resolves) and queues it for shipping. */
  async batch(items: readonly CdrEnvelope[]): Promise<BatchResult> {
    const lines = items.map((e) => toEnvelopeLine(e.r, e.x));
    return this.lock(async () => {
      let spoolError: unknown;
      await this.spool.append(lines).catch((err: unknown) => void (spoolError = err ?? new Error('spool write failed')));
      if (this.spoolOk !== (spoolError === undefined)) {
        this.spoolOk = spoolError === undefined;
        this.report();
      }
      if (spoolError !== undefined) return this.direct(items, spoolError);
      if (!this.backlog) this.queueForShipping(items, this.spool.activePath() ?? '');
      await this.rotateIfFull();
      return { written: items.length, lost: 0 };
    });
  }

  /** Ships for at most `closeDrainMs`; what is left stays spooled for the next start. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + (this.o.closeDrainMs ?? 10_000);
    for (let i = 0; i < 10_000 && Date.now() < deadline && (this.backlog || this.pending.length > 0); i++) {
      if (this.backlog) await this.replay(deadline);
      else await (this.shipping ?? (this.kickShip(), this.shipping));
      if (this.backlog && Date.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(this.o.retryIntervalMs, 500)));
    }
    await this.lock(async () => {
      const clean = !this.backlog && this.pending.length === 0;
      await this.spool.close(clean);
      if (!clean) workerLog('warn', 'cdr spool not fully shipped at close; it is replayed at the next start', { spoolDir: this.o.spoolDir, pendingRecords: this.pendingRecords });
    });
    await this.target.close();
  }

  private report(): void {
    const db = this.backlog ? 'postgres unavailable, replaying from spool' : 'postgres up';
    postToMain({ t: 'health', ok: this.spoolOk || !this.backlog, detail: `${db}; spool ${this.o.spoolDir} ${this.spoolOk ? 'ok' : 'failing'}` });
  }

  private enterBacklog(err: unknown): void {
    this.epoch++;
    if (!this.backlog) workerLog('error', 'cdr postgres unavailable; spooling', { err: err instanceof Error ? err.message : String(err), spoolDir: this.o.spoolDir });
    this.backlog = true;
    this.pending = [];
    this.pendingRecords = 0;
    this.unshipped.clear();
    this.closedLive.clear();
    void this.target.close();
    this.report();
  }

  /** Spool unusable (e.g. disk full): insert directly while the database is up, else the batch is lost. */
  private async direct(items: readonly CdrEnvelope[], spoolError: unknown): Promise<BatchResult> {
    if (!this.backlog) {
      try {
        await this.target.insert(items);
        return { written: items.length, lost: 0 };
      } catch (err) {
        this.enterBacklog(err);
      }
    }
    return { written: 0, lost: items.length, error: `spool write failed: ${spoolError instanceof Error ? spoolError.message : String(spoolError)}` };
  }

  private queueForShipping(items: readonly CdrEnvelope[], segment: string): void {
    this.unshipped.set(segment, (this.unshipped.get(segment) ?? 0) + 1);
    this.pending.push({ items, segment });
    this.pendingRecords += items.length;
    if (this.pendingRecords > this.maxPending) this.enterBacklog(new Error(`database too slow: over ${this.maxPending} records waiting`));
    else this.kickShip();
  }

  private async rotateIfFull(): Promise<void> {
    if (this.spool.activeBytes() < this.segmentBytes) return;
    const path = await this.spool.rotate();
    if (path === undefined || this.backlog) return;
    if ((this.unshipped.get(path) ?? 0) > 0) this.closedLive.add(path);
    else await this.spool.remove(path);
  }

  private kickShip(): void {
    if (!this.backlog && this.pending.length > 0) this.shipping ??= this.shipLoop().finally(() => (this.shipping = undefined));
  }

  /** Inserts pending batches in order (several per statement group), deleting segments whose batches are all in. */
  private async shipLoop(): Promise<void> {
    const epoch = this.epoch;
    for (let i = 0; i < 1_000_000 && this.epoch === epoch && this.pending.length > 0; i++) {
      const group = this.pending.slice(0, GROUP_BATCHES);
      try {
        await this.target.insert(group.flatMap((g) => g.items));
      } catch (err) {
        if (this.epoch === epoch) this.enterBacklog(err);
        return;
      }
      if (this.epoch !== epoch) return;
      this.pending = this.pending.slice(group.length);
      for (const g of group) await this.shipped(g.items.length, g.segment);
    }
  }

  private async shipped(records: number, segment: string): Promise<void> {
    this.pendingRecords -= records;
    const left = (this.unshipped.get(segment) ?? 1) - 1;
    if (left > 0) return void this.unshipped.set(segment, left);
    this.unshipped.delete(segment);
    if (this.closedLive.delete(segment)) await this.lock(() => this.spool.remove(segment));
  }

  /** Ships every spooled segment while the database answers; back to live shipping once the spool is empty. */
  private replay(deadline: number): Promise<void> {
    if (!this.backlog) return Promise.resolve();
    this.replaying ??= this.replayRounds(deadline).finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayRounds(deadline: number): Promise<void> {
    try {
      await this.target.ready();
      for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
        if (await this.lock(() => this.switchIfDrained())) return workerLog('info', 'cdr postgres available; spool replayed', { spoolDir: this.o.spoolDir });
        for (const path of await this.spool.closedSegments()) {
          if (Date.now() >= deadline) return;
          const items = await this.readSegment(path);
          const step = this.o.batchSize * 4;
          for (let i = 0; i < items.length; i += step) await this.target.insert(items.slice(i, i + step));
          await this.lock(() => this.spool.remove(path));
        }
      }
    } catch (err) {
      this.enterBacklog(err);
    }
  }

  /** Under the lock: with no closed segment left, ships the active one and leaves backlog (no batch can slip by). */
  private async switchIfDrained(): Promise<boolean> {
    if ((await this.spool.closedSegments()).length > 0) {
      await this.spool.rotate();
      return false;
    }
    const last = await this.spool.rotate();
    if (last !== undefined) {
      await this.target.insert(await this.readSegment(last));
      await this.spool.remove(last);
    }
    this.backlog = false;
    this.epoch++;
    this.report();
    return true;
  }

  private async readSegment(path: string): Promise<CdrEnvelope[]> {
    const { lines, torn } = await this.spool.readSegment(path);
    if (torn > 0) workerLog('warn', 'cdr spool segment had a torn last line (never acknowledged)', { path });
    const { envelopes, bad } = parseEnvelopeLines(lines);
    if (bad > 0) workerLog('warn', 'cdr spool lines unparsable; skipped', { path, lines: bad });
    return envelopes;
  }
}

