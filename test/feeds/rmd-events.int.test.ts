/**
 * What a new RMD snapshot does to configured providers, on a file feed with a manual clock: diff events (log, metric,
 * JSON + Markdown report), the removal grace period and its expiry, stale alarms with fail-closed, and the second
 * opinion from the RMD JSON endpoint (a real HTTP server).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRmdJsonClient } from '../../src/feeds/rmd/json.js';
import { createSecondOpinionCache } from '../../src/feeds/second-opinion-cache.js';
import type { Decision } from '../../src/screening/model.js';
import { decide } from '../../src/screening/policy.js';
import { createLogger } from '../../src/ops/logger.js';
import { buildFacts } from '../support/builders.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { HOUR_MS, T0, configYaml, logSink, manualClock, metric, rmdCsv, rows, startHarness, tempDir, type Harness } from './harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fileHarness(opts: { feeds?: Record<string, unknown>; extra?: string; initial?: string } = {}): Promise<Harness & { dir: string; writeRmd(text: string): void }> {
  const tmp = tempDir();
  const writeRmd = (text: string): void => writeFileSync(join(tmp.dir, 'rmd.csv'), text);
  writeRmd(opts.initial ?? rmdCsv(rows(10)));
  const h = await startHarness(tmp.dir, configYaml({ rmd: 'rmd.csv', feeds: opts.feeds, extra: opts.extra }));
  cleanups.push(tmp.cleanup, () => h.stop());
  return { ...h, dir: tmp.dir, writeRmd };
}

function decideFrom(h: Harness, sourceAddress: string): Decision {
  return decide(buildFacts({ sourceAddress, receivedAt: h.clock.now() }), h.system.holder.current());
}

const outcome = (d: Decision): string => (d.kind === 'reject' ? `reject ${d.answer.status} ${d.reason}` : d.wouldBlock ? `would-block ${d.reason ?? ''}` : 'allow');

describe('RMD changes for configured providers', () => {
  it('reports a removed provider (log, metric, JSON and Markdown report) and monitors it for the grace period, then blocks', async () => {
    const h = await fileHarness({ feeds: { removalGraceHours: 48 } });
    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('allow');

    h.writeRmd(rmdCsv(rows(10).filter((r) => r.number !== 'RMD0990002')));
    const [report] = await h.system.refresh('rmd');

    expect(report?.outcome).toBe('updated');
    expect(h.logs.find('rmd provider changed', { change: 'removed', providerId: 'p-removed', rmdNumber: 'RMD0990002' })).toBeDefined();
    expect(metric(await h.metricsText(), 'rmdgate_rmd_provider_changes_total', { change: 'removed' })).toBe(1);
    await vi.waitFor(() => expect(h.logs.find('rmd diff report written')).toBeDefined());
    const files = readdirSync(join(h.dir, 'state', 'rmd', 'diffs'));
    const json = JSON.parse(readFileSync(join(h.dir, 'state', 'rmd', 'diffs', files.find((f) => f.endsWith('.json')) ?? ''), 'utf8')) as { changes: { kind: string; providerId: string }[] };
    const md = readFileSync(join(h.dir, 'state', 'rmd', 'diffs', files.find((f) => f.endsWith('.md')) ?? ''), 'utf8');
    expect(json.changes).toEqual([expect.objectContaining({ kind: 'removed', providerId: 'p-removed' })]);
    expect(md).toContain('## Removed from the RMD (1)');
    expect(md).toContain('| p-removed | RMD0990002 |');
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(h.dir, 'state', 'grace.json'), 'utf8'))).toEqual({ providers: { 'p-removed': { since: T0, rmdNumber: 'RMD0990002' } } }));

    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('would-block provider-not-in-rmd');
    h.timers.advance(47 * HOUR_MS);
    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('would-block provider-not-in-rmd');
    h.timers.advance(1 * HOUR_MS + 60_000);
    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('reject 603 provider-not-in-rmd');
    expect(outcome(decideFrom(h, '127.0.0.2'))).toBe('allow');
  });

  it('ends the grace period when the provider is listed again', async () => {
    const h = await fileHarness();
    h.writeRmd(rmdCsv(rows(10).filter((r) => r.number !== 'RMD0990002')));
    await h.system.refresh('rmd');

    h.writeRmd(rmdCsv(rows(10)));
    await h.system.refresh('rmd');

    expect(h.logs.find('rmd provider changed', { change: 'listed', providerId: 'p-removed' })).toBeDefined();
    expect(h.system.holder.current().rmdGrace).toBeUndefined();
    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('allow');
  });

  it('enforces at once with removalGraceHours 0', async () => {
    const h = await fileHarness({ feeds: { removalGraceHours: 0 } });

    h.writeRmd(rmdCsv(rows(10).filter((r) => r.number !== 'RMD0990002')));
    await h.system.refresh('rmd');

    expect(outcome(decideFrom(h, '127.0.0.3'))).toBe('reject 603 provider-not-in-rmd');
  });

  it('reports implementation, role and recertification changes', async () => {
    const h = await fileHarness();
    const changed = rows(10).map((r) => (r.number === 'RMD0990001' ? { ...r, implementation: 'Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation', gateway: 'Yes', lastRecertified: '2025-02-15' } : r));

    h.writeRmd(rmdCsv(changed));
    await h.system.refresh('rmd');

    for (const [change, before, after] of [['implementation-changed', 'complete', 'partial'], ['roles-changed', 'voice-service-provider', 'voice-service-provider,gateway'], ['recertification-overdue', '2026-02-10', '2025-02-15']]) {
      expect(h.logs.find('rmd provider changed', { change, providerId: 'p-listed', before, after }), change).toBeDefined();
      expect(metric(await h.metricsText(), 'rmdgate_rmd_provider_changes_total', { change: change as string })).toBe(1);
    }
  });
});

describe('RMD staleness', () => {
  it('raises the stale alarm after maxAgeHours and keeps deciding on the last good data by default', async () => {
    const h = await fileHarness({ feeds: { maxAgeHours: 2 } });
    const snapshot = h.system.holder.current().rmd?.id;
    h.writeRmd('<html>portal down</html>');

    h.timers.advance(3 * HOUR_MS);
    await h.system.refresh('rmd');

    expect(h.logs.find('feed stale', { feed: 'rmd' })).toMatchObject({ maxAgeHours: 2 });
    expect(h.system.readiness().detail).toMatch(/rmd: 10 rows, age 3\.0h \(STALE/);
    expect(h.system.holder.current().rmd?.id).toBe(snapshot);
    expect(outcome(decideFrom(h, '127.0.0.2'))).toBe('allow');
  });

  it('withholds a stale RMD when failClosedWhenStale is set (rmd-unavailable) and restores it when the source confirms it', async () => {
    const h = await fileHarness({ feeds: { maxAgeHours: 2, failClosedWhenStale: true }, extra: 'policy: { reasons: { rmd-unavailable: { action: block } } }' });

    h.timers.advance(2 * HOUR_MS + 60_000);

    expect(h.system.holder.current().rmd).toBeUndefined();
    expect(outcome(decideFrom(h, '127.0.0.2'))).toBe('reject 503 rmd-unavailable');
    expect(h.logs.find('rmd withheld as stale')).toBeDefined();

    await h.system.refresh('rmd');

    expect(h.system.holder.current().rmd?.rows).toBe(10);
    expect(outcome(decideFrom(h, '127.0.0.2'))).toBe('allow');
    expect(h.logs.find('feed fresh again', { feed: 'rmd' })).toBeDefined();
  });
});

describe('RMD second opinion', () => {
  let server: FeedServer;
  afterEach(async () => server?.close());

  it('adds a filing the JSON endpoint confirms for a configured provider missing from the snapshot', async () => {
    server = await startFeedServer();
    server.answer('/api/rmd/public', (req) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('sysparm_query');
      const result = query === 'frn_str=0099000099'
        ? [{ number: 'RMD0990099', frn: { display_value: '0099000099', value: '0099000099' }, business_name: 'Missing Voice LLC', implementation: 'Complete STIR/SHAKEN Implementation' }]
        : [];
      return { kind: 'body', body: JSON.stringify({ result }), contentType: 'application/json' };
    });
    const clock = manualClock();
    const log = createLogger({ level: 'silent', version: 'test', destination: logSink().stream });
    const lookup = createSecondOpinionCache({
      lookup: createRmdJsonClient({ url: server.url('/api/rmd/public'), userAgent: 'rmdgate-test', timeoutMs: 2000 }),
      deadlineMs: 2000, ttlMs: HOUR_MS, negativeTtlMs: HOUR_MS, max: 100, now: clock.monotonicMs, log,
    });
    const tmp = tempDir();
    writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(10)));
    const h = await startHarness(tmp.dir, configYaml({ rmd: 'rmd.csv' }), { clock, secondOpinion: lookup });
    cleanups.push(tmp.cleanup, () => h.stop());

    await vi.waitFor(() => expect(h.system.holder.current().rmd?.id).toMatch(/\+1$/));

    expect(outcome(decideFrom(h, '127.0.0.4'))).toBe('allow');
    expect(server.requests.map((r) => r.headers.accept)).toEqual(['application/json']);
    expect(metric(await h.metricsText(), 'rmdgate_cache_lookups_total', { cache: 'rmd-second-opinion', result: 'miss' })).toBe(1);
    expect(h.logs.find('rmd second opinion changed')).toBeDefined();

    h.timers.advance(15 * 60_000);
    await vi.waitFor(async () => expect(metric(await h.metricsText(), 'rmdgate_cache_lookups_total', { cache: 'rmd-second-opinion', result: 'hit' })).toBe(1));
    expect(server.requests).toHaveLength(1);
  });
});
