/**
 * The stored flood summary row (SQLite table `flood_summary` in each day file): its columns, DDL and the mapping to
 * and from FloodSummaryRecord. A summary lives in the day file of its interval start.
 */
import { CDR_SCHEMA_VERSION, FLOOD_REASON, type FloodSummaryRecord } from '../screening/index.js';
import type { CdrRowValue } from './columns.js';

const COLUMNS = [
  ['schema_version', 'schemaVersion', 'INTEGER'], ['node', 'node', 'TEXT'], ['source_address', 'sourceAddress', 'TEXT'],
  ['sources', 'sources', 'INTEGER'], ['transport', 'transport', 'TEXT'], ['interval_start_ms', 'intervalStartMs', 'INTEGER'],
  ['interval_end_ms', 'intervalEndMs', 'INTEGER'], ['requests', 'requests', 'INTEGER'], ['action', 'action', 'TEXT'], ['reason', 'reason', 'TEXT'],
] as const satisfies readonly (readonly [string, keyof FloodSummaryRecord, 'TEXT' | 'INTEGER'])[];

/** Stored columns in INSERT order (`type`, `intervalStart` and `intervalEnd` are derived on read). */
export const FLOOD_COLUMNS: readonly string[] = COLUMNS.map((c) => c[0]);

/**
 * DDL of the flood summary table and its time index. `IF NOT EXISTS`: a day file written by an older version gets the
 * table the first time this version opens it for writing; readers treat a day file without it as holding none.
 */
export function floodSummaryDdl(): string {
  return `CREATE TABLE IF NOT EXISTS flood_summary (\n  ${COLUMNS.map(([c, , t]) => `${c} ${t}`).join(',\n  ')}\n);
CREATE INDEX IF NOT EXISTS flood_summary_time ON flood_summary (interval_start_ms);`;
}

/** A flood summary as the values of FLOOD_COLUMNS, in order. */
export function toFloodRow(r: FloodSummaryRecord): CdrRowValue[] {
  return COLUMNS.map(([, field]) => r[field]);
}

/** Maps a `flood_summary` row read back by column name to its record. */
export function fromFloodRow(row: Readonly<Record<string, unknown>>): FloodSummaryRecord {
  const n = (c: string): number => Number(row[c]);
  const t = (c: string): string => String(row[c] ?? '');
  const startMs = n('interval_start_ms');
  const endMs = n('interval_end_ms');
  return {
    schemaVersion: row['schema_version'] === null ? CDR_SCHEMA_VERSION : n('schema_version'),
    type: 'flood-summary',
    node: t('node'),
    sourceAddress: t('source_address'),
    sources: n('sources'),
    transport: t('transport'),
    intervalStart: new Date(startMs).toISOString(),
    intervalStartMs: startMs,
    intervalEnd: new Date(endMs).toISOString(),
    intervalEndMs: endMs,
    requests: n('requests'),
    action: t('action') === 'rejected' ? 'rejected' : 'dropped',
    reason: FLOOD_REASON,
  };
}
