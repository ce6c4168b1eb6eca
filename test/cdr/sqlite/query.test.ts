import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDayFileForRead } from '../../../src/cdr/sqlite/day-files.js';
import { createSqliteCdrReader, FIND_SQL } from '../../../src/cdr/sqlite/query.js';
import { createSqliteWriter } from '../../../src/cdr/sqlite/writer.js';
import { AT, buildCdr, buildCdrs } from '../../support/builders.js';

describe('SQLite traceback lookup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-sqlite-query-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the window as a range of the (called_key, received_at_ms) index, never a table scan', () => {
    const writer = createSqliteWriter({ dir });
    writer.write(buildCdrs(2000).map((r) => ({ r })));
    writer.close();
    const db = openDayFileForRead(dir, '2026-11-20')!;

    const plan = db.prepare(`EXPLAIN QUERY PLAN ${FIND_SQL}`).all({ called: 12025550123, calling: 13035550100, from: AT - 1, to: AT + 1, at: AT, limit: 100 }) as { detail: string }[];
    db.close();

    const steps = plan.map((p) => p.detail);
    expect(steps).toContain('SEARCH cdr USING INDEX cdr_called_time (called_key=? AND received_at_ms>? AND received_at_ms<?)');
    expect(steps.filter((s) => /^SCAN cdr\b/.test(s))).toEqual([]);
  });

  it('counts every match of the window beyond the limit, across day files, and none outside it', async () => {
    const writer = createSqliteWriter({ dir });
    const midnight = Date.UTC(2026, 10, 21);
    const times = [midnight - 120_000, midnight - 30_000, midnight - 30_000, midnight + 10_000, midnight + 30_000, midnight + 600_001];
    writer.write(times.map((ms, i) => ({ r: buildCdr({ seq: i + 1, receivedAtMs: ms }) })));
    writer.close();
    const reader = createSqliteCdrReader(dir);

    const q = { callingKey: 13035550100, calledKey: 12025550123, fromMs: midnight - 600_000, toMs: midnight + 600_000, atMs: midnight };
    const two = await reader.findCalls({ ...q, limit: 2 });
    const all = await reader.findCalls({ ...q, limit: null });
    await reader.close();

    expect({ seqs: two.calls.map((c) => c.record.seq), total: two.total }).toEqual({ seqs: [4, 2], total: 5 });
    expect({ seqs: all.calls.map((c) => c.record.seq), total: all.total }).toEqual({ seqs: [4, 2, 3, 5, 1], total: 5 });
  });
});
