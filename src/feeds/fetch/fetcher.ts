/**
 * The FeedFetcher adapter: file sources are read whole (unchanged content is detected by the caller's hash
 * comparison), http(s) sources go through fetchHttp. Read failures are DataFileError ERR_DATA_READ, as for data files.
 */
import { stat } from 'node:fs/promises';
import { DataFileError, FeedError } from '../errors.js';
import type { FeedFetcher, FeedSource, FetchOutcome } from '../ports.js';
import { inlineHasher, type BodyHasher } from './body-hasher.js';
import { fetchHttp, type FetchFn } from './http.js';
import { readFileShared } from '../../lib/index.js';

/** Options of {@link createFeedFetcher}. */
export interface FeedFetcherOptions {
  /** Global fetch unless given (e.g. a proxy-aware fetch). */
  readonly fetch?: FetchFn | undefined;
  readonly userAgent: string;
  readonly maxBytes: number;
  /** Hashes bodies (default: inline, in slices). */
  readonly hasher?: BodyHasher | undefined;
}

async function readSourceFile(path: string, maxBytes: number, hasher: BodyHasher): Promise<FetchOutcome> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) throw new FeedError('ERR_FEED_TOO_LARGE', `${path}: ${info.size} bytes exceeds feeds.maxBytes (${maxBytes})`);
    const bytes = await readFileShared(path, info.size);
    return { kind: 'body', bytes, sha256: await hasher.hash(bytes), modifiedAt: info.mtimeMs };
  } catch (err) {
    if (err instanceof FeedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? String(err));
    throw new DataFileError('ERR_DATA_READ', `${path}: cannot read data file: ${why}`, { file: path, cause: err });
  }
}

/** Creates the fetcher. */
export function createFeedFetcher(opts: FeedFetcherOptions): FeedFetcher {
  const fetch: FetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const hasher = opts.hasher ?? inlineHasher;
  return {
    fetch(source: FeedSource, conditions, timeoutMs) {
      if (source.kind === 'file') return readSourceFile(source.path, opts.maxBytes, hasher);
      return fetchHttp(source.url, conditions, timeoutMs, { fetch, userAgent: opts.userAgent, maxBytes: opts.maxBytes, hasher });
    },
  };
}
