import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteCdrReader } from '../../../src/cdr/sqlite/query.js';
import { createSqliteWriter } from '../../../src/cdr/sqlite/writer.js';
import { toFloodSummaryRecord } from '../../../src/screening/index.js';
import { answerBatch } from '../../../src/cdr/traceback/batch.js';
import { parseBatchCsv } from '../../../src/cli/traceback-batch-csv.js';
import { formatOutcomes } from '../../../src/cdr/traceback/format.js';
import { answerTraceback, parseNumber, parseTracebackLimit, parseTracebackRequest, type TracebackRequest } from '../../../src/cdr/traceback/traceback.js';
import { buildFiling, buildSnapshot } from '../../support/builders.js';
import { AT, buildCdr } from '../../support/builders.js';
import { memoryStore, stored } from '../../support/fakes.js';
import { buildTracebackCrowd, expectedOrder, ids } from '../../support/traceback-crowd.js';

const SNAPSHOT = buildSnapshot([buildFiling({ contactName: 'Pat Example', contactPhone: '+12025550100' })], { id: 'snap0000deadbeef' });
const REQUEST: TracebackRequest = { calling: '+13035550100', called: '+12025550123', at: '2026-11-20T14:05:00-05:00' };

async function answer(req: TracebackRequest, calls = [stored(buildCdr())], rmd = SNAPSHOT) {
  const parsed = parseTracebackRequest(req);
  if (!parsed.ok) throw new Error(parsed.error);
  return answerTraceback(parsed.value, { store: memoryStore(calls), rmd });
}

describe('parseNumber', () => {
  it.each([
    ['+12025550123'], ['12025550123'], ['2025550123'], ['(202) 555-0123'], ['202.555.0123'], ['sip:+12025550123@gw.example.net;user=phone'],
    ['tel:+1-202-555-0123'], ['<sip:2025550123@10.0.0.1>'],
  ])('reads %s as key 12025550123', (text) => {
    const r = parseNumber(text.startsWith('<') ? text.slice(1, -1) : text, 'called');

    expect(r.ok && r.value).toEqual({ key: 12025550123, e164: '+12025550123' });
  });

  it.each(['12345', 'anonymous', '555-0123', ''])('rejects %j naming the expected format', (text) => {
    const r = parseNumber(text, 'calling');

    expect(!r.ok && r.error).toMatch(/invalid calling number .*expected a US\/E\.164 number/);
  });
});

describe('answerTraceback', () => {
  it('returns who handed us the call: source, trunk, provider filing and the contact from the RMD snapshot', async () => {
    const a = await answer(REQUEST);

    expect(a.status).toBe('match');
    expect(a.request).toMatchObject({ calling: '+13035550100', called: '+12025550123', atUtc: '2026-11-20T19:05:00.000Z', zone: '-05:00', windowSeconds: 600 });
    expect(a.matches[0]).toMatchObject({
      receivedAtUtc: '2026-11-20T19:03:00.000Z',
      receivedAtLocal: '2026-11-20 14:03:00.000 -05:00',
      source: '203.0.113.10:5060',
      trunkId: 'trunk-1',
      providerName: 'Harborline Communications LLC',
      providerRmdNumber: 'RMD0990001',
      providerFrn: '0099000001',
      contactName: 'Pat Example',
      contactPhone: '+12025550100',
      decision: 'allow',
      snapshotNote: null,
    });
  });

  it.each([
    { filed: '(202) 555-0100', shown: '+12025550100' },
    { filed: '1-202-555-0100', shown: '+12025550100' },
    { filed: '202-555-0100 ext. 7', shown: '202-555-0100 ext. 7' },
  ])('gives the contact phone filed as $filed as $shown (E.164 when it has one, else as filed)', async ({ filed, shown }) => {
    const a = await answer(REQUEST, [stored(buildCdr())], buildSnapshot([buildFiling({ contactPhone: filed })], { id: 'snap0000deadbeef' }));

    expect(a.matches[0]?.contactPhone).toBe(shown);
  });

  it('matches the calling number against From when PAI differs, and any number form', async () => {
    const call = stored(buildCdr({ callingE164: '+19995550000', paiE164: '+19995550000', fromE164: '+13035550100' }));

    const a = await answer({ ...REQUEST, calling: '1-303-555-0100', called: '2025550123' }, [call]);

    expect(a.matches).toHaveLength(1);
  });

  it('answers no-match outside the window', async () => {
    const a = await answer({ ...REQUEST, at: '2026-11-20T14:20:00-05:00', window: '5m' });

    expect(a).toMatchObject({ status: 'no-match', matches: [] });
  });

  it('says so when the call was screened under another RMD snapshot, and finds the contact by FRN', async () => {
    const call = stored(buildCdr({ rmdSnapshotId: 'snapOLD000000000', providerRmdNumber: null }));

    const a = await answer(REQUEST, [call]);

    expect(a.matches[0]?.contactName).toBe('Pat Example');
    expect(a.matches[0]?.snapshotNote).toBe('screened under RMD snapshot snapOLD000000000; contact taken from current snapshot snap0000deadbeef');
  });

  it('notes unknown trunks and providers missing from the snapshot', async () => {
    const unknown = stored(buildCdr({ trunkId: null, providerId: null, providerName: null, providerRmdNumber: null, providerFrn: null }));
    const missing = stored(buildCdr({ seq: 2, providerRmdNumber: 'RMD0990777', providerFrn: '0099000777' }));

    const a = await answer(REQUEST, [unknown, missing]);

    expect(a.matches.map((m) => m.snapshotNote)).toEqual([
      'unknown trunk: no upstream provider identified (source address only)',
      'provider not found in current RMD snapshot snap0000deadbeef (by RMD number or FRN)',
    ]);
  });

  it('asks the store for the window around the time, closest to it first, bounded by the match limit (0: unbounded)', async () => {
    const store = memoryStore([]);
    const parsed = parseTracebackRequest({ ...REQUEST, window: '2m' });
    if (!parsed.ok) throw new Error(parsed.error);

    await answerTraceback(parsed.value, { store, rmd: SNAPSHOT, maxMatches: 7 });
    await answerTraceback(parsed.value, { store, rmd: SNAPSHOT, maxMatches: 0 });
    await answerTraceback(parsed.value, { store, rmd: SNAPSHOT });

    const window = { callingKey: 13035550100, calledKey: 12025550123, fromMs: AT + 120_000 - 120_000, toMs: AT + 120_000 + 120_000, atMs: AT + 120_000 };
    expect(store.queries).toEqual([{ ...window, limit: 7 }, { ...window, limit: null }, { ...window, limit: 100 }]);
  });
});

describe('batch tracebacks and formats', () => {
  const CSV = 'calling,called,at,tz\n+13035550100,+12025550123,2026-11-20T14:03:00,America/New_York\n3035550100,2025550999,2026-11-20T19:03:00Z,\nbad,2025550123,2026-11-20T19:03:00Z,\n';

  it('answers one outcome per request: match, explicit no-match and invalid rows', async () => {
    const parsed = parseBatchCsv(CSV);
    if (!parsed.ok) throw new Error(parsed.error);

    const out = await answerBatch(parsed.value, { store: memoryStore([stored(buildCdr())]), rmd: SNAPSHOT });
    const csv = formatOutcomes(out, 'csv').split('\n');

    expect(out.map((o) => (o.kind === 'answer' ? o.answer.status : 'invalid'))).toEqual(['match', 'no-match', 'invalid']);
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(/^line,req_calling,req_called,req_at,status,error,received_at_utc/);
    expect(csv[1]).toContain(',match,,2026-11-20T19:03:00.000Z,2026-11-20 14:03:00.000 -05:00,America/New_York,+13035550100,+12025550123');
    expect(csv[1]).toContain('Pat Example,+12025550100,allow');
    expect(csv[2]).toMatch(/^3,3035550100,2025550999,2026-11-20T19:03:00Z,no-match,/);
    expect(csv[3]).toMatch(/^4,bad,.*,invalid,"invalid calling number/);
  });

  it('rejects a batch without the required columns', () => {
    const r = parseBatchCsv('from,to,when\n1,2,3\n');

    expect(!r.ok && r.error).toContain('missing: calling, called, at');
  });

  it('renders a paste-ready table with the provider contact', async () => {
    const a = await answer(REQUEST);

    const text = formatOutcomes([{ line: 1, request: REQUEST, kind: 'answer', answer: a }], 'table');

    expect(text).toContain('Upstream provider    Harborline Communications LLC — RMD RMD0990001, FRN 0099000001');
    expect(text).toContain('Mitigation contact   Pat Example, +12025550100');
    expect(text).toContain('Received from        203.0.113.10:5060 over udp, trunk trunk-1');
  });

  it('adds the OCN and contact e-mail when the RMD export carries them', async () => {
    const rmd = buildSnapshot([buildFiling({ contactName: 'Pat Example', contactPhone: '+12025550100', ocn: '123A', contactEmail: 'rm@example.invalid' })], { id: 'snap0000deadbeef' });
    const a = await answer(REQUEST, undefined, rmd);

    expect(a.matches[0]).toMatchObject({ providerOcn: '123A', contactEmail: 'rm@example.invalid' });
    const text = formatOutcomes([{ line: 1, request: REQUEST, kind: 'answer', answer: a }], 'table');
    expect(text).toContain('Harborline Communications LLC — RMD RMD0990001, FRN 0099000001, OCN 123A');
    expect(text).toContain('Mitigation contact   Pat Example, +12025550100, rm@example.invalid');
  });

  it('defuses spreadsheet formulas in network-supplied CSV text', async () => {
    const call = stored(buildCdr({ callId: '=HYPERLINK("x")' }));
    const a = await answer(REQUEST, [call]);

    const csv = formatOutcomes([{ line: 1, request: REQUEST, kind: 'answer', answer: a }], 'csv');

    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('traceback flood summaries (SQLite store)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-traceback-flood-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const flood = (sourceAddress: string, startMs: number, requests: number) =>
    ({ r: toFloodSummaryRecord({ sourceAddress, sources: 1, transport: 'udp', intervalStartMs: startMs, intervalEndMs: startMs + 10_000, requests, action: 'dropped' }, 'gate-1') });

  async function answerFromSqlite(req: TracebackRequest) {
    // REQUEST's window: 19:05 UTC ± 10 min.
    const at = Date.UTC(2026, 10, 20, 19, 5);
    const writer = createSqliteWriter({ dir });
    writer.write([flood('198.51.100.7', at - 11 * 60_000, 1), flood('198.51.100.8', at - 10 * 60_000 - 5_000, 700), flood('198.51.100.9', at + 9 * 60_000, 1200), flood('198.51.100.10', at + 10 * 60_000 + 1, 5)]);
    writer.close();
    const store = createSqliteCdrReader(dir);
    try {
      const parsed = parseTracebackRequest(req);
      if (!parsed.ok) throw new Error(parsed.error);
      return await answerTraceback(parsed.value, { store, rmd: SNAPSHOT });
    } finally {
      await store.close();
    }
  }

  it('reports the flood summaries overlapping the window, and none outside it, even when no call matches', async () => {
    const a = await answerFromSqlite(REQUEST);

    expect(a.status).toBe('no-match');
    expect(a.floodSummaries?.map((f) => [f.source, f.requests])).toEqual([['198.51.100.8', 700], ['198.51.100.9', 1200]]);
    expect(a.floodSummaries?.[0]).toMatchObject({ transport: 'udp', action: 'dropped', reason: 'flood-limit', intervalStartUtc: '2026-11-20T18:54:55.000Z', intervalEndUtc: '2026-11-20T18:55:05.000Z', intervalStartLocal: '2026-11-20 13:54:55.000 -05:00' });
    expect(a.floodSummariesTruncated).toBe(false);
  });

  it('says so in the table, the CSV and the JSON', async () => {
    const a = await answerFromSqlite(REQUEST);
    const outcome = [{ line: 1, request: REQUEST, kind: 'answer' as const, answer: a }];

    const table = formatOutcomes(outcome, 'table');
    const csv = formatOutcomes(outcome, 'csv').split('\n');
    const json = JSON.parse(formatOutcomes(outcome, 'json')) as { floodSummaries: unknown[] };

    expect(table).toContain('700 request(s) from 198.51.100.8 over udp dropped — flood-limit between 2026-11-20T18:54:55.000Z and 2026-11-20T18:55:05.000Z');
    expect(table).not.toContain('198.51.100.10');
    const header = csv[0]!.split(',');
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((c, i) => [header[i], c])));
    expect(rows.map((r) => r['status'])).toEqual(['no-match', 'flood-summary', 'flood-summary']);
    expect(rows[1]).toMatchObject({ source: '198.51.100.8', transport: 'udp', reason: 'flood-limit', received_at_utc: '2026-11-20T18:54:55.000Z', interval_end_utc: '2026-11-20T18:55:05.000Z', requests_refused: '700', flood_action: 'dropped', sources: '1' });
    expect(json.floodSummaries).toHaveLength(2);
  });

  it('tells a store that keeps no flood summaries apart from a window without any', async () => {
    const a = await answer(REQUEST);

    expect(a.floodSummaries).toBeNull();
    expect(formatOutcomes([{ line: 1, request: REQUEST, kind: 'answer', answer: a }], 'table')).toContain('this store keeps no flood summaries');
  });
});

describe('traceback over a crowded window (5,000 matches, real SQLite store, window across UTC midnight)', () => {
  // 00:00:30 UTC ± 10 min: the matches are split over two day files, so the closest come from both.
  const at = Date.UTC(2026, 10, 21, 0, 0, 30);
  const crowd = buildTracebackCrowd({ atMs: at, windowMs: 600_000, matches: 5000 });
  const expected = expectedOrder(crowd.matches, at);
  const request: TracebackRequest = { calling: '3035550100', called: '+1 202 555 0123', at: '2026-11-20T19:00:30-05:00' };
  let dir: string;
  let store: ReturnType<typeof createSqliteCdrReader>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-traceback-crowd-'));
    const writer = createSqliteWriter({ dir });
    writer.write(crowd.records.map((r) => ({ r })));
    writer.close();
    store = createSqliteCdrReader(dir);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ask(maxMatches?: number) {
    const parsed = parseTracebackRequest(request);
    if (!parsed.ok) throw new Error(parsed.error);
    return answerTraceback(parsed.value, { store, rmd: SNAPSHOT, ...(maxMatches === undefined ? {} : { maxMatches }) });
  }

  it('by default returns exactly the 100 calls closest to the time, closest first, and says 5,000 matched (truncated)', async () => {
    const a = await ask();

    expect(ids(a.matches)).toEqual(ids(expected.slice(0, 100)));
    expect(a).toMatchObject({ status: 'match', total: 5000, returned: 100, limit: 100, truncated: true });
    expect(a.matches.map((m) => m.offsetSeconds)).toEqual(expected.slice(0, 100).map((r) => (r.receivedAtMs - at) / 1000));
    expect(Math.max(...a.matches.map((m) => Math.abs(m.offsetSeconds)))).toBeLessThan(20);
  });

  it('returns the N closest for a limit that cuts between the two day files', async () => {
    const a = await ask(1234);

    expect(ids(a.matches)).toEqual(ids(expected.slice(0, 1234)));
    expect(a.matches.some((m) => m.receivedAtUtc < '2026-11-21') && a.matches.some((m) => m.receivedAtUtc >= '2026-11-21')).toBe(true);
    expect(a).toMatchObject({ total: 5000, returned: 1234, truncated: true });
  });

  it('returns every match, closest first, for limit 0', async () => {
    const a = await ask(0);

    expect(ids(a.matches)).toEqual(ids(expected));
    expect(a).toMatchObject({ total: 5000, returned: 5000, limit: 0, truncated: false });
  });

  it.each([5000, 6000])('is not truncated when the limit (%i) covers the total', async (limit) => {
    const a = await ask(limit);

    expect(a).toMatchObject({ total: 5000, returned: 5000, limit, truncated: false });
    expect(ids(a.matches)).toEqual(ids(expected));
  });

  it('states the counts and the limit in the table, the JSON and every CSV row', async () => {
    const a = await ask(3);
    const outcome = [{ line: 1, request, kind: 'answer' as const, answer: a }];

    const table = formatOutcomes(outcome, 'table');
    const json = JSON.parse(formatOutcomes(outcome, 'json')) as Record<string, unknown>;
    const [head, ...rows] = formatOutcomes(outcome, 'csv').split('\n').map((l) => l.split(','));
    const cells = rows.map((r) => Object.fromEntries(r.map((c, i) => [head![i], c])));

    expect(table).toContain('Result: 5,000 matching call(s) in the window; showing the 3 closest to 2026-11-21T00:00:30.000Z — TRUNCATED');
    expect(table).toContain('Showing 3 closest of 5,000 matches to 2026-11-21T00:00:30.000Z (limit 3); --limit 0 for all.');
    const offsets = expected.slice(0, 3).map((r) => (r.receivedAtMs - at) / 1000);
    offsets.forEach((o, i) => expect(table).toContain(`  #${i + 1}  ${o < 0 ? '-' : '+'}${Math.abs(o).toFixed(3)} s from the time asked`));
    expect(json).toMatchObject({ total: 5000, returned: 3, limit: 3, truncated: true });
    expect(cells.map((c) => [c['status'], c['total'], c['returned'], c['limit'], c['truncated'], c['rank'], c['offset_s'], c['call_id']])).toEqual(
      expected.slice(0, 3).map((r, i) => ['match', '5000', '3', '3', 'true', String(i + 1), ((r.receivedAtMs - at) / 1000).toFixed(3), r.callId]),
    );
  });
});

describe('limits and counts on small answers', () => {
  it('says all matches are listed, and the limit in force, when nothing was left out', async () => {
    const a = await answer(REQUEST);

    const table = formatOutcomes([{ line: 1, request: REQUEST, kind: 'answer', answer: a }], 'table');

    expect(a).toMatchObject({ total: 1, returned: 1, limit: 100, truncated: false });
    expect(table).toContain('Result: 1 matching call(s) in the window; all listed, closest to 2026-11-20T19:05:00.000Z first');
    expect(table).toContain('Showing all 1 match(es), closest to 2026-11-20T19:05:00.000Z first (limit 100).');
    expect(table).toContain('  #1  -120.000 s from the time asked');
  });

  it('gives a no-match row its counts in CSV (total 0, not truncated) and leaves invalid rows without them', async () => {
    const parsed = parseBatchCsv('calling,called,at\n3035550100,2025550999,2026-11-20T19:03:00Z\nbad,2025550123,2026-11-20T19:03:00Z\n');
    if (!parsed.ok) throw new Error(parsed.error);

    const out = await answerBatch(parsed.value, { store: memoryStore([stored(buildCdr())]), rmd: SNAPSHOT, maxMatches: 0 });
    const [head, ...rows] = formatOutcomes(out, 'csv').split('\n').map((l) => l.split(','));
    const col = (row: string[] | undefined, name: string): string | undefined => row?.[head!.indexOf(name)];

    expect([col(rows[0], 'status'), col(rows[0], 'total'), col(rows[0], 'returned'), col(rows[0], 'limit'), col(rows[0], 'truncated')]).toEqual(['no-match', '0', '0', '0', 'false']);
    expect(col(rows[1], 'status')).toBe('invalid');
    expect(col(rows.at(-1), 'total')).toBe('');
    expect(JSON.parse(formatOutcomes(out, 'json'))).toMatchObject([
      { line: 2, status: 'no-match', total: 0, returned: 0, limit: 0, truncated: false },
      { line: 3, status: 'invalid' },
    ]);
  });

  it.each([
    [undefined, 100], ['0', 0], ['1', 1], ['250', 250], [' 42 ', 42], ['1000000', 1_000_000],
  ])('reads limit %j as %i', (text, value) => {
    expect(parseTracebackLimit(text, '--limit')).toEqual({ ok: true, value });
  });

  it.each(['-1', '1.5', 'all', '', '1e3', '1000001', '0x10'])('rejects limit %j naming the expected values', (text) => {
    const r = parseTracebackLimit(text, '--limit');

    expect(!r.ok && r.error).toBe(`invalid --limit "${text}": expected a whole number from 1 to 1000000, or 0 for all matches`);
  });
});
