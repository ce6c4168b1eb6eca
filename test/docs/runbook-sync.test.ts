/**
 * Every alert in deploy/prometheus/rmdgate-rules.yml points its runbook_url at a section of docs/runbook.md that exists
 * (GitHub's heading anchors), docs/runbook.md has no section for an alert that is gone, and every alert carries the
 * labels an on-call person needs: instance (kept by its expression) and a numbers-bearing summary where it has numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, RULES_FILE } from '../support/prometheus.js';

interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const alerts = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: (AlertRule | { record: string })[] }[] }).groups
  .flatMap((g) => g.rules)
  .filter((r): r is AlertRule => 'alert' in r);
const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');

/** GitHub's anchor of a Markdown heading: lower case, punctuation but - and _ dropped, spaces to -. */
const anchorOf = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));

describe('docs/runbook.md and the alert rules', () => {
  it.each(alerts.map((a) => ({ name: a.alert, url: a.annotations?.['runbook_url'] ?? '' })))('$name links to an existing runbook section', ({ name, url }) => {
    expect(url).toBe(`docs/runbook.md#${name.toLowerCase()}`);
    expect(anchors.has(url.split('#')[1] ?? ''), `anchor of ${url}`).toBe(true);
  });

  it('has a section per alert and none for an alert that is gone, in the rules order', () => {
    const sections = [...runbook.matchAll(/^## (Rmdgate\w+)$/gm)].map((m) => m[1]);

    expect(sections).toEqual(alerts.map((a) => a.alert));
  });

  it('gives each alert section what it means, first checks and commands', () => {
    for (const a of alerts) {
      const start = runbook.indexOf(`\n## ${a.alert}\n`);
      const end = runbook.indexOf('\n## ', start + 1);
      const section = runbook.slice(start, end < 0 ? undefined : end);
      for (const part of ['**Means**', '**First checks**', '**Commands**']) expect(section, `${a.alert} ${part}`).toContain(part);
    }
  });

  it('keeps no free-text runbook annotation', () => {
    expect(alerts.filter((a) => a.annotations?.['runbook'] !== undefined).map((a) => a.alert)).toEqual([]);
  });

  it('aggregates no alert or recording rule away from its instance label', () => {
    const records = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.record);
    for (const r of records) for (const m of r.expr.matchAll(/\b(?:sum|max|min|avg|count) by \(([^)]*)\)/g)) expect(m[1], `${r.record}: ${m[0]}`).toMatch(/\binstance\b/);
    for (const a of alerts) {
      for (const m of a.expr.matchAll(/\b(?:sum|max|min|avg|count) by \(([^)]*)\)/g)) expect(m[1], `${a.alert}: ${m[0]}`).toMatch(/\binstance\b/);
      expect(a.annotations?.['summary'], a.alert).toContain('$labels.instance');
    }
  });
});
