/**
 * The wire protocol between the RMD parser process (rmd-parse-child.ts) and the gate's main thread, built so a refresh
 * never holds the event loop that answers SIP for more than a fraction of a millisecond at a time:
 * - **delta**: only new or changed filings cross the process boundary; every other row travels as its index in the
 *   previous snapshot both sides hold (`base`), so the main thread reuses the filing objects and key strings it already
 *   has — a daily refresh allocates, and garbage-collects, next to nothing on the SIP thread;
 * - **pulled**: the parser sends one message, then waits for the main thread's `more` (sent after handling it, on a
 *   later event-loop turn), so messages never pile up and get deserialised back to back in one turn;
 * - **indexed by the parser**: the lookup tables by RMD number and FRN are typed arrays built by the parser and
 *   sent as they are, so the main thread builds no Map of the snapshot (filing-index.ts).
 * Without a common base every filing is sent.
 */
import { DataFileError, FeedError, feedErrorCode, type DataFileErrorCode, type DataFileProblem, type FeedErrorCode } from '../errors.js';
import type { RmdFiling, RmdSnapshot } from '../../screening/index.js';
import { FilingIndex, type IndexTables } from './filing-index.js';
import type { FeedParseJob } from '../parse.js';
import type { RmdReadReport } from './csv.js';

/**
 * A parse request. Its body follows as `length` raw bytes on the data pipe (fd {@link BODY_FD} of the parser process),
 * in job order: sending 5 MB over the IPC channel would serialise it on the SIP thread. `baseId` names the snapshot the
 * gate holds from this parser (for a delta answer).
 */
export interface ParseJob {
  readonly type: 'job';
  readonly id: number;
  readonly length: number;
  readonly job: FeedParseJob;
  readonly baseId?: string | undefined;
}

/** The parser process's file descriptor on which job bodies arrive (stdio index of a pipe the gate writes). */
export const BODY_FD = 4;

/** The gate has handled the last message of job `id` and takes the next. */
export interface ParserMore {
  readonly type: 'more';
  readonly id: number;
}

/** What the gate sends the parser. */
export type ToParser = ParseJob | ParserMore;

/** An error as it crosses the process boundary. */
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
 * Parser messages for one job, in order, each sent after the previous one's `more`: `head`; `filings` (new or
 * changed since `head.base`, or all when base is null, in file order); `order` (for each row in file order: its index
 * in the base snapshot when unchanged, else `-1 - i` for the i-th sent filing); `index` (the lookup tables by RMD
 * number and by FRN over the rows in that order: filing-index.ts); `done` — or one `error`.
 */
export type ParserReply =
  | { readonly id: number; readonly type: 'head'; readonly snapshotId: string; readonly source: string; readonly loadedAt: number; readonly headers: string[]; readonly report: RmdReadReport; readonly base: string | null; readonly rows: number }
  | { readonly id: number; readonly type: 'filings'; readonly filings: RmdFiling[] }
  | { readonly id: number; readonly type: 'order'; readonly order: Int32Array }
  | { readonly id: number; readonly type: 'index'; readonly byRmdNumber: IndexTables; readonly byFrn: IndexTables }
  | { readonly id: number; readonly type: 'done' }
  | { readonly id: number; readonly type: 'error'; readonly error: WireError };

/** Batch sizes: each message's main-thread handling (deserialise, lay out filings) stays well under a millisecond. */
export const FILINGS_PER_MESSAGE = 100;
export const ORDER_PER_MESSAGE = 2000;

/** A snapshot as both sides of the protocol remember it: the base of the next delta. */
export interface BaseSnapshot {
  readonly snapshot: RmdSnapshot;
  /** The filings in file order (index = position in `order`). */
  readonly filings: readonly RmdFiling[];
}

const same = (a: unknown, b: unknown): boolean => a === b;
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const ROLES: { readonly [K in keyof RmdFiling['roles']]-?: true } = { voiceServiceProvider: true, gateway: true, intermediate: true };
const ROLE_NAMES = Object.keys(ROLES) as (keyof typeof ROLES)[];
function sameRoles(a: RmdFiling['roles'], b: RmdFiling['roles']): boolean {
  for (const r of ROLE_NAMES) if (a[r] !== b[r]) return false;
  return true;
}

/** How each field of a filing is compared; the mapped types make a new RmdFiling or role field a compile error here. */
const FILING_FIELDS: { readonly [K in keyof RmdFiling]-?: (a: RmdFiling[K], b: RmdFiling[K]) => boolean } = {
  rmdNumber: same, frn: same, otherFrns: sameList, businessName: same, otherNames: sameList, implementation: same,
  implementationText: same, roles: sameRoles, foreign: same, lastRecertified: same, recertificationUnknown: same, lastUpdated: same,
  contactName: same, contactPhone: same, contactEmail: same, ocn: same, filingUrl: same,
};
const FIELD_NAMES = Object.keys(FILING_FIELDS) as (keyof RmdFiling)[];

/** Whether two filings are equal field by field (no serialisation: a 10,000-row delta allocates nothing). */
export function sameFiling(a: RmdFiling, b: RmdFiling): boolean {
  for (const k of FIELD_NAMES) if (!(FILING_FIELDS[k] as (x: unknown, y: unknown) => boolean)(a[k], b[k])) return false;
  return true;
}

/** A thrown error as it crosses a process or thread boundary ({@link revive} rebuilds it). */
export function toWire(err: unknown): WireError {
  const e = err as Partial<WireError> & { name?: string; message?: string; retryable?: boolean };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    code: typeof e.code === 'string' ? e.code : undefined,
    feedCode: feedErrorCode(err),
    file: e.file,
    line: e.line,
    column: e.column,
    problems: e.problems,
    retryable: e.retryable === true,
  };
}

/** Rebuilds the thrown error on the main thread (DataFileError keeps its code, file, line and problems). */
export function revive(e: WireError): Error {
  if (e.name === 'DataFileError' && e.file !== undefined) {
    const cause = e.feedCode === 'ERR_FEED_TRUNCATED' ? { code: 'MissingQuotes' } : undefined;
    return new DataFileError((e.code ?? 'ERR_DATA_PARSE') as DataFileErrorCode, e.message, { file: e.file, line: e.line, column: e.column, problems: e.problems, cause });
  }
  return new FeedError(e.feedCode, e.message, { retryable: e.retryable });
}

/** Main-side assembly of one snapshot from the messages of one job; `base` is the last snapshot received. */
export function createAssembly(base: BaseSnapshot | undefined): { take(m: ParserReply): void; finish(): { snapshot: RmdSnapshot; headers: string[]; report: RmdReadReport; base: BaseSnapshot } } {
  let head: Extract<ParserReply, { type: 'head' }> | undefined;
  let index: Extract<ParserReply, { type: 'index' }> | undefined;
  const changed: RmdFiling[] = [];
  const filings: RmdFiling[] = [];
  const internal = (why: string): FeedError => new FeedError('ERR_FEED_INTERNAL', `RMD parser protocol: ${why}`);
  return {
    take(m) {
      if (m.type === 'head') {
        if (m.base !== null && m.base !== base?.snapshot.id) throw internal(`delta against unknown base ${m.base}`);
        head = m;
      } else if (m.type === 'filings') for (const f of m.filings) changed.push(f);
      else if (m.type === 'order') {
        const from = head?.base === null ? undefined : base?.filings;
        for (const i of m.order) {
          const f = i >= 0 ? from?.[i] : changed[-1 - i];
          if (f === undefined) throw internal(`no filing for row ${filings.length} (${i})`);
          filings.push(f);
        }
      } else if (m.type === 'index') index = m;
    },
    finish() {
      if (head === undefined) throw internal('no head');
      if (filings.length !== head.rows) throw internal(`${filings.length} of ${head.rows} rows received`);
      if (index?.byRmdNumber.filing.length !== filings.length) throw internal('no index of the rows');
      const byRmdNumber = new FilingIndex(filings, index.byRmdNumber);
      const byFrn = new FilingIndex(filings, index.byFrn);
      const snapshot: RmdSnapshot = { id: head.snapshotId, source: head.source, loadedAt: head.loadedAt, rows: filings.length, byRmdNumber, byFrn };
      return { snapshot, headers: head.headers, report: head.report, base: { snapshot, filings } };
    },
  };
}
