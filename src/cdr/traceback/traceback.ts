/**
 * Answering a traceback: the ITG's (calling, called, time + zone) → stored calls in the window → who handed us
 * each call (source, trunk, upstream provider with its RMD filing and robocall-mitigation contact), and our decision.
 */
import { type FloodSummaryRecord, normaliseContactPhone, type RmdFiling, type RmdSnapshot, toE164, toNumberKey, toPhoneNumber } from '../../screening/index.js';
import type { CdrQueryStore, StoredCdr } from '../ports.js';
import { formatInZone, parseTracebackTime, parseWindow, toDisplayZone, type Parsed } from './time.js';

/** A traceback request as given (CLI flags, HTTP query or a batch CSV row). */
export interface TracebackRequest {
  readonly calling: string;
  readonly called: string;
  readonly at: string;
  readonly tz?: string | undefined;
  readonly window?: string | undefined;
}

/** A validated request. */
export interface ParsedTraceback {
  readonly calling: { readonly key: number; readonly e164: string };
  readonly called: { readonly key: number; readonly e164: string };
  readonly atMs: number;
  /** Display zone: the IANA zone given, else the offset in the time, else UTC. */
  readonly zone: string;
  readonly windowMs: number;
}

/** One stored call matching a traceback, with the provider contact from the current RMD snapshot. */
export interface TracebackMatch {
  readonly receivedAtUtc: string;
  readonly receivedAtLocal: string;
  readonly callingNumber: string | null;
  readonly calledNumber: string | null;
  readonly fromNumber: string | null;
  readonly callId: string;
  readonly source: string;
  readonly transport: string;
  readonly trunkId: string | null;
  readonly providerId: string | null;
  readonly providerName: string | null;
  readonly providerRmdNumber: string | null;
  readonly providerFrn: string | null;
  readonly contactName: string | null;
  readonly contactPhone: string | null;
  /** Contact e-mail and Operating Company Number from the filing, when the RMD export carries them. */
  readonly contactEmail: string | null;
  readonly providerOcn: string | null;
  readonly decision: 'allow' | 'reject';
  readonly wouldBlock: boolean;
  readonly reason: string | null;
  readonly sipStatus: number;
  readonly attest: string | null;
  readonly origid: string | null;
  readonly rmdSnapshotId: string | null;
  /** Set when the contact could not be taken from the snapshot the call was screened under. */
  readonly snapshotNote: string | null;
  readonly node: string;
  readonly seq: number;
  /** Received time minus the time asked about, in seconds (negative: before it). Matches come smallest |offset| first. */
  readonly offsetSeconds: number;
}

/**
 * Requests from one source that flood control refused unparsed in an interval overlapping the window. Nothing of them
 * was read (no numbers), so they are not matched to the calling/called pair: they say "N requests from X were refused".
 */
export interface TracebackFloodSummary {
  readonly intervalStartUtc: string;
  readonly intervalStartLocal: string;
  readonly intervalEndUtc: string;
  readonly intervalEndLocal: string;
  /** The source address, or `other` for the sources beyond the per-interval bound, added up (`sources` of them). */
  readonly source: string;
  readonly sources: number;
  readonly transport: string;
  readonly requests: number;
  /** dropped (no answer) or rejected (503). */
  readonly action: 'dropped' | 'rejected';
  readonly reason: string;
  readonly node: string;
}

/** The answer to one request. */
export interface TracebackAnswer {
  readonly request: { readonly calling: string; readonly called: string; readonly atUtc: string; readonly atLocal: string; readonly zone: string; readonly windowSeconds: number };
  /** Whether a screened call of the calling/called pair is in the window (flood summaries do not count). */
  readonly status: 'match' | 'no-match';
  /** Every screened call of the pair in the window (not only those listed). */
  readonly total: number;
  /** Matches listed: min(total, limit), or total when limit is 0. */
  readonly returned: number;
  /** Most matches listed; 0 means all. */
  readonly limit: number;
  /** True when matches in the window were left out (returned < total). */
  readonly truncated: boolean;
  /** The closest `returned` matches to the time asked about, closest first (ties: earlier first). */
  readonly matches: readonly TracebackMatch[];
  /**
   * Flood summaries overlapping the window, oldest first (at most `maxFloodSummaries`); null when the store does not
   * keep them (PostgreSQL).
   */
  readonly floodSummaries: readonly TracebackFloodSummary[] | null;
  /** True when more flood summaries overlap the window than are listed. */
  readonly floodSummariesTruncated: boolean;
  /** Which store answered. */
  readonly store: string;
  readonly currentRmdSnapshotId: string | null;
}

/** Where a traceback looks. `rmd` is the snapshot in force now (from the config's RMD file, or the running world). */
export interface TracebackDeps {
  readonly store: CdrQueryStore;
  readonly rmd: RmdSnapshot | undefined;
  /** Matches listed per request, the closest to the time first (default DEFAULT_TRACEBACK_LIMIT; 0 lists all). */
  readonly maxMatches?: number;
  /** Flood summaries returned per request (default 1000). */
  readonly maxFloodSummaries?: number;
}

/** Matches listed per request unless a limit is given; the answer always says how many matched in all. */
export const DEFAULT_TRACEBACK_LIMIT = 100;
/** The largest explicit limit; 0 (all matches of the window) is not bounded by it. */
export const MAX_TRACEBACK_LIMIT = 1_000_000;

/**
 * Reads a match limit (`--limit`, the HTTP `limit` parameter): a whole number, 0 for all; absent → the default.
 * `name` is how the caller spells it in the error.
 */
export function parseTracebackLimit(text: string | undefined, name = 'limit'): Parsed<number> {
  if (text === undefined) return { ok: true, value: DEFAULT_TRACEBACK_LIMIT };
  const t = text.trim();
  const n = /^\d{1,7}$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n > MAX_TRACEBACK_LIMIT) return { ok: false, error: `invalid ${name} "${text}": expected a whole number from 1 to ${MAX_TRACEBACK_LIMIT}, or 0 for all matches` };
  return { ok: true, value: n };
}

const EXPECTED_NUMBER = 'expected a US/E.164 number such as +12025550123, 12025550123, 2025550123, (202) 555-0123, or a sip:/tel: URI';

/** Validates a request; the error says which field is wrong and the expected format. Default window 10 minutes. */
export function parseTracebackRequest(req: TracebackRequest): Parsed<ParsedTraceback> {
  const calling = parseNumber(req.calling, 'calling');
  if (!calling.ok) return calling;
  const called = parseNumber(req.called, 'called');
  if (!called.ok) return called;
  const at = parseTracebackTime(req.at, req.tz);
  if (!at.ok) return at;
  const windowMs = parseWindow(req.window ?? '10m');
  if (!windowMs.ok) return windowMs;
  return { ok: true, value: { calling: calling.value, called: called.value, atMs: at.value, zone: toDisplayZone(req.at, req.tz), windowMs: windowMs.value } };
}

/** Parses a number in any common form to its traceback key and E.164 form. */
export function parseNumber(text: string, field: string): Parsed<{ key: number; e164: string }> {
  const t = text.trim();
  const dialled = /^(sips?|tel):/i.test(t) ? toPhoneNumber(t).raw : t;
  const e164 = toE164(dialled);
  const key = e164 === undefined ? undefined : toNumberKey(e164);
  if (e164 === undefined || key === undefined) return { ok: false, error: `invalid ${field} number "${text}": ${EXPECTED_NUMBER}` };
  return { ok: true, value: { key: Number(key), e164 } };
}

/** Looks a validated request up in the store and assembles the answer. */
export async function answerTraceback(req: ParsedTraceback, deps: TracebackDeps): Promise<TracebackAnswer> {
  const limit = deps.maxMatches ?? DEFAULT_TRACEBACK_LIMIT;
  const { calls, total } = await deps.store.findCalls({
    callingKey: req.calling.key,
    calledKey: req.called.key,
    fromMs: req.atMs - req.windowMs,
    toMs: req.atMs + req.windowMs,
    atMs: req.atMs,
    limit: limit === 0 ? null : limit,
  });
  const maxFlood = deps.maxFloodSummaries ?? 1000;
  const flood = deps.store.findFloodSummaries === undefined ? null : await deps.store.findFloodSummaries(req.atMs - req.windowMs, req.atMs + req.windowMs, maxFlood + 1);
  return {
    request: {
      calling: req.calling.e164,
      called: req.called.e164,
      atUtc: new Date(req.atMs).toISOString(),
      atLocal: formatInZone(req.atMs, req.zone),
      zone: req.zone,
      windowSeconds: req.windowMs / 1000,
    },
    status: calls.length > 0 ? 'match' : 'no-match',
    total,
    returned: calls.length,
    limit,
    truncated: calls.length < total,
    matches: calls.map((c) => toMatch(c, req, deps.rmd)),
    floodSummaries: flood === null ? null : flood.slice(0, maxFlood).map((f) => toFloodSummary(f, req.zone)),
    floodSummariesTruncated: flood !== null && flood.length > maxFlood,
    store: deps.store.description,
    currentRmdSnapshotId: deps.rmd?.id ?? null,
  };
}

function toMatch(call: StoredCdr, req: ParsedTraceback, rmd: RmdSnapshot | undefined): TracebackMatch {
  const r = call.record;
  const zone = req.zone;
  const [filing, note] = contactFor(r.providerRmdNumber, r.providerFrn, r.rmdSnapshotId, r.providerId, rmd);
  return {
    receivedAtUtc: r.receivedAt,
    receivedAtLocal: formatInZone(r.receivedAtMs, zone),
    callingNumber: r.callingE164 ?? (r.paiUser || r.fromUser || null),
    calledNumber: r.calledE164 ?? (r.ruriUser || null),
    fromNumber: r.fromE164 ?? (r.fromUser || null),
    callId: r.callId,
    source: r.sourceAddress.includes(':') ? `[${r.sourceAddress}]:${r.sourcePort}` : `${r.sourceAddress}:${r.sourcePort}`,
    transport: r.transport,
    trunkId: r.trunkId,
    providerId: r.providerId,
    providerName: r.providerName ?? filing?.businessName ?? null,
    providerRmdNumber: r.providerRmdNumber ?? (filing?.rmdNumber || null),
    providerFrn: r.providerFrn ?? (filing?.frn || null),
    contactName: filing?.contactName || null,
    contactPhone: filing?.contactPhone ? normaliseContactPhone(filing.contactPhone) : null,
    contactEmail: filing?.contactEmail || null,
    providerOcn: filing?.ocn || null,
    decision: r.decision,
    wouldBlock: r.wouldBlock,
    reason: r.reason,
    sipStatus: r.sipStatus,
    attest: r.attest,
    origid: r.origid,
    rmdSnapshotId: r.rmdSnapshotId,
    snapshotNote: note,
    node: r.node,
    seq: r.seq,
    offsetSeconds: (r.receivedAtMs - req.atMs) / 1000,
  };
}

function toFloodSummary(f: FloodSummaryRecord, zone: string): TracebackFloodSummary {
  return {
    intervalStartUtc: f.intervalStart,
    intervalStartLocal: formatInZone(f.intervalStartMs, zone),
    intervalEndUtc: f.intervalEnd,
    intervalEndLocal: formatInZone(f.intervalEndMs, zone),
    source: f.sourceAddress,
    sources: f.sources,
    transport: f.transport,
    requests: f.requests,
    action: f.action,
    reason: f.reason,
    node: f.node,
  };
}

/** The filing whose contact is reported, and a note when it does not come from the snapshot the call was screened under. */
function contactFor(rmdNumber: string | null, frn: string | null, storedId: string | null, providerId: string | null, rmd: RmdSnapshot | undefined): [RmdFiling | undefined, string | null] {
  if (providerId === null) return [undefined, 'unknown trunk: no upstream provider identified (source address only)'];
  if (!rmd) return [undefined, 'no RMD snapshot loaded: contact unknown'];
  const filing = (rmdNumber ? rmd.byRmdNumber.get(rmdNumber) : undefined) ?? (frn ? rmd.byFrn.get(frn) : undefined);
  const notes: string[] = [];
  if (storedId !== null && storedId !== rmd.id) notes.push(`screened under RMD snapshot ${storedId}; contact taken from current snapshot ${rmd.id}`);
  if (!filing) notes.push(`provider not found in current RMD snapshot ${rmd.id} (by RMD number or FRN)`);
  return [filing, notes.length > 0 ? notes.join('; ') : null];
}
