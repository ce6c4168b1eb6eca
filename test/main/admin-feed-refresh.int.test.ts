/**
 * POST /admin/feeds/{name}/refresh on the real app and admin listener: 200 only when the data in force is the source's
 * answer; a refused candidate is 409 (drift, shrink) or 422 (unusable) with the reason, an unreadable source 502, an
 * unknown feed 404 — and the last good data stays in force.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { start, type App } from '../../src/main.js';
import { configYaml, logSink, rmdCsv, rows, tempDir } from '../feeds/harness.js';

const TOKEN = 'test-token-0123456789-0123456789-0123';

describe('POST /admin/feeds/{name}/refresh', () => {
  let app: App | undefined;
  let tmp: ReturnType<typeof tempDir>;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    tmp.cleanup();
  });

  async function boot(): Promise<(path: string) => Promise<{ status: number; body: Record<string, unknown> }>> {
    tmp = tempDir();
    const file = join(tmp.dir, 'gate.yaml');
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    const text = configYaml({ rmd: 'rmd.csv' }).replace('admin: { listen: false }', 'admin: { listen: { address: 127.0.0.1, port: 0 } }');
    writeFileSync(file, text);
    app = await start(parseConfigText(text, file, { RMDGATE_ADMIN_TOKEN: TOKEN }), { logDestination: logSink().stream, defaultMetrics: false, watchConfig: false, handleSignals: false });
    const base = `http://127.0.0.1:${app.admin?.port ?? 0}`;
    return async (path) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
  }

  const rmdRows = (): number | undefined => app?.feeds.status().find((s) => s.feed === 'rmd')?.rows;

  it('answers 200 for new data and for unchanged data', async () => {
    const post = await boot();

    expect(await post('/admin/feeds/rmd/refresh')).toEqual({ status: 200, body: expect.objectContaining({ feed: 'rmd', outcome: 'not-modified', rows: 10 }) });
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(11)));
    expect(await post('/admin/feeds/rmd/refresh')).toEqual({ status: 200, body: expect.objectContaining({ outcome: 'updated', rows: 11 }) });
  });

  it('answers 409 with the reason for a candidate refused for shrink, and keeps the last good data', async () => {
    const post = await boot();
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(2)));

    const reply = await post('/admin/feeds/rmd/refresh');

    expect(reply).toEqual({ status: 409, body: expect.objectContaining({ feed: 'rmd', outcome: 'refused', code: 'ERR_FEED_SHRINK', reason: expect.stringContaining('shrank by 80%') }) });
    expect(rmdRows()).toBe(10);
  });

  it('answers 422 with the reason for a candidate that cannot be parsed', async () => {
    const post = await boot();
    writeFileSync(join(tmp.dir, 'rmd.csv'), 'frn,whatever\n0099000001,x\n');

    const reply = await post('/admin/feeds/rmd/refresh');

    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ outcome: 'refused', code: 'ERR_FEED_COLUMNS', reason: expect.stringMatching(/column/) });
    expect(rmdRows()).toBe(10);
  });

  it('answers 502 when the source cannot be read, and 404 for an unknown feed', async () => {
    const post = await boot();
    rmSync(join(tmp.dir, 'rmd.csv'));

    const gone = await post('/admin/feeds/rmd/refresh');
    const unknown = await post('/admin/feeds/nope/refresh');

    expect(gone).toEqual({ status: 502, body: expect.objectContaining({ outcome: 'error', code: 'ERR_FEED_READ', reason: expect.stringContaining('file not found') }) });
    expect(rmdRows()).toBe(10);
    expect(unknown).toEqual({ status: 404, body: { error: 'unknown-feed', feed: 'nope' } });
  });
});
