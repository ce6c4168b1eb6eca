/**
 * `rmdgate feed`: operator tools for the live feeds — accept a refused candidate, diff two RMD snapshots, show the
 * state dir. Exit 0 done, 1 nothing to accept, 2 bad input (config and data errors are thrown: the CLI maps them to 2).
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { acceptPending, createFeedStore, diffRmd, FeedError, parseRmdFeed, toDiffJson, toDiffMarkdown, toFeedPlan } from '../feeds/index.js';
import { loadConfig, toProviders } from '../config/index.js';
import type { RmdSnapshot } from '../screening/index.js';

/** Where the command writes (tests capture it). */
export interface FeedCommandIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: FeedCommandIo = { out: (t) => void process.stdout.write(`${t}\n`), err: (t) => void process.stderr.write(`${t}\n`) };

/** The `feed` lines of the CLI usage text. */
export const FEED_USAGE = `  rmdgate feed accept --config FILE --feed NAME      accept the refused candidate of a feed (drift/shrink)
  rmdgate feed diff OLD.csv NEW.csv [--config FILE] [--format md|json] [--at YYYY-MM-DD]
                                  what changed between two RMD snapshots (all filings, or configured providers)
  rmdgate feed status --config FILE [--json]        last good snapshots and pending candidates in the state dir`;

const OPTIONS = {
  config: { type: 'string', short: 'c' }, feed: { type: 'string' }, format: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' },
} as const;
const MAX_BYTES = 2 ** 31;

function usage(io: FeedCommandIo, problem: string): number {
  io.err(`${problem}\n\nusage:\n${FEED_USAGE}`);
  return 2;
}

/** Runs `rmdgate feed …`; returns the exit code. `now` is the clock (epoch ms). */
export async function feedCommand(args: string[], io: FeedCommandIo = stdio, now: number = Date.now()): Promise<number> {
  let parsed: { values: { readonly [K in keyof typeof OPTIONS]?: string | boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const [sub, ...files] = parsed.positionals;
  const v = parsed.values;
  const config = typeof v.config === 'string' ? v.config : undefined;
  if (sub === 'accept') return accept(io, config, typeof v.feed === 'string' ? v.feed : undefined, now);
  if (sub === 'status') return status(io, config, v.json === true, now);
  if (sub === 'diff') return diff(io, files, config, typeof v.format === 'string' ? v.format : 'md', typeof v.at === 'string' ? v.at : undefined, now);
  return usage(io, sub === undefined ? 'missing subcommand (accept, diff or status)' : `unknown subcommand "${sub}"`);
}

async function accept(io: FeedCommandIo, config: string | undefined, feed: string | undefined, now: number): Promise<number> {
  if (config === undefined || feed === undefined) return usage(io, 'feed accept needs --config FILE and --feed NAME');
  const loaded = await loadConfig(config);
  const plan = toFeedPlan(loaded.config, loaded.resolvePath);
  if (!plan.specs.some((s) => s.name === feed)) return usage(io, `no feed "${feed}" in ${config} (feeds: ${plan.specs.map((s) => s.name).join(', ')})`);
  const meta = await acceptPending(plan.stateDir, feed, now);
  if (meta === undefined) {
    io.err(`${feed}: no refused candidate is pending in ${plan.stateDir}`);
    return 1;
  }
  io.out(`${feed}: accepted the candidate refused at ${new Date(meta.refusedAt).toISOString()} (${meta.code}: ${meta.reason}); ${meta.rows} rows, sha256 ${meta.sha256.slice(0, 16)}.
The running gate puts it in force on its next refresh or reload (kill -HUP, or POST /admin/reload).`);
  return 0;
}

async function readSnapshot(file: string, loadedAt: number): Promise<RmdSnapshot> {
  return parseRmdFeed(await readFile(file), { source: file, loadedAt, maxBytes: MAX_BYTES }).snapshot;
}

async function diff(io: FeedCommandIo, files: string[], config: string | undefined, format: string, at: string | undefined, now: number): Promise<number> {
  if (files.length !== 2) return usage(io, 'feed diff needs exactly two snapshot files: OLD NEW');
  if (format !== 'md' && format !== 'json') return usage(io, `invalid --format "${format}": expected md or json`);
  const when = at === undefined ? now : Date.parse(`${at}T00:00:00Z`);
  if (!Number.isFinite(when)) return usage(io, `invalid --at "${at ?? ''}": expected YYYY-MM-DD`);
  const [oldFile, newFile] = files as [string, string];
  const providers = config === undefined ? undefined : toProviders((await loadConfig(config)).config);
  try {
    const oldAt = Math.min((await stat(oldFile)).mtimeMs, when);
    const [old, next] = [await readSnapshot(oldFile, oldAt), await readSnapshot(newFile, when)];
    const result = diffRmd(old, next, { providers, oldAt, newAt: when });
    io.out((format === 'json' ? toDiffJson(result) : toDiffMarkdown(result)).trimEnd());
    return 0;
  } catch (err) {
    if (err instanceof FeedError) return usage(io, err.message);
    throw err;
  }
}

async function status(io: FeedCommandIo, config: string | undefined, json: boolean, now: number): Promise<number> {
  if (config === undefined) return usage(io, 'feed status needs --config FILE');
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
  if (json) io.out(JSON.stringify({ stateDir: plan.stateDir, feeds: rows }, null, 2));
  else {
    io.out(`state dir: ${plan.stateDir}`);
    for (const r of rows) {
      const data = r.rows === null ? (r.error ?? 'no last good snapshot') : `${r.rows} rows, ${r.snapshotId ?? '-'}, verified ${r.verifiedAt} (${r.ageHours} h ago)`;
      const pend = r.pending ? `; PENDING ${r.pending.accepted ? 'accepted' : 'refused'} (${r.pending.code}: ${r.pending.reason})` : '';
      const bad = r.badRows ? `; ${r.badRows} bad row(s) skipped` : '';
      io.out(`  ${r.feed}: ${data}${bad}${pend}`);
      for (const [what, c] of [['in force', r.headerChange], ['pending', r.pending?.headerChange]] as const) {
        if (c) io.out(`    header set changed (${what}, seen ${new Date(c.at).toISOString()}): added ${c.added.join(', ') || 'none'}; removed ${c.removed.join(', ') || 'none'}`);
      }
      for (const p of r.badRowSample ?? []) io.out(`    bad row: line ${p.line ?? '?'}: ${p.message}`);
    }
  }
  return 0;
}
