/**
 * Reads the FCC Robocall Mitigation Database CSV export (text or bytes already read) into an RmdSnapshot and a read
 * report. The real export's header row is unconfirmed (docs/feeds.md "Reading the RMD export"), so columns are found
 * by header name (snake_case, human labels, portal field names) and, for the keys, by content; bad rows are skipped
 * and reported rather than refusing the file (the feed decides whether their share is acceptable). No file system,
 * clock or env access.
 */
import { createHash } from 'node:crypto';
import type { ImplementationClass, RmdFiling, RmdSnapshot } from '../../screening/index.js';
import { forEachCsvRecord } from '../csv.js';
import { dataFileErrorFrom, type DataFileProblem } from '../errors.js';

/**
 * The one alias table: canonical RMD column (the export's snake_case name) → accepted header spellings: the
 * snake_case name, the portal's human label (ServiceNow `column_labels`), and other names seen for the field.
 * Headers match after {@link normaliseRmdHeader}, so `Non-Gateway Intermediate Provider` and
 * `non_gateway_intermediate_provider` are the same spelling.
 */
export const RMD_COLUMN_ALIASES = {
  number: ['number', 'RMD Number', 'rmd_number', 'RMD #', 'RMD ID', 'rmd_id'],
  filing_url: ['filing_url', 'Filing URL'],
  frn: ['frn', 'FCC Registration Number (FRN)', 'FCC Registration Number', 'frn_str'],
  business_name: ['business_name', 'Business Name', 'company_name', 'Company Name'],
  business_address: ['business_address', 'Business Address'],
  foreign_voice_provider: ['foreign_voice_provider', 'Foreign Voice Service Provider', 'Foreign Voice Provider'],
  country: ['country', 'Country'],
  other_frns: ['other_frns', 'Other FRNs'],
  other_dba_names: ['other_dba_names', 'Other DBA Name(s)', 'Other DBA Names'],
  previous_dba_names: ['previous_dba_names', 'Previous Business Names', 'Previous DBA Names'],
  robocall_mitigation_contact_name: ['robocall_mitigation_contact_name', 'Robocall Mitigation Contact Name', 'contact_name'],
  contact_title: ['contact_title', 'Contact Title'],
  contact_department: ['contact_department', 'Contact Department'],
  contact_business_address: ['contact_business_address', 'Contact Business Address'],
  contact_country: ['contact_country', 'Contact Country'],
  contact_telephone_number: ['contact_telephone_number', 'Contact Telephone Number'],
  contact_phone_extension: ['contact_phone_extension', 'Contact Phone Extension'],
  contact_email: ['contact_email', 'Contact Email', 'Contact E-mail', 'Contact Email Address', 'robocall_mitigation_contact_email'],
  ocn: ['ocn', 'OCN', 'Operating Company Number', 'Operating Company Number (OCN)'],
  implementation: ['implementation', 'Implementation'],
  voice_service_provider_choice: ['voice_service_provider_choice', 'Voice Service Provider'],
  gateway_provider_choice: ['gateway_provider_choice', 'Gateway Provider'],
  intermediate_provider_choice: ['intermediate_provider_choice', 'Non-Gateway Intermediate Provider', 'Intermediate Provider'],
  status: ['status', 'Status', 'filing_status', 'Filing Status'],
  last_updated: ['last_updated', 'Last Updated'],
  last_recertified: ['last_recertified', 'Last Recertified', 'Last Recertification Date'],
} as const satisfies Record<string, readonly string[]>;

/** A canonical RMD column name. */
export type RmdColumn = keyof typeof RMD_COLUMN_ALIASES;

/**
 * How header cells are compared: lower-cased, every run of characters other than letters and digits (spaces,
 * underscores, hyphens, parentheses, `#`) made one space, trimmed. `Other DBA Name(s)` → `other dba name s`.
 */
export function normaliseRmdHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** Normalised header spelling → canonical column. */
export const RMD_HEADER_LOOKUP: ReadonlyMap<string, RmdColumn> = new Map(
  (Object.entries(RMD_COLUMN_ALIASES) as [RmdColumn, readonly string[]][]).flatMap(([column, spellings]) =>
    spellings.map((s) => [normaliseRmdHeader(s), column] as const),
  ),
);

/**
 * Statuses of a filing that is in force (the public list is filtered `status=Published`, domain.md §1.1), and the
 * statuses known not to be. Any other non-blank value is a bad row (skipped, counted, in the sample): a renamed
 * status vocabulary then trips the bad-row guard instead of silently emptying (or filling) the RMD. A blank status
 * counts as in force (the public export lists published filings only).
 */
export const RMD_IN_FORCE_STATUSES: ReadonlySet<string> = new Set(['published']);
export const RMD_NOT_IN_FORCE_STATUSES: ReadonlySet<string> = new Set([
  'draft', 'submitted', 'pending', 'in review', 'under review', 'removed', 'withdrawn', 'rejected', 'deleted', 'inactive',
  'retired', 'expired', 'cancelled', 'canceled', 'superseded', 'archived', 'revoked',
]);

/** Data records looked at to find a key column by content. */
const CONTENT_PROBE_ROWS = 50;
/** Share of a probed column's non-blank cells that must look like the key for the column to be taken. */
const CONTENT_MATCH_SHARE = 0.9;
/** Bad rows kept (with line and reason) in the read report; all are counted. */
export const BAD_ROW_SAMPLE_SIZE = 5;

/** How filings are keyed: by RMD number when the export has one, else by FRN. */
export type RmdKeying = 'rmd-number' | 'frn';

/** What reading one export found, besides the filings: how columns were resolved, and what was skipped. */
export interface RmdReadReport {
  /** Non-blank data records read. */
  readonly dataRows: number;
  /** Records skipped as malformed (bad key, unknown status, more cells than the header). */
  readonly badRows: number;
  /** The first {@link BAD_ROW_SAMPLE_SIZE} bad rows: physical line and reason (cell values are not echoed). */
  readonly badRowSample: readonly DataFileProblem[];
  /** Records skipped because their `status` says the filing is not in force (e.g. `Draft`, `Removed`). */
  readonly notInForce: number;
  readonly keyedBy: RmdKeying;
  /** Canonical columns resolved, each with the header cell it came from (as written). */
  readonly columns: Readonly<Partial<Record<RmdColumn, string>>>;
  /** Canonical columns found by their content because no header named them. */
  readonly byContent: readonly RmdColumn[];
  /** Header cells no alias matched (ignored; listed so a new field in the export is noticed). */
  readonly ignoredHeaders: readonly string[];
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

function cell(fields: readonly string[], index: number | undefined): string {
  return index === undefined ? '' : (fields[index] ?? '').trim();
}

function dateCell(fields: readonly string[], index: number | undefined, ctx: { readonly dates: Map<string, string> }): string {
  const raw = cell(fields, index);
  let iso = ctx.dates.get(raw);
  if (iso === undefined) ctx.dates.set(raw, (iso = toIsoDate(raw)));
  return iso;
}

/** Per-file state while converting rows. Dates repeat a lot, so their conversions are memoised per file. */
interface RowContext {
  readonly file: string;
  readonly col: ColumnIndex;
  readonly keyedBy: RmdKeying;
  readonly headerCells: number;
  /** Physical line of a record's start offset in the text. */
  readonly lineOf: (start: number) => number;
  readonly dates: Map<string, string>;
  badRows: number;
  readonly badRowSample: DataFileProblem[];
  notInForce: number;
}

function badRow(ctx: RowContext, start: number, column: string | undefined, message: string): undefined {
  ctx.badRows++;
  if (ctx.badRowSample.length < BAD_ROW_SAMPLE_SIZE) ctx.badRowSample.push({ file: ctx.file, line: ctx.lineOf(start), column, message });
  return undefined;
}

/** More non-blank cells than the header has: a stray separator shifted the cells, so no cell can be trusted. */
function overlong(fields: readonly string[], headerCells: number): boolean {
  for (let i = headerCells; i < fields.length; i++) if ((fields[i] ?? '').trim() !== '') return true;
  return false;
}

/** A status cell's verdict: in force, not in force (skipped quietly), or unknown (a bad row). */
function statusOf(raw: string): 'in-force' | 'not-in-force' | 'unknown' {
  if (raw === '') return 'in-force';
  const s = raw.toLowerCase().replace(/\s+/g, ' ');
  if (RMD_IN_FORCE_STATUSES.has(s)) return 'in-force';
  return RMD_NOT_IN_FORCE_STATUSES.has(s) ? 'not-in-force' : 'unknown';
}

/**
 * Converts one data record; returns undefined for a skipped row (counted in ctx: a bad row, or a filing whose status
 * says it is not in force).
 */
function toFiling(fields: readonly string[], start: number, ctx: RowContext): RmdFiling | undefined {
  const { col } = ctx;
  if (fields.length > ctx.headerCells && overlong(fields, ctx.headerCells)) {
    return badRow(ctx, start, undefined, `row has ${fields.length} cells, the header ${ctx.headerCells} (a stray separator shifts the cells)`);
  }
  if (col.status !== undefined) {
    const status = statusOf(cell(fields, col.status));
    if (status === 'unknown') return badRow(ctx, start, 'status', 'status is not a known filing status (in force: Published)');
    if (status === 'not-in-force') {
      ctx.notInForce++;
      return undefined;
    }
  }
  const rmdNumber = cell(fields, col.number).toUpperCase();
  if (ctx.keyedBy === 'rmd-number' && !RMD_NUMBER.test(rmdNumber)) return badRow(ctx, start, 'number', 'number is not RMD followed by 7 digits');
  const frn = normaliseFrn(cell(fields, col.frn));
  if (ctx.keyedBy === 'frn' && frn === '') return badRow(ctx, start, 'frn', 'frn is not an FRN of up to 10 digits (the filings are keyed by FRN)');
  const implementationText = cell(fields, col.implementation);
  const filing: { -readonly [K in keyof RmdFiling]: RmdFiling[K] } = {
    rmdNumber: ctx.keyedBy === 'rmd-number' ? rmdNumber : '',
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
  // Optional fields only when the export has the column: the common export allocates nothing for them.
  if (col.last_recertified === undefined) filing.recertificationUnknown = true;
  if (col.contact_email !== undefined) filing.contactEmail = cell(fields, col.contact_email);
  if (col.ocn !== undefined) filing.ocn = cell(fields, col.ocn);
  return filing;
}

/**
 * The key a filing has in `byRmdNumber`: its RMD number, or `frn:<FRN>` for a filing from an export without RMD
 * numbers (such a key never equals an RMD number, so lookups by RMD number stay exact).
 */
export function rmdFilingKey(f: Pick<RmdFiling, 'rmdNumber' | 'frn'>): string {
  return f.rmdNumber !== '' ? f.rmdNumber : `frn:${f.frn}`;
}

/**
 * The FRN index of a snapshot: main FRNs first, then other FRNs; on any collision the filing met first keeps the key.
 * (The live refresh builds the same index as typed arrays in its worker: filing-index.ts.)
 */
function indexByFrn(filings: Iterable<RmdFiling>): Map<string, RmdFiling> {
  const byFrn = new Map<string, RmdFiling>();
  const all = [...filings];
  for (const f of all) if (f.frn !== '' && !byFrn.has(f.frn)) byFrn.set(f.frn, f);
  for (const f of all) for (const other of f.otherFrns) if (!byFrn.has(other)) byFrn.set(other, f);
  return byFrn;
}

type ColumnIndex = Partial<Record<RmdColumn, number>>;

/** Maps header cells to canonical columns (first occurrence wins); returns the unmatched cell positions too. */
function columnsByHeader(header: readonly string[]): { col: ColumnIndex; unmatched: number[] } {
  const col: ColumnIndex = {};
  const unmatched: number[] = [];
  header.forEach((text, i) => {
    const column = RMD_HEADER_LOOKUP.get(normaliseRmdHeader(text));
    if (column === undefined) unmatched.push(i);
    else if (col[column] === undefined) col[column] = i;
  });
  return { col, unmatched };
}

/** Content rules for the key columns: an RMD number, and an FRN (`00` + 8 digits: a NANP phone number never starts with 0). */
const CONTENT_RULES: readonly (readonly [RmdColumn, RegExp])[] = [
  ['number', /^RMD\d{7}$/i],
  ['frn', /^00\d{8}$/],
];

/** Fills unresolved key columns from unmatched cells whose probed values look like the key; returns what it found. */
function columnsByContent(col: ColumnIndex, unmatched: number[], probe: readonly (readonly string[])[]): RmdColumn[] {
  const found: RmdColumn[] = [];
  for (const [column, pattern] of CONTENT_RULES) {
    if (col[column] !== undefined) continue;
    const hit = unmatched.find((i) => {
      let filled = 0;
      let matching = 0;
      for (const record of probe) {
        const v = (record[i] ?? '').trim();
        if (v === '') continue;
        filled++;
        if (pattern.test(v)) matching++;
      }
      return filled > 0 && matching >= filled * CONTENT_MATCH_SHARE;
    });
    if (hit === undefined) continue;
    col[column] = hit;
    unmatched.splice(unmatched.indexOf(hit), 1);
    found.push(column);
  }
  return found;
}

/** Throws ERR_DATA_COLUMNS unless the columns allow keying filings (RMD number or FRN) and naming them. */
function requireMinimum(col: ColumnIndex, header: readonly string[], file: string, headerLine: () => number): RmdKeying {
  const problems: DataFileProblem[] = [];
  const line = col.business_name === undefined || (col.number === undefined && col.frn === undefined) ? headerLine() : 0; // errors only: a second read
  const accepted = (c: RmdColumn): string => RMD_COLUMN_ALIASES[c].map((s) => JSON.stringify(s)).join(', ');
  if (col.number === undefined && col.frn === undefined) {
    const message = `no column to key filings by: neither number (headers ${accepted('number')}; or a column of RMD + 7 digits) nor frn (headers ${accepted('frn')}; or a column of 10-digit FRNs)`;
    problems.push({ file, line, column: 'number', message });
  }
  if (col.business_name === undefined) problems.push({ file, line, column: 'business_name', message: `missing column business_name (accepted headers: ${accepted('business_name')})` });
  if (problems.length === 0) return col.number !== undefined ? 'rmd-number' : 'frn';
  // The header cells are not echoed: the path may name any file, and its first line is not ours to print.
  const found = header.length === 0 ? 'no header line' : `a header line of ${header.length} cell(s), too few of them usable`;
  const missing = problems.map((p) => p.column).join(', ');
  throw dataFileErrorFrom('ERR_DATA_COLUMNS', file, `missing required RMD column(s) ${missing}: ${found}`, problems);
}

/**
 * The physical 1-based line of a text offset (BOM-less offsets, as forEachCsvRecord gives them), counting `\r\n`,
 * `\r` and `\n`. Asked only for bad rows and errors, in increasing order, so it scans the text at most once.
 */
function physicalLines(text: string): (offset: number) => number {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let pos = 0;
  let line = 1;
  return (offset) => {
    const end = offset + bom;
    if (end < pos) {
      pos = 0;
      line = 1;
    }
    for (; pos < end; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 10 || (c === 13 && text.charCodeAt(pos + 1) !== 10)) line++;
    }
    return line;
  };
}

/** Options for {@link parseRmdCsv}. */
export interface ParseRmdOptions {
  /** Path or URL the bytes came from; named in errors and recorded as the snapshot source. */
  readonly source: string;
  /** When the data was loaded/fetched, epoch ms. */
  readonly loadedAt: number;
  /**
   * Called with the number of data rows read so far and an estimate of the file's rows (from the share of the text
   * read), for progress on a terminal; must be cheap.
   */
  readonly onProgress?: ((rows: number, estimatedRows: number) => void) | undefined;
}

/**
 * Reads an RMD CSV export into a snapshot and a read report.
 *
 * Columns are found by header name ({@link RMD_COLUMN_ALIASES}, compared after {@link normaliseRmdHeader}); an RMD
 * number or FRN column no header names is found by content (the first {@link CONTENT_PROBE_ROWS} rows). The export
 * needs a business name column and a key: RMD numbers, else FRNs (filings are then keyed `frn:<FRN>`, see
 * {@link rmdFilingKey}). Bad rows are skipped and counted in the report, with a sample; rows whose `status` is not in
 * force are skipped. Blank rows are skipped; a repeated key replaces the earlier row. `rows` counts distinct filings.
 * @throws DataFileError ERR_DATA_PARSE (CSV syntax), ERR_DATA_COLUMNS (no key or name column).
 */
export function readRmdCsv(text: string | Buffer, opts: ParseRmdOptions): { snapshot: RmdSnapshot; report: RmdReadReport } {
  const file = opts.source;
  const byKey = new Map<string, RmdFiling>();
  const str = typeof text === 'string' ? text : text.toString('utf8');
  const lineOf = physicalLines(str);
  let header: readonly string[] | undefined;
  let resolved: { col: ColumnIndex; unmatched: number[] } | undefined;
  let probe: { record: readonly string[]; start: number }[] | undefined;
  let ctx: RowContext | undefined;
  let byContent: RmdColumn[] = [];
  let dataRows = 0;
  let headerStart = 0;
  const take = (record: readonly string[], at: number, c: RowContext): void => {
    const filing = toFiling(record, at, c);
    if (filing === undefined) return;
    const key = rmdFilingKey(filing);
    byKey.delete(key);
    byKey.set(key, filing);
  };
  const begin = (): RowContext => {
    const { col, unmatched } = resolved!;
    byContent = columnsByContent(col, unmatched, (probe ?? []).map((p) => p.record));
    const keyedBy = requireMinimum(col, header!, file, () => lineOf(headerStart));
    const c: RowContext = { file, col, keyedBy, headerCells: header!.length, lineOf, dates: new Map(), badRows: 0, badRowSample: [], notInForce: 0 };
    for (const p of probe ?? []) take(p.record, p.start, c);
    probe = undefined;
    return c;
  };
  forEachCsvRecord(str, file, (record, index, at) => {
    if (header === undefined) {
      headerStart = at;
      header = [...record];
      resolved = columnsByHeader(header);
      // A key column no header names: look at the first rows before converting any.
      const needsProbe = (resolved.col.number === undefined || resolved.col.frn === undefined) && resolved.unmatched.length > 0;
      if (needsProbe) probe = [];
      else ctx = begin();
      return;
    }
    dataRows++;
    opts.onProgress?.(index, at > 0 ? Math.round((index * str.length) / at) : index);
    if (ctx !== undefined) return take(record, at, ctx);
    probe!.push({ record: [...record], start: at });
    if (probe!.length >= CONTENT_PROBE_ROWS) ctx = begin();
  });
  if (header === undefined) requireMinimum({}, [], file, () => 1); // no header row at all: throws
  ctx ??= begin();
  const columns: Partial<Record<RmdColumn, string>> = {};
  for (const [column, i] of Object.entries(ctx.col) as [RmdColumn, number][]) columns[column] = header![i] ?? '';
  return {
    snapshot: {
      id: createHash('sha256').update(text).digest('hex').slice(0, 16),
      source: file,
      loadedAt: opts.loadedAt,
      rows: byKey.size,
      byRmdNumber: byKey,
      byFrn: indexByFrn(byKey.values()),
    },
    report: {
      dataRows,
      badRows: ctx.badRows,
      badRowSample: ctx.badRowSample,
      notInForce: ctx.notInForce,
      keyedBy: ctx.keyedBy,
      columns,
      byContent,
      ignoredHeaders: resolved!.unmatched.map((i) => header![i] ?? '').filter((h) => h.trim() !== ''),
    },
  };
}

/** {@link readRmdCsv}'s snapshot (bad rows skipped; the report is dropped). */
export function parseRmdCsv(text: string | Buffer, opts: ParseRmdOptions): RmdSnapshot {
  return readRmdCsv(text, opts).snapshot;
}

/** The loggable summary of a snapshot. */
export function describeRmdSnapshot(s: RmdSnapshot): { id: string; source: string; rows: number; loadedAt: number } {
  return { id: s.id, source: s.source, rows: s.rows, loadedAt: s.loadedAt };
}
