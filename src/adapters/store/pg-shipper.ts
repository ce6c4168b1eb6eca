/**
 * The PostgreSQL store worker's logic: every batch is spooled (fsync) first, then inserted while the database is
 * up; during an outage batches only go to the spool, and a retry timer replays spooled segments once it is back.
 * Inserts are idempotent on (node, seq), so a replay of already-inserted records never duplicates them.
 */
import pg from 'pg';
import { toCdrRow, toUtcDay, type CdrEnvelope, type CdrRowValue } from './cdr-columns.js';
import { openCdrSpool, type CdrSpool } from './cdr-spool.js';
import { dropExpiredPartitions, ensureCdrTable, ensurePartitions, insertRows } from './pg-schema.js';
import { postToMain, workerLog, type BatchResult, type StoreWorkerHandler } from './store-worker-protocol.js';

/** Settings of the PostgreSQL store worker (its workerData). */
export interface PgShipperOptions {
  readonly url: string;
  readonly table: string;
  readonly spoolDir: string;
  /** Rows per INSERT (≤ 1300: 65535 parameters / 48 columns). */
  readonly batchSize: number;
  readonly retryIntervalMs: number;
  readonly partitionDaysAhead: number;
  readonly retentionDays: number;
  /** A segment is closed once it holds this many bytes. */
  readonly segmentBytes?: number;
  /** How long close() keeps trying to ship the spool, ms. */
  readonly closeDrainMs?: number;
}

const DAY_MS = 86_400_000;

/** Creates the shipper: opens the spool (replaying leftovers later) without needing the database to be up. */
export async function createPgShipper(o: PgShipperOptions): Promise<StoreWorkerHandler> {
  const spool = await openCdrSpool(o.spoolDir);
  const segmentBytes = o.segmentBytes ?? 8 * 1024 * 1024;
  let backlog = (await spool.closedSegments()).length > 0;
  let spoolOk = true;
  let client: pg.Client | undefined;
  let knownDays = new Set<string>();
  let maintainedAt = 0;
  let replaying: Promise<void> | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  };
  const timer = setInterval(() => void replay(), o.retryIntervalMs);
  timer.unref();

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    const c = new pg.Client({ connectionString: o.url, connectionTimeoutMillis: 5000, query_timeout: 30_000, application_name: 'rmdgate-cdr' });
    c.on('error', (err) => {
      workerLog('warn', 'cdr postgres connection error', { err: err.message });
      if (client === c) client = undefined;
    });
    try {
      await c.connect();
      await ensureCdrTable(c, o.table);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    client = c;
    knownDays = new Set();
    return c;
  }

  async function maintain(c: pg.Client, now: number): Promise<void> {
    if (now - maintainedAt < DAY_MS) return;
    const days = Array.from({ length: o.partitionDaysAhead + 2 }, (_, i) => toUtcDay(now + (i - 1) * DAY_MS));
    await ensurePartitions(c, o.table, days);
    days.forEach((d) => knownDays.add(d));
    const dropped = await dropExpiredPartitions(c, o.table, o.retentionDays, now);
    if (dropped.length > 0) workerLog('info', 'cdr partitions dropped by retention', { dropped, retentionDays: o.retentionDays });
    maintainedAt = now;
  }

  /** Inserts envelope lines; throws when the database is unreachable or the insert fails. */
  async function insertLines(lines: readonly string[]): Promise<void> {
    const c = await connection();
    await maintain(c, Date.now());
    const rows = toPgRows(lines);
    const days = [...new Set(rows.map((r) => toUtcDay(Date.parse(r[r.length - 1] as string))))].filter((d) => !knownDays.has(d));
    await ensurePartitions(c, o.table, days);
    days.forEach((d) => knownDays.add(d));
    for (let i = 0; i < rows.length; i += o.batchSize) await insertRows(c, o.table, rows.slice(i, i + o.batchSize));
  }

  function enterBacklog(err: unknown): void {
    const c = client;
    client = undefined;
    void c?.end().catch(() => undefined);
    if (!backlog) workerLog('error', 'cdr postgres unavailable; spooling', { err: err instanceof Error ? err.message : String(err), spoolDir: o.spoolDir });
    backlog = true;
    report();
  }

  /** Health: records are safe while either the spool or the database takes them. */
  function report(): void {
    const ok = spoolOk || !backlog;
    const db = backlog ? 'postgres unavailable' : 'postgres up';
    postToMain({ t: 'health', ok, detail: spoolOk ? `${db}, spool ${o.spoolDir} ok` : `${db}, spool ${o.spoolDir} failing` });
  }

  async function batch(lines: readonly string[]): Promise<BatchResult> {
    return exclusive(async () => {
      let spoolError: unknown;
      try {
        await spool.append(lines);
      } catch (err) {
        spoolError = err;
      }
      if (spoolOk !== (spoolError === undefined)) {
        spoolOk = spoolError === undefined;
        report();
      }
      if (!backlog) {
        try {
          await insertLines(lines);
          if (spool.activeBytes() >= segmentBytes) await removeShipped(await spool.rotate());
          return spoolResult(lines.length, spoolError, true);
        } catch (err) {
          enterBacklog(err);
        }
      } else if (spool.activeBytes() >= segmentBytes) {
        await spool.rotate();
      }
      return spoolResult(lines.length, spoolError, false);
    });
  }

  /** Ships every spooled segment while the database answers; switches back to direct inserts when the spool is empty. */
  function replay(deadline = Number.POSITIVE_INFINITY): Promise<void> {
    if (!backlog) return Promise.resolve();
    replaying ??= replayRounds(deadline).finally(() => (replaying = undefined));
    return replaying;
  }

  async function replayRounds(deadline: number): Promise<void> {
    try {
      for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
        const done = await exclusive(async () => {
          await connection();
          if ((await spool.closedSegments()).length > 0) {
            await spool.rotate();
            return false;
          }
          const last = await spool.rotate();
          if (last) await shipFile(last);
          return true;
        });
        if (done) {
          backlog = false;
          workerLog('info', 'cdr postgres available; spool replayed', { spoolDir: o.spoolDir });
          return report();
        }
        for (const path of await spool.closedSegments()) {
          if (Date.now() >= deadline) return;
          await shipSegment(path);
        }
      }
    } catch (err) {
      enterBacklog(err);
    }
  }

  /** Ships a closed segment one chunk per lock turn, so live batches interleave with the replay. */
  async function shipSegment(path: string): Promise<void> {
    const lines = await readLines(path);
    for (let i = 0; i < lines.length; i += o.batchSize) {
      const chunk = lines.slice(i, i + o.batchSize);
      await exclusive(() => insertLines(chunk));
    }
    await spool.remove(path);
  }

  /** Ships a segment while the lock is already held (the last, small one: no batch may slip past the switch). */
  async function shipFile(path: string): Promise<void> {
    await insertLines(await readLines(path));
    await spool.remove(path);
  }

  async function readLines(path: string): Promise<string[]> {
    const { lines, torn } = await spool.readSegment(path);
    if (torn > 0) workerLog('warn', 'cdr spool segment had a torn last line (never acknowledged)', { path });
    return lines;
  }

  async function removeShipped(path: string | undefined): Promise<void> {
    if (path !== undefined) await spool.remove(path);
  }

  return {
    batch,
    sync: () => undefined,
    async close() {
      clearInterval(timer);
      await replay(Date.now() + (o.closeDrainMs ?? 10_000));
      await exclusive(() => spool.close(!backlog));
      await client?.end().catch(() => undefined);
    },
  };
}

function spoolResult(n: number, spoolError: unknown, inserted: boolean): BatchResult {
  if (spoolError === undefined || inserted) return { written: n, lost: 0 };
  return { written: 0, lost: n, error: `spool write failed: ${spoolError instanceof Error ? spoolError.message : String(spoolError)}` };
}

/** Envelope lines → values of PG_COLUMNS (the shared row plus `received_at`); unparsable lines are skipped. */
function toPgRows(lines: readonly string[]): CdrRowValue[][] {
  const rows: CdrRowValue[][] = [];
  for (const line of lines) {
    try {
      const env = JSON.parse(line) as CdrEnvelope;
      rows.push([...toCdrRow(env.r, env.x), new Date(env.r.receivedAtMs).toISOString()]);
    } catch {
      workerLog('warn', 'cdr spool line unparsable; skipped', {});
    }
  }
  return rows;
}
