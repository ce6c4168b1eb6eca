/**
 * Parses a designation/blocklist file (YAML or CSV text already read) into validated BlocklistEntry values.
 * ADAPTER: no file system, clock or env access; every problem in the file is reported at once.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { type BlocklistEntry, LIST_KINDS, type ListKind } from '../../screening/index.js';
import { readCsvRecords } from '../csv.js';
import { dataFileErrorFrom, type DataFileProblem } from '../errors.js';

/** Options for {@link parseBlocklist}. */
export interface ParseBlocklistOptions {
  /** Path shown in problems, e.g. `lists/k4.yaml`. */
  readonly file: string;
  /** List name; prefixes every entry id. */
  readonly list: string;
  readonly format: 'yaml' | 'csv';
  /** Kind for entries that name none (after the YAML file-level `kind`). */
  readonly defaultKind?: ListKind | undefined;
}

/** Field names of one entry, as written in YAML (CSV headers map onto them case-insensitively, `_` ignored). */
const ENTRY_FIELDS = ['id', 'kind', 'rmdNumber', 'frn', 'name', 'source', 'effective', 'expires', 'note'] as const;
type EntryField = (typeof ENTRY_FIELDS)[number];
const FILE_FIELDS = ['kind', 'source', 'entries'] as const;

/** One field value as found: text, the line it is on and the key/header as written. */
interface RawValue {
  readonly value: string;
  readonly line: number;
  readonly label: string;
}

/** An entry before validation, whichever format it came from. */
interface RawEntry {
  /** Where the entry starts (1-based). */
  readonly line: number;
  /** Location prefix for messages: `entries[3]` or `row 3`. */
  readonly where: string;
  readonly values: Partial<Record<EntryField, RawValue>>;
  /** Fields present but unusable (already reported), so they are not reported again as missing. */
  readonly malformed?: ReadonlySet<EntryField> | undefined;
}

/** File-wide state while validating. */
interface Ctx {
  readonly opts: ParseBlocklistOptions;
  readonly problems: DataFileProblem[];
  /** File-level defaults (YAML only), set once the top level is read. */
  defaultKind?: RawValue | undefined;
  defaultSource?: RawValue | undefined;
  readonly ids: Map<string, number>;
}

const RMD_NUMBER = /^RMD\d{7}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` that is a real calendar date → UTC midnight epoch ms; otherwise undefined. */
function utcMidnight(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const date = new Date(ms);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? ms : undefined;
}

function isListKind(text: string): text is ListKind {
  return (LIST_KINDS as readonly string[]).includes(text);
}

/** True when the field was given, even if its value was malformed. */
function given(raw: RawEntry, field: EntryField): boolean {
  return raw.values[field] !== undefined || raw.malformed?.has(field) === true;
}

/** Records a problem located at `at` (a field, or the entry itself). */
function report(ctx: Ctx, raw: RawEntry, at: RawValue | undefined, message: string): void {
  const where = at === undefined ? raw.where : `${raw.where}: ${at.label}`;
  ctx.problems.push({ file: ctx.opts.file, line: at?.line ?? raw.line, column: at?.label, message: `${where}: ${message}` });
}

/** Entry kind, else the file-level kind (validated once, at the top), else the caller's default. */
function resolveKind(raw: RawEntry, ctx: Ctx): ListKind | undefined {
  const own = raw.values.kind;
  if (own !== undefined) {
    if (isListKind(own.value)) return own.value;
    report(ctx, raw, own, `not one of ${LIST_KINDS.join(', ')}`);
    return undefined;
  }
  const fallback = ctx.defaultKind?.value ?? ctx.opts.defaultKind;
  if (fallback !== undefined) return isListKind(fallback) ? fallback : undefined;
  if (given(raw, 'kind')) return undefined;
  report(ctx, raw, undefined, `kind missing (no entry kind, file kind or default; one of ${LIST_KINDS.join(', ')})`);
  return undefined;
}

/** The three keys: at least one, each well-formed. */
function resolveKeys(raw: RawEntry, ctx: Ctx): Pick<BlocklistEntry, 'rmdNumber' | 'frn' | 'name'> {
  const { rmdNumber: rmd, frn: frnValue, name: nameValue } = raw.values;
  if (!given(raw, 'rmdNumber') && !given(raw, 'frn') && !given(raw, 'name')) {
    report(ctx, raw, undefined, 'needs at least one of rmdNumber, frn, name');
    return {};
  }
  const rmdNumber = rmd?.value.toUpperCase();
  if (rmd !== undefined && !RMD_NUMBER.test(rmdNumber ?? '')) {
    report(ctx, raw, rmd, 'not RMD followed by 7 digits');
  }
  if (frnValue !== undefined && !/^\d{1,10}$/.test(frnValue.value)) {
    report(ctx, raw, frnValue, 'not an FRN (1–10 digits)');
  }
  return { rmdNumber, frn: frnValue?.value.padStart(10, '0'), name: nameValue?.value };
}

/** `effective` (required) and `expires` (optional, after effective) → epoch ms. */
function resolveDates(raw: RawEntry, ctx: Ctx): { effectiveAt?: number; expiresAt?: number } {
  const { effective, expires } = raw.values;
  const effectiveAt = effective === undefined ? undefined : utcMidnight(effective.value);
  if (effective === undefined) {
    if (!given(raw, 'effective')) report(ctx, raw, undefined, 'effective missing (YYYY-MM-DD)');
  } else if (effectiveAt === undefined) report(ctx, raw, effective, 'not a valid date YYYY-MM-DD');
  if (expires === undefined) return effectiveAt === undefined ? {} : { effectiveAt };
  const expiresAt = utcMidnight(expires.value);
  if (expiresAt === undefined) report(ctx, raw, expires, 'not a valid date YYYY-MM-DD');
  else if (effectiveAt !== undefined && expiresAt <= effectiveAt) {
    report(ctx, raw, expires, `${expires.value} must be after effective ${effective?.value ?? ''}`);
  }
  return { ...(effectiveAt === undefined ? {} : { effectiveAt }), ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** Stable id `<list>:<id or line>`; a repeated id is a problem. */
function resolveId(raw: RawEntry, ctx: Ctx): string {
  const id = `${ctx.opts.list}:${raw.values.id?.value ?? raw.line}`;
  const earlier = ctx.ids.get(id);
  if (earlier !== undefined) report(ctx, raw, raw.values.id, `duplicate id (first at line ${earlier})`);
  else ctx.ids.set(id, raw.line);
  return id;
}

/** Validates one raw entry; returns undefined (with problems recorded) when it is unusable. */
function toEntry(raw: RawEntry, ctx: Ctx): BlocklistEntry | undefined {
  const before = ctx.problems.length;
  const id = resolveId(raw, ctx);
  const kind = resolveKind(raw, ctx);
  const keys = resolveKeys(raw, ctx);
  const { effectiveAt, expiresAt } = resolveDates(raw, ctx);
  const source = (raw.values.source ?? ctx.defaultSource)?.value;
  if (source === undefined && !given(raw, 'source')) {
    report(ctx, raw, undefined, 'source missing (set it on the entry or as the file-level source)');
  }
  if (ctx.problems.length > before || kind === undefined || effectiveAt === undefined || source === undefined) return undefined;
  return { id, list: ctx.opts.list, kind, ...keys, source, effectiveAt, expiresAt, note: raw.values.note?.value };
}

/** Line of a YAML node's start (1-based). */
function nodeLine(lc: LineCounter, node: { range?: readonly [number, number, number] | null | undefined } | null | undefined): number {
  return lc.linePos(node?.range?.[0] ?? 0).line;
}

/** A scalar map value as text ('' counts as absent); anything else is a problem. */
function scalarValue(pair: Pair, label: string, line: number, onProblem: (msg: string) => void): RawValue | undefined {
  const value = pair.value;
  if (value === null || value === undefined) return undefined;
  if (!isScalar(value)) {
    onProblem(`${label}: must be a single value, not a list or mapping`);
    return undefined;
  }
  const text = String(value.value ?? '').trim();
  return text === '' ? undefined : { value: text, line, label };
}

/** Reads one `entries[i]` mapping into a RawEntry, recording unknown or non-scalar fields. */
function yamlEntry(item: unknown, index: number, lc: LineCounter, ctx: Ctx): RawEntry | undefined {
  const where = `entries[${index}]`;
  const line = nodeLine(lc, item as YamlNode | null);
  const problem = (l: number, column: string | undefined, msg: string): void => {
    ctx.problems.push({ file: ctx.opts.file, line: l, column, message: `${where}: ${msg}` });
  };
  if (!isMap(item)) {
    problem(line, undefined, 'must be a mapping with rmdNumber/frn/name, source, effective …');
    return undefined;
  }
  const values: Partial<Record<EntryField, RawValue>> = {};
  const malformed = new Set<EntryField>();
  for (const pair of item.items) {
    const label = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const keyLine = nodeLine(lc, pair.key as YamlNode | null);
    const field = ENTRY_FIELDS.find((f) => f === label);
    if (field === undefined) {
      problem(keyLine, label, `${label}: unknown field (allowed: ${ENTRY_FIELDS.join(', ')})`);
      continue;
    }
    const v = scalarValue(pair, label, keyLine, (msg) => {
      malformed.add(field);
      problem(keyLine, label, msg);
    });
    if (v !== undefined) values[field] = v;
  }
  return { line, where, values, malformed };
}

/** File-level defaults and the `entries` node of a YAML list. */
interface YamlTopLevel {
  readonly defaults: { kind?: RawValue; source?: RawValue };
  readonly entries: unknown;
}

/** Reads the top-level mapping: `kind`/`source` defaults (kind validated here, once) and the `entries` node. */
function yamlTopLevel(root: YAMLMap, lc: LineCounter, file: string, problems: DataFileProblem[]): YamlTopLevel {
  const defaults: { kind?: RawValue; source?: RawValue } = {};
  let entries: unknown;
  for (const pair of root.items) {
    const label = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const line = nodeLine(lc, pair.key as YamlNode | null);
    const onProblem = (message: string): void => void problems.push({ file, line, column: label, message });
    if (label === 'entries') entries = pair.value;
    else if (label === 'kind' || label === 'source') {
      const v = scalarValue(pair, label, line, onProblem);
      if (v !== undefined) defaults[label] = v;
    } else onProblem(`${label}: unknown top-level field (allowed: ${FILE_FIELDS.join(', ')})`);
  }
  if (defaults.kind !== undefined && !isListKind(defaults.kind.value)) {
    const { line } = defaults.kind;
    problems.push({ file, line, column: 'kind', message: `kind: not one of ${LIST_KINDS.join(', ')}` });
  }
  return { defaults, entries };
}

function parseYamlEntries(text: string, ctx: Ctx): RawEntry[] | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lc, schema: 'failsafe' });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      // The yaml library appends its own location; the problem's line carries it once.
      const firstLine = (e.message.split('\n')[0] ?? '').replace(/:$/, '').replace(/ at line \d+, column \d+$/, '');
      return { file: ctx.opts.file, line: e.linePos?.[0].line, message: `YAML: ${firstLine}` };
    });
    throw dataFileErrorFrom('ERR_DATA_PARSE', ctx.opts.file, 'YAML syntax error', problems);
  }
  if (!isMap(doc.contents)) {
    ctx.problems.push({ file: ctx.opts.file, line: 1, message: 'expected a mapping with an entries list' });
    return undefined;
  }
  const { defaults, entries } = yamlTopLevel(doc.contents, lc, ctx.opts.file, ctx.problems);
  ctx.defaultKind = defaults.kind;
  ctx.defaultSource = defaults.source;
  if (!isSeq(entries)) {
    ctx.problems.push({ file: ctx.opts.file, line: 1, column: 'entries', message: 'entries: missing or not a list' });
    return undefined;
  }
  return entries.items.flatMap((item, i) => yamlEntry(item, i, lc, ctx) ?? []);
}

/** Header cell → entry field, ignoring case, `_`, `-` and spaces (`rmd_number`, `rmdNumber`, `RMD Number`). */
const CSV_HEADER_LOOKUP: ReadonlyMap<string, EntryField> = new Map(ENTRY_FIELDS.map((f) => [f.toLowerCase(), f]));

function parseCsvEntries(text: string, ctx: Ctx): RawEntry[] {
  const { records, lineOf } = readCsvRecords(text, ctx.opts.file);
  const header = records[0] ?? [];
  const headerLine = records.length === 0 ? 1 : lineOf(0);
  if (records.length === 0) ctx.problems.push({ file: ctx.opts.file, line: 1, message: 'no header row' });
  const seen = new Set<EntryField>();
  const fields = header.map((h, col) => {
    const field = CSV_HEADER_LOOKUP.get(h.trim().toLowerCase().replace(/[\s_-]+/g, ''));
    const label = h.trim();
    // A header cell that names no field is not echoed: it may be the first line of a file that is not a list at all.
    const problem = (column: string, message: string): void => void ctx.problems.push({ file: ctx.opts.file, line: headerLine, column, message });
    if (field === undefined) problem(`column ${col + 1}`, `column ${col + 1}: not a known column (allowed: ${ENTRY_FIELDS.join(', ')})`);
    else if (seen.has(field)) problem(label, `duplicate column for ${field}`);
    else seen.add(field);
    return { field, label };
  });
  return records.slice(1).map((record, i) => {
    const line = lineOf(i + 1);
    const values: Partial<Record<EntryField, RawValue>> = {};
    fields.forEach(({ field, label }, col) => {
      const value = (record[col] ?? '').trim();
      if (field !== undefined && value !== '' && values[field] === undefined) values[field] = { value, line, label };
    });
    return { line, where: `row ${i + 1}`, values };
  });
}

/**
 * Parses and validates a blocklist. YAML: `{ kind?, source?, entries: [{ id?, kind?, rmdNumber?, frn?, name?, source?,
 * effective, expires?, note? }] }`. CSV: header row with those fields (`rmd_number` or `rmdNumber`, any case).
 * Entry kind falls back to the file-level `kind`, then `defaultKind`; source to the file-level `source`.
 * @throws DataFileError ERR_DATA_PARSE (syntax) or ERR_DATA_ROW with every validation problem in `problems`.
 */
export function parseBlocklist(text: string, opts: ParseBlocklistOptions): BlocklistEntry[] {
  const ctx: Ctx = { opts, problems: [], ids: new Map() };
  const raws = opts.format === 'yaml' ? parseYamlEntries(text, ctx) : parseCsvEntries(text, ctx);
  const entries = (raws ?? []).flatMap((raw) => toEntry(raw, ctx) ?? []);
  if (ctx.problems.length > 0) {
    ctx.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw dataFileErrorFrom('ERR_DATA_ROW', opts.file, `${ctx.problems.length} problem(s) in list ${opts.list}`, ctx.problems);
  }
  return entries;
}
