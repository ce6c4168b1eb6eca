/**
 * Coded feed failures: FeedError (fetch, format, validation) and feedErrorCode(), which classifies any error a
 * refresh can meet — including the data parsers' DataFileError — into one closed FeedErrorCode for logs and metrics.
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
  'ERR_FEED_STORE',
  'ERR_FEED_INTERNAL',
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** Codes an operator may override with `rmdgate feed accept` (the candidate is kept as pending). */
export const ACCEPTABLE_CODES: ReadonlySet<FeedErrorCode> = new Set(['ERR_FEED_DRIFT', 'ERR_FEED_SHRINK']);

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
