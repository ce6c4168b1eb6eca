/**
 * A complete `cdr` config section for store tests (as parseConfig would produce it), overridable per sink.
 */
import { join } from 'node:path';
import type { CdrConfig } from '../../../src/cdr/sinks.js';

type Sinks = CdrConfig['sinks'];

/** SQLite on in `dir`, JSON lines and PostgreSQL off, 50 ms flush interval. */
export function cdrConfig(dir: string, over: { flushIntervalMs?: number; maxQueue?: number; sqlite?: Partial<Sinks['sqlite']>; jsonl?: Partial<Sinks['jsonl']>; postgres?: Partial<Sinks['postgres']> } = {}): CdrConfig {
  return {
    dir,
    flushIntervalMs: over.flushIntervalMs ?? 50,
    maxQueue: over.maxQueue ?? 100_000,
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
