/**
 * The PostgreSQL side of the shipper: one lazily (re)connected client, schema and partition upkeep (ahead of time,
 * on demand for the days in a batch, retention daily), and idempotent inserts of CDRs.
 */
import pg from 'pg';
import { toCdrRow, toUtcDay, type CdrEnvelope } from '../columns.js';
import { dropExpiredPartitions, ensureCdrTable, ensurePartitions, insertRows } from './schema.js';
import { workerLog } from '../worker-protocol.js';

/** Connection and table settings. */
export interface PgTargetOptions {
  readonly url: string;
  readonly table: string;
  /** Rows per INSERT statement. */
  readonly batchSize: number;
  readonly partitionDaysAhead: number;
  readonly retentionDays: number;
}

/** Where shipped records go. Every method throws when the database is unreachable (the client is then dropped). */
export interface PgTarget {
  /** Connects (if needed) and runs partition upkeep; resolves when the database answers. */
  ready(): Promise<void>;
  /** Inserts CDRs; rows already stored (same node, seq) are skipped. */
  insert(items: readonly CdrEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Creates the target; nothing connects until the first call. */
export function createPgTarget(o: PgTargetOptions): PgTarget {
  let client: pg.Client | undefined;
  let knownDays = new Set<string>();
  let maintainedAt = 0;

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    const c = new pg.Client({ connectionString: o.url, connectionTimeoutMillis: 5000, query_timeout: 60_000, application_name: 'rmdgate-cdr' });
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
    maintainedAt = 0;
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

  /** Runs fn on a live client; on failure drops the client so the next call reconnects. */
  async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = await connection();
    try {
      return await fn(c);
    } catch (err) {
      if (client === c) client = undefined;
      await c.end().catch(() => undefined);
      throw err;
    }
  }

  return {
    ready: () => withClient((c) => maintain(c, Date.now())),
    insert: (items) =>
      withClient(async (c) => {
        await maintain(c, Date.now());
        const rows = items.map((e) => [...toCdrRow(e.r, e.x), new Date(e.r.receivedAtMs).toISOString()]);
        const days = [...new Set(rows.map((r) => toUtcDay(Date.parse(r[r.length - 1] as string))))].filter((d) => !knownDays.has(d));
        await ensurePartitions(c, o.table, days);
        days.forEach((d) => knownDays.add(d));
        for (let i = 0; i < rows.length; i += o.batchSize) await insertRows(c, o.table, rows.slice(i, i + o.batchSize));
      }),
    close: async () => {
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
