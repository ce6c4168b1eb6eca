import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toEnvelopeLine } from '../../../src/cdr/columns.js';
import { createCdrSinks } from '../../../src/cdr/sinks.js';
import { createPgCdrReader } from '../../../src/cdr/postgres/query.js';
import { answerTraceback, parseTracebackRequest } from '../../../src/cdr/traceback/traceback.js';
import { pgUnavailableReason, startTestPostgres, type TestPostgres } from '../../support/postgres.js';
import { AT, buildCdr, buildCdrs } from '../../support/builders.js';
import { cdrConfig } from '../support/cdr-config.js';
import { countingMetrics, silentLog } from '../../support/fakes.js';
import { buildTracebackCrowd, expectedOrder, ids } from '../../support/traceback-crowd.js';

const skip = pgUnavailableReason();
if (skip) console.warn(`NOTICE: skipping PostgreSQL CDR store tests: ${skip}`);

describe.skipIf(skip !== undefined)('postgres CDR sink', () => {
  let server: TestPostgres;
  let dir: string;
  let table: string;
  let tableNo = 0;

  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(() => server?.destroy());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-pgsink-'));
    table = `cdr_t${++tableNo}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = (metrics = countingMetrics()) =>
    createCdrSinks(cdrConfig(dir, { sqlite: { enabled: false }, postgres: { enabled: true, table } }), { resolvePath: (p) => p, pgUrl: server.url, log: silentLog, metrics, monotonicMs: () => performance.now() });
  /** One query on a fresh connection (the server is stopped and started by some tests). */
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const count = async (): Promise<{ n: number; distinct: number }> => {
    const [row] = await query<{ n: string; distinct: string }>(`SELECT count(*) AS n, count(DISTINCT (node, seq)) AS distinct FROM ${table}`);
    return { n: Number(row!.n), distinct: Number(row!.distinct) };
  };

  it('inserts every record into day partitions created ahead, and leaves the spool empty after close()', async () => {
    const metrics = countingMetrics();
    const sink = await start(metrics);
    for (const r of buildCdrs(3000, { startMs: Date.now() - 1000 })) sink.write(r);

    await sink.close();

    expect(await count()).toEqual({ n: 3000, distinct: 3000 });
    const parts = await query<{ relname: string }>(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`, [table]);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
    expect(metrics.counts).toMatchObject({ written: 3000, lost: 0 });
  });

  it('stores a (node, seq) once even when the same records are shipped twice', async () => {
    const records = buildCdrs(500, { startMs: AT });
    for (let round = 0; round < 2; round++) {
      const sink = await start();
      for (const r of records) sink.write(r);
      await sink.close();
    }

    expect(await count()).toEqual({ n: 500, distinct: 500 });
  });

  it('replays spool segments left by a previous run at start', async () => {
    mkdirSync(join(dir, 'spool'), { recursive: true });
    const lines = buildCdrs(200, { startMs: AT, node: 'gate-old' }).map((r) => toEnvelopeLine(r));
    writeFileSync(join(dir, 'spool', 'spool-001700000000000-000000.jsonl'), lines.join('\n') + '\n{"r":{"trunc');

    const sink = await start();
    await sink.close();

    expect(await count()).toEqual({ n: 200, distinct: 200 });
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });

  it('spools while the database is down and ships everything once it is back', async () => {
    const sink = await start();
    await server.stop();
    try {
      for (const r of buildCdrs(1000, { startMs: AT })) sink.write(r);
      await sink.flush();
      expect(readdirSync(join(dir, 'spool')).length).toBeGreaterThan(0);
    } finally {
      await server.start();
    }
    await sink.close();

    expect(await count()).toEqual({ n: 1000, distinct: 1000 });
    expect(sink.health().detail).toContain('postgres');
  }, 60_000);

  it('answers a traceback from the postgres store (--store postgres)', async () => {
    const sink = await start();
    sink.write(buildCdr({ seq: 1, callingE164: '+13035550100', calledE164: '+12025550123' }));
    sink.write(buildCdr({ seq: 2, callingE164: '+13035550199', fromE164: '+13035550199', fromUser: '+13035550199', calledE164: '+12025550123' }));
    await sink.close();
    const store = await createPgCdrReader(server.url, table);
    const req = parseTracebackRequest({ calling: '303-555-0100', called: 'tel:+1-202-555-0123', at: '2026-11-20T14:05:00', tz: 'America/New_York' });
    if (!req.ok) throw new Error(req.error);

    const answer = await answerTraceback(req.value, { store, rmd: undefined });
    await store.close();

    expect(answer.status).toBe('match');
    expect(answer.matches.map((m) => [m.seq, m.source, m.providerRmdNumber])).toEqual([[1, '203.0.113.10:5060', 'RMD0990001']]);
  });

  it('answers a crowded window (5,000 matches) with the calls closest to the time, the exact total and truncation', async () => {
    // 00:00:30 UTC ± 10 min: two day partitions.
    const at = Date.UTC(2026, 10, 21, 0, 0, 30);
    const crowd = buildTracebackCrowd({ atMs: at, windowMs: 600_000, matches: 5000 });
    const sink = await start();
    for (const r of crowd.records) sink.write(r);
    await sink.close();
    const expected = ids(expectedOrder(crowd.matches, at));
    const store = await createPgCdrReader(server.url, table);
    const req = parseTracebackRequest({ calling: '3035550100', called: '2025550123', at: '2026-11-21T00:00:30Z' });
    if (!req.ok) throw new Error(req.error);

    try {
      const byDefault = await answerTraceback(req.value, { store, rmd: undefined });
      const cut = await answerTraceback(req.value, { store, rmd: undefined, maxMatches: 1234 });
      const all = await answerTraceback(req.value, { store, rmd: undefined, maxMatches: 0 });
      const enough = await answerTraceback(req.value, { store, rmd: undefined, maxMatches: 6000 });

      expect(ids(byDefault.matches)).toEqual(expected.slice(0, 100));
      expect(byDefault).toMatchObject({ total: 5000, returned: 100, limit: 100, truncated: true });
      expect(ids(cut.matches)).toEqual(expected.slice(0, 1234));
      expect(ids(all.matches)).toEqual(expected);
      expect(all).toMatchObject({ total: 5000, returned: 5000, limit: 0, truncated: false });
      expect(enough).toMatchObject({ total: 5000, returned: 5000, limit: 6000, truncated: false });
    } finally {
      await store.close();
    }
  }, 60_000);
});
