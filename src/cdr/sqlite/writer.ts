/**
 * Writes CDR batches into the per-day SQLite files, one transaction per day per batch. Runs inside the store
 * worker thread (never on the SIP event loop); failures are returned as counts, never thrown.
 */
import { mkdirSync } from 'node:fs';
import { CDR_COLUMNS, envelopeMs, toCdrRow, toUtcDay, type CdrRowValue, type StoreEnvelope } from '../columns.js';
import { FLOOD_COLUMNS, toFloodRow } from '../flood-columns.js';
import { openDayFileForWrite, type SqliteDb } from './day-files.js';
import type { BatchResult } from '../worker-protocol.js';

/** The per-day SQLite writer. */
export interface SqliteWriter {
  /**
   * Inserts a batch of CDRs (screening rows into `cdr`, flood summaries into `flood_summary`); each UTC day commits or
   * fails as a whole (`failedDays` names the days that failed).
   */
  write(items: readonly StoreEnvelope[]): BatchResult & { readonly failedDays?: ReadonlySet<string> };
  /** Closes every open day file (running PRAGMA optimize so the query planner has statistics). */
  close(): void;
}

interface OpenDay {
  readonly db: SqliteDb;
  readonly insertMany: (rows: DayRows) => void;
}

/** One day's rows of a batch, per table. */
interface DayRows {
  readonly cdr: CdrRowValue[][];
  readonly flood: CdrRowValue[][];
}

/** Options of the writer. `pragmas` are applied to each day file opened (tuning, or `max_page_count` in tests). */
export interface SqliteWriterOptions {
  readonly dir: string;
  readonly maxOpenDays?: number;
  readonly pragmas?: readonly string[];
}

/** Creates a writer over `dir`; keeps at most `maxOpenDays` day files open (late records reopen older days). */
export function createSqliteWriter(opts: SqliteWriterOptions): SqliteWriter {
  const maxOpen = opts.maxOpenDays ?? 3;
  const open = new Map<string, OpenDay>();
  const insertSql = `INSERT INTO cdr (${CDR_COLUMNS.join(', ')}) VALUES (${CDR_COLUMNS.map(() => '?').join(', ')})`;
  const floodSql = `INSERT INTO flood_summary (${FLOOD_COLUMNS.join(', ')}) VALUES (${FLOOD_COLUMNS.map(() => '?').join(', ')})`;

  function dayHandle(day: string): OpenDay {
    const existing = open.get(day);
    if (existing) return existing;
    mkdirSync(opts.dir, { recursive: true });
    const db = openDayFileForWrite(opts.dir, day);
    for (const p of opts.pragmas ?? []) db.pragma(p);
    const stmt = db.prepare(insertSql);
    const floodStmt = db.prepare(floodSql);
    const insertMany = db.transaction((rows: DayRows) => {
      for (const row of rows.cdr) stmt.run(row);
      for (const row of rows.flood) floodStmt.run(row);
    });
    const handle = { db, insertMany };
    open.set(day, handle);
    while (open.size > maxOpen) closeDay([...open.keys()].sort()[0]!);
    return handle;
  }

  function closeDay(day: string): void {
    const h = open.get(day);
    open.delete(day);
    if (!h) return;
    try {
      h.db.pragma('optimize');
      h.db.close();
    } catch {
      try {
        h.db.close();
      } catch {
        /* already unusable (e.g. disk full); the handle is dropped either way */
      }
    }
  }

  function write(items: readonly StoreEnvelope[]): BatchResult & { readonly failedDays?: ReadonlySet<string> } {
    const { byDay, bad } = groupByDay(items);
    let written = 0;
    let lost = bad;
    let error: string | undefined = bad > 0 ? `${bad} malformed record(s)` : undefined;
    const failedDays = new Set<string>();
    for (const [day, rows] of byDay) {
      try {
        dayHandle(day).insertMany(rows);
        written += rows.cdr.length + rows.flood.length;
      } catch (err) {
        lost += rows.cdr.length + rows.flood.length;
        failedDays.add(day);
        error ??= `${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}`;
        closeDay(day);
      }
    }
    if (error === undefined) return { written, lost };
    return failedDays.size > 0 ? { written, lost, error, failedDays } : { written, lost, error };
  }

  return {
    write,
    close: () => {
      for (const day of [...open.keys()]) closeDay(day);
    },
  };
}

function groupByDay(items: readonly StoreEnvelope[]): { byDay: Map<string, DayRows>; bad: number } {
  const byDay = new Map<string, DayRows>();
  let bad = 0;
  for (const env of items) {
    const ms = envelopeMs(env);
    if (ms === undefined) {
      bad++;
      continue;
    }
    const day = toUtcDay(ms);
    let rows = byDay.get(day);
    if (!rows) byDay.set(day, (rows = { cdr: [], flood: [] }));
    if (env.r.type === 'flood-summary') rows.flood.push(toFloodRow(env.r));
    else rows.cdr.push(toCdrRow(env.r, env.x));
  }
  return { byDay, bad };
}
