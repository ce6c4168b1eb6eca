/**
 * GET /admin/traceback on the real app: a call sent over UDP is found by calling number, called number and time,
 * with its upstream provider and the RMD contact; bad input is a 400 naming the format; no token is a 401.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendInvites, startTestApp, type TestApp } from '../../support/app-harness.js';

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
