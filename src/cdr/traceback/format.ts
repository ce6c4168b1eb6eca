/**
 * Renders traceback outcomes as a readable table (to paste into the ITG portal), JSON, or CSV with one row per
 * matching call, explicit `no-match` / `invalid` rows, and one `flood-summary` row per flood summary in the window.
 * Every format says how many calls matched (`total`), how many are listed (`returned`, the closest to the time asked
 * first), the `limit` and whether matches were left out (`truncated`): the table in its result line and footer, JSON
 * as fields of each answer, CSV as columns of every row of an answered request. Pure.
 */
import type { TracebackAnswer, TracebackFloodSummary, TracebackMatch } from './traceback.js';
import type { TracebackOutcome } from './batch.js';

/** Output formats. */
export const TRACEBACK_FORMATS = ['table', 'json', 'csv'] as const;
export type TracebackFormat = (typeof TRACEBACK_FORMATS)[number];

/** Renders outcomes in a format (a single request is a batch of one). */
export function formatOutcomes(outcomes: readonly TracebackOutcome[], format: TracebackFormat): string {
  if (format === 'json') return JSON.stringify(outcomes.length === 1 && outcomes[0]?.kind === 'answer' ? outcomes[0].answer : outcomes.map(toJsonOutcome), null, 2);
  if (format === 'csv') return toCsv(outcomes);
  return outcomes.map((o) => (o.kind === 'invalid' ? `line ${o.line}: invalid request: ${o.error}` : toTable(o.answer))).join('\n\n');
}

function toJsonOutcome(o: TracebackOutcome): unknown {
  return o.kind === 'invalid' ? { line: o.line, input: o.request, status: 'invalid', error: o.error } : { line: o.line, input: o.request, ...o.answer };
}

/** The human-readable answer: the request, then one block per matching call. */
export function toTable(a: TracebackAnswer): string {
  const q = a.request;
  const head = [
    `Traceback: calling ${q.calling} → called ${q.called} at ${q.atUtc} (${q.atLocal} ${q.zone}), window ±${q.windowSeconds} s`,
    `Store: ${a.store}; current RMD snapshot: ${a.currentRmdSnapshotId ?? 'none'}`,
  ];
  const flood = floodLines(a);
  if (a.status === 'no-match') return [...head, 'Result: no-match — no screened call in the window for this calling/called pair.', ...flood].join('\n');
  const blocks = a.matches.map((m, i) => matchBlock(m, i + 1, q.zone));
  return [...head, resultLine(a), ...blocks, limitFooter(a), ...flood].join('\n');
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The result line of an answer with matches: how many matched, and which of them are listed. */
export function resultLine(a: TracebackAnswer): string {
  const shown = a.truncated ? `showing the ${count(a.returned)} closest to ${a.request.atUtc} — TRUNCATED` : `all listed, closest to ${a.request.atUtc} first`;
  return `Result: ${count(a.total)} matching call(s) in the window; ${shown}`;
}

/** The footer under the listed matches: the limit in force, and how to see the rest when some were left out. */
export function limitFooter(a: TracebackAnswer): string {
  const limit = a.limit === 0 ? 'no limit' : `limit ${count(a.limit)}`;
  if (a.truncated) return `Showing ${count(a.returned)} closest of ${count(a.total)} matches to ${a.request.atUtc} (${limit}); --limit 0 for all.`;
  return `Showing all ${count(a.total)} match(es), closest to ${a.request.atUtc} first (${limit}).`;
}

/** A match's distance from the time asked about, signed (`+1.250 s`, `-0.500 s`). */
export function formatOffset(seconds: number): string {
  return `${seconds < 0 ? '-' : '+'}${Math.abs(seconds).toFixed(3)} s`;
}

/** The flood summaries of the window: requests refused unparsed, so not tied to the numbers asked about. */
function floodLines(a: TracebackAnswer): string[] {
  if (a.floodSummaries === null) return ['Flood control: this store keeps no flood summaries (see the JSON-lines CDRs).'];
  if (a.floodSummaries.length === 0) return ['Flood control: no request was refused by flood control in the window.'];
  const lines = a.floodSummaries.map((f) => `  ${floodSentence(f)} between ${f.intervalStartUtc} and ${f.intervalEndUtc} (${f.intervalStartLocal} – ${f.intervalEndLocal} ${a.request.zone}), node ${f.node}`);
  const more = a.floodSummariesTruncated ? ['  (more flood summaries overlap the window; narrow it to see them all)'] : [];
  return ['Flood control: requests from sources no trunk covers, refused unparsed over their rate (numbers unknown):', ...lines, ...more];
}

function floodSentence(f: TracebackFloodSummary): string {
  const from = f.source === 'other' ? `${f.sources} other source(s)` : f.source;
  const what = f.action === 'dropped' ? 'dropped' : 'answered 503';
  return `${f.requests} request(s) from ${from} over ${f.transport} ${what} — ${f.reason}`;
}

function matchBlock(m: TracebackMatch, n: number, zone: string): string {
  const rows: [string, string][] = [
    ['Time (UTC)', m.receivedAtUtc],
    ...(zone === 'UTC' ? [] : [[`Time (${zone})`, m.receivedAtLocal] as [string, string]]),
    ['Calling → called', `${m.callingNumber ?? '-'} → ${m.calledNumber ?? '-'}${m.fromNumber && m.fromNumber !== m.callingNumber ? ` (From ${m.fromNumber})` : ''}`],
    ['Received from', `${m.source} over ${m.transport}, trunk ${m.trunkId ?? 'unknown'}`],
    ['Upstream provider', `${m.providerName ?? 'unknown'} — RMD ${m.providerRmdNumber ?? '-'}, FRN ${m.providerFrn ?? '-'}${m.providerOcn ? `, OCN ${m.providerOcn}` : ''}`],
    ['Mitigation contact', `${m.contactName ?? 'unknown'}, ${m.contactPhone ?? 'no phone on file'}${m.contactEmail ? `, ${m.contactEmail}` : ''}`],
    ['Our decision', `${m.decision}${m.wouldBlock ? ' (would block: monitor)' : ''}${m.reason ? ` — ${m.reason}` : ''} (SIP ${m.sipStatus})`],
    ['STIR/SHAKEN claimed', `attestation ${m.attest ?? 'none'}, origid ${m.origid ?? 'none'} (not verified)`],
    ['Call-ID', m.callId],
    ['RMD snapshot', `${m.rmdSnapshotId ?? 'none'}${m.snapshotNote ? ` — note: ${m.snapshotNote}` : ''}`],
  ];
  return [`  #${n}  ${formatOffset(m.offsetSeconds)} from the time asked`, ...rows.map(([k, v]) => `    ${k.padEnd(20)} ${v}`)].join('\n');
}

const CSV_COLUMNS = [
  'line', 'req_calling', 'req_called', 'req_at', 'status', 'error', 'received_at_utc', 'received_at_local', 'zone', 'calling_number',
  'called_number', 'from_number', 'source', 'transport', 'trunk_id', 'provider_name', 'provider_rmd_number', 'provider_frn',
  'contact_name', 'contact_phone', 'decision', 'would_block', 'reason', 'sip_status', 'attest', 'origid', 'call_id', 'rmd_snapshot_id', 'snapshot_note',
  'interval_end_utc', 'interval_end_local', 'requests_refused', 'flood_action', 'sources',
  'total', 'returned', 'limit', 'truncated', 'rank', 'offset_s',
] as const;

type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The request's counts, on every row of an answered request (so a filter on status keeps them). */
function countCells(a: TracebackAnswer): Partial<Record<CsvColumn, unknown>> {
  return { total: a.total, returned: a.returned, limit: a.limit, truncated: a.truncated };
}

function toCsv(outcomes: readonly TracebackOutcome[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const o of outcomes) {
    const req = [o.line, o.request.calling, o.request.called, o.request.at];
    if (o.kind === 'invalid') {
      lines.push(csvRow([...req, 'invalid', o.error]));
      continue;
    }
    const a = o.answer;
    const counts = countCells(a);
    if (a.matches.length === 0) lines.push(csvRow([...req, 'no-match', '', '', '', a.request.zone], counts));
    else a.matches.forEach((m, i) => lines.push(csvRow([...req, 'match', '', ...matchCells(m, a.request.zone)], { ...counts, rank: i + 1, offset_s: m.offsetSeconds.toFixed(3) })));
    for (const f of a.floodSummaries ?? []) lines.push(csvRow([...req, 'flood-summary', '', ...floodCells(f, a.request.zone)], counts));
  }
  return lines.join('\n');
}

function matchCells(m: TracebackMatch, zone: string): unknown[] {
  return [
    m.receivedAtUtc, m.receivedAtLocal, zone, m.callingNumber, m.calledNumber, m.fromNumber, m.source, m.transport, m.trunkId,
    m.providerName, m.providerRmdNumber, m.providerFrn, m.contactName, m.contactPhone, m.decision, m.wouldBlock, m.reason,
    m.sipStatus, m.attest, m.origid, m.callId, m.rmdSnapshotId, m.snapshotNote,
  ];
}

/** A flood summary in the match columns that apply (interval start as the time, source, transport, reason), then its own. */
function floodCells(f: TracebackFloodSummary, zone: string): unknown[] {
  const blank = (n: number): string[] => Array<string>(n).fill('');
  return [
    f.intervalStartUtc, f.intervalStartLocal, zone, ...blank(3), f.source, f.transport, ...blank(8), f.reason, ...blank(6),
    f.intervalEndUtc, f.intervalEndLocal, f.requests, f.action, f.sources,
  ];
}

/** A row: `cells` from the first column on, then the named cells in their columns. */
function csvRow(cells: readonly unknown[], named: Partial<Record<CsvColumn, unknown>> = {}): string {
  const padded = [...cells, ...Array<unknown>(Math.max(0, CSV_COLUMNS.length - cells.length)).fill('')];
  for (const [column, value] of Object.entries(named)) padded[CSV_COLUMNS.indexOf(column as CsvColumn)] = value;
  return padded.map(csvCell).join(',');
}

/** RFC 4180 quoting; text from the network that a spreadsheet would run as a formula gets a leading apostrophe. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (/^[=@\t\r]/.test(s) || /^[+-][^0-9]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
