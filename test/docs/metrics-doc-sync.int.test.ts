/**
 * README.md "Metrics" table == what the registry exports (names, types, labels), and README.md "Runbook" has one row per
 * alert in deploy/prometheus/rmdgate-rules.yml (fastify's errors doc-sync idea).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/ops/metrics.js';
import { ROOT, ruleExpressions } from '../support/prometheus.js';

/** Rows of the first markdown table under `## <heading>`, as trimmed cells. */
function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const lines = markdown.slice(start, end < 0 ? undefined : end).split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

const ticks = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README.md Metrics table', () => {
  const metrics = createMetrics('0.0.0', { defaultMetrics: false });
  const rows = tableUnder(readme, 'Metrics').filter((r) => ticks(r[0] ?? '').some((n) => n.startsWith('rmdgate_')));

  it('lists exactly the rmdgate_ metrics the registry exports', async () => {
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();

    expect(rows.map((r) => ticks(r[0] ?? '')[0]).sort()).toEqual(exported);
  });

  it.each(rows.map((r) => ({ name: ticks(r[0] ?? '')[0] ?? '', type: r[1] ?? '', labels: r[2] ?? '' })))('documents the type and labels of $name', ({ name, type, labels }) => {
    const metric = metrics.registry.getSingleMetric(name) as unknown as { type: string; labelNames: readonly string[] } | undefined;

    expect(metric?.type).toBe(type);
    expect(labels === '—' ? [] : ticks(labels)).toEqual(metric?.labelNames ?? []);
  });

  it('mentions the default process and runtime metrics', () => {
    expect(readme).toContain('`process_*`, `nodejs_*`');
  });
});

describe('README.md Runbook', () => {
  it('has one row per alert rule, in the same order', () => {
    const alerts = ruleExpressions().filter((r) => r.kind === 'alert').map((r) => r.name);
    const rows = tableUnder(readme, 'Runbook').map((r) => ticks(r[0] ?? '')[0]);

    expect(rows).toEqual(alerts);
  });
});
