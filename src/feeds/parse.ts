/**
 * Parses one feed body into data: decode (gzip by magic bytes), refuse markup and cut-short CSV, then the data parsers
 * (parseRmdCsv, parseBlocklist). Synchronous and self-contained, so the RMD parser process runs the same code.
 */
import type { BlocklistEntry, ListKind, RmdSnapshot } from '../screening/index.js';
import type { FeedData, FeedSpec } from './ports.js';
import { parseAllocation } from './lists/allocation.js';
import { parseBlocklist } from './lists/blocklist.js';
import { parseDnoList } from './lists/dno.js';
import { readRmdCsv, type RmdReadReport } from './rmd/csv.js';
import { assertCsvComplete, assertNotMarkup, csvHeader, decodeBody } from './body.js';

/** Where a body came from and how to read it. */
export interface FeedParseJob {
  /** Path or URL, named in errors and recorded as the snapshot source. */
  readonly source: string;
  /** Load time recorded in the snapshot, epoch ms. */
  readonly loadedAt: number;
  readonly maxBytes: number;
  readonly contentType?: string | undefined;
  /** Called with the number of RMD rows read so far (progress on a terminal). */
  readonly onProgress?: ((rows: number, estimatedRows: number) => void) | undefined;
}

function decodeText(bytes: Uint8Array, job: FeedParseJob): string {
  const text = decodeBody(bytes, job.source, job.maxBytes).toString('utf8');
  assertNotMarkup(text, job.source, job.contentType);
  return text;
}

/**
 * Parses an RMD CSV body (BOM, gzip, CRLF tolerated) and returns the snapshot, its header cells and the read report
 * (bad rows are skipped and counted there; the feed's bad-row guard judges their share).
 * @throws FeedError (format, truncated, too large) or DataFileError (CSV syntax, no key or name column).
 */
export function parseRmdFeed(bytes: Uint8Array, job: FeedParseJob): { snapshot: RmdSnapshot; headers: string[]; report: RmdReadReport } {
  const text = decodeText(bytes, job);
  const headers = csvHeader(text);
  assertCsvComplete(text, headers.length, job.source);
  return { ...readRmdCsv(text, { source: job.source, loadedAt: job.loadedAt, onProgress: job.onProgress }), headers };
}

/** A blocklist feed: its name, file format and default entry kind. */
export interface ListFeed {
  readonly name: string;
  readonly format: 'csv' | 'yaml';
  readonly kind?: ListKind | undefined;
}

/**
 * Parses a blocklist body (YAML or CSV, gzip tolerated). Hand-edited CSV lists may omit trailing empty fields, so the
 * short-last-row check applies to the RMD export only (an HTTP body cut short is caught by its Content-Length).
 * @throws FeedError (format, truncated, too large) or DataFileError (every invalid entry listed).
 */
export function parseListFeed(bytes: Uint8Array, list: ListFeed, job: FeedParseJob): BlocklistEntry[] {
  const text = decodeText(bytes, job);
  return parseBlocklist(text, { file: job.source, list: list.name, format: list.format, defaultKind: list.kind });
}

/** Parses a body of either kind of feed (the RMD inline: the feed system's parser runs it in its own process). */
export function parseFeed(spec: FeedSpec, bytes: Uint8Array, job: FeedParseJob): FeedData {
  if (spec.kind === 'list') return { kind: 'list', entries: parseListFeed(bytes, { name: spec.name, format: spec.format, kind: spec.listKind }, job) };
  if (spec.kind === 'dno') return { kind: 'dno', list: parseDnoList(decodeText(bytes, job), { file: job.source, list: spec.name, format: spec.format }) };
  if (spec.kind === 'allocation') return { kind: 'allocation', table: parseAllocation(decodeText(bytes, job), job.source) };
  const { snapshot, headers, report } = parseRmdFeed(bytes, job);
  return { kind: 'rmd', snapshot, headers, report };
}
