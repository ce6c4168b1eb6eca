/**
 * One HTTP(S) GET of a feed with global fetch: conditional (ETag / Last-Modified), a deadline covering the body,
 * a size bound, and a Content-Length check. Maps every failure to a FeedError code; Response never leaves this file.
 */
import { FeedError } from '../errors.js';
import type { FetchConditions, FetchOutcome } from '../ports.js';
import { inlineHasher, type BodyHasher } from './body-hasher.js';
import { concatShared } from '../../lib/index.js';

/** The fetch function (global fetch, or a proxy-aware one). */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Options of {@link fetchHttp}. */
export interface HttpFetchOptions {
  readonly fetch: FetchFn;
  readonly userAgent: string;
  /** Largest body accepted, bytes. */
  readonly maxBytes: number;
  /** Accept header value. */
  readonly accept?: string | undefined;
  /** Hashes the body (default: inline, in slices). */
  readonly hasher?: BodyHasher | undefined;
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function isTimeout(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}

function networkError(err: unknown, signal: AbortSignal, url: string, timeoutMs: number): FeedError {
  if (isTimeout(signal)) return new FeedError('ERR_FEED_TIMEOUT', `${url}: no answer within ${timeoutMs} ms`, { cause: err, retryable: true });
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  return new FeedError('ERR_FEED_NETWORK', `${url}: request failed: ${detail}`, { cause: err, retryable: true });
}

async function readBody(res: Response, url: string, signal: AbortSignal, opts: HttpFetchOptions, timeoutMs: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > opts.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FeedError('ERR_FEED_TOO_LARGE', `${url}: body exceeds feeds.maxBytes (${opts.maxBytes})`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FeedError) throw err;
    if (isTimeout(signal)) throw new FeedError('ERR_FEED_TIMEOUT', `${url}: body not complete within ${timeoutMs} ms`, { cause: err, retryable: true });
    throw new FeedError('ERR_FEED_TRUNCATED', `${url}: body ended early after ${total} bytes`, { cause: err, retryable: true });
  }
  return concatShared(chunks, total);
}

function requestHeaders(cond: FetchConditions, opts: HttpFetchOptions): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': opts.userAgent, accept: opts.accept ?? 'text/csv, application/octet-stream;q=0.9, */*;q=0.5' };
  if (cond.etag !== undefined) headers['if-none-match'] = cond.etag;
  if (cond.lastModified !== undefined) headers['if-modified-since'] = cond.lastModified;
  return headers;
}

/**
 * GETs `url` within `timeoutMs` (headers and body). 304 → not-modified; other non-2xx → ERR_FEED_HTTP (retryable for
 * 408/425/429/5xx); a body shorter than its Content-Length (identity encoding) → ERR_FEED_TRUNCATED.
 */
export async function fetchHttp(url: string, cond: FetchConditions, timeoutMs: number, opts: HttpFetchOptions): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await opts.fetch(url, { headers: requestHeaders(cond, opts), signal, redirect: 'follow' });
  } catch (err) {
    throw networkError(err, signal, url, timeoutMs);
  }
  if (res.status === 304) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'not-modified' };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new FeedError('ERR_FEED_HTTP', `${url}: HTTP ${res.status} ${res.statusText}`.trim(), { status: res.status, retryable: RETRYABLE_STATUS.has(res.status) });
  }
  const bytes = await readBody(res, url, signal, opts, timeoutMs);
  const encoding = res.headers.get('content-encoding');
  const declared = res.headers.get('content-length');
  if (declared !== null && (encoding === null || encoding === 'identity') && Number(declared) !== bytes.length) {
    throw new FeedError('ERR_FEED_TRUNCATED', `${url}: got ${bytes.length} of ${declared} bytes (Content-Length)`, { retryable: true });
  }
  return {
    kind: 'body',
    bytes,
    sha256: await (opts.hasher ?? inlineHasher).hash(bytes),
    etag: res.headers.get('etag') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
    contentType: res.headers.get('content-type') ?? undefined,
  };
}
