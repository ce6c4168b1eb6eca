/**
 * Read side of the PostgreSQL store for tracebacks: one parameterised query per lookup, pruned to the day
 * partitions of the window by the `received_at` range.
 */
import pg from 'pg';
import type { CallLookup, CallQuery, CdrQueryStore } from '../ports.js';
import { fromCdrRow } from '../columns.js';

const TABLE = /^[a-z_][a-z0-9_]{0,39}$/;

/** Connects to the shared store; `table` is the validated config `cdr.sinks.postgres.table`. */
export async function createPgCdrReader(url: string, table: string): Promise<CdrQueryStore> {
  if (!TABLE.test(table)) throw new Error(`invalid CDR table name "${table}"`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 30_000, application_name: 'rmdgate-traceback' });
  client.on('error', () => undefined);
  await client.connect();
  // The window predicate on received_at prunes to the window's day partitions and range-scans (called_key, received_at);
  // only the window's matches are sorted by distance from $5 (compareByDistance's order; node in byte order, as
  // SQLite compares). count(*) OVER () counts the window's matches in the same statement; LIMIT NULL is no limit.
  const sql = `SELECT *, count(*) OVER () AS match_total FROM "${table}"
    WHERE called_key = $1 AND received_at BETWEEN $2 AND $3 AND (calling_key = $4 OR from_key = $4)
    ORDER BY abs(received_at_ms - $5::bigint), received_at_ms, node COLLATE "C", seq LIMIT $6`;
  return {
    description: `postgres table ${table}`,
    async findCalls(q: CallQuery): Promise<CallLookup> {
      const params = [q.calledKey, new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString(), q.callingKey, q.atMs, q.limit];
      const { rows } = await client.query<Record<string, unknown>>(sql, params);
      return { calls: rows.map((r) => fromCdrRow(r)), total: Number(rows[0]?.['match_total'] ?? 0) };
    },
    close: () => client.end(),
  };
}
