/**
 * Builds the CDR sinks a config enables (SQLite day files, JSON lines, PostgreSQL) and fans every record out to
 * them; the one factory main.ts calls. Each sink keeps its own queue, so a slow one never holds up another.
 */
import type { ConfigFile } from '../config/index.js';
import { entryOf } from '../lib/index.js';
import type { CallRecord, CdrRawFields, Logger } from '../screening/index.js';
import { createJsonlCdrSink } from './jsonl-sink.js';
import type { CdrSinkMetrics, SinkHealth, StoreSink } from './ports.js';
import type { PgShipperOptions } from './postgres/shipper.js';
import type { SqliteWorkerData } from './sqlite/worker.js';
import { startWorkerCdrSink, type WorkerCdrSinkOptions } from './worker-sink.js';

/** The `cdr` config section. */
export type CdrConfig = ConfigFile['cdr'];

/** What the sinks need besides config. */
export interface CdrSinksDeps {
  readonly resolvePath: (p: string) => string;
  /** PostgreSQL URL (from the env var the config names); required when the postgres sink is enabled. */
  readonly pgUrl?: string | undefined;
  readonly log: Logger;
  /** Shared by every sink: counts add up across sinks. */
  readonly metrics: CdrSinkMetrics;
  readonly monotonicMs: () => number;
  /** How long a store sink reports unhealthy after losing records to a write error, ms (default 10000). */
  readonly unhealthyForMs?: number;
  /** Called when a store worker dies while the gate runs (see WorkerCdrSinkOptions.onFatal). */
  readonly onFatal?: (what: string, err: Error) => void;
}

/** Resolved directory of the SQLite day files for a config (traceback and what-if read it too). */
export function sqliteStoreDir(cfg: CdrConfig, resolvePath: (p: string) => string): string {
  return resolvePath(cfg.sinks.sqlite.dir ?? cfg.dir);
}

/**
 * Starts every enabled sink (workers report ready first) and returns one sink writing to all of them.
 * @throws when a sink cannot start (unwritable directory, postgres enabled without its URL); started ones are closed.
 */
export async function createCdrSinks(cfg: CdrConfig, deps: CdrSinksDeps): Promise<StoreSink> {
  const sinks: { name: string; sink: StoreSink }[] = [];
  try {
    if (cfg.sinks.sqlite.enabled) sinks.push({ name: 'sqlite', sink: await startSqlite(cfg, deps) });
    if (cfg.sinks.jsonl.enabled) sinks.push({ name: 'jsonl', sink: startJsonl(cfg, deps) });
    if (cfg.sinks.postgres.enabled) sinks.push({ name: 'postgres', sink: await startPostgres(cfg, deps) });
  } catch (err) {
    await Promise.all(sinks.map((s) => s.sink.close()));
    throw err;
  }
  if (sinks.length === 0) deps.log.warn({}, 'no cdr sink enabled; screening records are not kept');
  return fanOut(sinks);
}

function startSqlite(cfg: CdrConfig, deps: CdrSinksDeps): Promise<StoreSink> {
  const workerData: SqliteWorkerData = { dir: sqliteStoreDir(cfg, deps.resolvePath), retentionDays: cfg.sinks.sqlite.retentionDays };
  return startWorkerCdrSink({ name: 'sqlite', entry: entryOf('./sqlite/worker.js', import.meta.url), workerData, ...common(cfg, deps) });
}

function startJsonl(cfg: CdrConfig, deps: CdrSinksDeps): StoreSink {
  const dir = deps.resolvePath(cfg.sinks.jsonl.dir ?? cfg.dir);
  // The sink's own health: failing from a failed append until the next append succeeds (its own batches only).
  let lastAppendFailed = false;
  const metrics: CdrSinkMetrics = {
    ...deps.metrics,
    written: (n) => ((lastAppendFailed = false), deps.metrics.written(n)),
    lost: (n, cause) => ((lastAppendFailed ||= cause === 'write-error'), deps.metrics.lost(n, cause)),
  };
  const sink = createJsonlCdrSink({ dir, flushIntervalMs: cfg.flushIntervalMs, maxQueue: cfg.maxQueue, log: deps.log, metrics, monotonicMs: deps.monotonicMs });
  const health = (): SinkHealth => (lastAppendFailed ? { ok: false, detail: `last append to ${dir} failed` } : { ok: true, detail: `appending to ${dir}` });
  return { write: (r) => sink.write(r), flush: () => sink.flush(), close: () => sink.close(), health, queued: sink.queued };
}

function startPostgres(cfg: CdrConfig, deps: CdrSinksDeps): Promise<StoreSink> {
  const pgc = cfg.sinks.postgres;
  if (!deps.pgUrl) throw new Error(`cdr.sinks.postgres is enabled but the environment variable ${pgc.urlEnv} is not set`);
  const workerData: PgShipperOptions = {
    url: deps.pgUrl,
    table: pgc.table,
    spoolDir: deps.resolvePath(pgc.spoolDir),
    batchSize: pgc.batchSize,
    retryIntervalMs: pgc.retryIntervalMs,
    partitionDaysAhead: pgc.partitionDaysAhead,
    retentionDays: pgc.retentionDays,
  };
  return startWorkerCdrSink({ name: 'postgres', entry: entryOf('./postgres/worker.js', import.meta.url), workerData, ...common(cfg, deps) });
}

type CommonOptions = Pick<WorkerCdrSinkOptions, 'flushIntervalMs' | 'maxQueue' | 'log' | 'metrics' | 'unhealthyForMs' | 'onFatal'>;

function common(cfg: CdrConfig, deps: CdrSinksDeps): CommonOptions {
  return {
    flushIntervalMs: cfg.flushIntervalMs, maxQueue: cfg.maxQueue, log: deps.log, metrics: deps.metrics,
    ...(deps.unhealthyForMs === undefined ? {} : { unhealthyForMs: deps.unhealthyForMs }),
    ...(deps.onFatal === undefined ? {} : { onFatal: deps.onFatal }),
  };
}

function fanOut(sinks: readonly { name: string; sink: StoreSink }[]): StoreSink {
  return {
    write(record: CallRecord, raw?: CdrRawFields) {
      for (const s of sinks) s.sink.write(record, raw);
    },
    flush: async () => void (await Promise.all(sinks.map((s) => s.sink.flush()))),
    close: async () => void (await Promise.all(sinks.map((s) => s.sink.close()))),
    health(): SinkHealth {
      const all = sinks.map((s) => ({ name: s.name, ...s.sink.health() }));
      return { ok: all.every((h) => h.ok), detail: all.map((h) => `${h.name}: ${h.detail}`).join('; ') || 'no cdr sink enabled' };
    },
    queued: () => sinks.reduce((n, s) => n + s.sink.queued(), 0),
  };
}
