/**
 * The ops listener of the running app: /healthz, /metrics, /readyz with named failing checks (RMD too old, a check
 * registered by another component), and the standard readiness checks on their own.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCdrWritableCheck, createFrontCheck, createReadiness } from '../../src/ops/readiness.js';
import { type TestApp, startTestApp } from '../support/app-harness.js';

const HOUR = 3_600_000;

describe('ops listener of a running rmdgate', () => {
  const clock = { wall: Date.now() };
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock: { now: () => clock.wall, monotonicMs: () => performance.now() } });
  });
  afterAll(async () => t?.close());

  it('answers /healthz with 200 and JSON', async () => {
    const res = await fetch(`${t.opsUrl}/healthz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves /metrics as Prometheus text with build info and process metrics', async () => {
    const res = await fetch(`${t.opsUrl}/metrics`);
    const text = await res.text();

    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('rmdgate_build_info{version="0.1.0"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('refuses other methods with 405', async () => {
    const res = await fetch(`${t.opsUrl}/metrics`, { method: 'POST' });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is ready with the front, feeds and CDR checks passing', async () => {
    const res = await fetch(`${t.opsUrl}/readyz`);
    const body = (await res.json()) as { status: string; failing: string[]; checks: Record<string, { ok: boolean }> };

    expect(res.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks)).toEqual(['front', 'cdr', 'cdr-store', 'feeds']);
  });

  it('names a check registered by another component when it fails, and recovers when it is removed', async () => {
    const remove = t.app.readiness.register('drachtio', () => ({ ok: false, detail: 'not connected' }));
    const failing = await fetch(`${t.opsUrl}/readyz`);

    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({ status: 'not-ready', failing: ['drachtio'], checks: { drachtio: { ok: false, detail: 'not connected' } } });
    remove();
    expect((await fetch(`${t.opsUrl}/readyz`)).status).toBe(200);
  });

  it('fails the feeds check once the RMD data is older than feeds.maxAgeHours', async () => {
    clock.wall += 49 * HOUR;
    const res = await fetch(`${t.opsUrl}/readyz`);
    const body = (await res.json()) as { failing: string[]; checks: Record<string, { detail?: string }> };
    clock.wall -= 49 * HOUR;

    expect(res.status).toBe(503);
    expect(body.failing).toEqual(['feeds']);
    expect(body.checks['feeds']?.detail).toMatch(/^rmd: 25 rows, age 49\.0h \(STALE\)/);
  });
});

describe('readiness checks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rmdgate-ready-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('counts a check that throws as failing with its message', () => {
    const readiness = createReadiness({ boom: () => { throw new Error('kaput'); } });

    expect(readiness.run()).toEqual({ ready: false, failing: ['boom'], checks: { boom: { ok: false, detail: 'check failed: kaput' } } });
  });

  it('passes the front check when any front is up', () => {
    expect(createFrontCheck({ builtin: () => false, drachtio: () => true })()).toEqual({ ok: true, detail: 'up: drachtio' });
    expect(createFrontCheck({ builtin: () => false })().ok).toBe(false);
  });

  it.each([
    { name: 'an existing writable dir', sub: '', ok: true },
    { name: 'a dir not created yet under a writable one', sub: 'cdr/deeper', ok: true },
    { name: 'a path under a regular file', sub: 'file/cdr', ok: false },
  ])('judges the CDR dir writable for $name: $ok', async ({ sub, ok }) => {
    await writeFile(join(dir, 'file'), 'x');

    expect(createCdrWritableCheck(join(dir, sub))().ok).toBe(ok);
  });
});
