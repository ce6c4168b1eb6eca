/**
 * Parses the FCC Robocall Mitigation Database CSV export (text or bytes already read) into an RmdSnapshot. No file
 * system, clock or env access.
 */
import { createHash } from 'node:crypto';
import type { ImplementationClass, RmdFiling, RmdSnapshot } from '../../screening/index.js';
import { forEachCsvRecord, readCsvRecords, type CsvRecords } from '../csv.js';
import { dataFileErrorFrom, type DataFileProblem } from '../errors.js';

/**
 * The one alias table: canonical RMD column (the export's snake_case name) → accepted header spellings.
 * Headers match after lower-casing and collapsing runs of whitespace/underscores to one space.
 */
export const RMD_COLUMN_ALIASES = {
  number: ['number', 'RMD Number', 'rmd_number'],
  filing_url: ['filing_url', 'Filing URL'],
  frn: ['frn', 'FCC Registration Number (FRN)', 'FCC Registration Number'],
  business_name: ['business_name', 'Business Name'],
  business_address: ['business_address', 'Business Address'],
  foreign_voice_provider: ['foreign_voice_provider', 'Foreign Voice Service Provider', 'Foreign Voice Provider'],
  country: ['country', 'Country'],
  other_frns: ['other_frns', 'Other FRNs'],
  other_dba_names: ['other_dba_names', 'Other DBA Name(s)', 'Other DBA Names'],
  previous_dba_names: ['previous_dba_names', 'Previous Business Names', 'Previous DBA Names'],
  robocall_mitigation_contact_name: ['robocall_mitigation_contact_name', 'Robocall Mitigation Contact Name'],
  contact_title: ['contact_title', 'Contact Title'],
  contact_department: ['contact_department', 'Contact Department'],
  contact_business_address: ['contact_business_address', 'Contact Business Address'],
  contact_country: ['contact_country', 'Contact Country'],
  contact_telephone_number: ['contact_telephone_number', 'Contact Telephone Number'],
  contact_phone_extension: ['contact_phone_extension', 'Contact Phone Extension'],
  implementation: ['implementation', 'Implementation'],
  voice_service_provider_choice: ['voice_service_provider_choice', 'Voice Service Provider'],
  gateway_provider_choice: ['gateway_provider_choice', 'Gateway Provider'],
  intermediate_provider_choice: ['intermediate_provider_choice', 'Non-Gateway Intermediate Provider'],
  last_updated: ['last_updated', 'Last Updated'],
  last_recertified: ['last_recertified', 'Last Recertified'],
} as const satisfies Record<string, readonly string[]>;

/** A canonical RMD column name. */
export type RmdColumn = keyof typeof RMD_COLUMN_ALIASES;

const REQUIRED_COLUMNS: readonly RmdColumn[] = ['number', 'frn', 'business_name'];

function normaliseHeader(header: string): string {
  return header.trim().toLowerCase().replace(/[\s_]+/g, ' ');
}

const HEADER_LOOKUP: ReadonlyMap<string, RmdColumn> = new Map(
  (Object.entries(RMD_COLUMN_ALIASES) as [RmdColumn, readonly string[]][]).flatMap(([column, spellings]) =>
    spellings.map((s) => [normaliseHeader(s), column] as const),
  ),
);

type ColumnIndex = Partial<Record<RmdColumn, number>>;

/** Maps header cells to positions (first occurrence wins); throws ERR_DATA_COLUMNS if a required column is missing. */
function resolveColumns(header: readonly string[], file: string, headerLine: () => number): ColumnIndex {
  const index: ColumnIndex = {};
  header.forEach((cell, i) => {
    const column = HEADER_LOOKUP.get(normaliseHeader(cell));
    if (column !== undefined && index[column] === undefined) index[column] = i;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length === 0) return index;
  // The header cells are not echoed: the path may name any file, and its first line is not ours to print.
  const found = header.length === 0 ? 'no header line' : `a header line of ${header.length} cell(s), none of them an accepted name`;
  const line = headerLine();
  const problems = missing.map((column) => {
    const accepted = RMD_COLUMN_ALIASES[column].map((s) => JSON.stringify(s)).join(', ');
    return { file, line, column, message: `missing column ${column} (accepted headers: ${accepted})` };
  });
  const summary = `missing required RMD column(s) ${missing.join(', ')}: ${found}`;
  throw dataFileErrorFrom('ERR_DATA_COLUMNS', file, summary, problems);
}

const RMD_NUMBER = /^RMD\d{7}$/;

/** Normalises an FRN: spaces/hyphens dropped, 1–10 digits left-padded to 10; anything else (or blank) → ''. */
function normaliseFrn(raw: string): string {
  const compact = raw.replace(/[\s-]/g, '');
  return /^\d{1,10}$/.test(compact) ? compact.padStart(10, '0') : '';
}

/** Every digit run of 1–10 digits, padded to 10, deduplicated, without the filing's main FRN. */
function extractFrns(raw: string, mainFrn: string): string[] {
  const out = new Set<string>();
  for (const run of raw.match(/\d+/g) ?? []) {
    if (run.length <= 10) out.add(run.padStart(10, '0'));
  }
  out.delete(mainFrn);
  return [...out];
}

const NO_NAME = new Set(['none', 'n/a']);
/** A fragment that is only a corporate suffix belongs to the name before it (`Acme, LLC`). */
const SUFFIX_ONLY =
  /^(?:l\.?l\.?c\.?|inc\.?|incorporated|corp\.?|corporation|co\.?|company|ltd\.?|limited|l\.?l\.?p\.?|l\.?p\.?|pllc|plc)$/i;

const NAME_SEPARATORS = /[;,\r\n]/;
const SPACE_RUN = /\s{2,}|[^\S ]/;

/** Trims and collapses whitespace runs to one space (skipping the regex replace when there are none). */
function tidyName(raw: string): string {
  const t = raw.trim();
  return SPACE_RUN.test(t) ? t.replace(/\s+/g, ' ') : t;
}

/** Splits one DBA/previous-name cell on `;`, `,` and newlines, re-attaching bare suffixes; drops `None`, `N/A`. */
function splitNameCell(cell: string, into: string[]): void {
  if (cell === '') return;
  if (!NAME_SEPARATORS.test(cell)) {
    // the common case: one name (or `None`)
    const name = tidyName(cell);
    if (name !== '' && !NO_NAME.has(name.toLowerCase())) into.push(name);
    return;
  }
  const parts: string[] = [];
  for (const raw of cell.split(NAME_SEPARATORS)) {
    const part = tidyName(raw);
    if (part === '') continue;
    const last = parts.length - 1;
    if (last >= 0 && SUFFIX_ONLY.test(part)) parts[last] = `${parts[last] ?? ''}, ${part}`;
    else parts.push(part);
  }
  for (const p of parts) if (!NO_NAME.has(p.toLowerCase())) into.push(p);
}

/** All names from the two cells, first spelling kept when names repeat case-insensitively. */
function splitNames(first: string, second: string): string[] {
  const names: string[] = [];
  splitNameCell(first, names);
  splitNameCell(second, names);
  if (names.length < 2) return names;
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  return [...byKey.values()];
}

function classifyImplementation(text: string): ImplementationClass {
  const t = text.toLowerCase();
  if (t.startsWith('complete')) return 'complete';
  if (t.startsWith('partial')) return 'partial';
  if (t.startsWith('no ')) return 'none';
  return 'unknown';
}

/** `Yes`/`No` (also Y/N, true/false) → boolean; blank or anything else → null. */
function yesNo(text: string): boolean | null {
  const t = text.toLowerCase();
  if (t === 'yes' || t === 'y' || t === 'true') return true;
  if (t === 'no' || t === 'n' || t === 'false') return false;
  return null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or `MM/DD/YYYY` → `YYYY-MM-DD`; blank or not a calendar date → ''. */
function toIsoDate(text: string): string {
  const iso = ISO_DATE.exec(text);
  const us = iso === null ? US_DATE.exec(text) : null;
  const parts = iso !== null ? [iso[1], iso[2], iso[3]] : us !== null ? [us[3], us[1], us[2]] : [];
  const [y, m, d] = parts.map(Number);
  if (y === undefined || m === undefined || d === undefined) return '';
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return '';
  return date.toISOString().slice(0, 10);
}

/** Per-file state while converting rows. Dates repeat a lot, so their conversions are memoised per file. */
interface RowContext {
  readonly file: string;
  readonly col: ColumnIndex;
  readonly lineOf: (index: number) => number;
  readonly problems: DataFileProblem[];
  readonly dates: Map<string, string>;
}

function cell(fields: readonly string[], index: number | undefined): string {
  return index === undefined ? '' : (fields[index] ?? '').trim();
}

function dateCell(fields: readonly string[], index: number | undefined, ctx: RowContext): string {
  const raw = cell(fields, index);
  let iso = ctx.dates.get(raw);
  if (iso === undefined) ctx.dates.set(raw, (iso = toIsoDate(raw)));
  return iso;
}

/** Converts one data record; records a problem and returns undefined when `number` is not `RMD` + 7 digits. */
function toFiling(fields: readonly string[], index: number, ctx: RowContext): RmdFiling | undefined {
  const { col } = ctx;
  const rawNumber = cell(fields, col.number);
  const rmdNumber = rawNumber.toUpperCase();
  if (!RMD_NUMBER.test(rmdNumber)) {
    const message = 'number is not RMD followed by 7 digits';
    ctx.problems.push({ file: ctx.file, line: ctx.lineOf(index), column: 'number', message });
    return undefined;
  }
  const frn = normaliseFrn(cell(fields, col.frn));
  const implementationText = cell(fields, col.implementation);
  return {
    rmdNumber,
    frn,
    otherFrns: extractFrns(cell(fields, col.other_frns), frn),
    businessName: tidyName(cell(fields, col.business_name)),
    otherNames: splitNames(cell(fields, col.other_dba_names), cell(fields, col.previous_dba_names)),
    implementation: classifyImplementation(implementationText),
    implementationText,
    roles: {
      voiceServiceProvider: yesNo(cell(fields, col.voice_service_provider_choice)) === true,
      gateway: yesNo(cell(fields, col.gateway_provider_choice)) === true,
      intermediate: yesNo(cell(fields, col.intermediate_provider_choice)) === true,
    },
    foreign: yesNo(cell(fields, col.foreign_voice_provider)),
    lastRecertified: dateCell(fields, col.last_recertified, ctx),
    lastUpdated: dateCell(fields, col.last_updated, ctx),
    contactName: cell(fields, col.robocall_mitigation_contact_name),
    contactPhone: cell(fields, col.contact_telephone_number),
    filingUrl: cell(fields, col.filing_url),
  };
}

/**
 * The FRN index of a snapshot: main FRNs first, then other FRNs; on any collision the filing met first keeps the key.
 * (The live refresh builds the same index as typed arrays in its worker: filing-index.ts.)
 */
function indexByFrn(filings: readonly RmdFiling[]): Map<string, RmdFiling> {
  const byFrn = new Map<string, RmdFiling>();
  for (const f of filings) if (f.frn !== '' && !byFrn.has(f.frn)) byFrn.set(f.frn, f);
  for (const f of filings) for (const other of f.otherFrns) if (!byFrn.has(other)) byFrn.set(other, f);
  return byFrn;
}

/** Options for {@link parseRmdCsv}. */
export interface ParseRmdOptions {
  /** Path or URL the bytes came from; named in errors and recorded as the snapshot source. */
  readonly source: string;
  /** When the data was loaded/fetched, epoch ms. */
  readonly loadedAt: number;
  /** Called with the number of data rows read so far (progress on a terminal); must be cheap. */
  readonly onProgress?: ((rows: number) => void) | undefined;
}

/**
 * Parses an RMD CSV export into a snapshot. Columns are found by header name (snake_case or portal labels, see
 * {@link RMD_COLUMN_ALIASES}); `number`, `frn` and `business_name` are required. Blank rows are skipped; a duplicate
 * RMD number replaces the earlier row. `rows` counts distinct filings.
 * @throws DataFileError ERR_DATA_PARSE (CSV syntax), ERR_DATA_COLUMNS (required column missing), ERR_DATA_ROW (bad RMD number).
 */
export function parseRmdCsv(text: string | Buffer, opts: ParseRmdOptions): RmdSnapshot {
  const file = opts.source;
  const byRmdNumber = new Map<string, RmdFiling>();
  let located: CsvRecords | undefined;
  const lineOf = (index: number): number => (located ??= readCsvRecords(text, file)).lineOf(index); // errors only
  let ctx: RowContext | undefined;
  forEachCsvRecord(text, file, (record, i) => {
    if (ctx === undefined) {
      ctx = { file, col: resolveColumns(record, file, () => lineOf(0)), lineOf, problems: [], dates: new Map() };
      return;
    }
    opts.onProgress?.(i);
    const filing = toFiling(record, i, ctx);
    if (filing === undefined) return;
    byRmdNumber.delete(filing.rmdNumber);
    byRmdNumber.set(filing.rmdNumber, filing);
  });
  if (ctx === undefined) resolveColumns([], file, () => 1); // no header row at all
  if (ctx !== undefined && ctx.problems.length > 0) {
    throw dataFileErrorFrom('ERR_DATA_ROW', file, `${ctx.problems.length} invalid RMD row(s)`, ctx.problems);
  }
  return {
    id: createHash('sha256').update(text).digest('hex').slice(0, 16),
    source: file,
    loadedAt: opts.loadedAt,
    rows: byRmdNumber.size,
    byRmdNumber,
    byFrn: indexByFrn([...byRmdNumber.values()]),
  };
}

/** The loggable summary of a snapshot. */
export function describeRmdSnapshot(s: RmdSnapshot): { id: string; source: string; rows: number; loadedAt: number } {
  return { id: s.id, source: s.source, rows: s.rows, loadedAt: s.loadedAt };
}
