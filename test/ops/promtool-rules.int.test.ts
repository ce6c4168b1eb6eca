/**
 * The shipped Prometheus files pass promtool (Debian package `prometheus`): rule syntax, the scrape example, and the
 * rule unit tests in deploy/prometheus/rmdgate-rules.test.yml (each alert once firing and once not).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MISSING_PROMETHEUS, ROOT, RULES_FILE, RULES_TEST_FILE, findBinary, ruleExpressions } from '../support/prometheus.js';

const PROMTOOL = findBinary('promtool');
if (!PROMTOOL) console.warn(MISSING_PROMETHEUS);
const run = promisify(execFile);

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL ?? 'promtool', args, { cwd: join(ROOT, 'deploy/prometheus'), timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!PROMTOOL)('Prometheus rules checked by promtool (needs Debian package prometheus)', () => {
  it('accepts the rules file', async () => {
    const { code, output } = await promtool('check', 'rules', RULES_FILE);

    expect(code, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${ruleExpressions().length} rules found`);
  });

  it('accepts the example scrape config with its rule file', async () => {
    const { code, output } = await promtool('check', 'config', 'prometheus.yml');

    expect(code, output).toBe(0);
  });

  it('passes the rule unit tests', async () => {
    const { code, output } = await promtool('test', 'rules', RULES_TEST_FILE);

    expect(code, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('has a firing and a not-firing unit test for every alert', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const doc = parse(await readFile(RULES_TEST_FILE, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const cases = doc.tests.flatMap((t) => t.alert_rule_test);
    const alerts = ruleExpressions().filter((r) => r.kind === 'alert').map((r) => r.name);

    for (const name of alerts) {
      expect(cases.some((c) => c.alertname === name && c.exp_alerts.length > 0), `${name} firing`).toBe(true);
      expect(cases.some((c) => c.alertname === name && c.exp_alerts.length === 0), `${name} not firing`).toBe(true);
    }
  });
});
