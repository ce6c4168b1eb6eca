/**
 * `rmdgate traceback`: answers one ITG traceback request (or a CSV batch) from the CDR store the config names,
 * with provider contacts from the config's RMD file. Exit 0 answered, 2 bad input or config, 1 runtime failure.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadRmdFile } from '../feeds/index.js';
import { answerBatch, type CdrQueryStore, createPgCdrReader, createSqliteCdrReader, formatOutcomes, parseTracebackLimit, parseTracebackRequest, sqliteStoreDir, TRACEBACK_FORMATS, type TracebackFormat } from '../cdr/index.js';
import { parseBatchCsv } from './traceback-batch-csv.js';
import { configFileFromEnv, loadConfig, type LoadedConfig } from '../config/index.js';
import type { RmdSnapshot } from '../screening/index.js';

/** Where a command writes (tests capture it). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** Standard output and error. */
export const processIo: CommandIo = { out: (t) => void process.stdout.write(t + '\n'), err: (t) => void process.stderr.write(t + '\n') };

const USAGE = `usage: rmdgate traceback --config FILE --calling NUM --called NUM --at TIME [--tz ZONE] [--window 10m]
                         [--format table|json|csv] [--store sqlite|postgres] [--limit N (default 100 closest to TIME; 0 = all)]
       rmdgate traceback --config FILE --batch requests.csv (columns calling,called,at[,tz][,window]) [...same options]
TIME is ISO 8601 with a zone (2026-11-20T14:03:00-05:00 or ...Z); without a zone, --tz ZONE (IANA, e.g. America/New_York) is required.`;

const OPTIONS = {
  config: { type: 'string', short: 'c' }, calling: { type: 'string' }, called: { type: 'string' }, at: { type: 'string' },
  tz: { type: 'string' }, window: { type: 'string' }, format: { type: 'string' }, store: { type: 'string' },
  batch: { type: 'string' }, limit: { type: 'string' },
} as const;

/** Runs the command; returns the exit code. Config and data-file errors are thrown (the CLI maps them to exit 2). */
export async function tracebackCommand(args: string[], io: CommandIo = processIo): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>['values'];
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true }).values;
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const format = (values.format ?? (values.batch ? 'csv' : 'table')) as TracebackFormat;
  if (!TRACEBACK_FORMATS.includes(format)) return usage(io, `invalid --format "${values.format}": expected table, json or csv`);
  const storeKind = values.store ?? 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') return usage(io, `invalid --store "${storeKind}": expected sqlite or postgres`);
  const limit = parseTracebackLimit(values.limit, '--limit');
  if (!limit.ok) return usage(io, limit.error);
  const file = values.config ?? configFileFromEnv();
  if (file === undefined) return usage(io, '--config FILE is required');
  const requests = await readRequests(values);
  if (!requests.ok) return usage(io, requests.error);
  if (requests.value.length === 1 && !values.batch) {
    const parsed = parseTracebackRequest(requests.value[0]!.request);
    if (!parsed.ok) return usage(io, parsed.error);
  }
  const loaded = await loadConfig(file);
  const store = await openStore(loaded, storeKind);
  if (typeof store === 'string') return usage(io, store);
  try {
    const outcomes = await answerBatch(requests.value, { store, rmd: await loadRmd(loaded, io), maxMatches: limit.value });
    io.out(formatOutcomes(outcomes, format));
    return outcomes.some((o) => o.kind === 'invalid') ? 2 : 0;
  } finally {
    await store.close();
  }
}

type Values = { readonly [K in keyof typeof OPTIONS]?: string | undefined };

async function readRequests(v: Values): Promise<ReturnType<typeof parseBatchCsv>> {
  if (v.batch !== undefined) {
    if (v.calling || v.called || v.at) return { ok: false, error: '--batch cannot be combined with --calling/--called/--at' };
    let text: string;
    try {
      text = await readFile(v.batch, 'utf8');
    } catch (err) {
      return { ok: false, error: `cannot read --batch file: ${(err as Error).message}` };
    }
    return parseBatchCsv(text, { tz: v.tz, window: v.window });
  }
  const missing = (['calling', 'called', 'at'] as const).filter((k) => !v[k]);
  if (missing.length > 0) return { ok: false, error: `missing ${missing.map((m) => `--${m}`).join(', ')}` };
  return { ok: true, value: [{ line: 1, request: { calling: v.calling!, called: v.called!, at: v.at!, tz: v.tz, window: v.window } }] };
}

async function openStore(loaded: LoadedConfig, kind: 'sqlite' | 'postgres'): Promise<CdrQueryStore | string> {
  if (kind === 'sqlite') return createSqliteCdrReader(sqliteStoreDir(loaded.config.cdr, loaded.resolvePath));
  const pgc = loaded.config.cdr.sinks.postgres;
  if (!loaded.cdrPgUrl) return `--store postgres needs the connection URL in the environment variable ${pgc.urlEnv} (cdr.sinks.postgres.urlEnv)`;
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

function usage(io: CommandIo, message: string): number {
  io.err(`rmdgate traceback: ${message}\n\n${USAGE}`);
  return 2;
}
