/**
 * `rmdgate traceback`: answers one ITG traceback request (or a CSV batch) from the CDR store the config names,
 * with provider contacts from the config's RMD file. Exit 0 answered, 2 bad input or config, 1 runtime failure.
 */
import { readFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { loadRmdFile } from '../feeds/index.js';
import { answerBatch, DEFAULT_TRACEBACK_LIMIT, parseTracebackLimit, parseTracebackRequest, type CdrQueryStore, createPgCdrReader, createSqliteCdrReader, formatOutcomes, sqliteStoreDir, type TracebackFormat, type TracebackOutcome } from '../cdr/index.js';
import { parseBatchCsv } from './traceback-batch-csv.js';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import type { RmdSnapshot } from '../screening/index.js';
import { addFormatOptions, CommandFailed, durationArg, formatOf, TIME_HELP, tracebackAt, UsageError, type CliContext, type CommandIo } from './common.js';
import { configOption, requireConfig } from './config-option.js';
import { createProgress } from './progress.js';

export { processIo, type CommandIo } from './common.js';

interface TracebackOptions {
  config?: string; calling?: string; called?: string; at?: string; tz?: string; window?: string; format?: string; json?: boolean;
  store: 'sqlite' | 'postgres'; batch?: string; limit?: string;
}

/** Adds `rmdgate traceback`. */
export function registerTraceback(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('traceback')
    .summary('answer a traceback request (or a CSV batch) from the CDR store')
    .description('Answers an ITG traceback request from the CDR store the config names: the matching screened calls with the upstream provider and its RMD contact. With --batch, answers each request of a CSV file (columns calling,called,at[,tz][,window]): one output row per matching call, and one no-match or invalid row per request without a match.')
    .option('--calling <number>', 'calling number as the requester gave it')
    .option('--called <number>', 'called number')
    .option('--at <time>', 'time of the call (see Times below)')
    .option('--tz <zone>', 'IANA zone of times without a zone, and of the local times shown (default UTC)')
    .option('--window <duration>', 'search ± this much around --at, 1s to 24h (default 10m)')
    .option('--batch <file>', 'CSV of requests instead of --calling/--called/--at')
    .addOption(new Option('--store <kind>', 'CDR store to read').choices(['sqlite', 'postgres']).default('sqlite'))
    .option('--limit <n>', `most matches per request, the closest to --at first; 0 = all (default: ${DEFAULT_TRACEBACK_LIMIT})`);
  configOption(cmd);
  addFormatOptions(cmd, ['table', 'json', 'csv'], 'table', 'table; csv with --batch').addHelpText('after', TIME_HELP);
  cmd.action(async (opts: TracebackOptions) => {
    const batch = opts.batch !== undefined;
    const format = formatOf<TracebackFormat>({ ...opts, format: batch && cmd.getOptionValueSource('format') !== 'cli' ? 'csv' : opts.format }, cmd);
    ctx.setExitCode(await tracebackCommand(opts, format, ctx));
  });
}

/** Runs the command; returns the exit code. Config and data-file errors are thrown (the CLI maps them to exit 2). */
async function tracebackCommand(v: TracebackOptions, format: TracebackFormat, ctx: CliContext): Promise<number> {
  const limit = parseTracebackLimit(v.limit, '--limit');
  if (!limit.ok) throw new UsageError(limit.error);
  if (v.window !== undefined) durationArg('--window', v.window, { min: 1000, max: 86_400_000 });
  const file = requireConfig(v);
  const requests = await readRequests(v, ctx.now());
  if (v.batch === undefined) {
    const parsed = parseTracebackRequest(requests[0]!.request);
    if (!parsed.ok) throw new UsageError(parsed.error);
  }
  const loaded = await loadConfig(file);
  const store = await openStore(loaded, v.store);
  const progress = createProgress({ stream: ctx.progressStream, label: 'answering requests', unit: 'requests', enabled: v.batch !== undefined && format !== 'json' });
  try {
    const deps = { store, rmd: await loadRmd(loaded, ctx.io), maxMatches: limit.value };
    const outcomes: TracebackOutcome[] = [];
    // One request at a time so the progress line moves; answerBatch answers them in order either way.
    for (const r of requests) {
      outcomes.push(...(await answerBatch([r], deps)));
      progress.update(outcomes.length, requests.length);
    }
    progress.end();
    ctx.io.out(formatOutcomes(outcomes, format));
    return outcomes.some((o) => o.kind === 'invalid') ? 2 : 0;
  } finally {
    progress.end();
    await store.close();
  }
}

type Request = { line: number; request: { calling: string; called: string; at: string; tz: string | undefined; window: string | undefined } };

async function readRequests(v: TracebackOptions, now: number): Promise<Request[]> {
  if (v.batch !== undefined) {
    if (v.calling || v.called || v.at) throw new UsageError('--batch cannot be combined with --calling/--called/--at');
    let text: string;
    try {
      text = await readFile(v.batch, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --batch file: ${(err as Error).message}`);
    }
    const parsed = parseBatchCsv(text, { tz: v.tz, window: v.window }, now);
    if (!parsed.ok) throw new UsageError(parsed.error);
    return parsed.value as Request[];
  }
  const missing = (['calling', 'called', 'at'] as const).filter((k) => !v[k]);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')} (or --batch FILE)`);
  const { at, tz } = tracebackAt('--at', v.at!, v.tz, now);
  return [{ line: 1, request: { calling: v.calling!, called: v.called!, at, tz, window: v.window } }];
}

async function openStore(loaded: LoadedConfig, kind: 'sqlite' | 'postgres'): Promise<CdrQueryStore> {
  if (kind === 'sqlite') {
    const dir = sqliteStoreDir(loaded.config.cdr, loaded.resolvePath);
    // A missing store is a wrong config or a gate that never wrote CDRs: say so, never answer "no match" from nothing.
    const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new CommandFailed(`no SQLite CDR store at ${dir} (cdr.dir in ${loaded.file}): has the gate written CDRs with this config?`);
    return createSqliteCdrReader(dir);
  }
  const pgc = loaded.config.cdr.sinks.postgres;
  if (!loaded.cdrPgUrl) throw new UsageError(`--store postgres needs the connection URL in the environment variable ${pgc.urlEnv} (cdr.sinks.postgres.urlEnv)`);
  return createPgCdrReader(loaded.cdrPgUrl, pgc.table);
}

/** The RMD snapshot in force (the config's file); without it answers still come, with contacts marked unknown. */
async function loadRmd(loaded: LoadedConfig, io: CommandIo): Promise<RmdSnapshot | undefined> {
  try {
    return await loadRmdFile(loaded.resolvePath(loaded.config.data.rmd.path), Date.now());
  } catch (err) {
    io.err(`warning: RMD file not loaded, contacts will be unknown: ${(err as Error).message}`);
    return undefined;
  }
}
