/**
 * The stored CDR row: one column table drives the SQLite and PostgreSQL DDL, the INSERT parameter order and the
 * mapping back to CdrRecord, plus the traceback number keys and the raw fields what-if needs beyond CdrRecord.
 */
import { CDR_SCHEMA_VERSION, toNumberKey, type CdrRawFields, type CdrRecord, type FloodSummaryRecord } from '../screening/index.js';
import type { StoredCdr } from './ports.js';


/** Value kinds: text, integer, boolean (0/1 in SQLite), JSON text. */
type Kind = 't' | 'i' | 'b' | 'j';

/** One queued CDR as shipped to a store worker: `{"r": CdrRecord, "x"?: CdrRawFields}` in one JSON line. */
export interface CdrEnvelope {
  readonly r: CdrRecord;
  readonly x?: CdrRawFields | undefined;
}

/** A flood summary as shipped to the SQLite store worker: `{"r": FloodSummaryRecord}` (kept in its own table). */
export interface FloodEnvelope {
  readonly r: FloodSummaryRecord;
  readonly x?: undefined;
}

/** What the SQLite store worker is sent: screening CDRs and flood summaries (PostgreSQL takes screening CDRs only). */
export type StoreEnvelope = CdrEnvelope | FloodEnvelope;

/** The time that places an envelope in a day file (receipt, or a flood summary's interval start), epoch ms; undefined when malformed. */
export function envelopeMs(e: StoreEnvelope | undefined): number | undefined {
  const r = e?.r as Partial<CdrRecord> | Partial<FloodSummaryRecord> | undefined;
  const ms = r?.type === 'flood-summary' ? r.intervalStartMs : (r as Partial<CdrRecord> | undefined)?.receivedAtMs;
  return typeof ms === 'number' ? ms : undefined;
}

const RECORD_COLUMNS: readonly (readonly [column: string, field: keyof CdrRecord, kind: Kind])[] = [
  ['schema_version', 'schemaVersion', 'i'], ['node', 'node', 't'], ['seq', 'seq', 'i'],
  ['received_at_ms', 'receivedAtMs', 'i'], ['decided_at_ms', 'decidedAtMs', 'i'], ['call_id', 'callId', 't'],
  ['source_address', 'sourceAddress', 't'], ['source_port', 'sourcePort', 'i'], ['transport', 'transport', 't'],
  ['local_address', 'localAddress', 't'], ['local_port', 'localPort', 'i'], ['trunk_id', 'trunkId', 't'],
  ['provider_id', 'providerId', 't'], ['provider_name', 'providerName', 't'], ['provider_rmd_number', 'providerRmdNumber', 't'],
  ['provider_frn', 'providerFrn', 't'], ['from_user', 'fromUser', 't'], ['from_e164', 'fromE164', 't'],
  ['pai_user', 'paiUser', 't'], ['pai_e164', 'paiE164', 't'], ['calling_e164', 'callingE164', 't'],
  ['ruri_user', 'ruriUser', 't'], ['called_e164', 'calledE164', 't'], ['identity_status', 'identityStatus', 't'],
  ['attest', 'attest', 't'], ['origid', 'origid', 't'], ['identity_orig_tn', 'identityOrigTn', 't'],
  ['identity_dest_tn', 'identityDestTn', 'j'], ['identity_iat', 'identityIat', 'i'], ['decision', 'decision', 't'],
  ['would_block', 'wouldBlock', 'b'], ['reason', 'reason', 't'], ['list_entry_id', 'listEntryId', 't'],
  ['list_kind', 'listKind', 't'], ['list_source', 'listSource', 't'], ['rmd_snapshot_id', 'rmdSnapshotId', 't'],
  ['rmd_snapshot_loaded_at', 'rmdSnapshotLoadedAt', 't'], ['rmd_match', 'rmdMatch', 't'], ['sip_status', 'sipStatus', 'i'],
  ['mode', 'mode', 't'], ['config_version', 'configVersion', 't'],
  ['calling_number_list', 'callingNumberList', 't'], ['calling_number_entry', 'callingNumberEntry', 't'],
  ['calling_number_source', 'callingNumberSource', 't'], ['protected_call', 'protectedCall', 't'],
];

/** Columns beyond CdrRecord: traceback keys (digits as integers, see toNumberKey) and the raw what-if fields. */
const EXTRA_COLUMNS: readonly (readonly [column: string, kind: Kind])[] = [
  ['called_key', 'i'], ['calling_key', 'i'], ['from_key', 'i'], ['request_uri', 't'], ['selector_headers', 'j'],
];

/** Every stored column in INSERT order. `received_at`, `type` and `identityVerified` are derived on read. */
export const CDR_COLUMNS: readonly string[] = [...RECORD_COLUMNS.map((c) => c[0]), ...EXTRA_COLUMNS.map((c) => c[0])];

/** Column name → kind, for DDL. */
export const CDR_COLUMN_KINDS: ReadonlyMap<string, Kind> = new Map([
  ...RECORD_COLUMNS.map(([c, , k]) => [c, k] as const),
  ...EXTRA_COLUMNS,
]);

/** Types of the values bound to CDR_COLUMNS (SQLite and pg both accept these). */
export type CdrRowValue = string | number | null;

/**
 * Traceback key of a number: toNumberKey (E.164 digits, so `+1`, `1` and 10-digit NANP forms give the same key) as
 * an integer — E.164 has at most 15 digits and never a leading zero, so it is exact and indexes compactly. Null when not a number.
 */
export function toKeyValue(e164OrDialled: string | null | undefined): number | null {
  if (!e164OrDialled) return null;
  if (E164.test(e164OrDialled)) return Number(e164OrDialled.slice(1));
  const key = toNumberKey(e164OrDialled);
  return key === undefined ? null : Number(key);
}

const E164 = /^\+[1-9]\d{6,14}$/;
const FIELDS = RECORD_COLUMNS.map((c) => c[1]);
const KINDS = RECORD_COLUMNS.map((c) => c[2]);

/** A CDR (and its raw fields) as the values of CDR_COLUMNS, in order. Runs per stored record: plain indexed loop. */
export function toCdrRow(record: CdrRecord, raw?: CdrRawFields): CdrRowValue[] {
  const row: CdrRowValue[] = [];
  for (let i = 0; i < FIELDS.length; i++) row.push(toValue(record[FIELDS[i]!], KINDS[i]!));
  row.push(
    toKeyValue(record.calledE164 ?? record.ruriUser),
    toKeyValue(record.callingE164),
    toKeyValue(record.fromE164 ?? record.fromUser),
    raw?.requestUri ?? null,
    raw?.selectorHeaders ? JSON.stringify(raw.selectorHeaders) : null,
  );
  return row;
}

function toValue(v: unknown, kind: Kind): CdrRowValue {
  if (v === null || v === undefined) return null;
  if (kind === 'b') return v ? 1 : 0;
  if (kind === 'j') return JSON.stringify(v);
  return v as string | number;
}

/** Maps a row read back by column name (SQLite or pg; pg returns bigint as text) to a StoredCdr. */
export function fromCdrRow(row: Readonly<Record<string, unknown>>): StoredCdr {
  const out: Record<string, unknown> = { type: 'screening', identityVerified: false };
  for (const [column, field, kind] of RECORD_COLUMNS) out[field] = fromValue(row[column], kind);
  out['schemaVersion'] ??= CDR_SCHEMA_VERSION;
  out['receivedAt'] = new Date(out['receivedAtMs'] as number).toISOString();
  const headers = fromValue(row['selector_headers'], 'j') as Record<string, string> | null;
  return { record: out as unknown as CdrRecord, requestUri: (row['request_uri'] as string | null | undefined) ?? null, selectorHeaders: headers };
}

function fromValue(v: unknown, kind: Kind): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'i') return Number(v);
  if (kind === 'b') return v === true || v === 1 || v === '1';
  if (kind === 'j') return typeof v === 'string' ? JSON.parse(v) : v;
  return v;
}

/** One CDR (or flood summary) as a spool line (JSON, no newline). */
export function toEnvelopeLine(record: CdrRecord | FloodSummaryRecord, raw?: CdrRawFields): string {
  return raw === undefined ? `{"r":${JSON.stringify(record)}}` : `{"r":${JSON.stringify(record)},"x":${JSON.stringify(raw)}}`;
}

/** Spool lines back to envelopes; lines that do not parse as a CDR are counted, not returned. */
export function parseEnvelopeLines(lines: readonly string[]): { envelopes: CdrEnvelope[]; bad: number } {
  const envelopes: CdrEnvelope[] = [];
  let bad = 0;
  for (const line of lines) {
    try {
      const env = JSON.parse(line) as CdrEnvelope;
      if (typeof env?.r?.receivedAtMs === 'number') envelopes.push(env);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { envelopes, bad };
}

/** Spool lines back to envelopes, flood summaries included (SQLite store); lines that do not parse are counted. */
export function parseStoreEnvelopeLines(lines: readonly string[]): { envelopes: StoreEnvelope[]; bad: number } {
  const envelopes: StoreEnvelope[] = [];
  let bad = 0;
  for (const line of lines) {
    try {
      const env = JSON.parse(line) as StoreEnvelope;
      if (envelopeMs(env) !== undefined) envelopes.push(env);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { envelopes, bad };
}

/** UTC day (`YYYY-MM-DD`) of an epoch-ms instant: the partition a CDR belongs to. */
export function toUtcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
