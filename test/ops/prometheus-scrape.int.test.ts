/**
 * rmdgate scraped by a real Prometheus (Debian package `prometheus`): every dashboard expression (panels and
 * annotations, with the instance variable) returns data through the HTTP API, the alert rules load and evaluate
 * without errors, and every metric they name is exported. The K4 designation is set to monitor here, so the designated
 * sample provider's calls pass as would-block and the would-block panels have data apart from the rejects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUdpSipClient } from '../support/sip-client.js';
import {
  MISSING_PROMETHEUS, RULES_FILE, type RunningPrometheus, dashboardAnnotations, dashboardExpressions, exposedSampleNames, findBinary,
  instantQuery, metricNamesIn, pollUntil, ruleExpressions, startPrometheus, withGrafanaVariables,
} from '../support/prometheus.js';
import { type TestApp, sendInvites, startTestApp } from '../support/app-harness.js';

const PROMETHEUS = findBinary('prometheus');
if (!PROMETHEUS) console.warn(MISSING_PROMETHEUS);

/**
 * Metrics whose series this test cannot produce: no drachtio link in built-in mode, no second-opinion cache, no
 * retransmissions, feed errors or RMD changes. An expression may come back empty only if it names one of these.
 */
const NO_SERIES_HERE = new Set([
  'rmdgate_drachtio_connected', 'rmdgate_drachtio_reconnects_total', 'rmdgate_cache_lookups_total', 'rmdgate_cache_entries',
  'rmdgate_sip_retransmissions_total', 'rmdgate_feed_errors_total', 'rmdgate_rmd_provider_changes_total',
]);

async function sendTraffic(t: TestApp, perSource: number): Promise<void> {
  expect(await sendInvites(t.udpPort, '127.0.0.1', perSource)).toEqual(Array(perSource).fill(302));
  expect(await sendInvites(t.udpPort, '127.0.0.2', perSource)).toEqual(Array(perSource).fill(603));
  expect(await sendInvites(t.udpPort, '127.0.0.3', perSource)).toEqual(Array(perSource).fill(302));
  expect(await sendInvites(t.udpPort, '127.0.0.4', perSource)).toEqual(Array(perSource).fill(403));
}

async function sendGarbage(udpPort: number): Promise<void> {
  const client = await createUdpSipClient('127.0.0.1', udpPort);
  await client.send('this is not SIP\r\n\r\n');
  await client.close();
}

describe.skipIf(!PROMETHEUS)('rmdgate scraped by a real Prometheus (needs Debian package prometheus)', () => {
  let t: TestApp;
  let prom: RunningPrometheus | undefined;
  let exported: Set<string>;

  const invitesSeen = async (atLeast: number): Promise<true | undefined> => {
    const [sample] = await instantQuery(prom?.url ?? '', 'sum(rmdgate_invites_total)');
    return Number(sample?.value[1] ?? 0) >= atLeast ? true : undefined;
  };

  beforeAll(async () => {
    t = await startTestApp({ policy: '  designated: { k4: monitor }' });
    await sendTraffic(t, 4);
    await sendGarbage(t.udpPort);
    prom = await startPrometheus(PROMETHEUS ?? 'prometheus', t.app.ops?.port ?? 0, [RULES_FILE]);
    await pollUntil(() => invitesSeen(16), 20_000, 'first scrape with the first batch');
    await sendTraffic(t, 4);
    await pollUntil(() => invitesSeen(32), 20_000, 'a scrape with the second batch');
    await pollUntil(async () => ((await instantQuery(prom?.url ?? '', 'count_over_time(up{job="rmdgate"}[30s]) >= 4')).length > 0 ? true : undefined), 20_000, 'four scrapes');
    exported = exposedSampleNames(await t.metricsText());
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await t?.close();
  });

  it('scrapes the target as up', async () => {
    const [up] = await instantQuery(prom?.url ?? '', 'up{job="rmdgate"}');

    expect(up?.value[1]).toBe('1');
  });

  it.each(dashboardExpressions().map((d) => ({ name: `${d.panel}: ${d.expr.slice(0, 80)}`, ...d })))('returns data for dashboard query $name', async ({ expr }) => {
    const result = await instantQuery(prom?.url ?? '', withGrafanaVariables(expr));
    const names = metricNamesIn(expr);

    expect(names.every((n) => exported.has(n)), `names exported: ${names.join(', ')}`).toBe(true);
    if (result.length === 0) expect(names.some((n) => NO_SERIES_HERE.has(n)), `empty result for ${expr}`).toBe(true);
  });

  it('counts INVITEs per trunk with config labels, unknown sources under trunk="unknown"', async () => {
    const rows = await instantQuery(prom?.url ?? '', 'sum by (trunk, decision, reason) (rmdgate_invites_total)');
    const byTrunk = Object.fromEntries(rows.map((r) => [`${r.metric['trunk']}/${r.metric['decision']}/${r.metric['reason']}`, Number(r.value[1])]));

    expect(byTrunk).toEqual({
      'harborline-1/allow/none': 8, 'driftwood-1/reject/provider-not-in-rmd': 8, 'tallgrass-1/would-block/provider-designated': 8, 'unknown/reject/unknown-trunk': 8,
    });
  });

  it('shows would-blocks apart from rejects: the reject panel has no share for the monitored trunk, the would-block panel has', async () => {
    const query = async (title: string): Promise<Record<string, number>> => {
      const expr = dashboardExpressions().find((d) => d.panel === title)?.expr ?? '';
      const rows = await instantQuery(prom?.url ?? '', withGrafanaVariables(expr).replaceAll('[30s]', '[10m]'));
      return Object.fromEntries(rows.map((r) => [r.metric['trunk'], Number(r.value[1])]));
    };

    expect(await query('Reject rate by trunk')).toMatchObject({ 'tallgrass-1': 0, 'driftwood-1': 1 });
    expect(await query('Would-block (monitor) rate by trunk')).toMatchObject({ 'tallgrass-1': 1, 'driftwood-1': 0 });
  });

  it('counts CDRs written once per call: screening CDRs equal the INVITEs screened', async () => {
    await pollUntil(async () => {
      const [cdrs] = await instantQuery(prom?.url ?? '', 'sum(rmdgate_cdr_written_total{type="screening"})');
      return Number(cdrs?.value[1]) === 32 ? true : undefined;
    }, 15_000, 'a scrape with every screening CDR written');
  });

  it.each(dashboardAnnotations())('has the series behind annotation $name from the start (at 0), and the query runs', async ({ expr }) => {
    await instantQuery(prom?.url ?? '', withGrafanaVariables(expr));
    const series = await instantQuery(prom?.url ?? '', withGrafanaVariables(expr.replace(/\s*>\s*0\s*$/, '')));

    expect(series.length, expr).toBeGreaterThan(0);
  });

  it('filters every panel query and annotation on the instance variable', () => {
    const all = [...dashboardExpressions().map((d) => d.expr), ...dashboardAnnotations().map((a) => a.expr)];

    for (const expr of all) {
      const selectors = [...expr.matchAll(/\b((?:rmdgate|process)_[a-z_]+)\{([^}]*)\}/g)];
      const bare = [...expr.matchAll(/\b((?:rmdgate|process)_[a-z_]+)\b(?![{_a-z])/g)];
      expect(bare.map((m) => m[1]), expr).toEqual([]);
      for (const m of selectors) expect(m[2], expr).toContain('instance=~"$instance"');
    }
  });

  it('reports providers by RMD status from the world in force', async () => {
    const rows = await instantQuery(prom?.url ?? '', 'rmdgate_providers');
    const byStatus = Object.fromEntries(rows.map((r) => [r.metric['rmd_status'], Number(r.value[1])]));

    expect(byStatus).toEqual({ listed: 1, overdue: 0, 'in-grace': 0, missing: 1, designated: 1, exempt: 0 });
  });

  it('loads every alert and recording rule and evaluates them without errors', async () => {
    const res = (await (await fetch(`${prom?.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
    const rules = res.data.groups.flatMap((g) => g.rules);

    expect(rules.map((r) => r.name).sort()).toEqual(ruleExpressions().map((r) => r.name).sort());
    await pollUntil(async () => {
      const r = (await (await fetch(`${prom?.url}/api/v1/rules`)).json()) as typeof res;
      const all = r.data.groups.flatMap((g) => g.rules);
      return all.every((x) => x.health === 'ok') ? true : undefined;
    }, 10_000, 'every rule evaluated with health ok');
  });

  it('exports every metric named in the alert rules and the dashboard', () => {
    const named = [...ruleExpressions().map((r) => r.expr), ...dashboardExpressions().map((d) => d.expr)].flatMap(metricNamesIn);

    expect([...new Set(named)].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('raises RmdgateProviderNotInRmd as pending for the sample provider missing from the RMD, and fires nothing yet', async () => {
    const alerts = await pollUntil(async () => {
      const rows = await instantQuery(prom?.url ?? '', 'ALERTS');
      return rows.some((a) => a.metric['alertname'] === 'RmdgateProviderNotInRmd') ? rows : undefined;
    }, 20_000, 'the pending alert');

    expect(alerts.filter((a) => a.metric['alertstate'] === 'firing').map((a) => a.metric), JSON.stringify(alerts)).toEqual([]);
    expect(alerts.find((a) => a.metric['alertname'] === 'RmdgateProviderNotInRmd')?.metric['alertstate']).toBe('pending');
  });
});
