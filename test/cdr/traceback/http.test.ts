import { describe, expect, it } from 'vitest';
import { createTracebackHandler } from '../../../src/cdr/traceback/http.js';
import type { CdrQueryStore } from '../../../src/cdr/ports.js';
import { buildSnapshot } from '../../support/builders.js';
import { buildCdr } from '../../support/builders.js';
import { memoryStore, stored } from '../../support/fakes.js';

const url = (q: string): URL => new URL(`http://127.0.0.1/admin/traceback?${q}`);
const handler = createTracebackHandler({ store: memoryStore([stored(buildCdr())]), rmd: () => buildSnapshot() });

describe('GET /admin/traceback handler', () => {
  it('answers 200 JSON with the matching call and the provider contact', async () => {
    const res = await handler(url('calling=%2B13035550100&called=2025550123&at=2026-11-20T14:03:30&tz=America/New_York&window=1m'));

    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    const body = JSON.parse(res.body) as { status: string; matches: { contactName: string; receivedAtLocal: string }[] };
    expect(body.status).toBe('match');
    expect(body.matches[0]).toMatchObject({ contactName: 'Pat Example', receivedAtLocal: '2026-11-20 14:03:00.000 -05:00' });
  });

  it('answers CSV with an explicit no-match row', async () => {
    const res = await handler(url('calling=3035550100&called=2025550999&at=2026-11-20T19:03:00Z&format=csv'));

    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/csv; charset=utf-8');
    expect(res.body.split('\n')[1]).toMatch(/^1,3035550100,2025550999,2026-11-20T19:03:00Z,no-match,/);
  });

  it.each([
    { name: 'a missing parameter', q: 'calling=3035550100&at=2026-11-20T19:03:00Z', says: 'missing query parameter(s): called' },
    { name: 'a time without zone', q: 'calling=3035550100&called=2025550123&at=2026-11-20T14:03:00', says: 'has no zone' },
    { name: 'a malformed number', q: 'calling=abc&called=2025550123&at=2026-11-20T19:03:00Z', says: 'invalid calling number "abc": expected' },
    { name: 'a bad window', q: 'calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&window=3d', says: 'invalid window' },
    { name: 'a negative limit', q: 'calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&limit=-5', says: 'invalid limit "-5": expected a whole number from 1 to 1000000, or 0 for all matches' },
    { name: 'an empty limit', q: 'calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&limit=', says: 'invalid limit ""' },
    { name: 'an unknown format', q: 'calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&format=xml', says: 'expected json or csv' },
  ])('answers 400 naming the expected format for $name', async ({ q, says }) => {
    const res = await handler(url(q));

    expect(res.status).toBe(400);
    expect((JSON.parse(res.body) as { error: string }).error).toContain(says);
  });

  it('lists the calls closest to `at` first, at most `limit` (default 100, 0 = all), with total and truncated', async () => {
    const at = Date.UTC(2026, 10, 20, 19, 3, 0);
    const calls = [-50_000, 20_000, -10_000, 5_000, 40_000].map((d, i) => stored(buildCdr({ seq: i + 1, receivedAtMs: at + d })));
    const h = createTracebackHandler({ store: memoryStore(calls), rmd: () => buildSnapshot() });
    const ask = async (extra: string) => {
      const res = await h(url(`calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&window=1m${extra}`));
      return JSON.parse(res.body) as { total: number; returned: number; limit: number; truncated: boolean; matches: { seq: number }[] };
    };

    const two = await ask('&limit=2');
    const all = await ask('&limit=0');
    const byDefault = await ask('');

    expect(two).toMatchObject({ total: 5, returned: 2, limit: 2, truncated: true });
    expect(two.matches.map((m) => m.seq)).toEqual([4, 3]);
    expect(all).toMatchObject({ total: 5, returned: 5, limit: 0, truncated: false });
    expect(all.matches.map((m) => m.seq)).toEqual([4, 3, 2, 5, 1]);
    expect(byDefault).toMatchObject({ total: 5, returned: 5, limit: 100, truncated: false });
  });

  it('puts total and truncated on every CSV row', async () => {
    const at = Date.UTC(2026, 10, 20, 19, 3, 0);
    const h = createTracebackHandler({ store: memoryStore([1, 2, 3].map((seq) => stored(buildCdr({ seq, receivedAtMs: at + seq * 1000 })))), rmd: () => buildSnapshot() });

    const res = await h(url('calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&format=csv&limit=2'));
    const [head, ...rows] = res.body.trim().split('\n').map((l) => l.split(','));

    expect(rows.map((r) => ['total', 'returned', 'truncated', 'rank'].map((c) => r[head!.indexOf(c)]))).toEqual([['3', '2', 'true', '1'], ['3', '2', 'true', '2']]);
  });

  it('answers 503 without details when the store fails, reporting the error', async () => {
    const errors: unknown[] = [];
    const broken: CdrQueryStore = { description: 'broken', findCalls: () => Promise.reject(new Error('SQLITE_IOERR')), close: () => Promise.resolve() };
    const h = createTracebackHandler({ store: broken, rmd: () => undefined, onError: (e) => errors.push(e) });

    const res = await h(url('calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z'));

    expect(res).toMatchObject({ status: 503, body: '{"error":"cdr store unavailable"}' });
    expect(errors).toHaveLength(1);
  });
});
