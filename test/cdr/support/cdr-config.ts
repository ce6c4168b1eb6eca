/**
 * A complete `cdr` config section for store tests (as parseConfig would produce it), overridable per sink.
 */
import { join } from 'node:path';
import type { CdrConfig } from '../../../src/cdr/sinks.js';

type Sinks = CdrConfig['sinks'];

/** SQLite on in `dir`, JSON lines and PostgreSQL off, 50 ms flush interval, retry backlog in `dir/backlog` every 200 ms. */
export function cdrConfig(dir: string, over: { flushIntervalMs?: number; maxQueue?: number; maxQueueBytes?: number; backlog?: Partial<CdrConfig['backlog']>; sqlite?: Partial<Sinks['sqlite']>; jsonl?: Partial<Sinks['jsonl']>; postgres?: Partial<Sinks['postgres']> } = {}): CdrConfig {
  return {
    dir,
    flushIntervalMs: over.flushIntervalMs ?? 50,
    maxQueue: over.maxQueue ?? 100_000,
    maxQueueBytes: over.maxQueueBytes ?? 64 * 1024 * 1024,
    backlog: { memoryRecords: 20_000, memoryBytes: 32 * 1024 * 1024, spoolDir: join(dir, 'backlog'), spoolRecords: 500_000, spoolBytes: 1024 ** 3, retryIntervalMs: 200, ...over.backlog },
    sinks: {
      sqlite: { enabled: true, retentionDays: 548, ...over.sqlite },
      jsonl: { enabled: false, ...over.jsonl },
      postgres: {
        enabled: false, urlEnv: 'CDR_PG_URL', table: 'rmdgate_cdr', spoolDir: join(dir, 'spool'), partitionDaysAhead: 3,
        retentionDays: 548, batchSize: 1000, retryIntervalMs: 200, ...over.postgres,
      },
    },
  };
}
