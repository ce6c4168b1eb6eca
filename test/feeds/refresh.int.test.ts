/**
 * Live RMD feed over a real HTTP server: every failure mode ends with the right snapshot in force, the right metric
 * and the right log line; refused drift/shrink candidates wait for `rmdgate feed accept`; the state dir serves boot.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { feedCommand } from '../../src/cli/feed.js';
import { FeedError } from '../../src/feeds/errors.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { configYaml, metric, rmdCsv, rows, startHarness, tempDir, type Harness } from './harness.js';

const V1 = rmdCsv(rows(10));
const silentIo = { out: () => undefined, err: () => undefined };

describe('RMD feed over HTTP', () => {
  let server: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;

  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => server.close());
  beforeEach(async () => {
    tmp = tempDir();
    server.answer('/rmd.csv', { kind: 'body', body: V1, etag: '"v1"' });
    h = await startHarness(tmp.dir, configYaml({ rmd: 'seed.csv', rmdUrl: server.url('/rmd.csv') }));
  });
  afterEach(async () => {
    await h.stop();
    tmp.cleanup();
  });

  const inForce = (): string | undefined => h.system.holder.current().rmd?.id;
  const refreshes = async (result: string): Promise<number | undefined> => metric(await h.metricsText(), 'rmdgate_feed_refreshes_total', { feed: 'rmd', result });
  const errors = async (code: string): Promise<number | undefined> => metric(await h.metricsText(), 'rmdgate_feed_errors_total', { feed: 'rmd', code });

  it('puts the first 200 answer in force at boot and persists it with its validators', async () => {
    const meta = JSON.parse(readFileSync(join(tmp.dir, 'state', 'rmd', 'current.json'), 'utf8')) as Record<string, unknown>;

    expect(h.system.holder.current().rmd?.rows).toBe(10);
    expect(meta).toMatchObject({ feed: 'rmd', etag: '"v1"', rows: 10, snapshotId: inForce() });
    expect(readFileSync(join(tmp.dir, 'state', 'rmd', 'current.raw'), 'utf8')).toBe(V1);
    expect(await refreshes('updated')).toBe(1);
    expect(h.logs.find('feed updated', { feed: 'rmd', rows: 10 })).toBeDefined();
  });

  it('sends If-None-Match and keeps the snapshot on 304', async () => {
    const before = inForce();

    const [report] = await h.system.refresh('rmd');

    expect(report?.outcome).toBe('not-modified');
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe('"v1"');
    expect(inForce()).toBe(before);
    expect(await refreshes('not-modified')).toBe(1);
    expect(h.logs.find('feed not modified', { feed: 'rmd' })).toBeDefined();
  });

  it.each([
    { name: 'HTTP 500', answer: { kind: 'status', status: 500 } as const, code: 'ERR_FEED_HTTP', outcome: 'error' },
    { name: 'a body that stalls past the deadline', answer: { kind: 'stall', body: rmdCsv(rows(12)), bytes: 100 } as const, code: 'ERR_FEED_TIMEOUT', outcome: 'error' },
    { name: 'a body cut short of its Content-Length', answer: { kind: 'cut', body: rmdCsv(rows(12)), bytes: 200 } as const, code: 'ERR_FEED_TRUNCATED', outcome: 'error' },
    { name: 'a CSV that ends inside a quoted field', answer: { kind: 'body', body: `${rmdCsv(rows(12))}RMD0990013,0099000013,"Cut Off` } as const, code: 'ERR_FEED_TRUNCATED', outcome: 'refused' },
    { name: 'a CSV whose last row lacks fields and a line end', answer: { kind: 'body', body: `${rmdCsv(rows(12))}RMD0990013,0099000013,Cut Off LLC` } as const, code: 'ERR_FEED_TRUNCATED', outcome: 'refused' },
    { name: 'an HTML page instead of CSV', answer: { kind: 'body', body: '<!DOCTYPE html><html><body>Maintenance</body></html>', contentType: 'text/html' } as const, code: 'ERR_FEED_FORMAT', outcome: 'refused' },
    { name: 'a CSV without a business name column', answer: { kind: 'body', body: rmdCsv(rows(12), { columns: ['number', ...['frn', 'company', 'implementation', 'voice_service_provider_choice', 'gateway_provider_choice', 'intermediate_provider_choice', 'last_updated', 'last_recertified']] }) } as const, code: 'ERR_FEED_COLUMNS', outcome: 'refused' },
  ])('keeps the last good snapshot on $name', async ({ answer, code, outcome }) => {
    const before = inForce();
    server.answer('/rmd.csv', answer);

    const [report] = await h.system.refresh('rmd');

    expect(report).toMatchObject({ outcome, code });
    expect(inForce()).toBe(before);
    expect(await errors(code)).toBe(1);
    expect(await refreshes(outcome)).toBe(1);
    const line = h.logs.find(outcome === 'error' ? 'feed refresh failed' : 'feed candidate refused', { feed: 'rmd', code });
    expect(line).toMatchObject({ reason: expect.stringMatching(/\S/) });
    expect(line).not.toHaveProperty('err');
    expect(h.logs.lines.filter((l) => JSON.stringify(l).includes('"stack"'))).toEqual([]);
  });

  it.each([
    { name: 'a UTF-8 BOM and CRLF line ends', answer: { kind: 'body', body: rmdCsv(rows(11), { bom: true, eol: '\r\n' }), etag: '"v2"' } as const },
    { name: 'gzip Content-Encoding', answer: { kind: 'body', body: rmdCsv(rows(11)), gzip: true, etag: '"v2"' } as const },
    { name: 'a .gz body (gzip magic bytes, no Content-Encoding)', answer: { kind: 'body', body: gzipSync(rmdCsv(rows(11))), contentType: 'application/gzip' } as const },
  ])('accepts $name', async ({ answer }) => {
    server.answer('/rmd.csv', answer);

    const [report] = await h.system.refresh('rmd');

    expect(report?.outcome).toBe('updated');
    expect(h.system.holder.current().rmd?.rows).toBe(11);
    expect(h.system.holder.current().rmd?.byRmdNumber.has('RMD0990011')).toBe(true);
    expect(await refreshes('updated')).toBe(2);
    expect(h.logs.find('feed updated', { feed: 'rmd', rows: 11, previousRows: 10 })).toBeDefined();
  });

  it.each([
    { name: 'a renamed column (schema drift)', body: rmdCsv(rows(10, 3), { columns: RMD_RENAMED }), code: 'ERR_FEED_DRIFT', rowsAfter: 10 },
    { name: 'a snapshot shrunk by 60%', body: rmdCsv(rows(4)), code: 'ERR_FEED_SHRINK', rowsAfter: 4 },
  ])('refuses $name until an operator accepts it', async ({ body, code, rowsAfter }) => {
    const before = inForce();
    server.answer('/rmd.csv', { kind: 'body', body, etag: '"v3"' });

    const [refused] = await h.system.refresh('rmd');
    const pending = JSON.parse(readFileSync(join(tmp.dir, 'state', 'rmd', 'pending.json'), 'utf8')) as Record<string, unknown>;
    const readyWhileRefused = h.system.readiness();

    expect(refused).toMatchObject({ outcome: 'refused', code });
    expect(inForce()).toBe(before);
    expect(pending).toMatchObject({ code, accepted: false, rows: rowsAfter });
    expect(await errors(code)).toBe(1);
    expect(h.logs.find('feed candidate refused', { feed: 'rmd', code })).toBeDefined();
    expect(readyWhileRefused.detail).toContain('candidate pending');

    expect(await feedCommand(['accept', '--config', h.configFile, '--feed', 'rmd'], silentIo)).toBe(0);
    const [accepted] = await h.system.refresh('rmd');

    expect(accepted?.outcome).toBe('updated');
    expect(h.system.holder.current().rmd?.rows).toBe(rowsAfter);
    expect(existsSync(join(tmp.dir, 'state', 'rmd', 'pending.json'))).toBe(false);
    expect(h.logs.find('feed candidate accepted', { feed: 'rmd' })).toBeDefined();
  });

  it('skips bad rows within data.rmd.maxBadRowFraction, reporting them; refuses above it until accepted', async () => {
    // 1 bad row in 100 (1 %, the default limit): in force, reported
    const good = rmdCsv([...rows(99), { number: 'RMD12', frn: '0099000100' }]);
    server.answer('/rmd.csv', { kind: 'body', body: good, etag: '"b1"' });
    const [within] = await h.system.refresh('rmd');

    expect(within).toMatchObject({ outcome: 'updated', rows: 99, badRows: 1, badRowSample: [{ line: 101, column: 'number', message: 'number is not RMD followed by 7 digits' }] });
    expect(metric(await h.metricsText(), 'rmdgate_feed_bad_rows', { feed: 'rmd' })).toBe(1);
    expect(h.logs.find('feed rows skipped', { feed: 'rmd', badRows: 1 })).toBeDefined();
    expect(h.system.status().find((s) => s.feed === 'rmd')?.badRows).toBe(1);

    // 2 bad rows in 100: refused, kept as pending, acceptable
    server.answer('/rmd.csv', { kind: 'body', body: rmdCsv([...rows(98), { number: 'RMD12', frn: '1' }, { number: 'X', frn: '2' }]), etag: '"b2"' });
    const [refused] = await h.system.refresh('rmd');

    expect(refused).toMatchObject({ outcome: 'refused', code: 'ERR_FEED_BAD_ROWS', rows: 99 });
    expect(await errors('ERR_FEED_BAD_ROWS')).toBe(1);
    expect(h.logs.find('feed candidate refused', { feed: 'rmd', code: 'ERR_FEED_BAD_ROWS' })?.['reason']).toContain('2 of 100 rows are bad (2%; limit 1%)');
    const out: string[] = [];
    expect(await feedCommand(['status', '--config', h.configFile], { out: (t) => void out.push(t), err: () => undefined })).toBe(0);
    expect(out.join('\n')).toMatch(/rmd: 99 rows.*; 1 bad row\(s\) skipped; PENDING refused \(ERR_FEED_BAD_ROWS: /);
    expect(out.join('\n')).toContain('bad row: line 101: number is not RMD followed by 7 digits');

    expect(await feedCommand(['accept', '--config', h.configFile, '--feed', 'rmd'], silentIo)).toBe(0);
    const [accepted] = await h.system.refresh('rmd');
    expect(accepted).toMatchObject({ outcome: 'updated', rows: 98, badRows: 2 });
  });

  it('logs, counts and shows a header-set change against the last good snapshot, once per candidate', async () => {
    const withOcn = (n: number): string => {
      const base = rmdCsv(rows(n)).split('\n');
      return [`${base[0]},ocn`, ...base.slice(1, -1).map((l, i) => `${l},OCN${i}`), ''].join('\n');
    };
    server.answer('/rmd.csv', { kind: 'body', body: withOcn(10), etag: '"h1"' });
    const [added] = await h.system.refresh('rmd');
    await h.system.refresh('rmd'); // 304: the same candidate is not counted again

    expect(added).toMatchObject({ outcome: 'updated', headerChange: { added: ['ocn'], removed: [] } });
    expect(metric(await h.metricsText(), 'rmdgate_feed_header_changes_total', { feed: 'rmd' })).toBe(1);
    expect(h.logs.find('feed header set changed', { feed: 'rmd', outcome: 'updated' })).toMatchObject({ level: 40, added: ['ocn'], removed: [] });
    expect(h.system.holder.current().rmd?.byRmdNumber.get('RMD0990001')?.ocn).toBe('OCN0');
    expect(h.system.status().find((s) => s.feed === 'rmd')?.headerChange).toMatchObject({ added: ['ocn'], removed: [] });

    server.answer('/rmd.csv', { kind: 'body', body: rmdCsv(rows(10)), etag: '"h2"' }); // ocn dropped: drift, refused
    const [dropped] = await h.system.refresh('rmd');
    await h.system.refresh('rmd'); // the same refused candidate again: not counted again

    expect(dropped).toMatchObject({ outcome: 'refused', code: 'ERR_FEED_DRIFT', headerChange: { added: [], removed: ['ocn'] } });
    expect(metric(await h.metricsText(), 'rmdgate_feed_header_changes_total', { feed: 'rmd' })).toBe(2);
    const out: string[] = [];
    await feedCommand(['status', '--config', h.configFile], { out: (t) => void out.push(t), err: () => undefined });
    expect(out.join('\n')).toMatch(/header set changed \(in force, seen [^)]+\): added ocn; removed none/);
    expect(out.join('\n')).toMatch(/header set changed \(pending, seen [^)]+\): added none; removed ocn/);
  });

  it('boots from the last good snapshot when the source is unreachable', async () => {
    const stored = inForce();
    await h.stop();
    server.answer('/rmd.csv', { kind: 'status', status: 503 });

    h = await startHarness(tmp.dir, configYaml({ rmd: 'seed.csv', rmdUrl: server.url('/rmd.csv') }));
    await vi.waitFor(() => expect(h.logs.find('feed last good snapshot loaded', { feed: 'rmd' })).toBeDefined());
    h.timers.advance(0);
    await vi.waitFor(() => expect(h.logs.find('feed refresh failed', { feed: 'rmd', code: 'ERR_FEED_HTTP' })).toBeDefined());

    expect(inForce()).toBe(stored);
    expect(h.system.readiness().ok).toBe(true);
  });
});

describe('RMD parse overrunning its deadline', () => {
  it('counts a parse timeout as an error, not a refused candidate, and keeps the last good data', async () => {
    const server = await startFeedServer();
    const tmp = tempDir();
    server.answer('/rmd.csv', { kind: 'body', body: V1 });
    let timeOut = false;
    const h = await startHarness(tmp.dir, configYaml({ rmd: 'seed.csv', rmdUrl: server.url('/rmd.csv') }), {
      wrapParser: (real) => ({
        parse: (spec, bytes, o) => (timeOut && spec.kind === 'rmd' ? Promise.reject(new FeedError('ERR_FEED_TIMEOUT', 'RMD parse did not finish within 60000 ms; parser worker restarted')) : real.parse(spec, bytes, o)),
        close: () => real.close(),
      }),
    });
    try {
      const before = h.system.holder.current().rmd?.id;
      server.answer('/rmd.csv', { kind: 'body', body: rmdCsv(rows(11)) });
      timeOut = true;

      const [report] = await h.system.refresh('rmd');

      expect(report).toMatchObject({ outcome: 'error', code: 'ERR_FEED_TIMEOUT' });
      expect(h.system.holder.current().rmd?.id).toBe(before);
      expect(metric(await h.metricsText(), 'rmdgate_feed_errors_total', { feed: 'rmd', code: 'ERR_FEED_TIMEOUT' })).toBe(1);
      expect(h.logs.find('feed refresh failed', { feed: 'rmd', code: 'ERR_FEED_TIMEOUT' })).toBeDefined();
    } finally {
      await h.stop();
      await server.close();
      tmp.cleanup();
    }
  });
});

const RMD_RENAMED = ['number', 'frn', 'business_name', 'stir_shaken_status', 'voice_service_provider_choice', 'gateway_provider_choice', 'intermediate_provider_choice', 'last_updated', 'last_recertified'];

describe('RMD feed retries', () => {
  it('retries a 500 with backoff on the injected timers and takes the answer that follows', async () => {
    const server = await startFeedServer();
    const tmp = tempDir();
    server.answer('/rmd.csv', { kind: 'body', body: V1 });
    const h = await startHarness(tmp.dir, configYaml({ rmd: 'seed.csv', rmdUrl: server.url('/rmd.csv'), feeds: { retries: 2, retryBackoffMs: 1000 } }));
    try {
      let calls = 0;
      server.answer('/rmd.csv', () => (++calls === 1 ? { kind: 'status', status: 500 } : { kind: 'body', body: rmdCsv(rows(11)) }));

      const refresh = h.system.refresh('rmd');
      await vi.waitFor(() => expect(h.logs.find('feed fetch failed', { feed: 'rmd', attempt: 1, retryInMs: 1000 })).toBeDefined());
      h.timers.advance(1000);
      const [report] = await refresh;

      expect(report?.outcome).toBe('updated');
      expect(calls).toBe(2);
      expect(h.system.holder.current().rmd?.rows).toBe(11);
    } finally {
      await h.stop();
      await server.close();
      tmp.cleanup();
    }
  });
});
