/**
 * The PostgreSQL store worker's logic. Every batch is spooled (write + fdatasync) and acknowledged; a ship loop
 * then inserts it. If the database fails (or falls too far behind) shipping stops and a retry timer replays the
 * spool segments once it answers again. Inserts are idempotent on (node, seq): replays never duplicate.
 */
import { parseEnvelopeLines, toEnvelopeLine, type CdrEnvelope } from '../columns.js';
import { openCdrSpool } from './spool.js';
import { createPgTarget, type PgTargetOptions } from './target.js';
import { postToMain, workerLog, type BatchResult, type StoreWorkerHandler } from '../worker-protocol.js';

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
  const target = createPgTarget(o);
  const segmentBytes = o.segmentBytes ?? 8 * 1024 * 1024;
  const maxPending = o.maxPendingRecords ?? 50_000;
  const s = { backlog: (await spool.closedSegments()).length > 0, spoolOk: true, epoch: 0 };
  let pending: { items: readonly CdrEnvelope[]; segment: string }[] = [];
  let pendingRecords = 0;
  const unshipped = new Map<string, number>();
  const closedLive = new Set<string>();
  let shipping: Promise<void> | undefined;
  let replaying: Promise<void> | undefined;
  const lock = createLock();
  const timer = setInterval(() => (s.backlog ? void replay(Number.POSITIVE_INFINITY) : kickShip()), o.retryIntervalMs);
  timer.unref();

  function report(): void {
    const db = s.backlog ? 'postgres unavailable, replaying from spool' : 'postgres up';
    postToMain({ t: 'health', ok: s.spoolOk || !s.backlog, detail: `${db}; spool ${o.spoolDir} ${s.spoolOk ? 'ok' : 'failing'}` });
  }

  function enterBacklog(err: unknown): void {
    s.epoch++;
    if (!s.backlog) workerLog('error', 'cdr postgres unavailable; spooling', { err: err instanceof Error ? err.message : String(err), spoolDir: o.spoolDir });
    s.backlog = true;
    pending = [];
    pendingRecords = 0;
    unshipped.clear();
    closedLive.clear();
    void target.close();
    report();
  }

  async function batch(items: readonly CdrEnvelope[]): Promise<BatchResult> {
    const lines = items.map((e) => toEnvelopeLine(e.r, e.x));
    return lock(async () => {
      let spoolError: unknown;
      await spool.append(lines).catch((err: unknown) => void (spoolError = err ?? new Error('spool write failed')));
      if (s.spoolOk !== (spoolError === undefined)) {
        s.spoolOk = spoolError === undefined;
        report();
      }
      if (spoolError !== undefined) return direct(items, spoolError);
      if (!s.backlog) queueForShipping(items, spool.activePath() ?? '');
      await rotateIfFull();
      return { written: items.length, lost: 0 };
    });
  }

  /** Spool unusable (e.g. disk full): insert directly while the database is up, else the batch is lost. */
  async function direct(items: readonly CdrEnvelope[], spoolError: unknown): Promise<BatchResult> {
    if (!s.backlog) {
      try {
        await target.insert(items);
        return { written: items.length, lost: 0 };
      } catch (err) {
        enterBacklog(err);
      }
    }
    return { written: 0, lost: items.length, error: `spool write failed: ${spoolError instanceof Error ? spoolError.message : String(spoolError)}` };
  }

  function queueForShipping(items: readonly CdrEnvelope[], segment: string): void {
    unshipped.set(segment, (unshipped.get(segment) ?? 0) + 1);
    pending.push({ items, segment });
    pendingRecords += items.length;
    if (pendingRecords > maxPending) enterBacklog(new Error(`database too slow: over ${maxPending} records waiting`));
    else kickShip();
  }

  async function rotateIfFull(): Promise<void> {
    if (spool.activeBytes() < segmentBytes) return;
    const path = await spool.rotate();
    if (path === undefined || s.backlog) return;
    if ((unshipped.get(path) ?? 0) > 0) closedLive.add(path);
    else await spool.remove(path);
  }

  function kickShip(): void {
    if (!s.backlog && pending.length > 0) shipping ??= shipLoop().finally(() => (shipping = undefined));
  }

  /** Inserts pending batches in order (several per statement group), deleting segments whose batches are all in. */
  async function shipLoop(): Promise<void> {
    const epoch = s.epoch;
    for (let i = 0; i < 1_000_000 && s.epoch === epoch && pending.length > 0; i++) {
      let n = 0;
      while (n < pending.length && n < 16) n++;
      const group = pending.slice(0, n);
      try {
        await target.insert(group.flatMap((g) => g.items));
      } catch (err) {
        if (s.epoch === epoch) enterBacklog(err);
        return;
      }
      if (s.epoch !== epoch) return;
      pending = pending.slice(n);
      for (const g of group) await shipped(g.items.length, g.segment);
    }
  }

  async function shipped(records: number, segment: string): Promise<void> {
    pendingRecords -= records;
    const left = (unshipped.get(segment) ?? 1) - 1;
    if (left > 0) return void unshipped.set(segment, left);
    unshipped.delete(segment);
    if (closedLive.delete(segment)) await lock(() => spool.remove(segment));
  }

  /** Ships every spooled segment while the database answers; back to live shipping once the spool is empty. */
  function replay(deadline: number): Promise<void> {
    if (!s.backlog) return Promise.resolve();
    replaying ??= replayRounds(deadline).finally(() => (replaying = undefined));
    return replaying;
  }

  async function replayRounds(deadline: number): Promise<void> {
    try {
      await target.ready();
      for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
        if (await lock(switchIfDrained)) return workerLog('info', 'cdr postgres available; spool replayed', { spoolDir: o.spoolDir });
        for (const path of await spool.closedSegments()) {
          if (Date.now() >= deadline) return;
          const items = await readSegment(path);
          for (let i = 0; i < items.length; i += o.batchSize * 4) await target.insert(items.slice(i, i + o.batchSize * 4));
          await lock(() => spool.remove(path));
        }
      }
    } catch (err) {
      enterBacklog(err);
    }
  }

  /** Under the lock: with no closed segment left, ships the active one and leaves backlog (no batch can slip by). */
  async function switchIfDrained(): Promise<boolean> {
    if ((await spool.closedSegments()).length > 0) {
      await spool.rotate();
      return false;
    }
    const last = await spool.rotate();
    if (last !== undefined) {
      await target.insert(await readSegment(last));
      await spool.remove(last);
    }
    s.backlog = false;
    s.epoch++;
    report();
    return true;
  }

  async function readSegment(path: string): Promise<CdrEnvelope[]> {
    const { lines, torn } = await spool.readSegment(path);
    if (torn > 0) workerLog('warn', 'cdr spool segment had a torn last line (never acknowledged)', { path });
    const { envelopes, bad } = parseEnvelopeLines(lines);
    if (bad > 0) workerLog('warn', 'cdr spool lines unparsable; skipped', { path, lines: bad });
    return envelopes;
  }

  async function close(): Promise<void> {
    clearInterval(timer);
    const deadline = Date.now() + (o.closeDrainMs ?? 10_000);
    for (let i = 0; i < 10_000 && Date.now() < deadline && (s.backlog || pending.length > 0); i++) {
      if (s.backlog) await replay(deadline);
      else await (shipping ?? (kickShip(), shipping));
      if (s.backlog && Date.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(o.retryIntervalMs, 500)));
    }
    await lock(async () => {
      const clean = !s.backlog && pending.length === 0;
      await spool.close(clean);
      if (!clean) workerLog('warn', 'cdr spool not fully shipped at close; it is replayed at the next start', { spoolDir: o.spoolDir, pendingRecords });
    });
    await target.close();
  }

  return { batch, sync: () => undefined, close };
}

/** A promise-chain mutex: fn runs after every earlier call settled. */
function createLock(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
