/**
 * `rmdgate whatif`: replays the calls stored in the SQLite CDR store under a candidate config (and optionally a
 * candidate RMD snapshot) and reports which would now be blocked or allowed. Exit 0 done, 2 bad input or config.
 */
import type { Command } from 'commander';
import { loadWorldOnce } from '../feeds/index.js';
import { createSqliteCdrReader, formatWhatIf, replayCalls, sqliteStoreDir } from '../cdr/index.js';
import { loadConfig } from '../config/index.js';
import { addFormatOptions, formatOf, sinceArg, TIME_HELP, timeArg, toCsv, UsageError, type CliContext } from './common.js';
import { configOption, requireConfig } from './config-option.js';
import { createProgress, type Progress } from './progress.js';

interface WhatifOptions { config?: string; since: string; until?: string; tz?: string; rmd?: string; storeDir?: string; format?: string; json?: boolean }

/** Adds `rmdgate whatif`. */
export function registerWhatif(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('whatif')
    .summary('replay stored calls under a candidate config or RMD snapshot')
    .description('Replays the calls stored in the SQLite CDR store under a candidate config (and RMD snapshot) and reports the calls that would now be decided differently, grouped by trunk, provider and reason.');
  configOption(cmd, 'candidate config file (default: $CONFIG_FILE)')
    .option('--since <time>', 'replay calls from this time, or this long ago (7d, 36h)', '7d')
    .option('--until <time>', 'replay calls up to this time (default: now)')
    .option('--tz <zone>', 'IANA zone of times without a zone (default UTC)')
    .option('--rmd <file>', 'candidate RMD snapshot instead of the config\'s')
    .option('--store-dir <dir>', 'SQLite CDR store directory (default: the config\'s)');
  addFormatOptions(cmd, ['table', 'json', 'csv']).addHelpText('after', TIME_HELP);
  cmd.action(async (opts: WhatifOptions) => {
    const format = formatOf<'table' | 'json' | 'csv'>(opts, cmd);
    ctx.setExitCode(await whatifCommand(opts, format, ctx));
  });
}

async function whatifCommand(v: WhatifOptions, format: 'table' | 'json' | 'csv', ctx: CliContext): Promise<number> {
  const now = ctx.now();
  const file = requireConfig(v);
  const since = sinceArg('--since', v.since, v.tz, now);
  const until = v.until === undefined ? now : timeArg('--until', v.until, v.tz, now);
  if (until < since) throw new UsageError(`--until ${new Date(until).toISOString()} is before --since ${new Date(since).toISOString()}`);
  const loaded = await loadConfig(file);
  const { world, rmd } = await loadWorldOnce(loaded, { now, rmdPath: v.rmd, grace: 'replay' });
  const dir = v.storeDir ?? sqliteStoreDir(loaded.config.cdr, loaded.resolvePath);
  const reader = createSqliteCdrReader(dir);
  const progress = createProgress({ stream: ctx.progressStream, label: 'replaying calls', unit: 'calls', enabled: format !== 'json' });
  try {
    const narrowing = loaded.config.trunks.some((t) => t.tgrp !== undefined || t.trunkContext !== undefined || t.headerValue !== undefined);
    const report = replayCalls(counted(reader.scan(since, until), progress), world, { narrowing });
    progress.end();
    const ctxInfo = { since: new Date(since).toISOString(), until: new Date(until).toISOString(), store: reader.description, configFile: file, configVersion: loaded.version, rmdSnapshotId: rmd.id };
    ctx.io.out(format === 'csv'
      ? toCsv(['change', 'trunk', 'provider', 'before', 'after', 'calls', 'examples'], report.groups.map((g) => [g.change, g.trunkId, g.providerId, g.from, g.to, g.count, g.examples.join(' ')]))
      : formatWhatIf(report, ctxInfo, format));
    return 0;
  } finally {
    progress.end();
    await reader.close();
  }
}

/** Passes the calls through, reporting how many went by (the total is unknown until the scan ends). */
function* counted<T>(items: Iterable<T>, progress: Progress): Generator<T> {
  let n = 0;
  for (const item of items) {
    yield item;
    progress.update(++n);
  }
}
