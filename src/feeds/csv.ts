/**
 * The CSV reader every data file uses (RMD export, CSV blocklists, traceback batches): papaparse, raw records,
 * UTF-8 BOM tolerated, blank rows dropped, syntax errors located at the line where the broken record starts.
 */
import Papa from 'papaparse';
import { DataFileError } from './errors.js';

/** Non-blank CSV records, and where each starts. */
export interface CsvRecords {
  readonly records: readonly (readonly string[])[];
  /** Physical 1-based line where `records[index]` starts (computed on first use: only errors need it). */
  lineOf(index: number): number;
}

/** How every CSV file is read: raw records, comma-separated; blank rows are filtered by the readers themselves. */
const CSV_OPTIONS = { header: false, skipEmptyLines: false, delimiter: ',' } as const;

/**
 * Reads CSV text (UTF-8 BOM tolerated, quoted multi-line fields, LF/CRLF, ragged rows) into raw string records,
 * dropping rows whose fields are all blank. Syntax errors (an unterminated quote) become DataFileError
 * `ERR_DATA_PARSE` at the line where the offending record starts. papaparse parses a full export several times
 * faster than csv-parse (docs/feeds.md), which matters against the refresh budget.
 */
export function readCsvRecords(input: string | Buffer, file: string): CsvRecords {
  const text = withoutBom(input);
  const result = Papa.parse<string[]>(text, CSV_OPTIONS);
  const all = result.data;
  const fatal = result.errors.find((e) => e.type === 'Quotes');
  if (fatal) throw csvSyntaxError(fatal, all, file);
  const records = all.filter((record) => !isBlankRecord(record));
  let lines: number[] | undefined;
  const lineOf = (index: number): number => {
    lines ??= startLines(all);
    return lines[index] ?? 0;
  };
  return { records, lineOf };
}

function withoutBom(input: string | Buffer): string {
  const raw = typeof input === 'string' ? input : input.toString('utf8');
  return raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
}

/**
 * Streams the non-blank CSV records of `input` to `onRecord` one at a time, with their index among non-blank records
 * (as readCsvRecords would number them) and the offset in the text (BOM removed) where the record starts. Same parser and rules as readCsvRecords, but no record outlives its
 * callback, so a 10,000-row export parses in about half the time (far less garbage-collector work). Syntax errors
 * throw the same DataFileError as readCsvRecords (located by re-reading the text: errors only).
 */
export function forEachCsvRecord(input: string | Buffer, file: string, onRecord: (record: readonly string[], index: number, start: number) => void): void {
  const text = withoutBom(input);
  let index = 0;
  let broken = false;
  let start = 0;
  Papa.parse<string[]>(text, {
    ...CSV_OPTIONS,
    step: (row, parser) => {
      if (row.errors.some((e) => e.type === 'Quotes')) {
        broken = true;
        parser.abort();
        return;
      }
      if (!isBlankRecord(row.data)) onRecord(row.data, index++, start);
      start = row.meta.cursor;
    },
  });
  if (!broken) return;
  readCsvRecords(text, file); // throws the located syntax error
  // Never reached unless the two parse modes disagree; a partial file must still not pass as a whole one.
  throw new DataFileError('ERR_DATA_PARSE', `${file}: CSV syntax error (unterminated quote)`, { file });
}

/** Start line of every non-blank record in `all` (blank records still occupy their lines). */
function startLines(all: readonly (readonly string[])[]): number[] {
  const lines: number[] = [];
  let next = 1;
  for (const record of all) {
    if (!isBlankRecord(record)) lines.push(next);
    next += 1 + countLineBreaks(record);
  }
  return lines;
}

/** Locates a papaparse quote error at the start of the broken record (counting line breaks of the records before it). */
function csvSyntaxError(err: Papa.ParseError, all: readonly (readonly string[])[], file: string): DataFileError {
  const row = typeof err.row === 'number' ? err.row : all.length - 1;
  let line = 1;
  for (let i = 0; i < row && i < all.length; i++) line += 1 + countLineBreaks(all[i]!);
  const message = `CSV syntax error in record starting at line ${line}: ${err.message}`;
  const problems = [{ file, line, message }];
  return new DataFileError('ERR_DATA_PARSE', `${file}:${line}: ${message}`, { file, line, problems, cause: err });
}

function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const field of record) {
    if (field.includes('\n') || field.includes('\r')) n += field.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return n;
}

function isBlankRecord(record: readonly string[]): boolean {
  for (const field of record) if (field.trim() !== '') return false;
  return true;
}
