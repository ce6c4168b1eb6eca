/**
 * A freshly started gate (before any call, refresh failure or RMD change) already exports every counter series whose
 * label values are known in advance at 0 — so increase() over the first scrapes sees the first event — and one
 * rmdgate_feed_info series per configured feed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CDR_LOSS_CAUSES, CDR_RECORD_TYPES } from '../../src/cdr/index.js';
import { FEED_ERROR_CODES, REFRESH_OUTCOMES, RMD_CHANGE_KINDS } from '../../src/feeds/index.js';
import { FLOOD_REASON, REASONS } from '../../src/screening/index.js';
import { type TestApp, startTestApp } from '../support/app-harness.js';

const FEEDS = ['rmd', 'fcc-k4', 'operator'];

/** `series → value` of every sample of one metric in a text exposition, the series written as in the exposition. */
function samplesOf(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name) out.set(`${name}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

describe('metrics of a freshly started gate', () => {
  let t: TestApp;
  let text = '';

  beforeAll(async () => {
    t = await startTestApp({ defaultMetrics: false });
    text = await t.metricsText();
  }, 30_000);
  afterAll(async () => t?.close());

  const expectZero = (name: string, series: string[]): void => {
    const got = samplesOf(text, name);
    for (const s of series) expect(got.get(`${name}{${s}}`), `${name}{${s}}`).toBe(0);
  };

  it('has every feed error code and refresh result at 0 for every configured feed', () => {
    expectZero('rmdgate_feed_errors_total', FEEDS.flatMap((feed) => FEED_ERROR_CODES.map((code) => `feed="${feed}",code="${code}"`)));
    const refreshes = samplesOf(text, 'rmdgate_feed_refreshes_total');
    for (const feed of FEEDS) for (const result of REFRESH_OUTCOMES) expect(refreshes.has(`rmdgate_feed_refreshes_total{feed="${feed}",result="${result}"}`), `${feed} ${result}`).toBe(true);
  });

  it('has every RMD provider change kind at 0', () => {
    expectZero('rmdgate_rmd_provider_changes_total', RMD_CHANGE_KINDS.map((change) => `change="${change}"`));
  });

  it('has every screening reason at 0 for reject and would-block, and no flood-limit there', () => {
    const reasons = REASONS.filter((r) => r !== FLOOD_REASON);
    expectZero('rmdgate_blocks_total', reasons.flatMap((reason) => [`reason="${reason}",decision="reject"`, `reason="${reason}",decision="would-block"`]));
    expect(samplesOf(text, 'rmdgate_blocks_total').size).toBe(2 * reasons.length);
  });

  it('has the CDR counters at 0 per record type, and per enabled sink', () => {
    expectZero('rmdgate_cdr_written_total', CDR_RECORD_TYPES.map((type) => `type="${type}"`));
    expectZero('rmdgate_cdr_lost_total', CDR_RECORD_TYPES.flatMap((type) => CDR_LOSS_CAUSES.map((cause) => `cause="${cause}",type="${type}"`)));
    expectZero('rmdgate_cdr_sink_written_total', ['sink="sqlite"']);
    expectZero('rmdgate_cdr_sink_lost_total', CDR_LOSS_CAUSES.map((cause) => `sink="sqlite",cause="${cause}"`));
  });

  it('has config reload results and flood actions at 0', () => {
    expectZero('rmdgate_config_reloads_total', ['result="success"', 'result="failure"']);
    expectZero('rmdgate_sip_flood_total', ['reason="flood-limit",action="dropped",transport="udp"', 'reason="flood-limit",action="rejected",transport="tcp"']);
  });

  it('has one rmdgate_feed_info series per configured feed, lists included', () => {
    const info = [...samplesOf(text, 'rmdgate_feed_info').keys()];
    const feeds = info.map((s) => /feed="([^"]+)"/.exec(s)?.[1]).sort();

    expect(feeds).toEqual([...FEEDS].sort());
    for (const s of info) expect(s).toMatch(/version="[0-9a-z]{6,}"/);
  });

  it('names the provider missing from the RMD and the designated one in rmdgate_provider_rmd_status', () => {
    expect([...samplesOf(text, 'rmdgate_provider_rmd_status').keys()].sort()).toEqual([
      'rmdgate_provider_rmd_status{provider="driftwood",rmd_status="missing"}',
      'rmdgate_provider_rmd_status{provider="tallgrass",rmd_status="designated"}',
    ]);
  });
});
