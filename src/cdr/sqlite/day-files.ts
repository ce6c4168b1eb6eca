/**
 * The SQLite store layout: one database file per UTC day (`cdr-YYYY-MM-DD.sqlite`), its DDL and pragmas, the
 * listing of day files and retention (deleting whole files). Used by the writer worker and the query side.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CDR_COLUMN_KINDS, CDR_COLUMNS } from '../columns.js';
import { floodSummaryDdl } from '../flood-columns.js';

/** A better-sqlite3 database handle. */
export type SqliteDb = Database.Database;

const DAY_FILE = /^cdr-(\d{4}-\d{2}-\d{2})\.sqlite$/;
const DAY_MS = 86_400_000;
const SQL_TYPE = { t: 'TEXT', i: 'INTEGER', b: 'INTEGER', j: 'TEXT' } as const;

/** Path of the day file for a UTC day `YYYY-MM-DD`. */
export function dayFilePath(dir: string, day: string): string {
  return join(dir, `cdr-${day}.sqlite`);
}

/** The UTC days that have a day file in `dir`, ascending; [] when the directory does not exist. */
export function listDayFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.map((n) => DAY_FILE.exec(n)?.[1]).filter((d): d is string => d !== undefined).sort();
}

/** UTC days from the day of `fromMs` to the day of `toMs`, inclusive (at most `maxDays`). */
export function daysBetween(fromMs: number, toMs: number, maxDays = 4000): string[] {
  const days: string[] = [];
  const start = Math.floor(fromMs / DAY_MS) * DAY_MS;
  for (let t = start; t <= toMs && days.length < maxDays; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * Deletes day files (with their -wal/-shm) whose whole day is older than `retentionDays` before `nowMs`.
 * 47 CFR 42.6 asks for 18 months of call records; the default 548 days covers it. Returns the days deleted.
 */
export function applyRetention(dir: string, retentionDays: number, nowMs: number): string[] {
  const cutoff = new Date(Math.floor(nowMs / DAY_MS) * DAY_MS - retentionDays * DAY_MS).toISOString().slice(0, 10);
  const expired = listDayFiles(dir).filter((day) => day < cutoff);
  for (const day of expired) {
    const path = dayFilePath(dir, day);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
  return expired;
}

/** DDL of a day file: the cdr table and the two traceback indexes (number key + time), and the flood_summary table. */
export function dayFileDdl(): string {
  const cols = CDR_COLUMNS.map((c) => `${c} ${SQL_TYPE[CDR_COLUMN_KINDS.get(c) ?? 't']}`).join(',\n  ');
  return `CREATE TABLE IF NOT EXISTS cdr (\n  ${cols}\n);
CREATE INDEX IF NOT EXISTS cdr_called_time ON cdr (called_key, received_at_ms);
CREATE INDEX IF NOT EXISTS cdr_calling_time ON cdr (calling_key, received_at_ms);
${floodSummaryDdl()}`;
}

/**
 * Adds the columns a day file written by an earlier version lacks (new CDR fields are appended as nullable columns;
 * their rows read back as null), so today's file keeps taking records after an upgrade.
 */
export function addMissingColumns(db: SqliteDb): string[] {
  const present = new Set((db.prepare('PRAGMA table_info(cdr)').all() as { name: string }[]).map((c) => c.name));
  const missing = CDR_COLUMNS.filter((c) => !present.has(c));
  for (const c of missing) db.exec(`ALTER TABLE cdr ADD COLUMN ${c} ${SQL_TYPE[CDR_COLUMN_KINDS.get(c) ?? 't']}`);
  return missing;
}

/**
 * Opens (creating when needed) a day file for writing: WAL, synchronous=NORMAL (a committed batch survives a
 * process crash; a power loss may lose the last commits), busy timeout for concurrent readers.
 */
export function openDayFileForWrite(dir: string, day: string): SqliteDb {
  const db = new Database(dayFilePath(dir, day));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(dayFileDdl());
    addMissingColumns(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Opens an existing day file read-only (queries never create files), or undefined when there is none. */
export function openDayFileForRead(dir: string, day: string): SqliteDb | undefined {
  try {
    const db = new Database(dayFilePath(dir, day), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CANTOPEN') return undefined;
    throw err;
  }
}
