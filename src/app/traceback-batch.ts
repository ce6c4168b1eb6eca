/**
 * Batch tracebacks: a CSV of requests (columns calling, called, at[, tz][, window]) → one outcome per request,
 * answered in order; invalid rows become `invalid` outcomes rather than stopping the batch.
 */
import { parse } from 'csv-parse/sync';
import { answerTraceback, parseTracebackRequest, type TracebackAnswer, type TracebackDeps, type TracebackRequest } from './traceback.js';
import type { Parsed } from './traceback-time.js';

/** The outcome of one request of a batch (a single request is a batch of one). `line` is the CSV line (1-based). */
export type TracebackOutcome =
  | { readonly line: number; readonly request: TracebackRequest; readonly kind: 'answer'; readonly answer: TracebackAnswer }
  | { readonly line: number; readonly request: TracebackRequest; readonly kind: 'invalid'; readonly error: string };

const MAX_BATCH = 100_000;

/**
 * Parses a batch CSV. The header row names the columns (`calling,called,at` required; `tz`, `window` optional);
 * `defaults` fill tz/window for rows that leave them empty.
 */
export function parseBatchCsv(text: string, defaults: { tz?: string | undefined; window?: string | undefined } = {}): Parsed<{ line: number; request: TracebackRequest }[]> {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    return { ok: false, error: `batch CSV unreadable: ${(err as Error).message}` };
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  const missing = ['calling', 'called', 'at'].filter((n) => col(n) < 0);
  if (missing.length > 0) return { ok: false, error: `batch CSV header must name the columns calling,called,at[,tz][,window]; missing: ${missing.join(', ')}` };
  if (rows.length - 1 > MAX_BATCH) return { ok: false, error: `batch CSV has ${rows.length - 1} requests; at most ${MAX_BATCH} per run` };
  const cell = (row: string[], name: string): string | undefined => (col(name) < 0 ? undefined : row[col(name)] || undefined);
  return {
    ok: true,
    value: rows.slice(1).map((row, i) => ({
      line: i + 2,
      request: {
        calling: cell(row, 'calling') ?? '',
        called: cell(row, 'called') ?? '',
        at: cell(row, 'at') ?? '',
        tz: cell(row, 'tz') ?? defaults.tz,
        window: cell(row, 'window') ?? defaults.window,
      },
    })),
  };
}

/** Answers requests one after the other (the store is local and each lookup is an index probe). */
export async function answerBatch(requests: readonly { line: number; request: TracebackRequest }[], deps: TracebackDeps): Promise<TracebackOutcome[]> {
  const out: TracebackOutcome[] = [];
  for (const { line, request } of requests) {
    const parsed = parseTracebackRequest(request);
    if (!parsed.ok) out.push({ line, request, kind: 'invalid', error: parsed.error });
    else out.push({ line, request, kind: 'answer', answer: await answerTraceback(parsed.value, deps) });
  }
  return out;
}
