/**
 * `rmdgate whatif`: replays the calls stored in the SQLite CDR store under a candidate config (and optionally a
 * candidate RMD snapshot) and reports which would now be blocked or allowed. Exit 0 done, 2 bad input or config.
 */
import { parseArgs } from 'node:util';
import { loadWorldOnce } from '../feeds/index.js';
import { createSqliteCdrReader, formatWhatIf, parseTracebackTime, replayCalls, sqliteStoreDir } from '../cdr/index.js';
import { loadConfig } from '../config/index.js';
import { processIo, type CommandIo } from './traceback.js';

const USAGE = `usage: rmdgate whatif --config CANDIDATE.yaml [--since 7d|TIME] [--until TIME] [--rmd SNAPSHOT.csv]
                      [--store-dir DIR] [--format table|json]
Replays stored calls under the candidate config (and RMD snapshot) and reports the calls decided differently.`;

const OPTIONS = {
  config: { type: 'string', short: 'c' }, since: { type: 'string' }, until: { type: 'string' }, rmd: { type: 'string' },
  'store-dir': { type: 'string' }, format: { type: 'string' },
} as const;

/** Runs the command; returns the exit code. Config and data-file errors are thrown (the CLI maps them to exit 2). */
export async function whatifCommand(args: string[], io: CommandIo = processIo, now: number = Date.now()): Promise<number> {
  let v: { readonly [K in keyof typeof OPTIONS]?: string | undefined };
  try {
    v = parseArgs({ args, options: OPTIONS, strict: true }).values;
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'json') return usage(io, `invalid --format "${format}": expected table or json`);
  if (v.config === undefined) return usage(io, '--config CANDIDATE.yaml is required');
  const since = parseSince(v.since ?? '7d', now);
  if (typeof since === 'string') return usage(io, since);
  const until = v.until === undefined ? now : parseSince(v.until, now);
  if (typeof until === 'string') return usage(io, until);
  const loaded = await loadConfig(v.config);
  const { world, rmd } = await loadWorldOnce(loaded, { now, rmdPath: v.rmd, grace: 'replay' });
  const dir = v['store-dir'] ?? sqliteStoreDir(loaded.config.cdr, loaded.resolvePath);
  const reader = createSqliteCdrReader(dir);
  try {
    const narrowing = loaded.config.trunks.some((t) => t.tgrp !== undefined || t.trunkContext !== undefined || t.headerValue !== undefined);
    const report = replayCalls(reader.scan(since, until), world, { narrowing });
    const ctx = { since: new Date(since).toISOString(), until: new Date(until).toISOString(), store: reader.description, configFile: v.config, configVersion: loaded.version, rmdSnapshotId: rmd.id };
    io.out(formatWhatIf(report, ctx, format));
    return 0;
  } finally {
    await reader.close();
  }
}

/** `7d`, `36h`, `90m` before now, or an ISO 8601 time with zone. Returns epoch ms or an error message. */
function parseSince(text: string, now: number): number | string {
  const m = /^(\d{1,5})([mhd])$/.exec(text.trim());
  if (m) return now - +m[1]! * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  const t = parseTracebackTime(text, undefined);
  return t.ok ? t.value : `invalid time "${text}": expected a duration such as 7d, 36h, 90m or an ISO 8601 time with zone`;
}

function usage(io: CommandIo, message: string): number {
  io.err(`rmdgate whatif: ${message}\n\n${USAGE}`);
  return 2;
}
