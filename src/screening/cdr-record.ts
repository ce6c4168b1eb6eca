/**
 * The screening CDR: one record per screened INVITE, the evidence a traceback answer is built from. PURE.
 */
import { FLOOD_REASON, type Decision, type InviteFacts, type ListKind, type Mode, type Reason } from './model.js';
import { decodePassport } from './passport.js';
import { toPhoneNumber } from './phone-number.js';
import type { ProviderState } from './policy.js';

/** Bumped on any incompatible change of CdrRecord. */
export const CDR_SCHEMA_VERSION = 1;

/** One screening record (serialised as one JSON line). Times are UTC. */
export interface CdrRecord {
  readonly schemaVersion: number;
  readonly type: 'screening';
  /** Node id (config `node.id`) — with `seq` unique across a fleet. */
  readonly node: string;
  readonly seq: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly receivedAt: string;
  readonly receivedAtMs: number;
  readonly decidedAtMs: number;
  readonly callId: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly transport: string;
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly trunkId: string | null;
  readonly providerId: string | null;
  readonly providerName: string | null;
  readonly providerRmdNumber: string | null;
  readonly providerFrn: string | null;
  readonly fromUser: string;
  readonly fromE164: string | null;
  readonly paiUser: string;
  readonly paiE164: string | null;
  /** Best calling number: PAI when present, else From. */
  readonly callingE164: string | null;
  readonly ruriUser: string;
  readonly calledE164: string | null;
  readonly identityStatus: string;
  readonly attest: string | null;
  readonly origid: string | null;
  readonly identityOrigTn: string | null;
  readonly identityDestTn: readonly string[] | null;
  readonly identityIat: number | null;
  readonly identityVerified: false;
  readonly decision: 'allow' | 'reject';
  readonly wouldBlock: boolean;
  readonly reason: Reason | null;
  readonly listEntryId: string | null;
  readonly listKind: ListKind | null;
  readonly listSource: string | null;
  readonly rmdSnapshotId: string | null;
  readonly rmdSnapshotLoadedAt: string | null;
  readonly rmdMatch: string | null;
  /** Calling-number finding: `nanp`, the DNO list or the allocation feed that fired; null when none did. */
  readonly callingNumberList: string | null;
  /** The NANP rule, DNO entry (`+12025550100`, prefix `+1202555…`) or missing code (`202-555`, `202-555-0`). */
  readonly callingNumberEntry: string | null;
  /** Who listed the DNO entry (its source), or the rule family (`nanp-structure`, `numbering-administrator`). */
  readonly callingNumberSource: string | null;
  /** `emergency` or `psap` when a blocking rule fired but the call was let through as an emergency or PSAP call. */
  readonly protectedCall: 'emergency' | 'psap' | null;
  readonly sipStatus: number;
  readonly mode: Mode;
  readonly configVersion: string;
}

/** What a disposition record reports; see {@link DispositionRecord}. */
export type DispositionEvent = 'answered' | 'failed' | 'canceled' | 'released' | 'dropped';

/**
 * What happened to a call after its screening record, joined to it by `callId` (one record per event, UTC times):
 * `answered` / `failed` / `canceled` = the final response a proxied call got, `released` = its BYE, `dropped` = the
 * front sent no answer at all.
 */
export interface DispositionRecord {
  readonly schemaVersion: number;
  readonly type: 'disposition';
  readonly node: string;
  readonly callId: string;
  readonly event: DispositionEvent;
  /** When rmdgate learned of the event: ISO 8601 UTC with milliseconds, and epoch ms. */
  readonly at: string;
  readonly atMs: number;
  /** The SIP server's own time of day for the event (`HH:MM:SS.uuuuuu` UTC); null for the front's own events. */
  readonly serverTime: string | null;
  /** Final SIP status sent to the caller (answered, failed, canceled); null otherwise. */
  readonly sipStatus: number | null;
  /** The server's CDR reason (`call-rejected`, `normal-release`, ...) or the front's cause (`unknown-trunk`). */
  readonly cause: string | null;
  /** released: who sent the BYE; null when unknown. */
  readonly releasedBy: 'caller' | 'callee' | null;
  /** Destinations tried before the outcome; null when unknown. */
  readonly attempts: number | null;
}

/** The `sourceAddress` of the one summary that adds up the sources beyond the per-interval bound. */
export const FLOOD_OTHER_SOURCES = 'other';

/**
 * What flood control refused from one source in one interval (the built-in front's `sip.flood`): requests from an
 * address no trunk covers, over that address's rate, dropped unparsed or answered 503. Nothing of those requests was
 * read, so this is all there is to say about them: "N requests from X were refused in that interval".
 */
export interface FloodSummary {
  /** The source address, or {@link FLOOD_OTHER_SOURCES} for the sources beyond the per-interval bound, added up. */
  readonly sourceAddress: string;
  /** Distinct sources added up: 1, or more for {@link FLOOD_OTHER_SOURCES}. */
  readonly sources: number;
  readonly transport: string;
  /** Interval, epoch ms: from the first refusal counted in it to its end (the rollover, or the stop). */
  readonly intervalStartMs: number;
  readonly intervalEndMs: number;
  readonly requests: number;
  readonly action: 'dropped' | 'rejected';
}

/** One flood summary as a CDR (one JSON line; its own table in the SQLite day file). Times are UTC. */
export interface FloodSummaryRecord {
  readonly schemaVersion: number;
  readonly type: 'flood-summary';
  readonly node: string;
  readonly sourceAddress: string;
  /** Distinct sources added up in this record: 1, or more for {@link FLOOD_OTHER_SOURCES}. */
  readonly sources: number;
  readonly transport: string;
  /** ISO 8601 UTC with milliseconds, and epoch ms. */
  readonly intervalStart: string;
  readonly intervalStartMs: number;
  readonly intervalEnd: string;
  readonly intervalEndMs: number;
  /** Requests refused in the interval. */
  readonly requests: number;
  readonly action: 'dropped' | 'rejected';
  readonly reason: typeof FLOOD_REASON;
}

/** Builds the flood summary record of one source (or of `other`, adding up `sources`) in one interval. */
export function toFloodSummaryRecord(s: FloodSummary, node: string): FloodSummaryRecord {
  return {
    schemaVersion: CDR_SCHEMA_VERSION,
    type: 'flood-summary',
    node,
    sourceAddress: s.sourceAddress,
    sources: s.sources,
    transport: s.transport,
    intervalStart: new Date(s.intervalStartMs).toISOString(),
    intervalStartMs: s.intervalStartMs,
    intervalEnd: new Date(s.intervalEndMs).toISOString(),
    intervalEndMs: s.intervalEndMs,
    requests: s.requests,
    action: s.action,
    reason: FLOOD_REASON,
  };
}

/** Every record type a CdrSink takes; `type` tells them apart. */
export type CallRecord = CdrRecord | DispositionRecord | FloodSummaryRecord;

/** Context of a record beyond facts and decision. */
export interface CdrContext {
  readonly node: string;
  readonly seq: number;
  readonly decidedAt: number;
  readonly sipStatus: number;
  readonly mode: Mode;
  readonly configVersion: string;
  readonly provider: ProviderState | undefined;
  readonly rmdLoadedAt: number | undefined;
}

/** The ISO form of the last snapshot time seen: the same for every call until the snapshot changes. */
// Stryker disable next-line StringLiteral: equivalent, the NaN time never equals a snapshot time, so the initial text is never returned
let lastSnapshotIso: { readonly ms: number; readonly iso: string } = { ms: Number.NaN, iso: '' };

function snapshotIso(ms: number): string {
  // Stryker disable next-line ConditionalExpression: equivalent, the memo only saves formatting the same time again
  if (ms !== lastSnapshotIso.ms) lastSnapshotIso = { ms, iso: new Date(ms).toISOString() };
  return lastSnapshotIso.iso;
}

/** Builds the CDR of one screened INVITE. Missing headers are recorded as empty/null, never fail. */
export function toCdrRecord(facts: InviteFacts, decision: Decision, ctx: CdrContext): CdrRecord {
  const from = toPhoneNumber(facts.from);
  const pai = toPhoneNumber(facts.pAssertedIdentity);
  const ruri = toPhoneNumber(facts.requestUri);
  const claims = decodePassport(facts.identity);
  const ev = decision.evidence;
  const p = ctx.provider?.provider;
  return {
    schemaVersion: CDR_SCHEMA_VERSION,
    type: 'screening',
    node: ctx.node,
    seq: ctx.seq,
    receivedAt: new Date(facts.receivedAt).toISOString(),
    receivedAtMs: facts.receivedAt,
    decidedAtMs: ctx.decidedAt,
    callId: facts.callId,
    sourceAddress: facts.sourceAddress,
    sourcePort: facts.sourcePort,
    transport: facts.transport,
    localAddress: facts.localAddress ?? null,
    localPort: facts.localPort ?? null,
    trunkId: ev.trunkId ?? null,
    providerId: ev.providerId ?? null,
    providerName: p?.name ?? null,
    providerRmdNumber: p?.rmdNumber ?? ctx.provider?.filing?.rmdNumber ?? null,
    providerFrn: p?.frn ?? (ctx.provider?.filing?.frn || null),
    fromUser: from.raw,
    fromE164: from.e164 ?? null,
    paiUser: pai.raw,
    paiE164: pai.e164 ?? null,
    callingE164: pai.e164 ?? from.e164 ?? null,
    ruriUser: ruri.raw,
    calledE164: ruri.e164 ?? null,
    identityStatus: claims.status,
    attest: claims.attest ?? null,
    origid: claims.origid ?? null,
    identityOrigTn: claims.origTn ?? null,
    identityDestTn: claims.destTn ?? null,
    identityIat: claims.iat ?? null,
    identityVerified: false,
    decision: decision.kind,
    wouldBlock: decision.kind === 'allow' && decision.wouldBlock,
    reason: decision.reason ?? null,
    listEntryId: ev.listEntryId ?? null,
    listKind: ev.listKind ?? null,
    listSource: ev.listSource ?? null,
    rmdSnapshotId: ev.rmdSnapshotId ?? null,
    rmdSnapshotLoadedAt: ctx.rmdLoadedAt === undefined ? null : snapshotIso(ctx.rmdLoadedAt),
    rmdMatch: ev.rmdMatch ?? null,
    callingNumberList: ev.callingNumberList ?? null,
    callingNumberEntry: ev.callingNumberEntry ?? null,
    callingNumberSource: ev.callingNumberSource ?? null,
    protectedCall: ev.protectedCall ?? null,
    sipStatus: ctx.sipStatus,
    mode: ctx.mode,
    configVersion: ctx.configVersion,
  };
}
