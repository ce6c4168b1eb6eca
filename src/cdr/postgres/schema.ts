/**
 * PostgreSQL layout of the shared CDR store: a table range-partitioned by `received_at` (one partition per UTC
 * day, created ahead and on demand, dropped by retention), its unique (node, seq, received_at) key and traceback indexes.
 */
import type { ClientBase } from 'pg';
import { CDR_COLUMN_KINDS, CDR_COLUMNS, type CdrRowValue } from '../columns.js';

const PG_TYPE = { t: 'text', i: 'bigint', b: 'boolean', j: 'jsonb' } as const;
const DAY_MS = 86_400_000;
/** Table names are identifiers, so they are validated (config) rather than bound as parameters. */
const IDENT = /^[a-z_][a-z0-9_]{0,39}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Columns of the PostgreSQL table, in INSERT order: the shared columns plus the partition key. */
export const PG_COLUMNS: readonly string[] = [...CDR_COLUMNS, 'received_at'];

function ident(table: string): string {
  if (!IDENT.test(table)) throw new Error(`invalid CDR table name "${table}"`);
  return `"${table}"`;
}

/** Name of the partition holding a UTC day. */
export function partitionName(table: string, day: string): string {
  return `${table}_p${day.replaceAll('-', '')}`;
}

/** Creates the partitioned parent table and its indexes when missing (idempotent; safe on every connect). */
export async function ensureCdrTable(client: ClientBase, table: string): Promise<void> {
  const t = ident(table);
  const cols = CDR_COLUMNS.map((c) => `${c} ${PG_TYPE[CDR_COLUMN_KINDS.get(c) ?? 't']}`).join(', ');
  await withLock(client, table, async () => {
    await client.query(`CREATE TABLE IF NOT EXISTS ${t} (${cols}, received_at timestamptz NOT NULL) PARTITION BY RANGE (received_at)`);
    // Columns added by later versions (nullable; ADD COLUMN on the parent reaches every partition).
    await client.query(`ALTER TABLE ${t} ${CDR_COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS ${c} ${PG_TYPE[CDR_COLUMN_KINDS.get(c) ?? 't']}`).join(', ')}`);
    await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${ident(`${table}_node_seq`)} ON ${t} (node, seq, received_at)`);
    await client.query(`CREATE INDEX IF NOT EXISTS ${ident(`${table}_called_time`)} ON ${t} (called_key, received_at)`);
    await client.query(`CREATE INDEX IF NOT EXISTS ${ident(`${table}_calling_time`)} ON ${t} (calling_key, received_at)`);
  });
}

/** Creates the day partitions that do not exist yet (serialised across nodes by an advisory lock). */
export async function ensurePartitions(client: ClientBase, table: string, days: readonly string[]): Promise<void> {
  if (days.length === 0) return;
  await withLock(client, table, async () => {
    for (const day of days) {
      if (!DAY.test(day)) throw new Error(`invalid partition day "${day}"`);
      const from = `${day}T00:00:00Z`;
      const to = new Date(Date.parse(from) + DAY_MS).toISOString();
      await client.query(`CREATE TABLE IF NOT EXISTS ${ident(partitionName(table, day))} PARTITION OF ${ident(table)} FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
  });
}

/** Drops day partitions wholly older than `retentionDays` before `nowMs`; returns the dropped names. */
export async function dropExpiredPartitions(client: ClientBase, table: string, retentionDays: number, nowMs: number): Promise<string[]> {
  const cutoff = partitionName(table, new Date(Math.floor(nowMs / DAY_MS) * DAY_MS - retentionDays * DAY_MS).toISOString().slice(0, 10));
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
    [table],
  );
  const pattern = new RegExp(`^${table}_p\\d{8}$`);
  const expired = rows.map((r) => r.name).filter((n) => pattern.test(n) && n < cutoff);
  for (const name of expired) await client.query(`DROP TABLE IF EXISTS ${ident(name)}`);
  return expired;
}

/**
 * Inserts rows (values of PG_COLUMNS) in one statement with one parameter — a JSON array expanded server-side by
 * json_populate_recordset, about twice as fast as a multi-row VALUES list — skipping (node, seq) rows already stored.
 */
export async function insertRows(client: ClientBase, table: string, rows: readonly (readonly CdrRowValue[])[]): Promise<number> {
  if (rows.length === 0) return 0;
  const t = ident(table);
  const cols = PG_COLUMNS.join(', ');
  const sql = `INSERT INTO ${t} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${t}, $1::json) ON CONFLICT DO NOTHING`;
  const res = await client.query(sql, [toJsonRows(rows)]);
  return res.rowCount ?? 0;
}

const JSON_COLUMNS = new Set(PG_COLUMNS.map((c, i) => (CDR_COLUMN_KINDS.get(c) === 'j' ? i : -1)).filter((i) => i >= 0));

function toJsonRows(rows: readonly (readonly CdrRowValue[])[]): string {
  const parts: string[] = [];
  for (const row of rows) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < PG_COLUMNS.length; i++) {
      const v = row[i] ?? null;
      o[PG_COLUMNS[i]!] = JSON_COLUMNS.has(i) && typeof v === 'string' ? JSON.parse(v) : v;
    }
    parts.push(JSON.stringify(o));
  }
  return `[${parts.join(',')}]`;
}

async function withLock(client: ClientBase, table: string, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rmdgate-cdr:${table}`]);
    await fn();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
