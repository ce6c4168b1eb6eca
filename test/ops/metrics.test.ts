import { describe, expect, it } from 'vitest';
import type { FeedStatus } from '../../src/feeds/ports.js';
import { FEED_ERROR_CODES, RMD_CHANGE_KINDS } from '../../src/feeds/index.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import { REASONS } from '../../src/screening/index.js';
import { buildSnapshot, buildWorld } from '../support/builders.js';

const NOW = Date.UTC(2026, 10, 23, 12);

function newMetrics(clock = { t: NOW }): Metrics {
  return createMetrics('9.9.9', { defaultMetrics: false, now: () => clock.t });
}

/** Samples of one metric (histograms: all sub-samples) as `labels → value`, e.g. `feed=rmd` → 3. */
async function samples(m: Metrics, name: string): Promise<Record<string, number>> {
  const all = await m.registry.getMetricsAsJSON();
  const metric = all.find((x) => x.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  const out: Record<string, number> = {};
  for (const v of metric.values as { labels: Record<string, string | number>; value: number; metricName?: string }[]) {
    const key = [v.metricName && v.metricName !== name ? v.metricName.slice(name.length + 1) : '', ...Object.entries(v.labels).map(([k, l]) => `${k}=${l}`)].filter(Boolean).join(',');
    out[key] = v.value;
  }
  return out;
}

describe('createMetrics naming', () => {
  it('writes rmdgate_-prefixed names, _total counters and unit-suffixed histograms', async () => {
    const all = await newMetrics().registry.getMetricsAsJSON();

    for (const m of all) {
      expect(m.name).toMatch(/^rmdgate_[a-z0-9_]+$/);
      const type = String(m.type);
      if (type === 'counter') expect(m.name).toMatch(/_total$/);
      if (type === 'histogram') expect(m.name).toMatch(/_(seconds|bytes)$/);
    }
  });

  it('has decision latency buckets down to 10 µs', async () => {
    const m = newMetrics();
    m.screening.screened({ trunk: 't-1', decision: 'allow', reason: 'none', mode: 'enforce', seconds: 0.000004 });

    expect(await samples(m, 'rmdgate_decision_duration_seconds')).toMatchObject({ 'bucket,le=0.00001,decision=allow': 1 });
  });
});

describe('screening and SIP ports', () => {
  it('starts rmdgate_blocks_total at 0 for every screening reason and block decision, and counts allows nowhere there', async () => {
    const m = newMetrics();
    const zero = await samples(m, 'rmdgate_blocks_total');

    expect(Object.keys(zero)).toHaveLength(2 * (REASONS.length - 1));
    expect(Object.values(zero).every((v) => v === 0)).toBe(true);
    expect(zero).toMatchObject({ 'reason=provider-designated,decision=reject': 0, 'reason=rmd-unavailable,decision=would-block': 0 });
    m.screening.screened({ trunk: 't-1', decision: 'would-block', reason: 'provider-not-in-rmd', mode: 'monitor', seconds: 0.0001 });
    m.screening.screened({ trunk: 't-1', decision: 'allow', reason: 'none', mode: 'enforce', seconds: 0.0001 });

    expect(await samples(m, 'rmdgate_blocks_total')).toMatchObject({ 'reason=provider-not-in-rmd,decision=would-block': 1, 'reason=provider-not-in-rmd,decision=reject': 0 });
    expect(Object.keys(await samples(m, 'rmdgate_blocks_total'))).toHaveLength(2 * (REASONS.length - 1));
  });


  it('counts INVITEs by trunk, decision, reason and mode and pre-creates no trunk series', async () => {
    const m = newMetrics();

    expect(await samples(m, 'rmdgate_invites_total')).toEqual({});
    m.screening.screened({ trunk: 'unknown', decision: 'reject', reason: 'unknown-trunk', mode: 'enforce', seconds: 0.0001 });
    m.screening.screened({ trunk: 'unknown', decision: 'reject', reason: 'unknown-trunk', mode: 'enforce', seconds: 0.0001 });

    expect(await samples(m, 'rmdgate_invites_total')).toEqual({ 'trunk=unknown,decision=reject,reason=unknown-trunk,mode=enforce': 2 });
  });

  it('keeps tallied hot-path counters exact across scrapes, per label set, as the text exposition', async () => {
    const m = newMetrics();
    const screened = (trunk: string, reason: string): void =>
      m.screening.screened({ trunk, decision: 'reject', reason, mode: 'enforce', seconds: 0.0001 });

    for (let i = 0; i < 3; i++) screened('t-1', 'provider-designated');
    screened('t-2', 'provider-designated');
    m.front.response(302, 'udp');
    expect(await samples(m, 'rmdgate_invites_total')).toEqual({
      'trunk=t-1,decision=reject,reason=provider-designated,mode=enforce': 3,
      'trunk=t-2,decision=reject,reason=provider-designated,mode=enforce': 1,
    });
    screened('t-1', 'provider-designated');
    screened('t-1', 'provider-not-in-rmd');
    m.front.response(302, 'udp');
    m.front.response(603, 'udp');
    const text = await m.registry.metrics();

    expect(text).toContain('rmdgate_invites_total{trunk="t-1",decision="reject",reason="provider-designated",mode="enforce"} 4\n');
    expect(text).toContain('rmdgate_invites_total{trunk="t-1",decision="reject",reason="provider-not-in-rmd",mode="enforce"} 1\n');
    expect(text).toContain('rmdgate_invites_total{trunk="t-2",decision="reject",reason="provider-designated",mode="enforce"} 1\n');
    expect(await samples(m, 'rmdgate_sip_responses_total')).toEqual({ 'status=302,transport=udp': 2, 'status=603,transport=udp': 1 });
  });

  it('maps unknown SIP methods to other', async () => {
    const m = newMetrics();
    m.front.message('FOO', 'udp');
    m.front.message('INVITE', 'tcp');

    expect(await samples(m, 'rmdgate_sip_messages_total')).toEqual({ 'method=other,transport=udp': 1, 'method=INVITE,transport=tcp': 1 });
  });
});

describe('feed metrics', () => {
  const rmd: FeedStatus = { feed: 'rmd', hasData: true, rows: 42, snapshotId: 'abc123', ageSeconds: 90, maxAgeSeconds: 7200, stale: false, pending: false, lastSuccessAt: NOW - 90_000, lastOutcome: 'updated' };
  const list: FeedStatus = { feed: 'fcc-k4', hasData: true, rows: 3, sha256: '0123456789abcdef0123456789abcdef', ageSeconds: 30, maxAgeSeconds: 7200, stale: false, pending: false, lastSuccessAt: NOW, lastOutcome: 'refused', lastError: 'ERR_FEED_SHRINK' };

  it('takes per-feed gauges from the observed status at scrape time', async () => {
    const m = newMetrics();
    let statuses = [rmd, list];
    m.feeds.observeFeeds(() => statuses);

    expect(await samples(m, 'rmdgate_feed_age_seconds')).toEqual({ 'feed=rmd': 90, 'feed=fcc-k4': 30 });
    expect(await samples(m, 'rmdgate_feed_rows')).toEqual({ 'feed=rmd': 42, 'feed=fcc-k4': 3 });
    expect(await samples(m, 'rmdgate_feed_info')).toEqual({ 'feed=rmd,version=abc123': 1, 'feed=fcc-k4,version=0123456789abcdef': 1 });
    expect(await samples(m, 'rmdgate_feed_max_age_seconds')).toEqual({ 'feed=rmd': 7200, 'feed=fcc-k4': 7200 });
    expect(await samples(m, 'rmdgate_feed_last_refresh_success')).toEqual({ 'feed=rmd': 1, 'feed=fcc-k4': 0 });
    statuses = [{ ...rmd, snapshotId: 'def456', ageSeconds: 5 }];

    expect(await samples(m, 'rmdgate_feed_info')).toEqual({ 'feed=rmd,version=def456': 1 });
    expect(await samples(m, 'rmdgate_feed_age_seconds')).toEqual({ 'feed=rmd': 5 });
  });

  it('shows no age, rows or version for a feed without data, and no refresh result before the first refresh', async () => {
    const m = newMetrics();
    m.feeds.observeFeeds(() => [{ feed: 'rmd', hasData: false, rows: 0, ageSeconds: Infinity, maxAgeSeconds: 3600, stale: true, pending: false, lastSuccessAt: 0 }]);

    expect(await samples(m, 'rmdgate_feed_age_seconds')).toEqual({});
    expect(await samples(m, 'rmdgate_feed_rows')).toEqual({});
    expect(await samples(m, 'rmdgate_feed_last_refresh_success')).toEqual({});
    expect(await samples(m, 'rmdgate_feed_max_age_seconds')).toEqual({ 'feed=rmd': 3600 });
    expect(await samples(m, 'rmdgate_feed_info')).toEqual({ 'feed=rmd,version=none': 1 });
  });

  it('records refresh results and error codes (every result and code at 0 once a feed is known) and durations', async () => {
    const m = newMetrics();
    m.feeds.observeFeeds(() => [list]);
    expect(await samples(m, 'rmdgate_feed_refreshes_total')).toEqual({ 'feed=fcc-k4,result=updated': 0, 'feed=fcc-k4,result=not-modified': 0, 'feed=fcc-k4,result=refused': 0, 'feed=fcc-k4,result=error': 0 });
    expect(await samples(m, 'rmdgate_feed_errors_total')).toEqual(Object.fromEntries(FEED_ERROR_CODES.map((c) => [`feed=fcc-k4,code=${c}`, 0])));
    m.feeds.refreshed('rmd', 'updated', 0.3);
    m.feeds.refreshed('rmd', 'error', 2);
    m.feeds.failed('rmd', 'ERR_FEED_TIMEOUT');

    expect(await samples(m, 'rmdgate_feed_refreshes_total')).toMatchObject({ 'feed=rmd,result=updated': 1, 'feed=rmd,result=not-modified': 0, 'feed=rmd,result=refused': 0, 'feed=rmd,result=error': 1 });
    expect(await samples(m, 'rmdgate_feed_errors_total')).toMatchObject({ 'feed=rmd,code=ERR_FEED_TIMEOUT': 1, 'feed=rmd,code=ERR_FEED_HTTP': 0, 'feed=fcc-k4,code=ERR_FEED_TIMEOUT': 0 });
    expect(Object.keys(await samples(m, 'rmdgate_feed_errors_total'))).toHaveLength(2 * FEED_ERROR_CODES.length);
    expect((await samples(m, 'rmdgate_feed_refresh_duration_seconds'))['count,feed=rmd']).toBe(2);
  });

  it('starts the counters of a feed added later (a reload) at 0 at the next scrape', async () => {
    const m = newMetrics();
    let statuses = [rmd];
    m.feeds.observeFeeds(() => statuses);
    await m.registry.metrics();
    statuses = [rmd, list];

    expect(await samples(m, 'rmdgate_feed_errors_total')).toMatchObject({ 'feed=fcc-k4,code=ERR_FEED_SHRINK': 0, 'feed=rmd,code=ERR_FEED_SHRINK': 0 });
    expect(await samples(m, 'rmdgate_feed_refreshes_total')).toMatchObject({ 'feed=fcc-k4,result=refused': 0 });
  });

  it('counts provider changes (every kind from 0) and second-opinion cache lookups (every result from 0 once observed), and reads the cache size at scrape time', async () => {
    const m = newMetrics();
    let size = 17;
    expect(await samples(m, 'rmdgate_rmd_provider_changes_total')).toEqual(Object.fromEntries(RMD_CHANGE_KINDS.map((k) => [`change=${k}`, 0])));
    m.feeds.providerChanged('removed');
    m.feeds.observeCache(() => size);
    m.feeds.cacheLookup('stale');
    size = 18;

    expect(await samples(m, 'rmdgate_rmd_provider_changes_total')).toMatchObject({ 'change=removed': 1, 'change=listed': 0 });
    expect(await samples(m, 'rmdgate_cache_lookups_total')).toEqual({ 'cache=rmd-second-opinion,result=hit': 0, 'cache=rmd-second-opinion,result=miss': 0, 'cache=rmd-second-opinion,result=stale': 1, 'cache=rmd-second-opinion,result=error': 0 });
    expect(await samples(m, 'rmdgate_cache_entries')).toEqual({ 'cache=rmd-second-opinion': 18 });
  });
});

describe('config reload metrics', () => {
  it('counts reload results and reports the last one', async () => {
    const m = newMetrics();
    m.reloads.reloaded('failure');

    expect(await samples(m, 'rmdgate_config_reloads_total')).toEqual({ 'result=success': 0, 'result=failure': 1 });
    expect(await samples(m, 'rmdgate_config_last_reload_success')).toEqual({ '': 0 });
    m.reloads.reloaded('success');

    expect(await samples(m, 'rmdgate_config_last_reload_success')).toEqual({ '': 1 });
  });
});

describe('state gauges', () => {
  it('exports no drachtio series until the drachtio front reports', async () => {
    const m = newMetrics();

    expect(await samples(m, 'rmdgate_drachtio_connected')).toEqual({});
    m.drachtio.connected('127.0.0.1:9022', true);
    expect(await samples(m, 'rmdgate_drachtio_reconnects_total')).toEqual({ 'server=127.0.0.1:9022': 0 });
    m.drachtio.reconnect('127.0.0.1:9022');
    m.drachtio.connected('127.0.0.1:9022', false);

    expect(await samples(m, 'rmdgate_drachtio_connected')).toEqual({ 'server=127.0.0.1:9022': 0 });
    expect(await samples(m, 'rmdgate_drachtio_reconnects_total')).toEqual({ 'server=127.0.0.1:9022': 1 });
  });

  it('reports the config in force and starts with a successful last reload', async () => {
    const m = newMetrics();
    m.reloads.configInForce('aaa');
    m.reloads.configInForce('bbb');

    expect(await samples(m, 'rmdgate_config_info')).toEqual({ 'version=bbb': 1 });
    expect(await samples(m, 'rmdgate_config_last_reload_success')).toEqual({ '': 1 });
  });

  it('computes providers by RMD status from the watched world at scrape time', async () => {
    const m = newMetrics();
    let world = buildWorld();
    m.watchWorld(() => world);

    expect(await samples(m, 'rmdgate_providers')).toEqual({ 'rmd_status=listed': 1, 'rmd_status=overdue': 0, 'rmd_status=in-grace': 0, 'rmd_status=missing': 0, 'rmd_status=designated': 0, 'rmd_status=exempt': 0 });
    world = buildWorld({ rmd: buildSnapshot([]) });

    expect(await samples(m, 'rmdgate_providers')).toMatchObject({ 'rmd_status=listed': 0, 'rmd_status=missing': 1 });
  });

  it('names each provider that needs attention in rmdgate_provider_rmd_status, and no listed one', async () => {
    const m = newMetrics();
    let world = buildWorld();
    m.watchWorld(() => world);

    expect(await samples(m, 'rmdgate_provider_rmd_status')).toEqual({});
    world = buildWorld({ rmd: buildSnapshot([]) });
    const [id] = [...world.providers.keys()];

    expect(await samples(m, 'rmdgate_provider_rmd_status')).toEqual({ [`provider=${id},rmd_status=missing`]: 1 });
  });

  it('reads the CDR queue depth from the watched source at scrape time', async () => {
    const m = newMetrics();
    let queued = 5;
    m.watchCdrQueue(() => queued);
    queued = 7;

    expect(await samples(m, 'rmdgate_cdr_queue_depth')).toEqual({ '': 7 });
  });
});
