/**
 * The wire protocol between the RMD parser worker and the main thread. The worker sends the snapshot as a *delta*
 * against the last snapshot both sides hold (`base`): only new or changed filings cross the thread boundary, and the
 * main thread reuses the unchanged filing objects — so a daily refresh allocates (and garbage-collects) little on the
 * thread that answers SIP. Without a common base, every filing is sent.
 */
import { FeedError, type FeedErrorCode } from '../../app/feed-error.js';
import type { RmdFiling, RmdSnapshot } from '../../core/model.js';
import { DataFileError, type DataFileErrorCode, type DataFileProblem } from '../data/rmd-csv.js';
import type { FeedParseJob } from './feed-parse.js';

/** A parse request. `baseId` names the snapshot the main thread holds from this worker (for a delta answer). */
export interface WorkerJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly job: FeedParseJob;
  readonly baseId?: string | undefined;
}

/** An error as it crosses the thread boundary. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
  readonly feedCode: FeedErrorCode;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: string | undefined;
  readonly problems?: readonly DataFileProblem[] | undefined;
  readonly retryable?: boolean | undefined;
}

/**
 * Worker messages for one job, in order: `head`; `filings` (new or changed since `head.base`, or all when base is
 * null); `keys` (every RMD number in file order); `frns` (FRN → RMD number index pairs); `done` — or one `error`.
 */
export type WorkerReply =
  | { readonly id: number; readonly type: 'head'; readonly snapshotId: string; readonly source: string; readonly loadedAt: number; readonly headers: string[]; readonly base: string | null }
  | { readonly id: number; readonly type: 'filings'; readonly filings: RmdFiling[] }
  | { readonly id: number; readonly type: 'keys'; readonly keys: string[] }
  | { readonly id: number; readonly type: 'frns'; readonly pairs: [string, string][] }
  | { readonly id: number; readonly type: 'done' }
  | { readonly id: number; readonly type: 'error'; readonly error: WireError };

/** Rebuilds the thrown error on the main thread (DataFileError keeps its code, file, line and problems). */
export function revive(e: WireError): Error {
  if (e.name === 'DataFileError' && e.file !== undefined) {
    const cause = e.feedCode === 'ERR_FEED_TRUNCATED' ? { code: 'MissingQuotes' } : undefined;
    return new DataFileError((e.code ?? 'ERR_DATA_PARSE') as DataFileErrorCode, e.message, { file: e.file, line: e.line, column: e.column, problems: e.problems, cause });
  }
  return new FeedError(e.feedCode, e.message, { retryable: e.retryable });
}

/** Main-side assembly of one snapshot from the messages of one job; `base` is the last snapshot received. */
export function createAssembly(base: RmdSnapshot | undefined): { take(m: WorkerReply): void; finish(): { snapshot: RmdSnapshot; headers: string[] } } {
  let head: Extract<WorkerReply, { type: 'head' }> | undefined;
  const changed = new Map<string, RmdFiling>();
  const byRmdNumber = new Map<string, RmdFiling>();
  const byFrn = new Map<string, RmdFiling>();
  const internal = (why: string): FeedError => new FeedError('ERR_FEED_INTERNAL', `RMD parser worker protocol: ${why}`);
  return {
    take(m) {
      if (m.type === 'head') {
        if (m.base !== null && m.base !== base?.id) throw internal(`delta against unknown base ${m.base}`);
        head = m;
      } else if (m.type === 'filings') for (const f of m.filings) changed.set(f.rmdNumber, f);
      else if (m.type === 'keys') {
        for (const k of m.keys) {
          const f = changed.get(k) ?? (head?.base === null ? undefined : base?.byRmdNumber.get(k));
          if (f === undefined) throw internal(`no filing for ${k}`);
          byRmdNumber.set(k, f);
        }
      } else if (m.type === 'frns') {
        for (const [frn, number] of m.pairs) {
          const f = byRmdNumber.get(number);
          if (f !== undefined) byFrn.set(frn, f);
        }
      }
    },
    finish() {
      if (head === undefined) throw internal('no head');
      return { snapshot: { id: head.snapshotId, source: head.source, loadedAt: head.loadedAt, rows: byRmdNumber.size, byRmdNumber, byFrn }, headers: head.headers };
    },
  };
}
