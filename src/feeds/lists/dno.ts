/**
 * Parses a do-not-originate list (CSV or YAML text already read) into a compiled DnoList. Industry lists run to
 * millions of numbers, so the CSV reader is a line scanner (no per-row objects; one cell string per used column)
 * rather than papaparse: fields may be quoted, but a quoted field cannot span lines.
 */
import { parse as parseYaml } from 'yaml';
import { DnoListBuilder, type DnoList, type DnoMeta, toNanpNational } from '../../screening/index.js';
import { dataFileErrorFrom, type DataFileProblem } from '../errors.js';

/** Options of {@link parseDnoList}. */
export interface ParseDnoOptions {
  /** Path or URL named in problems. */
  readonly file: string;
  /** List (feed) name; the default source of entries. */
  readonly list: string;
  readonly format: 'csv' | 'yaml';
}

const FIELDS = ['number', 'prefix', 'source', 'effective', 'note'] as const;
type Field = (typeof FIELDS)[number];
type Values = { [F in Field]?: string | undefined };
/** At most this many problems are listed (the count says how many there were). */
const MAX_LISTED = 20;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` (a real date) → UTC midnight epoch ms; undefined otherwise. */
function utcMidnight(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

/** A prefix as written (`+1202555`, `202555`) → its national digits, or undefined when it is not 1–9 national digits. */
function prefixDigits(text: string): string | undefined {
  const digits = text.replace(/[-.()\s]/g, '').replace(/^\+1/, '');
  return /^\d{1,9}$/.test(digits) ? digits : undefined;
}

/** Collects entries and problems for one file. */
class Collector {
  readonly builder: DnoListBuilder;
  readonly problems: DataFileProblem[] = [];
  private problemCount = 0;
  private last: Values | undefined;
  private lastMeta = -1;
  private defaultMeta = -1;

  constructor(private readonly opts: ParseDnoOptions) {
    this.builder = new DnoListBuilder(opts.list);
  }

  problem(line: number, message: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_LISTED) this.problems.push({ file: this.opts.file, line, message });
  }

  /** Adds one entry; returns false (with a problem) when it is unusable. */
  add(line: number, where: string, v: Values): void {
    const meta = this.metaOf(line, where, v);
    if (meta === undefined) return;
    const { number, prefix } = v;
    if ((number === undefined) === (prefix === undefined)) {
      this.problem(line, `${where}: needs exactly one of number, prefix`);
      return;
    }
    if (number !== undefined) {
      const national = toNanpNational(number);
      if (national < 0) this.problem(line, `${where}: number: not a 10-digit NANP number (+1NPANXXXXXX): ${number.slice(0, 40)}`);
      else this.builder.addNumber(national, meta);
      return;
    }
    const digits = prefixDigits(prefix ?? '');
    if (digits === undefined) this.problem(line, `${where}: prefix: not 1–9 national digits (e.g. +1202555): ${(prefix ?? '').slice(0, 40)}`);
    else this.builder.addPrefix(digits, meta);
  }

  /**
   * Fast path of a file whose only known column is `number`: the cell `text[from, to)` is read in place (no cell
   * string), with the list's default meta. A blank line (`lineStart`..`to` only spaces) is skipped.
   */
  addNumberAt(line: number, text: string, from: number, to: number, lineStart: number): void {
    const national = toNanpNational(text, from, to);
    if (national >= 0) {
      if (this.defaultMeta < 0) this.defaultMeta = this.builder.meta({ source: this.opts.list, effectiveAt: 0, note: undefined });
      this.builder.addNumber(national, this.defaultMeta);
      return;
    }
    if (text.slice(lineStart, to).trim() === '') return;
    const cell = text.slice(from, to).trim();
    this.add(line, `line ${line}`, cell === '' ? {} : { number: cell });
  }

  private metaOf(line: number, where: string, v: Values): number | undefined {
    const last = this.last;
    if (last !== undefined && this.lastMeta >= 0 && last.source === v.source && last.effective === v.effective && last.note === v.note) return this.lastMeta;
    const effectiveAt = v.effective === undefined ? 0 : utcMidnight(v.effective);
    if (effectiveAt === undefined) {
      this.problem(line, `${where}: effective: not a valid date YYYY-MM-DD`);
      return undefined;
    }
    const meta: DnoMeta = { source: v.source ?? this.opts.list, effectiveAt, note: v.note };
    try {
      this.lastMeta = this.builder.meta(meta);
    } catch (err) {
      this.problem(line, `${where}: ${(err as Error).message}`);
      return undefined;
    }
    this.last = { source: v.source, effective: v.effective, note: v.note };
    return this.lastMeta;
  }

  finish(): DnoList {
    if (this.problemCount > 0) {
      const more = this.problemCount > this.problems.length ? ` (first ${this.problems.length} listed)` : '';
      throw dataFileErrorFrom('ERR_DATA_ROW', this.opts.file, `${this.problemCount} problem(s) in DNO list ${this.opts.list}${more}`, this.problems);
    }
    return this.builder.build();
  }
}

/** Splits one CSV line into cells (quoted cells with `""` escapes; no line breaks inside quotes). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function headerField(cell: string): Field | undefined {
  const name = cell.trim().toLowerCase().replace(/[\s_-]+/g, '');
  return FIELDS.find((f) => f === name);
}

function parseCsv(text: string, c: Collector, file: string): void {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let columns: (Field | undefined)[] | undefined;
  let numberOnly = -1;
  // Next quote and comma at or after the current line (indexOf from each line would rescan the rest of the text).
  const next = { quote: -1, comma: -1 };
  const nextOf = (ch: '"' | ',', key: 'quote' | 'comma', from: number): number => {
    if (next[key] !== Infinity && next[key] < from) {
      const i = text.indexOf(ch, from);
      next[key] = i < 0 ? Infinity : i;
    }
    return next[key];
  };
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const lineStart = pos;
    pos = end + 1;
    lineNo++;
    if (numberOnly >= 0) {
      if (nextOf('"', 'quote', lineStart) >= lineEnd) {
        let from = lineStart;
        for (let k = 0; k < numberOnly && from < lineEnd; k++) from = Math.min(nextOf(',', 'comma', from), lineEnd) + 1;
        from = Math.min(from, lineEnd);
        c.addNumberAt(lineNo, text, from, Math.min(nextOf(',', 'comma', from), lineEnd), lineStart);
        continue;
      }
    }
    const raw = text.slice(lineStart, lineEnd);
    if (raw.trim() === '') continue;
    if (columns === undefined) {
      columns = splitCsvLine(raw).map(headerField);
      if (!columns.includes('number') && !columns.includes('prefix')) {
        throw dataFileErrorFrom('ERR_DATA_COLUMNS', file, 'a DNO list needs a number or prefix column', [{ file, line: lineNo, message: `columns: ${FIELDS.join(', ')} (number or prefix required)` }]);
      }
      if (columns.every((f) => f === undefined || f === 'number')) numberOnly = columns.indexOf('number');
      continue;
    }
    const cells = splitCsvLine(raw);
    const values: Values = {};
    for (let i = 0; i < columns.length; i++) {
      const field = columns[i];
      if (field === undefined) continue;
      const v = (cells[i] ?? '').trim();
      if (v !== '') values[field] = v;
    }
    c.add(lineNo, `line ${lineNo}`, values);
  }
  if (columns === undefined) throw dataFileErrorFrom('ERR_DATA_COLUMNS', file, 'empty DNO list (no header row)', [{ file, line: 1, message: 'no header row' }]);
}


function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** YAML: `{ source?, effective?, note?, numbers?: [...], prefixes?: [...], entries?: [{ number|prefix, source?, effective?, note? }] }`. */
function parseYamlList(body: string, c: Collector, file: string): void {
  let doc: unknown;
  try {
    doc = parseYaml(body, { schema: 'failsafe' });
  } catch (err) {
    throw dataFileErrorFrom('ERR_DATA_PARSE', file, 'YAML syntax error', [{ file, message: `YAML: ${((err as Error).message.split('\n')[0] ?? '')}` }]);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw dataFileErrorFrom('ERR_DATA_PARSE', file, 'expected a mapping with numbers, prefixes or entries', [{ file, line: 1, message: 'expected a mapping' }]);
  }
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) if (!['source', 'effective', 'note', 'numbers', 'prefixes', 'entries'].includes(key)) c.problem(1, `${key}: unknown top-level field (allowed: source, effective, note, numbers, prefixes, entries)`);
  const defaults = { source: text(top['source']), effective: text(top['effective']), note: text(top['note']) };
  const list = (key: string): unknown[] => (Array.isArray(top[key]) ? (top[key] as unknown[]) : []);
  list('numbers').forEach((n, i) => c.add(0, `numbers[${i}]`, { ...defaults, number: text(n) ?? '' }));
  list('prefixes').forEach((p, i) => c.add(0, `prefixes[${i}]`, { ...defaults, prefix: text(p) ?? '' }));
  list('entries').forEach((e, i) => {
    const m = (e ?? {}) as Record<string, unknown>;
    const v: Values = { ...defaults };
    for (const f of FIELDS) {
      const value = text(m[f]);
      if (value !== undefined) v[f] = value;
    }
    c.add(0, `entries[${i}]`, v);
  });
}

/**
 * Parses and compiles a DNO list. CSV: a header row naming `number` and/or `prefix` (any case, `_`/`-` ignored) and
 * optionally `source`, `effective` (YYYY-MM-DD, UTC; absent = always) and `note`; other columns are ignored. Numbers
 * in any NANP form (`+12025550100`, `12025550100`, `202-555-0100`); prefixes as national digits (`202555`, `+1202555`).
 * @throws DataFileError ERR_DATA_COLUMNS (no number/prefix column), ERR_DATA_PARSE (YAML syntax) or ERR_DATA_ROW
 * (every bad row counted, the first 20 listed).
 */
export function parseDnoList(body: string, opts: ParseDnoOptions): DnoList {
  const c = new Collector(opts);
  if (opts.format === 'yaml') parseYamlList(body, c, opts.file);
  else parseCsv(body, c, opts.file);
  return c.finish();
}
