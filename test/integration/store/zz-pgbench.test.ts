import { it } from 'vitest';
import pg from 'pg';
import { startTestPostgres } from '../../support/postgres.js';
import { ensureCdrTable, ensurePartitions, insertRows, PG_COLUMNS } from '../../../src/adapters/store/pg-schema.js';
import { toCdrRow, CDR_COLUMN_KINDS } from '../../../src/adapters/store/cdr-columns.js';
import { buildCdrs, AT } from '../../unit/store/support/build-cdr.js';
it('bench', async () => {
  const srv = await startTestPostgres();
  const c = new pg.Client(srv.url); await c.connect();
  await ensureCdrTable(c, 'b1'); await ensurePartitions(c, 'b1', ['2026-11-20']);
  await ensureCdrTable(c, 'b2'); await ensurePartitions(c, 'b2', ['2026-11-20']);
  const recs = buildCdrs(50000, { startMs: AT, stepMs: 1 });
  const rows = recs.map((r) => [...toCdrRow(r), new Date(r.receivedAtMs).toISOString()]);
  let t = performance.now();
  for (let i = 0; i < rows.length; i += 1000) await insertRows(c, 'b1', rows.slice(i, i + 1000));
  console.log('multi-row', Math.round(rows.length / ((performance.now() - t) / 1000)), 'rows/s');
  const PG_TYPE: Record<string, string> = { t: 'text', i: 'bigint', b: 'boolean', j: 'jsonb' };
  const types = PG_COLUMNS.map((col) => col === 'received_at' ? 'timestamptz' : PG_TYPE[CDR_COLUMN_KINDS.get(col) ?? 't']);
  const sql = `INSERT INTO b2 (${PG_COLUMNS.join(',')}) SELECT * FROM unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(',')}) ON CONFLICT DO NOTHING`;
  t = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const cols = PG_COLUMNS.map((_, ci) => chunk.map((r) => r[ci]));
    await c.query({ name: 'ins', text: sql, values: cols });
  }
  console.log('unnest', Math.round(rows.length / ((performance.now() - t) / 1000)), 'rows/s');
  await c.end(); await srv.destroy();
}, 120000);
