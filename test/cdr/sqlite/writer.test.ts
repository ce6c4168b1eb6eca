import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CDR_COLUMNS, fromCdrRow, toCdrRow, type CdrEnvelope } from '../../../src/cdr/columns.js';
import { createSqliteCdrReader } from '../../../src/cdr/sqlite/query.js';
import { applyRetention, dayFileDdl, dayFilePath, listDayFiles, openDayFileForRead } from '../../../src/cdr/sqlite/day-files.js';
import { createSqliteWriter } from '../../../src/cdr/sqlite/writer.js';
import { AT, buildCdr, buildCdrs } from '../../support/builders.js';
import { toFloodSummaryRecord, type FloodSummaryRecord } from '../../../src/screening/index.js';
import Database from 'better-sqlite3';

function floodRecord(sourceAddress: string, startMs: number, over: Partial<Parameters<typeof toFloodSummaryRecord>[0]> = {}): FloodSummaryRecord {
  return toFloodSummaryRecord({ sourceAddress, sources: 1, transport: 'udp', intervalStartMs: startMs, intervalEndMs: startMs + 10_000, requests: 250, action: 'dropped', ...over }, 'gate-1');
}

const DAY_MS = 86_400_000;

describe('CDR row mapping', () => {
  it('round-trips every CdrRecord field and the raw fields through a row', () => {
    const record = buildCdr({ identityDestTn: ['+12025550123'], attest: 'A', origid: 'de305d54-75b4-431b-adb2-eb6b9e546014', wouldBlock: true, reason: 'provider-designated' });
    const row = toCdrRow(record, { requestUri: 'sip:+12025550123@gw;tgrp=tg1;trunk-context=example.net', selectorHeaders: { 'x-trunk': 'a' } });

    const back = fromCdrRow(Object.fromEntries(CDR_COLUMNS.map((c, i) => [c, row[i]])));

    expect(back).toEqual({ record, requestUri: 'sip:+12025550123@gw;tgrp=tg1;trunk-context=example.net', selectorHeaders: { 'x-trunk': 'a' } });
  });

  it.each([
    { name: 'E.164', calledE164: '+12025550123', ruriUser: '+12025550123' },
    { name: '11-digit user, no E.164 recorded', calledE164: null, ruriUser: '12025550123' },
    { name: '10-digit user, no E.164 recorded', calledE164: null, ruriUser: '2025550123' },
  ])('keys the called number the same way for $name', ({ calledE164, ruriUser }) => {
    const row = toCdrRow(buildCdr({ calledE164, ruriUser }));

    expect(row[CDR_COLUMNS.indexOf('called_key')]).toBe(12025550123);
  });
});

describe('SQLite day-file store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-sqlite-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each record into its UTC day file with the traceback indexes', () => {
    const writer = createSqliteWriter({ dir });

    const r = writer.write([...buildCdrs(3, { startMs: AT }), buildCdr({ seq: 9, receivedAtMs: AT + DAY_MS })].map((r) => ({ r })));
    writer.close();

    expect(r).toEqual({ written: 4, lost: 0 });
    expect(listDayFiles(dir)).toEqual(['2026-11-20', '2026-11-21']);
    const db = openDayFileForRead(dir, '2026-11-20')!;
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(indexes).toEqual([{ name: 'cdr_called_time' }, { name: 'cdr_calling_time' }, { name: 'flood_summary_time' }]);
  });

  it('finds a call by any number form and the window, across a UTC midnight', async () => {
    const writer = createSqliteWriter({ dir });
    const midnight = Date.UTC(2026, 10, 21);
    writer.write([buildCdr({ seq: 1, receivedAtMs: midnight - 60_000 }), buildCdr({ seq: 2, receivedAtMs: midnight + 60_000 }), buildCdr({ seq: 3, receivedAtMs: midnight + 3_600_000 })].map((r) => ({ r })));
    writer.close();
    const reader = createSqliteCdrReader(dir);

    const found = await reader.findCalls({ callingKey: 13035550100, calledKey: 12025550123, fromMs: midnight - 600_000, toMs: midnight + 600_000, atMs: midnight, limit: 10 });
    const none = await reader.findCalls({ callingKey: 13035550199, calledKey: 12025550123, fromMs: midnight - 600_000, toMs: midnight + 600_000, atMs: midnight, limit: 10 });
    await reader.close();

    expect(found.calls.map((f) => f.record.seq)).toEqual([1, 2]);
    expect(found.total).toBe(2);
    expect(none).toEqual({ calls: [], total: 0 });
  });

  it('deletes whole day files older than the retention (548 days before today), keeping the rest', () => {
    for (const day of ['2025-01-01', '2025-05-20', '2025-05-21', '2026-11-20']) {
      writeFileSync(dayFilePath(dir, day), '');
      writeFileSync(`${dayFilePath(dir, day)}-wal`, '');
    }

    const deleted = applyRetention(dir, 548, Date.UTC(2026, 10, 20, 12));

    expect(deleted).toEqual(['2025-01-01', '2025-05-20']);
    expect(listDayFiles(dir)).toEqual(['2025-05-21', '2026-11-20']);
    expect(existsSync(`${dayFilePath(dir, '2025-01-01')}-wal`)).toBe(false);
  });

  it('counts a batch as lost on SQLITE_FULL and leaves the file usable when space returns', () => {
    const full = createSqliteWriter({ dir, pragmas: ['max_page_count = 12'] });
    const lines = buildCdrs(2000, { startMs: AT }).map((r) => ({ r }));

    const first = full.write(lines.slice(0, 10));
    const second = full.write(lines);
    full.close();
    const roomy = createSqliteWriter({ dir });
    const third = roomy.write(lines.slice(0, 10));
    roomy.close();

    expect(first).toEqual({ written: 10, lost: 0 });
    expect(second).toMatchObject({ written: 0, lost: 2000 });
    expect(second.error).toMatch(/SQLITE_FULL/);
    expect(third).toEqual({ written: 10, lost: 0 });
    const db = openDayFileForRead(dir, '2026-11-20')!;
    expect([db.pragma('integrity_check', { simple: true }), (db.prepare('SELECT count(*) AS n FROM cdr').get() as { n: number }).n]).toEqual(['ok', 20]);
    db.close();
  });

  it('counts malformed records as lost without losing the rest of the batch', () => {
    const writer = createSqliteWriter({ dir });

    const r = writer.write([{ r: buildCdr() }, { r: { seq: 1 } } as unknown as CdrEnvelope]);
    writer.close();

    expect(r).toMatchObject({ written: 1, lost: 1, error: '1 malformed record(s)' });
  });

  it('scans a time range in order for what-if', () => {
    const writer = createSqliteWriter({ dir });
    writer.write(buildCdrs(5, { startMs: AT, stepMs: DAY_MS / 2 }).map((r) => ({ r })));
    writer.close();
    const reader = createSqliteCdrReader(dir);

    const seqs = [...reader.scan(AT + 1, AT + DAY_MS * 1.5)].map((s) => s.record.seq);

    expect(seqs).toEqual([2, 3, 4]);
  });
});

describe('SQLite flood summaries', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-sqlite-flood-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps flood summaries in their own table of the interval start day and reads them back whole', async () => {
    const writer = createSqliteWriter({ dir });
    const midnight = Date.UTC(2026, 10, 21);
    const a = floodRecord('198.51.100.7', AT, { action: 'rejected', transport: 'tcp' });
    const b = floodRecord('other', midnight - 5_000, { sources: 42, requests: 9000 });

    const r = writer.write([{ r: buildCdr({ receivedAtMs: AT }) }, { r: a }, { r: b }]);
    writer.close();
    const reader = createSqliteCdrReader(dir);
    const found = await reader.findFloodSummaries(AT - 60_000, midnight + 60_000, 100);
    await reader.close();

    expect(r).toEqual({ written: 3, lost: 0 });
    expect(found).toEqual([a, b]);
    const db = openDayFileForRead(dir, '2026-11-20')!;
    const counts = [db.prepare('SELECT count(*) AS n FROM cdr').get(), db.prepare('SELECT count(*) AS n FROM flood_summary').get()];
    db.close();
    expect(counts).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('returns the summaries whose interval overlaps the window, and none outside it', async () => {
    const writer = createSqliteWriter({ dir });
    writer.write([floodRecord('198.51.100.1', AT - 30_000), floodRecord('198.51.100.2', AT - 5_000), floodRecord('198.51.100.3', AT + 60_000)].map((r) => ({ r })));
    writer.close();
    const reader = createSqliteCdrReader(dir);

    const found = await reader.findFloodSummaries(AT, AT + 59_999, 100);
    const edge = await reader.findFloodSummaries(AT - 20_000, AT - 20_000, 100);
    await reader.close();

    expect(found.map((f) => f.sourceAddress)).toEqual(['198.51.100.2']);
    expect(edge.map((f) => f.sourceAddress)).toEqual(['198.51.100.1']);
  });

  it('reads a day file written before flood summaries as holding none, and adds the table when it is next written', async () => {
    const day = '2026-11-20';
    const old = new Database(dayFilePath(dir, day));
    old.exec(dayFileDdl().split('CREATE TABLE IF NOT EXISTS flood_summary')[0]!);
    old.close();
    const reader = createSqliteCdrReader(dir);

    expect(await reader.findFloodSummaries(AT - 60_000, AT + 60_000, 100)).toEqual([]);
    await reader.close();
    const writer = createSqliteWriter({ dir });
    expect(writer.write([{ r: floodRecord('198.51.100.7', AT) }])).toEqual({ written: 1, lost: 0 });
    writer.close();
    const again = createSqliteCdrReader(dir);
    expect((await again.findFloodSummaries(AT - 60_000, AT + 60_000, 100)).map((f) => f.sourceAddress)).toEqual(['198.51.100.7']);
    await again.close();
  });
});
