/** A CDR table created by an earlier version gains the columns added since (ensureCdrTable on connect). */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDR_COLUMN_KINDS, CDR_COLUMNS } from '../../../src/cdr/columns.js';
import { ensureCdrTable } from '../../../src/cdr/postgres/schema.js';
import { pgUnavailableReason, startTestPostgres, type TestPostgres } from '../../support/postgres.js';

const skip = pgUnavailableReason();
if (skip) console.warn(`NOTICE: skipping PostgreSQL schema tests: ${skip}`);
const NEW_COLUMNS = ['calling_number_list', 'calling_number_entry', 'calling_number_source', 'protected_call'];
const PG_TYPE = { t: 'text', i: 'bigint', b: 'boolean', j: 'jsonb' } as const;

describe.skipIf(skip !== undefined)('postgres CDR table from an earlier version', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.destroy());

  it('gains the calling-number columns, partitions included, and a second run changes nothing', async () => {
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      const old = CDR_COLUMNS.filter((c) => !NEW_COLUMNS.includes(c)).map((c) => `${c} ${PG_TYPE[CDR_COLUMN_KINDS.get(c) ?? 't']}`).join(', ');
      await client.query(`CREATE TABLE old_cdr (${old}, received_at timestamptz NOT NULL) PARTITION BY RANGE (received_at)`);
      await client.query(`CREATE TABLE old_cdr_p20261120 PARTITION OF old_cdr FOR VALUES FROM ('2026-11-20') TO ('2026-11-21')`);

      await ensureCdrTable(client, 'old_cdr');
      await ensureCdrTable(client, 'old_cdr');
      const columns = async (table: string): Promise<string[]> => (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [table])).rows.map((r) => r.column_name);

      expect(await columns('old_cdr')).toEqual(expect.arrayContaining(NEW_COLUMNS));
      expect(await columns('old_cdr_p20261120')).toEqual(expect.arrayContaining(NEW_COLUMNS));
      expect((await columns('old_cdr')).length).toBe(CDR_COLUMNS.length + 1);
    } finally {
      await client.end();
    }
  });
});
