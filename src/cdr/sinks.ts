/**
 * Builds the CDR sinks a config enables (SQLite day files, JSON lines, PostgreSQL) and fans every record out to
 * them; the one factory main.ts calls. Each sink keeps its own queue, so a slow one never holds up another.
 */
import { join } from 'node:path';
import type { ConfigFile } from '../config/index.js';
import { entryOf } from '../lib/index.js';
import type { CallRecord, CdrRawFields, Logger } from '../screening/index.js';
import { createJsonlCdrSink } from './jsonl-sink.js';
import { openBacklog, type BacklogOptions } from './backlog.js';
import { CDR_LOSS_CAUSES, type CdrSinkMetrics, type CdrSinkName, type SinkHealth, type StoreSink } from './ports.js';
import type { PgShipperOptions } from './postgres/shipper.js';
import { RecordOutcomes, type Ticket } from './record-outcomes.js';
import type { SqliteWorkerData } from './sqlite/worker.js';
import { startWorkerCdrSink, type WorkerCdrSink, type WorkerCdrSinkOptions } from './worker-sink.js';

/** The `cdr` config section. */
export type CdrConfig = ConfigFile['cdr'];

/** What the sinks need besides config. */
export interface CdrSinksDeps {
  readonly resolvePath: (p: string) => string;
  /** PostgreSQL URL (from the env var the config names); required when the postgres sink is enabled. */
  readonly pgUrl?: string | undefined;
  readonly log: Logger;
  /** Shared by every sink: the main counters count each record once, the `sink*` ones per sink. */
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
  const outcomes = new RecordOutcomes(deps.metrics);
  const sinks: Member[] = [];
  try {
    if (cfg.sinks.sqlite.enabled) sinks.push({ name: 'sqlite', sink: await startSqlite(cfg, deps, outcomes), takes: isStoredInSqlite });
    if (cfg.sinks.jsonl.enabled) sinks.push({ name: 'jsonl', sink: await startJsonl(cfg, deps, outcomes), takes: () => true });
    if (cfg.sinks.postgres.enabled) sinks.push({ name: 'postgres', sink: await startPostgres(cfg, deps, outcomes), takes: isScreening });
  } catch (err) {
    await Promise.all(sinks.map((s) => s.sink.close()));
    throw err;
  }
  if (sinks.length === 0) deps.log.warn({}, 'no cdr sink enabled; screening records are not kept');
  // Per-sink series of the enabled sinks exist from the start (at 0), so increase() sees their first record or loss.
  for (const { name } of sinks) {
    deps.metrics.sinkWritten(name, 0);
    for (const cause of CDR_LOSS_CAUSES) deps.metrics.sinkLost(name, 0, cause);
  }
  return fanOut(sinks, outcomes);
}

/** A sink of the fan-out: which records it takes (the ticket counts them), and its write taking the ticket. */
interface Member {
  readonly name: CdrSinkName;
  readonly sink: Omit<StoreSink, 'write'> & { write(record: CallRecord, raw: CdrRawFields | undefined, ticket: Ticket): void };
  readonly takes: (record: CallRecord) => boolean;
}

/** PostgreSQL keeps screening rows only, SQLite also flood summaries (their own table); dispositions go to JSON lines. */
const isScreening = (r: CallRecord): boolean => r.type === 'screening';
const isStoredInSqlite = (r: CallRecord): boolean => r.type === 'screening' || r.type === 'flood-summary';

function backlogOptions(cfg: CdrConfig, deps: CdrSinksDeps, sink: CdrSinkName): BacklogOptions {
  const b = cfg.backlog;
  return {
    memoryRecords: b.memoryRecords, memoryBytes: b.memoryBytes, spoolRecords: b.spoolRecords, spoolBytes: b.spoolBytes,
    spoolDir: join(deps.resolvePath(b.spoolDir), sink),
  };
}

function startSqlite(cfg: CdrConfig, deps: CdrSinksDeps, outcomes: RecordOutcomes): Promise<WorkerCdrSink> {
  const workerData: SqliteWorkerData = {
    dir: sqliteStoreDir(cfg, deps.resolvePath), retentionDays: cfg.sinks.sqlite.retentionDays,
    backlog: backlogOptions(cfg, deps, 'sqlite'), retryIntervalMs: cfg.backlog.retryIntervalMs,
  };
  return startWorkerCdrSink({ name: 'sqlite', entry: entryOf('./sqlite/worker.js', import.meta.url), workerData, outcomes, floodSummaries: true, ...common(cfg, deps) });
}

async function startJsonl(cfg: CdrConfig, deps: CdrSinksDeps, outcomes: RecordOutcomes): Promise<Member['sink']> {
  const dir = deps.resolvePath(cfg.sinks.jsonl.dir ?? cfg.dir);
  const m = deps.metrics;
  const sink = createJsonlCdrSink({
    dir, flushIntervalMs: cfg.flushIntervalMs, maxQueue: cfg.maxQueue, maxQueueBytes: cfg.maxQueueBytes, log: deps.log, outcomes, monotonicMs: deps.monotonicMs,
    backlog: await openBacklog(backlogOptions(cfg, deps, 'jsonl')), retryIntervalMs: cfg.backlog.retryIntervalMs,
    report: { writeSeconds: (s) => m.writeSeconds('jsonl', s), queueDepth: (n) => m.queueDepth(n), backlog: (r, b) => m.backlog('jsonl', r, b) },
  });
  return { write: (r, _raw, t) => sink.write(r, t), flush: () => sink.flush(), close: () => sink.close(), health: () => sink.health(), queued: () => sink.queued() };
}

function startPostgres(cfg: CdrConfig, deps: CdrSinksDeps, outcomes: RecordOutcomes): Promise<WorkerCdrSink> {
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
  return startWorkerCdrSink({ name: 'postgres', entry: entryOf('./postgres/worker.js', import.meta.url), workerData, outcomes, ...common(cfg, deps) });
}

type CommonOptions = Pick<WorkerCdrSinkOptions, 'flushIntervalMs' | 'maxQueue' | 'maxQueueBytes' | 'log' | 'metrics' | 'unhealthyForMs' | 'onFatal'>;

function common(cfg: CdrConfig, deps: CdrSinksDeps): CommonOptions {
  return {
    flushIntervalMs: cfg.flushIntervalMs, maxQueue: cfg.maxQueue, maxQueueBytes: cfg.maxQueueBytes, log: deps.log, metrics: deps.metrics,
    ...(deps.unhealthyForMs === undefined ? {} : { unhealthyForMs: deps.unhealthyForMs }),
    ...(deps.onFatal === undefined ? {} : { onFatal: deps.onFatal }),
  };
}

/** Writes each record to every sink that takes it, under one ticket (so the main counters count it once). */
function fanOut(sinks: readonly Member[], outcomes: RecordOutcomes): StoreSink {
  return {
    write(record: CallRecord, raw?: CdrRawFields) {
      let n = 0;
      for (const s of sinks) if (s.takes(record)) n++;
      if (n === 0) return;
      const ticket = outcomes.ticket(n, record.type);
      for (const s of sinks) if (s.takes(record)) s.sink.write(record, raw, ticket);
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
