/**
 * Reads a batch-traceback CSV (columns calling, called, at[, tz][, window]) into requests, with the project's one CSV
 * reader (papaparse via readCsvRecords: BOM, quoted fields, blank rows skipped, physical line numbers).
 */
import { DataFileError, readCsvRecords } from '../feeds/index.js';
import { hasZone, parseTimeInput, type Parsed, type TracebackRequest } from '../cdr/index.js';

const MAX_BATCH = 100_000;

/**
 * Parses a batch CSV. The header row names the columns (`calling,called,at` required; `tz`, `window` optional);
 * `defaults` fill tz/window for rows that leave them empty. `line` is the row's line in the file. An `at` is read as
 * the `--at` option is (zone-less ISO in the row's zone, default UTC; now, -2h, epoch digits at `now`); one that
 * does not parse is left as written, so that row answers `invalid` with the reason.
 */
export function parseBatchCsv(text: string, defaults: { tz?: string | undefined; window?: string | undefined } = {}, now: number = Date.now()): Parsed<{ line: number; request: TracebackRequest }[]> {
  let csv: ReturnType<typeof readCsvRecords>;
  try {
    csv = readCsvRecords(text, 'batch CSV');
  } catch (err) {
    return { ok: false, error: `batch CSV unreadable: ${err instanceof DataFileError ? err.message : String(err)}` };
  }
  const rows = csv.records.map((r) => r.map((c) => c.trim()));
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  const missing = ['calling', 'called', 'at'].filter((n) => col(n) < 0);
  if (missing.length > 0) return { ok: false, error: `batch CSV header must name the columns calling,called,at[,tz][,window]; missing: ${missing.join(', ')}` };
  if (rows.length - 1 > MAX_BATCH) return { ok: false, error: `batch CSV has ${rows.length - 1} requests; at most ${MAX_BATCH} per run` };
  const cell = (row: readonly string[], name: string): string | undefined => (col(name) < 0 ? undefined : row[col(name)] || undefined);
  return {
    ok: true,
    value: rows.slice(1).map((row, i) => ({
      line: csv.lineOf(i + 1),
      request: {
        calling: cell(row, 'calling') ?? '',
        called: cell(row, 'called') ?? '',
        ...resolveAt(cell(row, 'at') ?? '', cell(row, 'tz') ?? defaults.tz, now),
        window: cell(row, 'window') ?? defaults.window,
      },
    })),
  };
}

/** A row's time in the form the traceback reads: ISO as written, zone-less ISO with UTC as default zone, else the ISO instant. */
function resolveAt(at: string, tz: string | undefined, now: number): { at: string; tz: string | undefined } {
  const ms = parseTimeInput(at, { tz, now });
  if (!ms.ok || hasZone(at)) return { at, tz };
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(at)) return { at, tz: tz ?? 'UTC' };
  return { at: new Date(ms.value).toISOString(), tz };
}
