/**
 * Read side of the PostgreSQL store for tracebacks: one parameterised query per lookup, pruned to the day
 * partitions of the window by the `received_at` range.
 */
import pg from 'pg';
import type { CallQuery, CdrQueryStore, StoredCdr } from '../ports.js';
import { fromCdrRow } from '../columns.js';

const TABLE = /^[a-z_][a-z0-9_]{0,39}$/;

/** Connects to the shared store; `table` is the validated config `cdr.sinks.postgres.table`. */
export async function createPgCdrReader(url: string, table: string): Promise<CdrQueryStore> {
  if (!TABLE.test(table)) throw new Error(`invalid CDR table name "${table}"`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 30_000, application_name: 'rmdgate-traceback' });
  client.on('error', () => undefined);
  await client.connect();
  const sql = `SELECT * FROM "${table}"
    WHERE called_key = $1 AND received_at BETWEEN $2 AND $3 AND (calling_key = $4 OR from_key = $4)
    ORDER BY received_at LIMIT $5`;
  return {
    description: `postgres table ${table}`,
    async findCalls(q: CallQuery): Promise<readonly StoredCdr[]> {
      const params = [q.calledKey, new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString(), q.callingKey, q.limit];
      const { rows } = await client.query<Record<string, unknown>>(sql, params);
      return rows.map((r) => fromCdrRow(r));
    },
    close: () => client.end(),
  };
}
