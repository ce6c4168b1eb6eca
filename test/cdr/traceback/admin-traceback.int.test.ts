/**
 * GET /admin/traceback on the real app: a call sent over UDP is found by calling number, called number and time,
 * with its upstream provider and the RMD contact; in a window of 5,000 matches the closest come back with the total and
 * truncation; bad input is a 400 naming the format; no token is a 401.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteWriter } from '../../../src/cdr/sqlite/writer.js';
import { sendInvites, startTestApp, type TestApp } from '../../support/app-harness.js';
import { buildTracebackCrowd, expectedOrder, ids } from '../../support/traceback-crowd.js';

const TOKEN = 'traceback-test-token-0123456789-32b';
let t: TestApp;
let adminUrl: string;

beforeAll(async () => {
  t = await startTestApp({ env: { RMDGATE_ADMIN_TOKEN: TOKEN } });
  adminUrl = `http://127.0.0.1:${t.app.admin?.port ?? 0}`;
});

afterAll(async () => {
  await t.close();
});

const get = (path: string, token: string | null = TOKEN): Promise<Response> =>
  fetch(`${adminUrl}${path}`, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });

describe('GET /admin/traceback', () => {
  it('answers who sent a call: the trunk, the upstream provider and its RMD contact', async () => {
    const sentAt = new Date().toISOString();
    expect(await sendInvites(t.udpPort, '127.0.0.1', 1)).toEqual([302]);
    const query = `/admin/traceback?calling=3035550100&called=%2B1%20202-555-0123&at=${encodeURIComponent(sentAt)}&window=5m`;

    const body = await vi.waitFor(
      async () => {
        const res = await get(query);
        expect(res.status).toBe(200);
        const json = (await res.json()) as { answers: { matches: unknown[] }[] } & Record<string, unknown>;
        expect(JSON.stringify(json)).toContain('harborline-1');
        return json;
      },
      { timeout: 5000, interval: 100 },
    );

    const text = JSON.stringify(body);
    expect(text).toContain('Harborline Communications LLC');
    expect(text).toContain('RMD0990001');
    expect(text).toContain('127.0.0.1');
  });

  it('answers a crowded window with the calls closest to `at`, the exact total and truncated; limit=0 lists all', async () => {
    const at = Date.UTC(2026, 10, 20, 12, 0, 0);
    const crowd = buildTracebackCrowd({ atMs: at, windowMs: 600_000, matches: 5000 });
    const writer = createSqliteWriter({ dir: join(t.dir, 'cdr') });
    writer.write(crowd.records.map((r) => ({ r })));
    writer.close();
    const expected = ids(expectedOrder(crowd.matches, at));
    type Body = { total: number; returned: number; limit: number; truncated: boolean; matches: { node: string; seq: number }[] };
    const ask = async (extra: string): Promise<Body> => {
      const res = await get(`/admin/traceback?calling=3035550100&called=2025550123&at=2026-11-20T07:00:00-05:00&window=10m${extra}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Body;
    };

    const byDefault = await ask('');
    const all = await ask('&limit=0');
    const enough = await ask('&limit=5000');
    const csv = await (await get('/admin/traceback?calling=3035550100&called=2025550123&at=2026-11-20T12:00:00Z&format=csv&limit=7')).text();

    expect(ids(byDefault.matches)).toEqual(expected.slice(0, 100));
    expect(byDefault).toMatchObject({ total: 5000, returned: 100, limit: 100, truncated: true });
    expect(ids(all.matches)).toEqual(expected);
    expect(all).toMatchObject({ total: 5000, returned: 5000, limit: 0, truncated: false });
    expect(enough).toMatchObject({ total: 5000, returned: 5000, truncated: false });
    const [head, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
    expect(rows.filter((r) => r[head!.indexOf('status')] === 'match').map((r) => [r[head!.indexOf('call_id')], r[head!.indexOf('total')], r[head!.indexOf('truncated')]])).toEqual(
      expectedOrder(crowd.matches, at).slice(0, 7).map((r) => [r.callId, '5000', 'true']),
    );
  }, 30_000);

  it('rejects a limit that is not a whole number with 400 naming the expected values', async () => {
    const res = await get('/admin/traceback?calling=3035550100&called=2025550123&at=2026-11-20T14:03:00Z&limit=all');

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('or 0 for all matches');
  });

  it('rejects a time without a zone with 400 naming the expected format', async () => {
    const res = await get('/admin/traceback?calling=3035550100&called=2025550123&at=2026-11-20T14:03:00');

    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/zone|tz/i);
  });

  it('answers 401 without a bearer token and leaks nothing', async () => {
    const res = await get('/admin/traceback?calling=3035550100&called=2025550123&at=2026-11-20T14:03:00Z', null);

    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('harborline');
  });
});
