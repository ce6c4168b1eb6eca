/**
 * The RMD public JSON endpoint, asked by FRN (`?sysparm_query=frn_str=<FRN>`). Its field list is unconfirmed, so rows
 * are read defensively (`result` array or object; fields named as the CSV reader accepts headers; ServiceNow
 * `{display_value, value}` and Table-API `{link, value}` cells) and normalised through the CSV reader itself. Only filings that carry the asked FRN are returned.
 */
import { FeedError } from '../errors.js';
import type { RmdFiling } from '../../screening/index.js';
import { RMD_HEADER_LOOKUP, normaliseRmdHeader, parseRmdCsv, type RmdColumn } from './csv.js';
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

/**
 * The text of one JSON cell. ServiceNow answers in two shapes: `{display_value, value}` (display values asked for:
 * `display_value` is what people see, e.g. the FRN) and, from the Table API, a reference as `{link, value}` whose
 * `value` is the referenced record's internal sys_id — never a usable FRN or name, so such a cell reads as blank and
 * the row's plain field (e.g. `frn_str`) is used instead.
 */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as { display_value?: unknown; value?: unknown; link?: unknown };
    if (o.display_value !== undefined && o.display_value !== null) return cellText(o.display_value);
    if (o.link !== undefined) return '';
    return cellText(o.value);
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

/** A row's cells by canonical column: every field the CSV reader would accept as a header, first non-blank text wins. */
function canonicalCells(row: Record<string, unknown>): Map<RmdColumn, string> {
  const out = new Map<RmdColumn, string>();
  for (const [field, v] of Object.entries(row)) {
    const column = RMD_HEADER_LOOKUP.get(normaliseRmdHeader(field));
    if (column === undefined || out.has(column)) continue;
    const text = cellText(v);
    if (text !== '') out.set(column, text);
  }
  return out;
}

/**
 * Converts JSON rows to filings through the CSV reader (same normalisation as the export): the CSV has the columns
 * some row carries, so rows without `number` are keyed by FRN, like an export without RMD numbers.
 */
export function filingsFromJson(rows: readonly Record<string, unknown>[], source: string): RmdFiling[] {
  if (rows.length === 0) return [];
  const cells = rows.map(canonicalCells);
  const columns = [...new Set(cells.flatMap((c) => [...c.keys()]))];
  if (!columns.includes('business_name')) columns.push('business_name');
  const lines = [columns.join(','), ...cells.map((c) => columns.map((k) => csvCell(c.get(k) ?? '')).join(','))];
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
