/**
 * The HTTP answer of `POST /admin/feeds/{name}/refresh`: 2xx only when the refresh reached the source and the data in
 * force is its answer; a refused candidate or a failed fetch is an error status with the reason. Pure.
 */
import type { FeedRefreshReport } from '../feeds/index.js';
import type { AdminReply } from './admin-server.js';

/** Codes of a candidate refused against the last good snapshot (an operator may accept it: `rmdgate feed accept`). */
const CONFLICT_CODES: ReadonlySet<string> = new Set(['ERR_FEED_DRIFT', 'ERR_FEED_SHRINK', 'ERR_FEED_BAD_ROWS']);
/** Codes of a failure inside the gate rather than at the source. */
const INTERNAL_CODES: ReadonlySet<string> = new Set(['ERR_FEED_STORE', 'ERR_FEED_INTERNAL']);

/**
 * The status of one refresh: 200 updated or not modified; 409 a candidate refused for schema drift, shrink or bad RMD rows (kept as
 * pending); 422 a candidate that could not be used (parse, columns, format, size); 502 the source could not be read
 * (network, HTTP status, timeout, unreadable file); 500 a failure inside the gate. The last good data stays in force
 * for every non-2xx answer.
 */
export function refreshStatus(report: FeedRefreshReport): number {
  if (report.outcome === 'updated' || report.outcome === 'not-modified') return 200;
  if (report.code !== undefined && INTERNAL_CODES.has(report.code)) return 500;
  if (report.outcome === 'refused') return report.code !== undefined && CONFLICT_CODES.has(report.code) ? 409 : 422;
  return 502;
}

/** The reply for a refresh of `feed`: 404 when no feed has that name, else {@link refreshStatus} with the report as body. */
export function toFeedRefreshReply(feed: string, known: boolean, report: FeedRefreshReport | undefined): AdminReply {
  if (!known || report === undefined) return { status: 404, body: { error: 'unknown-feed', feed } };
  return { status: refreshStatus(report), body: report };
}
