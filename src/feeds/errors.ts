/**
 * Coded failures of data and feeds: DataFileError (a data file could not be read or used, every problem located),
 * FeedError (fetch, format, validation) and feedErrorCode(), which classifies any error a refresh can meet into one
 * closed FeedErrorCode for logs and metrics.
 */

/** Why a feed refresh did not put new data in force. Closed set: it is the `code` metric label. */
export const FEED_ERROR_CODES = [
  'ERR_FEED_TIMEOUT',
  'ERR_FEED_NETWORK',
  'ERR_FEED_HTTP',
  'ERR_FEED_READ',
  'ERR_FEED_TOO_LARGE',
  'ERR_FEED_TRUNCATED',
  'ERR_FEED_FORMAT',
  'ERR_FEED_PARSE',
  'ERR_FEED_COLUMNS',
  'ERR_FEED_DRIFT',
  'ERR_FEED_SHRINK',
  'ERR_FEED_BAD_ROWS',
  'ERR_FEED_STORE',
  'ERR_FEED_INTERNAL',
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** Codes an operator may override with `rmdgate feed accept` (the candidate is kept as pending). */
export const ACCEPTABLE_CODES: ReadonlySet<FeedErrorCode> = new Set(['ERR_FEED_DRIFT', 'ERR_FEED_SHRINK', 'ERR_FEED_BAD_ROWS']);

/** Details of a FeedError. `retryable` marks transient failures (the refresh retries with backoff). */
export interface FeedErrorDetails {
  readonly feed?: string | undefined;
  readonly status?: number | undefined;
  readonly retryable?: boolean | undefined;
  readonly cause?: unknown;
}

/** A coded feed failure; the original error, if any, is `cause`. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: FeedErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(code: FeedErrorCode, message: string, details: FeedErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
  }
}

/** papaparse's code for "the input ended inside a quoted field". */
const UNCLOSED_QUOTE_CODES: ReadonlySet<string> = new Set(['MissingQuotes']);

const DATA_CODES: Readonly<Record<string, FeedErrorCode>> = {
  ERR_DATA_READ: 'ERR_FEED_READ',
  ERR_DATA_PARSE: 'ERR_FEED_PARSE',
  ERR_DATA_ROW: 'ERR_FEED_PARSE',
  ERR_DATA_COLUMNS: 'ERR_FEED_COLUMNS',
};

/**
 * The FeedErrorCode of any error: FeedError's own code; a DataFileError's code mapped (a CSV that ends inside a
 * quoted field is `ERR_FEED_TRUNCATED`); anything else `ERR_FEED_INTERNAL`.
 */
export function feedErrorCode(err: unknown): FeedErrorCode {
  if (err instanceof FeedError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'ERR_FEED_INTERNAL';
  if ((FEED_ERROR_CODES as readonly string[]).includes(code)) return code as FeedErrorCode;
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (code === 'ERR_DATA_PARSE' && UNCLOSED_QUOTE_CODES.has(String(cause?.code))) return 'ERR_FEED_TRUNCATED';
  return DATA_CODES[code] ?? 'ERR_FEED_INTERNAL';
}

/** True for transient failures worth another attempt. */
export function isRetryable(err: unknown): boolean {
  return err instanceof FeedError && err.retryable;
}

/** Why a data file was refused. */
export type DataFileErrorCode = 'ERR_DATA_COLUMNS' | 'ERR_DATA_PARSE' | 'ERR_DATA_ROW' | 'ERR_DATA_READ';

/** One located problem in a data file. `line` is 1-based and physical (where the record or entry starts). */
export interface DataFileProblem {
  readonly file: string;
  /** The config key that names the file (then `file` is the path as written there). */
  readonly configKey?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: string | undefined;
  readonly message: string;
}

/** Where a DataFileError points, plus every problem found (the first one also fills `line`/`column`). */
export interface DataFileErrorDetails {
  readonly file: string;
  readonly line?: number | undefined;
  readonly column?: string | undefined;
  readonly problems?: readonly DataFileProblem[] | undefined;
  readonly cause?: unknown;
}

/** A data file (RMD CSV, blocklist) could not be read or used. The message names the file and every problem. */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  readonly code: DataFileErrorCode;
  readonly file: string;
  readonly line?: number | undefined;
  readonly column?: string | undefined;
  readonly problems: readonly DataFileProblem[];

  constructor(code: DataFileErrorCode, message: string, details: DataFileErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.problems = details.problems ?? [{ file: details.file, line: details.line, column: details.column, message }];
  }
}

/** Renders a problem as `file:line: message` (or `file: message` without a line; `key (file): message` with a config key). */
export function formatDataFileProblem(p: DataFileProblem): string {
  if (p.configKey !== undefined) return `${p.configKey} (${p.file}): ${p.message}`;
  return p.line === undefined ? `${p.file}: ${p.message}` : `${p.file}:${p.line}: ${p.message}`;
}

/**
 * A data file that could not be read, reported by the config key that names it, then the path as written there:
 * `data.blocklists[2].path (lists/k4.csv): file not found`. Other errors are returned as they are.
 */
export function atConfigKey(err: unknown, origin: { readonly key: string; readonly path: string } | undefined): unknown {
  if (origin === undefined || !(err instanceof DataFileError) || err.code !== 'ERR_DATA_READ' || err.problems.some((p) => p.configKey !== undefined)) return err;
  const reason = err.message.replace(`${err.file}: `, '').replace(/^cannot read data file: /, '');
  const problem: DataFileProblem = { file: origin.path, configKey: origin.key, message: reason };
  return new DataFileError('ERR_DATA_READ', formatDataFileProblem(problem), { file: err.file, problems: [problem], cause: err.cause ?? err });
}

/** Shown problems per error message; the rest are summarised (all stay in `problems`). */
const MAX_LISTED_PROBLEMS = 20;

/** Builds one DataFileError listing `problems` (at least one), pointing at the first. */
export function dataFileErrorFrom(
  code: DataFileErrorCode,
  file: string,
  summary: string,
  problems: readonly DataFileProblem[],
): DataFileError {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${formatDataFileProblem(p)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) shown.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  const first = problems[0];
  return new DataFileError(code, `${file}: ${summary}\n${shown.join('\n')}`, {
    file,
    line: first?.line,
    column: first?.column,
    problems,
  });
}
