/**
 * Feed body sanity before parsing: gzip by magic bytes (a `.gz` file or an un-decoded gzip body), HTML/XML where CSV
 * or YAML was expected, and a CSV whose last record was cut short. Pure byte/text checks; throws FeedError.
 */
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { FeedError } from './errors.js';

/** True when the bytes start with the gzip magic number (RFC 1952: 1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips gzip bytes (bounded by `maxBytes` of output); other bytes are returned as they are. */
export function decodeBody(bytes: Uint8Array, source: string, maxBytes: number): Buffer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isGzip(buf)) {
    if (buf.length > maxBytes) throw new FeedError('ERR_FEED_TOO_LARGE', `${source}: body of ${buf.length} bytes exceeds feeds.maxBytes (${maxBytes})`);
    return buf;
  }
  try {
    return gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new FeedError('ERR_FEED_TOO_LARGE', `${source}: gzip body inflates beyond feeds.maxBytes (${maxBytes})`, { cause: err });
    if (code === 'Z_BUF_ERROR') throw new FeedError('ERR_FEED_TRUNCATED', `${source}: gzip body ends early`, { cause: err, retryable: true });
    throw new FeedError('ERR_FEED_FORMAT', `${source}: gzip body is corrupt: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Refuses an HTML/XML page (a portal error or login page served with 200) where a data file was expected: a
 * `text/html` content type, or a body whose first non-blank character (after a BOM) is `<`.
 */
export function assertNotMarkup(text: string, source: string, contentType?: string): void {
  const looksLikeMarkup = /^\uFEFF?\s*</.test(text.slice(0, 512));
  if (looksLikeMarkup || /^\s*text\/html\b/i.test(contentType ?? '')) {
    const what = contentType ? ` (Content-Type ${contentType})` : '';
    throw new FeedError('ERR_FEED_FORMAT', `${source}: got an HTML/XML page${what}, not a data file`);
  }
}

/** Start index of the last CSV record: the last line break outside a quoted field (quote parity scan). */
function lastRecordStart(text: string): number {
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 10 && !inQuotes) start = i + 1;
  }
  return start;
}

/**
 * Refuses a CSV body that does not end with a line break and whose last record has fewer fields than the header:
 * the signature of a body cut short between fields (a cut inside a quoted field is caught by the CSV parser).
 */
export function assertCsvComplete(text: string, headerFields: number, source: string): void {
  if (text.length === 0 || text.endsWith('\n') || text.endsWith('\r')) return;
  const tail = Papa.parse<string[]>(text.slice(lastRecordStart(text)), { delimiter: ',', header: false });
  if (tail.errors.length > 0) return;
  const fields = tail.data[0]?.length ?? headerFields;
  if (fields < headerFields) {
    throw new FeedError('ERR_FEED_TRUNCATED', `${source}: the last row has ${fields} of ${headerFields} fields and no line end (body cut short?)`, { retryable: true });
  }
}

/** Header cells of a CSV text (first non-blank record, read from the first 64 KiB), BOM removed. */
export function csvHeader(text: string): string[] {
  const head = Papa.parse<string[]>(text.slice(0, 65536), { delimiter: ',', header: false, preview: 10, skipEmptyLines: 'greedy' });
  return head.data[0] ?? [];
}
