/**
 * Batch tracebacks: requests (read from CSV by cli/traceback-batch-csv.ts) → one outcome per request, answered in
 * order; invalid rows become `invalid` outcomes rather than stopping the batch.
 */
import { answerTraceback, parseTracebackRequest, type TracebackAnswer, type TracebackDeps, type TracebackRequest } from './traceback.js';

/** The outcome of one request of a batch (a single request is a batch of one). `line` is the CSV line (1-based). */
export type TracebackOutcome =
  | { readonly line: number; readonly request: TracebackRequest; readonly kind: 'answer'; readonly answer: TracebackAnswer }
  | { readonly line: number; readonly request: TracebackRequest; readonly kind: 'invalid'; readonly error: string };

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
