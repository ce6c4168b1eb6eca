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
    { name: 'an unknown format', q: 'calling=3035550100&called=2025550123&at=2026-11-20T19:03:00Z&format=xml', says: 'expected json or csv' },
  ])('answers 400 naming the expected format for $name', async ({ q, says }) => {
    const res = await handler(url(q));

    expect(res.status).toBe(400);
    expect((JSON.parse(res.body) as { error: string }).error).toContain(says);
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
