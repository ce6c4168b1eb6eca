/**
 * Test helpers for the observability suites: find promtool/prometheus (Debian package `prometheus`), run a real
 * Prometheus on loopback against rmdgate, query its HTTP API, and read metric names from expositions, PromQL and files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** Repository root (tests run from it). */
export const ROOT = resolve(import.meta.dirname, '../..');
export const RULES_FILE = join(ROOT, 'deploy/prometheus/rmdgate-rules.yml');
export const RULES_TEST_FILE = join(ROOT, 'deploy/prometheus/rmdgate-rules.test.yml');
export const DASHBOARD_FILE = join(ROOT, 'deploy/grafana/rmdgate.json');

/** The notice printed when the binaries are missing. */
export const MISSING_PROMETHEUS = 'SKIPPED: prometheus/promtool not found — install the Debian package `prometheus` (apt-get install -y prometheus; add it to .ci/run)';

/** Absolute path of an executable on PATH (or /usr/bin, /usr/local/bin), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** A free loopback TCP port (bound then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((ok) => setTimeout(ok, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A running Prometheus child process. */
export interface RunningPrometheus {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts Prometheus (1 s scrape and rule evaluation) against 127.0.0.1:`targetPort`, with optional rule files. */
export async function startPrometheus(binary: string, targetPort: number, ruleFiles: readonly string[] = []): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'rmdgate-prom-'));
  const port = await freePort();
  const config = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }',
    `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`,
    'scrape_configs:',
    `  - { job_name: rmdgate, static_configs: [{ targets: ['127.0.0.1:${targetPort}'] }] }`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => void (output = (output + b.toString()).slice(-20_000)));
  child.stderr?.on('data', (b: Buffer) => void (output = (output + b.toString()).slice(-20_000)));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pollUntil(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 20_000, 'prometheus /-/ready');
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { url, output: () => output, stop };
}

/** One instant-vector sample from the HTTP API. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

/** Runs an instant query; throws on an API error (e.g. a PromQL syntax error). */
export async function instantQuery(url: string, expr: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`query failed (${body.error ?? res.status}): ${expr}`);
  return body.data.resultType === 'vector' ? body.data.result : [];
}

/** Metric family names in a text exposition (from `# TYPE` lines). */
export function exposedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) if (m[1] && m[2]) families.set(m[1], m[2]);
  return families;
}

/** Every sample name a text exposition can carry: families plus `_bucket`/`_sum`/`_count` of histograms and summaries. */
export function exposedSampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of exposedFamilies(text)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Number of samples (series) in a text exposition. */
export function seriesCount(text: string): number {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

/** Metric names referenced by a PromQL expression (rmdgate_*, process_*, nodejs_*; recording rules have colons). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b((?:rmdgate|process|nodejs)_[a-zA-Z0-9_]+)\b/g)].map((m) => m[1] ?? ''))];
}

/** Grafana variables replaced so an expression runs as a plain query (All selected). */
export function withGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '30s').replaceAll('$__interval', '30s').replaceAll('$__range', '5m').replaceAll('$trunk', '.*').replaceAll('$instance', '.*');
}

/** Every `expr` of the dashboard's panels (rows included), with its panel title. */
export function dashboardExpressions(file = DASHBOARD_FILE): { panel: string; expr: string }[] {
  type Panel = { title?: string; panels?: Panel[]; targets?: { expr?: string }[] };
  const walk = (panels: Panel[]): { panel: string; expr: string }[] =>
    panels.flatMap((p) => [...(p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title ?? '', expr: t.expr }] : [])), ...walk(p.panels ?? [])]);
  return walk((JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] }).panels);
}

/** The dashboard's Prometheus annotation queries (reloads, feed swaps), by name. */
export function dashboardAnnotations(file = DASHBOARD_FILE): { name: string; expr: string }[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { annotations: { list: { name: string; expr?: string }[] } };
  return doc.annotations.list.flatMap((a) => (a.expr ? [{ name: a.name, expr: a.expr }] : []));
}

/** Alert and recording rules of a rules file: name (alert or record) and expr. */
export function ruleExpressions(file = RULES_FILE): { name: string; expr: string; kind: 'alert' | 'record' }[] {
  type Rule = { alert?: string; record?: string; expr: string };
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? '', expr: String(r.expr), kind: r.alert ? ('alert' as const) : ('record' as const) })));
}
