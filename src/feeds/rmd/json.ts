/**
 * The RMD public JSON endpoint, asked by FRN (`?sysparm_query=frn_str=<FRN>`). Its field list is unconfirmed, so rows
 * are read defensively (`result` array or object; snake_case fields like the CSV; ServiceNow `{display_value, value}`
 * cells) and normalised through the CSV parser itself. Only filings that carry the asked FRN are returned.
 */
import { FeedError } from '../errors.js';
import type { RmdFiling } from '../../screening/index.js';
import { RMD_COLUMN_ALIASES, parseRmdCsv } from './csv.js';
import { fetchHttp, type FetchFn } from '../fetch/http.js';

/** Options of {@link createRmdJsonClient}. */
export interface RmdJsonClientOptions {
  /** Endpoint base, e.g. `https://fccprod.servicenowservices.com/api/x_g_fmc_rmd/rmd/public`. */
  readonly url: string;
  readonly fetch?: FetchFn | undefined;
  readonly userAgent: string;
  /** HTTP deadline of one request, ms (the cache's own, shorter deadline does not cancel it). */
  readonly timeoutMs: number;
}

const MAX_BYTES = 4 * 1024 * 1024;
const COLUMNS = Object.keys(RMD_COLUMN_ALIASES);
const FIELD_FALLBACKS: Readonly<Record<string, string>> = { frn: 'frn_str', number: 'rmd_number' };

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as { display_value?: unknown; value?: unknown };
    return cellText(o.display_value ?? o.value);
  }
  return '';
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The rows of a JSON answer: `{ result: [...] }`, `{ result: {...} }` or a bare array. */
export function jsonRows(body: unknown): Record<string, unknown>[] {
  const result = Array.isArray(body) ? body : (body as { result?: unknown } | null)?.result;
  const rows = Array.isArray(result) ? result : result !== null && typeof result === 'object' ? [result] : [];
  return rows.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object' && !Array.isArray(r));
}

/** Converts JSON rows to filings through parseRmdCsv (same normalisation as the CSV export). */
export function filingsFromJson(rows: readonly Record<string, unknown>[], source: string): RmdFiling[] {
  if (rows.length === 0) return [];
  const value = (row: Record<string, unknown>, column: string): string => {
    const fallback = FIELD_FALLBACKS[column];
    return cellText(row[column] ?? (fallback === undefined ? undefined : row[fallback]));
  };
  const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(value(r, c))).join(','))];
  return [...parseRmdCsv(`${lines.join('\n')}\n`, { source, loadedAt: 0 }).byRmdNumber.values()];
}

/** Creates the client: `(frn) → filing | undefined`. Throws FeedError/DataFileError when the answer is unusable. */
export function createRmdJsonClient(opts: RmdJsonClientOptions): (frn: string) => Promise<RmdFiling | undefined> {
  const fetch: FetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async (frn) => {
    const url = new URL(opts.url);
    url.searchParams.set('sysparm_query', `frn_str=${frn}`);
    const res = await fetchHttp(url.toString(), {}, opts.timeoutMs, { fetch, userAgent: opts.userAgent, maxBytes: MAX_BYTES, accept: 'application/json' });
    if (res.kind !== 'body') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(res.bytes).toString('utf8'));
    } catch (err) {
      throw new FeedError('ERR_FEED_FORMAT', `${opts.url}: answer for FRN ${frn} is not JSON`, { cause: err });
    }
    const filings = filingsFromJson(jsonRows(body), `${opts.url} (FRN ${frn})`);
    return filings.find((f) => f.frn === frn || f.otherFrns.includes(frn));
  };
}
