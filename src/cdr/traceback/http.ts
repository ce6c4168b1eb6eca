/**
 * `GET /admin/traceback?calling=&called=&at=&tz=&window=[&limit=N][&format=json|csv]` as a plain request handler; the
 * admin listener mounts it behind its bearer token. Matches come closest to `at` first, at most `limit` (default
 * 100, 0 = all), and the answer says `total`, `returned`, `limit` and `truncated`. Bad input → 400 naming the
 * expected format; store failure → 503.
 */
import type { RmdSnapshot } from '../../screening/index.js';
import { answerTraceback, DEFAULT_TRACEBACK_LIMIT, parseTracebackLimit, parseTracebackRequest, type TracebackRequest } from './traceback.js';
import type { TracebackOutcome } from './batch.js';
import { formatOutcomes } from './format.js';
import type { CdrQueryStore } from '../ports.js';

/** An HTTP answer, independent of the server framework. */
export interface TracebackHttpResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** Handles one traceback request URL. Never throws. */
export type TracebackRequestHandler = (url: URL) => Promise<TracebackHttpResponse>;

/** What the handler reads: the store and the RMD snapshot in force (the running world's). */
export interface TracebackHttpDeps {
  readonly store: CdrQueryStore;
  readonly rmd: () => RmdSnapshot | undefined;
  /** The limit when the request names none (default DEFAULT_TRACEBACK_LIMIT). */
  readonly maxMatches?: number;
  /** Where store failures are reported (the response only says the store is unavailable). */
  readonly onError?: (err: unknown) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Creates `handleTracebackRequest(url)`. */
export function createTracebackHandler(deps: TracebackHttpDeps): TracebackRequestHandler {
  return async function handleTracebackRequest(url: URL): Promise<TracebackHttpResponse> {
    const q = url.searchParams;
    const format = q.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') return badRequest(`invalid format "${format}": expected json or csv`);
    const missing = ['calling', 'called', 'at'].filter((k) => !q.get(k));
    if (missing.length > 0) return badRequest(`missing query parameter(s): ${missing.join(', ')} (expected calling=&called=&at=[&tz=][&window=][&limit=])`);
    const request: TracebackRequest = { calling: q.get('calling')!, called: q.get('called')!, at: q.get('at')!, tz: q.get('tz') ?? undefined, window: q.get('window') ?? undefined };
    const parsed = parseTracebackRequest(request);
    if (!parsed.ok) return badRequest(parsed.error);
    const limit = q.has('limit') ? parseTracebackLimit(q.get('limit') ?? '', 'limit') : { ok: true as const, value: deps.maxMatches ?? DEFAULT_TRACEBACK_LIMIT };
    if (!limit.ok) return badRequest(limit.error);
    let outcome: TracebackOutcome;
    try {
      const answer = await answerTraceback(parsed.value, { store: deps.store, rmd: deps.rmd(), maxMatches: limit.value });
      outcome = { line: 1, request, kind: 'answer', answer };
    } catch (err) {
      deps.onError?.(err);
      return { status: 503, body: JSON.stringify({ error: 'cdr store unavailable' }), contentType: JSON_TYPE };
    }
    if (format === 'csv') return { status: 200, body: formatOutcomes([outcome], 'csv') + '\n', contentType: 'text/csv; charset=utf-8' };
    return { status: 200, body: formatOutcomes([outcome], 'json'), contentType: JSON_TYPE };
  };
}

function badRequest(error: string): TracebackHttpResponse {
  return { status: 400, body: JSON.stringify({ error }), contentType: JSON_TYPE };
}
