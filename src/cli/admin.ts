/**
 * `rmdgate status`, `rmdgate reload` and `rmdgate feed refresh NAME`: clients of a running gate's admin API. The
 * address comes from `--url` or the config's `admin.listen` (and `admin.tls`), the bearer token from `--token-file`
 * or the env var the config names (RMDGATE_ADMIN_TOKEN by default). Exit 0 done, 1 the gate refused or is not
 * there (the server's message is printed), 2 bad usage or config.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, configFileFromEnv, loadConfig, type ReloadResult } from '../config/index.js';
import type { AdminStatus } from '../ops/index.js';
import type { FeedRefreshReport } from '../feeds/index.js';
import { addFormatOptions, CommandFailed, formatOf, UsageError, type CliContext } from './common.js';
import { showElapsed } from './progress.js';

/** Options every admin client command has. */
interface AdminOptions {
  config?: string; url?: string; tokenFile?: string; ca?: string; timeout: string; format?: string; json?: boolean;
}

/** Adds the options of an admin client command (target, token, format). */
export function adminClientOptions(cmd: Command): Command {
  cmd
    .option('-c, --config <file>', 'config of the gate: admin.listen, admin.tls and admin.tokenEnv (default: $CONFIG_FILE)')
    .option('--url <url>', 'admin API base URL instead of the config\'s, e.g. http://127.0.0.1:9465')
    .option('--token-file <file>', `file holding the bearer token (default: the env var named by admin.tokenEnv, ${ADMIN_TOKEN_ENV})`)
    .option('--ca <file>', 'PEM CA certificate to trust for an https admin listener with a private certificate')
    .option('--timeout <seconds>', 'give up after this many seconds', '60');
  return addFormatOptions(cmd, ['table', 'json']);
}

/** Adds `rmdgate status` and `rmdgate reload`. */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const status = program
    .command('status')
    .summary('show the status of a running gate (admin API)')
    .description('Asks a running gate (GET /admin/status) for its mode, config version, RMD snapshot, trunks, providers with their RMD status, and feeds with their age and last refresh.');
  adminClientOptions(status).action(async (opts: AdminOptions) => {
    const format = formatOf<'table' | 'json'>(opts, status);
    const body = (await adminCall(opts, 'GET', '/admin/status')) as AdminStatus;
    ctx.io.out(format === 'json' ? JSON.stringify(body, null, 2) : statusTable(body));
  });

  const reload = program
    .command('reload')
    .summary('make a running gate re-read its config and data files (admin API)')
    .description('Asks a running gate (POST /admin/reload) to re-read its config file and data, as SIGHUP does, and prints what changed. A refused config leaves the running one in force: exit 1 with the problems.');
  adminClientOptions(reload).action(async (opts: AdminOptions) => {
    const format = formatOf<'table' | 'json'>(opts, reload);
    const done = showElapsed({ stream: ctx.progressStream, label: 'reloading the gate', enabled: format !== 'json' });
    const body = (await adminCall(opts, 'POST', '/admin/reload', [422]).finally(done)) as ReloadResult;
    if (format === 'json') ctx.io.out(JSON.stringify(body, null, 2));
    if (format !== 'json' || !body.ok) (body.ok ? ctx.io.out : ctx.io.err)(reloadText(body));
    if (!body.ok) ctx.setExitCode(1);
  });
}

/** Adds `rmdgate feed refresh NAME` under `feed`. */
export function registerFeedRefresh(feed: Command, ctx: CliContext): void {
  const cmd = feed
    .command('refresh')
    .summary('make a running gate refresh one feed now (admin API)')
    .description('Asks a running gate (POST /admin/feeds/NAME/refresh) to refresh one feed now and prints the outcome: updated, not-modified, refused (the candidate is kept for `feed accept`) or error. Exit 1 unless updated or not-modified.')
    .argument('<name>', 'feed name from the config (rmd, or a list name)');
  adminClientOptions(cmd).action(async (name: string, opts: AdminOptions) => {
    const format = formatOf<'table' | 'json'>(opts, cmd);
    const done = showElapsed({ stream: ctx.progressStream, label: `refreshing ${name} on the gate`, enabled: format !== 'json' });
    // A refresh that did not put the source's answer in force is answered 409/422/502/500 with its report.
    const path = `/admin/feeds/${encodeURIComponent(name)}/refresh`;
    const body = (await adminCall(opts, 'POST', path, REFRESH_REFUSED, undefined, isRefreshReport).finally(done)) as FeedRefreshReport;
    const failed = body.outcome !== 'updated' && body.outcome !== 'not-modified';
    if (format === 'json') ctx.io.out(JSON.stringify(body, null, 2));
    if (format !== 'json' || failed) (failed ? ctx.io.err : ctx.io.out)(refreshText(body));
    if (failed) ctx.setExitCode(1);
  });
}

/** Statuses a refresh report comes with when the refresh was refused or failed. */
const REFRESH_REFUSED = [409, 422, 500, 502];

function isRefreshReport(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { outcome?: unknown }).outcome === 'string';
}

/** Base URL and token of the admin API. */
async function target(opts: AdminOptions): Promise<{ base: string; token: string }> {
  const file = opts.config ?? configFileFromEnv();
  let base = opts.url;
  let token: string | undefined;
  if (base === undefined) {
    if (file === undefined) throw new UsageError('give the gate\'s --config FILE (or CONFIG_FILE) or --url URL');
    const loaded = await loadConfig(file);
    const { listen, tls } = loaded.config.admin;
    if (listen === false) throw new UsageError(`the admin listener is off in ${file} (admin.listen: false); give --url`);
    base = `${tls ? 'https' : 'http'}://${hostOf(listen.address)}:${listen.port}`;
    token = loaded.adminToken;
  }
  if (!/^https?:\/\/[^/]+/i.test(base)) throw new UsageError(`invalid --url "${base}": expected http(s)://HOST:PORT`);
  if (opts.tokenFile !== undefined) {
    try {
      token = (await readFile(opts.tokenFile, 'utf8')).trim() || undefined;
    } catch (err) {
      throw new UsageError(`cannot read --token-file: ${(err as Error).message}`);
    }
    if (token === undefined) throw new UsageError(`--token-file ${opts.tokenFile} is empty`);
  }
  token ??= adminTokenFromEnv();
  if (token === undefined) throw new UsageError(`no admin token: set ${ADMIN_TOKEN_ENV} (or the env var named by admin.tokenEnv) or give --token-file FILE`);
  return { base: base.replace(/\/+$/, ''), token };
}

/** Where to connect for a listen address: a wildcard address means this host. */
function hostOf(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Calls the admin API and returns the JSON body of a 2xx answer (or of a status in `alsoOk`). Anything else is a
 * CommandFailed with the server's message; with `json` the error body is printed on stdout too.
 */
async function adminCall(opts: AdminOptions, method: 'GET' | 'POST', path: string, alsoOk: readonly number[] = [], json?: CliContext, accept: (body: unknown) => boolean = () => true): Promise<unknown> {
  const seconds = Number(opts.timeout);
  if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`invalid --timeout "${opts.timeout}": expected 1 to 3600 seconds`);
  const { base, token } = await target(opts);
  const { Agent, fetch } = await import('undici');
  const dispatcher = opts.ca === undefined ? undefined : new Agent({ connect: { ca: await readFile(opts.ca, 'utf8').catch((err: unknown) => { throw new UsageError(`cannot read --ca: ${(err as Error).message}`); }) } });
  let res;
  try {
    res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(seconds * 1000), ...(dispatcher ? { dispatcher } : {}) });
  } catch (err) {
    throw new CommandFailed(unreachable(base, err, seconds));
  } finally {
    void dispatcher?.close();
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.ok || (alsoOk.includes(res.status) && accept(body))) return body;
  if (json && body !== undefined) json.io.out(JSON.stringify(body, null, 2));
  throw new CommandFailed(`${method} ${path} answered HTTP ${res.status}: ${serverMessage(res.status, body, text)}`);
}

function unreachable(base: string, err: unknown, seconds: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer from the gate at ${base} within ${seconds} s`;
  if (e.cause?.code === 'ECONNREFUSED') return `no gate listening at ${base}`;
  return `cannot reach the gate at ${base}: ${e.cause?.message ?? (err as Error).message}`;
}

function serverMessage(status: number, body: unknown, text: string): string {
  if (status === 401) return 'unauthorized: the gate refused the bearer token (check RMDGATE_ADMIN_TOKEN or --token-file)';
  const b = body as { error?: unknown; message?: unknown; problems?: unknown; feed?: unknown } | undefined;
  const parts = [b?.error, b?.message, b?.feed].filter((x) => typeof x === 'string');
  if (Array.isArray(b?.problems)) parts.push(...b.problems.map(String));
  return parts.length > 0 ? parts.join('; ') : text.slice(0, 500) || '(empty body)';
}

/** A plain text table: a header row, then rows, columns padded to their widest cell. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function statusTable(s: AdminStatus): string {
  const byStatus = Object.entries(s.providers.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `gate:      node ${s.node}, rmdgate ${s.version}, mode ${s.mode}, config version ${s.configVersion} (as of ${s.at})`,
    `RMD:       ${s.rmd ? `snapshot ${s.rmd.snapshotId}, ${s.rmd.rows} rows, loaded ${s.rmd.loadedAt}` : 'none loaded'}`,
    `trunks:    ${s.trunks.total}${s.trunks.truncated ? ` (first ${s.trunks.items.length} listed in --json)` : ''}`,
    `providers: ${s.providers.items.length} (${byStatus})`,
    '',
    textTable(['PROVIDER', 'NAME', 'RMD STATUS', 'RMD NUMBER', 'DESIGNATIONS'], s.providers.items.map((p) => [
      p.id, p.name, `${p.rmdStatus}${p.graceEndsAt ? ` (grace until ${p.graceEndsAt})` : ''}`, p.rmdNumber ?? '-', p.designations.join(',') || '-',
    ])),
    '',
    textTable(['FEED', 'ROWS', 'VERSION', 'AGE', 'MAX AGE', 'LAST REFRESH'], s.feeds.map((f) => [
      f.feed, f.rows === undefined ? '-' : String(f.rows), f.version ?? '-', f.ageSeconds === null ? 'no data' : `${f.ageSeconds}s`, `${f.maxAgeSeconds}s`, f.lastRefresh ?? '-',
    ])),
  ].join('\n');
}

function reloadText(r: ReloadResult): string {
  if (!r.ok) return [`reload refused: config version ${r.configVersion} stays in force`, ...r.problems.map((p) => `  - ${p}`)].join('\n');
  const version = r.configVersion === r.previousVersion ? `config version ${r.configVersion} (unchanged)` : `config version ${r.previousVersion} → ${r.configVersion}`;
  const restart = r.restartRequired.length > 0 ? [`changed keys that need a restart (running values kept): ${r.restartRequired.join(', ')}`] : [];
  return [`reloaded: ${version}`, ...restart].join('\n');
}

function refreshText(r: FeedRefreshReport): string {
  const details = [r.code, r.rows === undefined ? undefined : `${r.rows} rows in force`, r.snapshotId === undefined ? undefined : `snapshot ${r.snapshotId}`].filter((x) => x !== undefined);
  return `${r.feed}: ${r.outcome}${details.length > 0 ? ` (${details.join(', ')})` : ''}${r.reason ? `: ${r.reason}` : ''}`;
}
