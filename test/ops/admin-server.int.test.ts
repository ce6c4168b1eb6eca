/**
 * The admin listener: bearer auth (401 with WWW-Authenticate, nothing runs, nothing leaks), the built-in routes on the
 * running app (status, feed refresh, reload), mounting more routes, bodies, TLS with a generated certificate, and refusing to start without a token.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminServer, type AdminRoute } from '../../src/ops/admin-server.js';
import { createBearerCheck } from '../../src/ops/bearer-auth.js';
import { findBinary } from '../support/prometheus.js';
import { SAMPLE_PARTIES, type TestApp, startTestApp } from '../support/app-harness.js';
import { silentLog as silent } from '../support/fakes.js';

const TOKEN = 'correct-horse-battery-staple-0123456789';

describe('bearer check', () => {
  const check = createBearerCheck(TOKEN);

  it.each([
    { name: 'the exact token', header: `Bearer ${TOKEN}`, ok: true },
    { name: 'a lower-case scheme', header: `bearer ${TOKEN}`, ok: true },
    { name: 'no header', header: undefined, ok: false },
    { name: 'another scheme', header: `Basic ${TOKEN}`, ok: false },
    { name: 'a prefix of the token', header: `Bearer ${TOKEN.slice(0, -1)}`, ok: false },
    { name: 'the token with a suffix', header: `Bearer ${TOKEN}x`, ok: false },
    { name: 'an empty token', header: 'Bearer ', ok: false },
  ])('accepts $name: $ok', ({ header, ok }) => {
    expect(check(header)).toBe(ok);
  });

  it('refuses to be created with an empty token', () => {
    expect(() => createBearerCheck('')).toThrow(/must not be empty/);
  });
});

describe('admin routes of a running rmdgate', () => {
  let t: TestApp;
  let base: string;
  const call = (method: string, path: string, auth: string | null = `Bearer ${TOKEN}`) =>
    fetch(base + path, { method, headers: auth === null ? {} : { authorization: auth } });

  beforeAll(async () => {
    t = await startTestApp({ env: { RMDGATE_ADMIN_TOKEN: TOKEN } });
    base = `http://127.0.0.1:${t.app.admin?.port ?? 0}`;
  });
  afterAll(async () => t?.close());

  it.each([
    { name: 'no Authorization header', auth: null },
    { name: 'a wrong token', auth: 'Bearer wrong' },
    { name: 'a Basic credential', auth: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
  ])('answers 401 with WWW-Authenticate and no detail for $name, on known and unknown routes', async ({ auth }) => {
    for (const [method, path] of [['POST', '/admin/reload'], ['GET', '/admin/status'], ['GET', '/admin/secret-route']] as const) {
      const res = await call(method, path, auth);

      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="rmdgate-admin"');
      expect(await res.text()).toBe('{"error":"unauthorized"}');
    }
    expect(t.logs.join('')).not.toContain(TOKEN);
    expect(t.logs.some((l) => l.includes('admin request served'))).toBe(false);
  });

  it('reports trunks, providers with their RMD status, feed versions and mode', async () => {
    const res = await call('GET', '/admin/status');
    const body = (await res.json()) as Record<string, any>;

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ mode: 'enforce', node: 'obs-test', trunks: { total: 3, truncated: false } });
    expect(Object.fromEntries(body['providers'].items.map((p: { id: string; rmdStatus: string }) => [p.id, p.rmdStatus]))).toEqual({ harborline: 'listed', driftwood: 'missing', tallgrass: 'designated' });
    expect(body['feeds'].map((f: { feed: string }) => f.feed)).toEqual(['rmd', 'fcc-k4', 'operator']);
    expect(body['feeds'][0]).toMatchObject({ version: body['rmd'].snapshotId, rows: 25 });
  });

  it('gives every time in ISO 8601, the feeds\' asOf included', async () => {
    const body = (await (await call('GET', '/admin/status')).json()) as { at: string; rmd: { loadedAt: string }; feeds: { asOf?: unknown }[] };
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

    expect(body.at).toMatch(iso);
    expect(body.rmd.loadedAt).toMatch(iso);
    for (const f of body.feeds) expect(f.asOf).toMatch(iso);
  });

  it('refreshes a known feed and answers 404 for an unknown one', async () => {
    const ok = await call('POST', '/admin/feeds/rmd/refresh');
    const unknown = await call('POST', '/admin/feeds/no-such-feed/refresh');

    expect(ok.status).toBe(200);
    expect(unknown.status).toBe(404);
  });

  it('answers a failed reload (the config file is gone) with 422 and keeps the config in force', async () => {
    const before = (await t.metricsText()).match(/^rmdgate_config_info\{.*$/m)?.[0];
    const res = await call('POST', '/admin/reload');

    expect(res.status).toBe(422);
    expect((await t.metricsText()).match(/^rmdgate_config_info\{.*$/m)?.[0]).toBe(before);
    expect(await t.metricsText()).toContain('rmdgate_config_last_reload_success 0');
  });

  it('answers 404 for unknown routes and 405 for a known path with another method', async () => {
    expect((await call('GET', '/admin/nope')).status).toBe(404);
    const res = await call('DELETE', '/admin/status');

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('admin status of providers in grace and on expired list entries', () => {
  const T = Date.now();
  const HOUR = 3_600_000;
  let t: TestApp;

  beforeAll(async () => {
    const parties = `${SAMPLE_PARTIES}  - { id: cedar-1, provider: cedar, sources: [127.0.0.4/32] }\n`.replace(
      'trunks:\n',
      '  - { id: cedar, name: Cedar Ridge Voice Inc, frn: "0099000077" }\ntrunks:\n',
    );
    t = await startTestApp({
      env: { RMDGATE_ADMIN_TOKEN: TOKEN },
      parties,
      prepare: async (dir) => {
        await mkdir(join(dir, 'feed-state'), { recursive: true });
        await writeFile(join(dir, 'feed-state', 'grace.json'), JSON.stringify({ providers: { driftwood: { since: T - HOUR, rmdNumber: 'RMD0990002' } } }));
      },
    });
  });
  afterAll(async () => t?.close());

  it('shows a provider in grace with the RMD number it last had and the grace end, and no expired entry as a designation', async () => {
    const res = await fetch(`http://127.0.0.1:${t.app.admin?.port ?? 0}/admin/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const items = ((await res.json()) as { providers: { items: { id: string }[] } }).providers.items;
    const byId = Object.fromEntries(items.map((p) => [p.id, p]));

    expect(byId['driftwood']).toMatchObject({ rmdStatus: 'in-grace', rmdNumber: 'RMD0990002', graceEndsAt: new Date(T + 47 * HOUR).toISOString() });
    expect(byId['cedar']).toMatchObject({ rmdStatus: 'missing', graceEndsAt: null, designations: [] });
    expect(byId['tallgrass']).toMatchObject({ rmdStatus: 'designated', designations: ['fcc-k4:tallgrass'] });
  });
});

describe('admin server', () => {
  const calls: unknown[] = [];
  const routes: AdminRoute[] = [
    { method: 'POST', path: '/admin/feeds/{name}/refresh', handler: (req) => (calls.push(req.params), { status: 202, body: { feed: req.params['name'] } }) },
    { method: 'POST', path: '/admin/echo', handler: (req) => ({ status: 200, body: { got: req.body } }) },
  ];
  const server = createAdminServer({ address: '127.0.0.1', port: 0, token: TOKEN, log: silent, routes, maxBodyBytes: 64 });
  let base = '';
  const post = (path: string, body?: string, auth = `Bearer ${TOKEN}`) => fetch(base + path, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });

  beforeAll(async () => {
    base = `http://127.0.0.1:${(await server.start()).port}`;
  });
  afterAll(async () => server.stop());

  it('runs no handler for an unauthorized request', async () => {
    calls.length = 0;

    expect((await post('/admin/feeds/rmd/refresh', undefined, 'Bearer nope')).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('decodes path parameters', async () => {
    const res = await post('/admin/feeds/fcc%2Dk4/refresh');

    expect(await res.json()).toEqual({ feed: 'fcc-k4' });
  });

  it('mounts further routes, e.g. GET /admin/traceback with a query', async () => {
    server.mount({ method: 'GET', path: '/admin/traceback', handler: (req) => ({ status: 200, body: { callId: req.query.get('callId') } }) });
    const res = await fetch(`${base}/admin/traceback?callId=abc`, { headers: { authorization: `Bearer ${TOKEN}` } });

    expect(await res.json()).toEqual({ callId: 'abc' });
  });

  it.each([
    { name: 'valid JSON', body: '{"a":1}', status: 200 },
    { name: 'invalid JSON', body: '{nope', status: 400 },
    { name: 'a body over the limit', body: JSON.stringify({ a: 'x'.repeat(100) }), status: 400 },
  ])('answers $status for $name', async ({ body, status }) => {
    expect((await post('/admin/echo', body)).status).toBe(status);
  });
});

describe.skipIf(!findBinary('openssl'))('admin server over TLS (needs openssl to make a test certificate)', () => {
  let dir = '';
  let port = 0;
  let cert: Buffer;
  let server: ReturnType<typeof createAdminServer>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rmdgate-tls-'));
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { timeout: 20_000 });
    cert = await readFile(join(dir, 'cert.pem'));
    server = createAdminServer({ address: '127.0.0.1', port: 0, token: TOKEN, log: silent, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }, routes: [{ method: 'GET', path: '/admin/status', handler: () => ({ status: 200, body: { ok: true } }) }] });
    const bound = await server.start();
    expect(bound.tls).toBe(true);
    port = bound.port;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (auth: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/admin/status', ca: cert, headers: { authorization: auth } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves routes over HTTPS with the configured certificate', async () => {
    expect(await get(`Bearer ${TOKEN}`)).toEqual({ status: 200, body: '{"ok":true}' });
    expect((await get('Bearer wrong')).status).toBe(401);
  });

  it('does not speak plain HTTP', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/admin/status`)).rejects.toThrow();
  });
});

describe('admin listener without a token', () => {
  it('does not start and logs a warning naming the env var', async () => {
    const t = await startTestApp({ env: {} });
    try {
      expect(t.app.admin).toBeUndefined();
      expect(t.logs.some((l) => l.includes('admin listener not started') && l.includes('RMDGATE_ADMIN_TOKEN'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
