/**
 * `rmdgate feed`: operator tools for the live feeds — accept a refused candidate, diff two RMD snapshots, show the
 * state dir, and refresh a feed of a running gate (admin.ts). Exit 0 done, 1 nothing to accept, 2 bad input
 * (config and data errors are thrown: the CLI maps them to 2).
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { acceptPending, createFeedStore, diffRmd, FeedError, parseRmdFeed, toDiffJson, toDiffMarkdown, toFeedPlan } from '../feeds/index.js';
import { loadConfig, toProviders } from '../config/index.js';
import type { RmdSnapshot } from '../screening/index.js';
import { registerFeedRefresh } from './admin.js';
import { addFormatOptions, formatOf, processIo, TIME_HELP, timeArg, toCsv, UsageError, type CliContext, type CommandIo } from './common.js';
import { configOption, requireConfig } from './config-option.js';
import { createProgress, type Progress } from './progress.js';

const MAX_BYTES = 2 ** 31;

/** Runs `rmdgate feed ARGS…` as the CLI does and returns the exit code (tests and scripts). `now` is the clock, epoch ms. */
export async function feedCommand(args: readonly string[], io: CommandIo = processIo, now: number = Date.now()): Promise<number> {
  const { runCli } = await import('./program.js');
  return runCli(['feed', ...args], { io, now: () => now });
}

/** Adds `rmdgate feed` and its subcommands. */
export function registerFeed(program: Command, ctx: CliContext): void {
  const feed = program
    .command('feed')
    .summary('feed tools: accept a refused candidate, diff RMD snapshots, state dir status, refresh')
    .description('Operator tools for the live feeds (RMD export and blocklists).');

  const accept = feed
    .command('accept')
    .summary('accept the refused candidate of a feed (drift/shrink)')
    .description('Accepts the candidate a feed refused (too many rows changed, or it shrank), so the running gate puts it in force on its next refresh or reload. Exit 1 when no refused candidate is pending.')
    .requiredOption('--feed <name>', 'feed name from the config (rmd, or a list name)');
  configOption(accept);
  addFormatOptions(accept, ['table', 'json']).action(async (opts: { config?: string; feed: string; format?: string; json?: boolean }) => {
    ctx.setExitCode(await acceptCommand(ctx, requireConfig(opts), opts.feed, formatOf(opts, accept) === 'json'));
  });

  const diff = feed
    .command('diff')
    .summary('what changed between two RMD snapshots')
    .description('Reports what changed between two RMD snapshot files (CSV, gzip accepted): filings listed, removed and changed, for all filings or, with --config, for the configured providers only.')
    .argument('<old>', 'older snapshot file')
    .argument('<new>', 'newer snapshot file')
    .option('-c, --config <file>', 'only the providers this config names')
    .option('--at <time>', 'when the new snapshot was taken (default: now); a date is its midnight in --tz')
    .option('--tz <zone>', 'IANA zone of times without a zone (default UTC)');
  addFormatOptions(diff, ['md', 'json']).addHelpText('after', TIME_HELP);
  diff.action(async (oldFile: string, newFile: string, opts: { config?: string; at?: string; tz?: string; format?: string; json?: boolean }) => {
    const format = formatOf<'md' | 'json'>(opts, diff);
    const when = opts.at === undefined ? ctx.now() : timeArg('--at', opts.at, opts.tz, ctx.now());
    ctx.setExitCode(await diffCommand(ctx, oldFile, newFile, opts.config, format, when));
  });

  const status = feed
    .command('status')
    .summary('last good snapshots and pending candidates in the state dir')
    .description('Shows, for each feed of the config, the last good snapshot kept in the state dir and any pending candidate.');
  configOption(status);
  addFormatOptions(status, ['table', 'json', 'csv']).action(async (opts: { config?: string; format?: string; json?: boolean }) => {
    ctx.setExitCode(await statusCommand(ctx, requireConfig(opts), formatOf(opts, status)));
  });

  registerFeedRefresh(feed, ctx);
}

async function acceptCommand(ctx: CliContext, config: string, feed: string, json: boolean): Promise<number> {
  const loaded = await loadConfig(config);
  const plan = toFeedPlan(loaded.config, loaded.resolvePath);
  if (!plan.specs.some((s) => s.name === feed)) throw new UsageError(`no feed "${feed}" in ${config} (feeds: ${plan.specs.map((s) => s.name).join(', ')})`);
  const meta = await acceptPending(plan.stateDir, feed, ctx.now());
  if (meta === undefined) {
    if (json) ctx.io.out(JSON.stringify({ feed, accepted: false, stateDir: plan.stateDir }, null, 2));
    ctx.io.err(`${feed}: no refused candidate is pending in ${plan.stateDir}`);
    return 1;
  }
  if (json) {
    ctx.io.out(JSON.stringify({ feed, accepted: true, refusedAt: new Date(meta.refusedAt).toISOString(), code: meta.code, reason: meta.reason, rows: meta.rows, sha256: meta.sha256 }, null, 2));
    return 0;
  }
  ctx.io.out(`${feed}: accepted the candidate refused at ${new Date(meta.refusedAt).toISOString()} (${meta.code}: ${meta.reason}); ${meta.rows} rows, sha256 ${meta.sha256.slice(0, 16)}.
The running gate puts it in force on its next refresh or reload (rmdgate reload, kill -HUP, or POST /admin/reload).`);
  return 0;
}

/** Reads a snapshot file; a file that cannot be read is a usage error naming it. */
async function readBytes(file: string): Promise<{ bytes: Buffer; mtimeMs: number }> {
  try {
    return { bytes: await readFile(file), mtimeMs: (await stat(file)).mtimeMs };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new UsageError(`cannot read snapshot ${file}: ${why}`);
  }
}

function parseSnapshot(bytes: Buffer, file: string, loadedAt: number, progress: Progress): RmdSnapshot {
  try {
    return parseRmdFeed(bytes, { source: file, loadedAt, maxBytes: MAX_BYTES, onProgress: (rows, estimated) => progress.update(rows, Math.max(rows, estimated)) }).snapshot;
  } catch (err) {
    if (err instanceof FeedError) throw new UsageError(err.message);
    throw err;
  } finally {
    progress.end();
  }
}

async function diffCommand(ctx: CliContext, oldFile: string, newFile: string, config: string | undefined, format: 'md' | 'json', when: number): Promise<number> {
  const providers = config === undefined ? undefined : toProviders((await loadConfig(config)).config);
  const progressOf = (file: string): Progress => createProgress({ stream: ctx.progressStream, label: `reading ${file}`, unit: 'rows', enabled: format !== 'json' });
  const oldRead = await readBytes(oldFile);
  const newRead = await readBytes(newFile);
  const oldAt = Math.min(oldRead.mtimeMs, when);
  const old = parseSnapshot(oldRead.bytes, oldFile, oldAt, progressOf(oldFile));
  const next = parseSnapshot(newRead.bytes, newFile, when, progressOf(newFile));
  const result = diffRmd(old, next, { providers, oldAt, newAt: when });
  ctx.io.out((format === 'json' ? toDiffJson(result) : toDiffMarkdown(result)).trimEnd());
  return 0;
}

async function statusCommand(ctx: CliContext, config: string, format: 'table' | 'json' | 'csv'): Promise<number> {
  const now = ctx.now();
  const loaded = await loadConfig(config);
  const plan = toFeedPlan(loaded.config, loaded.resolvePath);
  const store = createFeedStore(plan.stateDir);
  const rows = [];
  for (const spec of plan.specs) {
    const current = await store.readCurrent(spec.name).catch((err: unknown) => ({ error: (err as Error).message }));
    const pending = await store.readPending(spec.name).catch(() => undefined);
    const meta = current !== undefined && 'meta' in current ? current.meta : undefined;
    rows.push({
      feed: spec.name,
      source: spec.source.kind === 'file' ? spec.source.path : spec.source.url,
      rows: meta?.rows ?? null,
      snapshotId: meta?.snapshotId ?? null,
      verifiedAt: meta ? new Date(meta.verifiedAt).toISOString() : null,
      ageHours: meta ? +((now - meta.verifiedAt) / 3_600_000).toFixed(2) : null,
      error: current !== undefined && 'error' in current ? current.error : null,
      pending: pending ? { code: pending.meta.code, reason: pending.meta.reason, rows: pending.meta.rows, accepted: pending.meta.accepted, headerChange: pending.meta.headerChange ?? null } : null,
      badRows: meta?.badRows ?? null,
      badRowSample: meta?.badRowSample ?? null,
      headerChange: meta?.headerChange ?? null,
    });
  }
  if (format === 'json') ctx.io.out(JSON.stringify({ stateDir: plan.stateDir, feeds: rows }, null, 2));
  else if (format === 'csv') {
    ctx.io.out(toCsv(
      ['feed', 'source', 'rows', 'snapshot_id', 'verified_at', 'age_hours', 'error', 'pending_code', 'pending_reason', 'pending_rows', 'pending_accepted'],
      rows.map((r) => [r.feed, r.source, r.rows, r.snapshotId, r.verifiedAt, r.ageHours, r.error, r.pending?.code, r.pending?.reason, r.pending?.rows, r.pending?.accepted]),
    ));
  } else {
    ctx.io.out(`state dir: ${plan.stateDir}`);
    for (const r of rows) {
      const data = r.rows === null ? (r.error ?? 'no last good snapshot') : `${r.rows} rows, ${r.snapshotId ?? '-'}, verified ${r.verifiedAt} (${r.ageHours} h ago)`;
      const pend = r.pending ? `; PENDING ${r.pending.accepted ? 'accepted' : 'refused'} (${r.pending.code}: ${r.pending.reason})` : '';
      const bad = r.badRows ? `; ${r.badRows} bad row(s) skipped` : '';
      ctx.io.out(`  ${r.feed}: ${data}${bad}${pend}`);
      for (const [what, c] of [['in force', r.headerChange], ['pending', r.pending?.headerChange]] as const) {
        if (c) ctx.io.out(`    header set changed (${what}, seen ${new Date(c.at).toISOString()}): added ${c.added.join(', ') || 'none'}; removed ${c.removed.join(', ') || 'none'}`);
      }
      for (const p of r.badRowSample ?? []) ctx.io.out(`    bad row: line ${p.line ?? '?'}: ${p.message}`);
    }
  }
  return 0;
}
