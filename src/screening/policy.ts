/**
 * The screening decision: compile config + data into an immutable ScreeningWorld once, then decide() per INVITE.
 * PURE: time arrives as `facts.receivedAt`; the world is swapped whole by the caller, never mutated.
 */
import { normaliseBusinessName } from './business-name.js';
import { findCallingNumber, protectionOf, toEmergencyProtection, type CallingNumberScreening, type EmergencyProtection } from './calling-number.js';
import type {
  Action, BlocklistEntry, Decision, Evidence, InviteFacts, ListKind, Mode, PolicyReason, Provider, RejectAnswer, RmdFiling, RmdSnapshot, Trunk,
} from './model.js';
import { graceAt, isEntryActive, type RmdGraceMap } from './provider-status.js';
import { unusableRequestUri } from './request-uri.js';
import { createTrunkTable, type TrunkTable } from './trunk-table.js';

/** Per-reason action and pre-rendered answer. */
export interface ReasonPolicy {
  readonly action: Action;
  readonly answer: RejectAnswer;
}

/** Policy as data (config `policy` + `mode`). */
export interface Policy {
  readonly mode: Mode;
  readonly reasons: Readonly<Record<PolicyReason, ReasonPolicy>>;
  /** Action per designation list kind, applied to `provider-designated`. */
  readonly designated: Readonly<Record<ListKind, Action>>;
  /** 302 Contact URIs for allowed calls on trunks without their own route. */
  readonly defaultRoute: readonly string[];
}

/** A provider joined to its RMD filing and to the blocklist entries naming it (compiled once per world). */
export interface ProviderState {
  readonly provider: Provider;
  readonly filing: RmdFiling | undefined;
  readonly rmdMatch: 'rmd-number' | 'frn' | undefined;
  /** Entries keyed by any of the provider's RMD number, FRNs or names; most severe action first. */
  readonly entries: readonly BlocklistEntry[];
}

/**
 * Per-trunk precomputation: the evidence and the decisions that do not depend on time, so decide() allocates
 * nothing for the common cases (clean allow, not in RMD, unknown trunk).
 */
export interface TrunkState {
  readonly trunk: Trunk;
  readonly provider: ProviderState | undefined;
  readonly evidence: Evidence;
  /** The decision when no designation entry is active (allow, or the RMD finding's outcome). */
  readonly baseline: Decision;
  readonly baselineSeverity: number;
  /** The baseline while the provider's removal grace runs (only for providers in the world's `rmdGrace`). */
  readonly graceBaseline?: { readonly decision: Decision; readonly severity: number } | undefined;
  /** One decision per provider entry (same order as `provider.entries`), with its list evidence. */
  readonly entryDecisions: readonly { readonly entry: BlocklistEntry; readonly decision: Decision; readonly severity: number }[];
}

/** Everything decide() reads; immutable and swapped atomically on reload or new data. */
export interface ScreeningWorld {
  readonly trunks: TrunkTable;
  readonly trunkStates: ReadonlyMap<Trunk, TrunkState>;
  readonly unknownTrunk: Decision;
  readonly providers: ReadonlyMap<string, ProviderState>;
  readonly rmd: RmdSnapshot | undefined;
  readonly policy: Policy;
  /** Config version (hash) this world was built from; recorded in CDRs. */
  readonly configVersion: string;
  /** Providers in their removal grace period (WorldInputs.rmdGrace); absent when none was given. */
  readonly rmdGrace?: RmdGraceMap | undefined;
  /** Calling-number checks; absent = off. */
  readonly callingNumber?: CallingNumberScreening | undefined;
  /** Emergency and PSAP calls that are never refused on a configured trunk (911 and 933 at least). */
  readonly emergency: EmergencyProtection;
}

/** Inputs of compileWorld. */
export interface WorldInputs {
  readonly trunks: readonly Trunk[];
  readonly providers: readonly Provider[];
  readonly rmd: RmdSnapshot | undefined;
  readonly blocklists: readonly BlocklistEntry[];
  readonly policy: Policy;
  readonly trunkHeader?: string | undefined;
  readonly configVersion: string;
  /**
   * Providers in their removal grace period (listed in an earlier snapshot, missing from this one for less than
   * `feeds.removalGraceHours`) with the grace end: until then their `provider-not-in-rmd` finding is at most
   * `monitor` (see `graceAt`). Absent = no grace.
   */
  readonly rmdGrace?: RmdGraceMap | undefined;
  /** Calling-number checks (config `callingNumber`, DNO and allocation feeds); absent = off. */
  readonly callingNumber?: CallingNumberScreening | undefined;
  /** Emergency protection; absent = the built-in numbers only (it can be widened, never removed). */
  readonly emergency?: EmergencyProtection | undefined;
}

const SEVERITY: Readonly<Record<Action, number>> = { block: 2, monitor: 1, allow: 0 };
const KIND_ORDER: Readonly<Record<ListKind, number>> = { fdo: 0, 'rmd-removed': 1, k4: 2, 'c-cist': 3, operator: 4 };

/** Joins providers to RMD filings and blocklist entries and builds the trunk table. */
export function compileWorld(inputs: WorldInputs): ScreeningWorld {
  const index = indexEntries(inputs.blocklists);
  const providers = new Map<string, ProviderState>();
  for (const provider of inputs.providers) {
    const [filing, rmdMatch] = findFiling(provider, inputs.rmd);
    const entries = entriesFor(provider, filing, index);
    entries.sort((a, b) => SEVERITY[inputs.policy.designated[b.kind]] - SEVERITY[inputs.policy.designated[a.kind]] || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    providers.set(provider.id, { provider, filing, rmdMatch, entries });
  }
  const base = { providers, rmd: inputs.rmd, policy: inputs.policy, rmdGrace: inputs.rmdGrace };
  const trunkStates = new Map<Trunk, TrunkState>();
  for (const trunk of inputs.trunks) trunkStates.set(trunk, toTrunkState(trunk, base));
  return {
    trunks: trunkTableFor(inputs.trunks, inputs.trunkHeader),
    trunkStates,
    unknownTrunk: conclude({ reason: 'unknown-trunk', action: inputs.policy.reasons['unknown-trunk'].action }, { rmdSnapshotId: inputs.rmd?.id }, inputs.policy.defaultRoute, inputs.policy),
    providers,
    rmd: inputs.rmd,
    policy: inputs.policy,
    configVersion: inputs.configVersion,
    ...(inputs.rmdGrace === undefined ? {} : { rmdGrace: inputs.rmdGrace }),
    // Stryker disable next-line ConditionalExpression: equivalent, an absent and an undefined callingNumber read the same
    ...(inputs.callingNumber === undefined ? {} : { callingNumber: inputs.callingNumber }),
    emergency: inputs.emergency ?? toEmergencyProtection(),
  };
}

/**
 * The trunk table depends only on the trunk list and the trunk header; a data-only recompile (an RMD refresh) passes
 * the same frozen trunk array again, so its table is reused instead of rebuilt.
 */
const TABLES = new WeakMap<readonly Trunk[], { readonly trunkHeader: string | undefined; readonly table: TrunkTable }>();

function trunkTableFor(trunks: readonly Trunk[], trunkHeader: string | undefined): TrunkTable {
  const cached = TABLES.get(trunks);
  if (cached && cached.trunkHeader === trunkHeader) return cached.table;
  const table = createTrunkTable(trunks, { trunkHeader });
  TABLES.set(trunks, { trunkHeader, table });
  return table;
}

type WorldBase = Pick<ScreeningWorld, 'providers' | 'rmd' | 'policy'> & { readonly rmdGrace?: RmdGraceMap | undefined };

function toTrunkState(trunk: Trunk, world: WorldBase): TrunkState {
  const { policy } = world;
  const state = world.providers.get(trunk.providerId);
  const evidence: Evidence = {
    trunkId: trunk.id,
    providerId: trunk.providerId,
    rmdSnapshotId: world.rmd?.id,
    rmdNumber: state?.filing?.rmdNumber || undefined, // a filing keyed by FRN has no RMD number
    rmdMatch: state?.rmdMatch,
  };
  const route = trunk.route ?? policy.defaultRoute;
  const rmdFinding = rmdFindingOf(state, world, false);
  const baseline: Decision = rmdFinding ? conclude(rmdFinding, evidence, route, policy) : { kind: 'allow', reason: undefined, wouldBlock: false, evidence, route };
  // Stryker disable next-line ConditionalExpression: equivalent, the guard only spares work: decide() uses the grace baseline only for a provider graceAt finds in rmdGrace
  const graceFinding = state !== undefined && world.rmdGrace?.has(state.provider.id) === true ? rmdFindingOf(state, world, true) : undefined;
  const graceBaseline = graceFinding ? { decision: conclude(graceFinding, evidence, route, policy), severity: SEVERITY[graceFinding.action] } : undefined;
  const entryDecisions = (state?.entries ?? []).map((entry) => {
    const action = pickAction(policy.reasons['provider-designated'].action, policy.designated[entry.kind]);
    const ev: Evidence = { ...evidence, listEntryId: entry.id, listKind: entry.kind, listSource: entry.source };
    return { entry, decision: conclude({ reason: 'provider-designated', action }, ev, route, policy), severity: SEVERITY[action] };
  });
  return { trunk, provider: state, evidence, baseline, baselineSeverity: rmdFinding ? SEVERITY[rmdFinding.action] : -1, graceBaseline, entryDecisions };
}

function findFiling(p: Provider, rmd: RmdSnapshot | undefined): [RmdFiling | undefined, 'rmd-number' | 'frn' | undefined] {
  if (!rmd) return [undefined, undefined];
  const byNumber = p.rmdNumber === undefined ? undefined : rmd.byRmdNumber.get(p.rmdNumber);
  if (byNumber) return [byNumber, 'rmd-number'];
  const byFrn = p.frn === undefined ? undefined : rmd.byFrn.get(p.frn);
  return byFrn ? [byFrn, 'frn'] : [undefined, undefined];
}

interface EntryIndex {
  readonly byRmd: Map<string, BlocklistEntry[]>;
  readonly byFrn: Map<string, BlocklistEntry[]>;
  readonly byName: Map<string, BlocklistEntry[]>;
}

function indexEntries(entries: readonly BlocklistEntry[]): EntryIndex {
  const idx: EntryIndex = { byRmd: new Map(), byFrn: new Map(), byName: new Map() };
  const add = (m: Map<string, BlocklistEntry[]>, k: string | undefined, e: BlocklistEntry): void => {
    if (k === undefined || k === '') return;
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
  };
  for (const e of entries) {
    add(idx.byRmd, e.rmdNumber, e);
    add(idx.byFrn, e.frn, e);
    add(idx.byName, e.name === undefined ? undefined : normaliseBusinessName(e.name), e);
  }
  return idx;
}

function entriesFor(p: Provider, filing: RmdFiling | undefined, idx: EntryIndex): BlocklistEntry[] {
  const found = new Set<BlocklistEntry>();
  const take = (list: readonly BlocklistEntry[] | undefined): void => list?.forEach((e) => found.add(e));
  for (const n of [p.rmdNumber, filing?.rmdNumber]) if (n !== undefined) take(idx.byRmd.get(n));
  // Stryker disable next-line ArrayDeclaration,ConditionalExpression,StringLiteral: equivalent, the index has no '' key (indexEntries skips it) and the fallback array is only used without a filing
  for (const f of [p.frn, filing?.frn, ...(filing?.otherFrns ?? [])]) if (f !== undefined && f !== '') take(idx.byFrn.get(f));
  // Stryker disable next-line ArrayDeclaration: equivalent, the fallback arrays are only used when there is nothing to add; a stray name would have to be an indexed one
  for (const name of [p.name, ...(p.dba ?? []), filing?.businessName, ...(filing?.otherNames ?? [])]) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, '' normalises to '', which the index never holds (indexEntries skips it)
    if (name !== undefined && name !== '') take(idx.byName.get(normaliseBusinessName(name)));
  }
  return [...found];
}

interface Finding {
  readonly reason: PolicyReason;
  readonly action: Action;
}

/**
 * Decides one INVITE: trunk → precomputed trunk state → the first designation entry active at `receivedAt`
 * (entries are sorted most severe first; `isEntryActive`) versus the RMD finding, milder while the provider's removal
 * grace runs at `receivedAt` (`graceAt`); the more severe wins, designation on ties. A call
 * that would pass (allowed or would-block) but whose Request-URI user cannot be carried into the redirect is refused
 * as `unusable-request-uri` instead, in any mode: passing it on would lose the dialed number.
 * Pure; for the common cases it allocates nothing beyond the trunk lookup and, for a passing call, the substrings
 * the Request-URI check takes.
 */
export function decide(facts: InviteFacts, world: ScreeningWorld): Decision {
  const decision = decidePolicy(facts, world);
  if (decision.kind === 'reject') return decision;
  const answer = unusableRequestUri(facts.requestUri);
  return answer === undefined ? decision : { kind: 'reject', reason: 'unusable-request-uri', evidence: decision.evidence, answer };
}

function decidePolicy(facts: InviteFacts, world: ScreeningWorld): Decision {
  const trunk = world.trunks.lookup(facts);
  if (!trunk) return world.unknownTrunk;
  const ts = world.trunkStates.get(trunk);
  if (!ts) throw new Error(`trunk ${trunk.id} has no compiled state`);
  const now = facts.receivedAt;
  // Stryker disable next-line ConditionalExpression: equivalent, the guard only spares the map lookup: without a grace baseline the result is undefined either way
  const graced = ts.graceBaseline !== undefined && graceAt(ts.trunk.providerId, world.rmdGrace, now) !== undefined ? ts.graceBaseline : undefined;
  let decision = graced ? graced.decision : ts.baseline;
  let severity = graced ? graced.severity : ts.baselineSeverity;
  for (const d of ts.entryDecisions) {
    if (!isEntryActive(d.entry, now)) continue;
    if (d.severity >= severity) {
      decision = d.decision;
      severity = d.severity;
    }
    break;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a fast path: at block severity the provider-level finding wins the tie in withCallingNumber anyway
  if (world.callingNumber !== undefined && severity < SEVERITY.block) decision = withCallingNumber(facts, world.callingNumber, ts, decision, severity, world.policy);
  return decision.kind === 'reject' ? protect(facts, decision, ts, world) : decision;
}

/**
 * The calling-number finding replaces the provider-level decision only when its action is more severe: on ties the
 * provider's finding (designation, then RMD) stays, as it names who handed the call over.
 */
function withCallingNumber(facts: InviteFacts, cn: CallingNumberScreening, ts: TrunkState, decision: Decision, severity: number, policy: Policy): Decision {
  const f = findCallingNumber(facts, cn, facts.receivedAt);
  if (f === undefined) return decision;
  const action = policy.reasons[f.reason].action;
  if (SEVERITY[action] <= severity) return decision;
  const evidence: Evidence = { ...ts.evidence, callingNumberList: f.list, callingNumberEntry: f.entry, callingNumberSource: f.source };
  return conclude({ reason: f.reason, action }, evidence, ts.trunk.route ?? policy.defaultRoute, policy);
}

/**
 * A refusal on a configured trunk becomes an allow recorded as would-block when the call is to an emergency number
 * or from a PSAP (domain.md §9.2): no blocking rule refuses it. Unknown sources never get here (ingress ACL).
 */
function protect(facts: InviteFacts, decision: Decision & { kind: 'reject' }, ts: TrunkState, world: ScreeningWorld): Decision {
  const p = protectionOf(facts, world.emergency);
  if (p === undefined) return decision;
  return { kind: 'allow', reason: decision.reason, wouldBlock: true, evidence: { ...decision.evidence, protectedCall: p }, route: ts.trunk.route ?? world.policy.defaultRoute };
}

/** The RMD finding of a provider; `inGrace`: as while its removal grace runs (at most monitor). */
function rmdFindingOf(state: ProviderState | undefined, world: WorldBase, inGrace: boolean): Finding | undefined {
  if (!state) return { reason: 'screening-error', action: world.policy.reasons['screening-error'].action };
  if (!state.provider.rmdRequired || state.filing) return undefined;
  if (!world.rmd) return { reason: 'rmd-unavailable', action: world.policy.reasons['rmd-unavailable'].action };
  const action = world.policy.reasons['provider-not-in-rmd'].action;
  return { reason: 'provider-not-in-rmd', action: inGrace ? pickAction(action, 'monitor') : action };
}

/** The list kind's action narrows the reason's action: the milder of the two applies. */
function pickAction(reasonAction: Action, kindAction: Action): Action {
  // Stryker disable next-line EqualityOperator: equivalent, equal severities mean equal actions, so either branch returns the same action
  return SEVERITY[reasonAction] <= SEVERITY[kindAction] ? reasonAction : kindAction;
}

function conclude(f: Finding, evidence: Evidence, route: readonly string[], policy: Policy): Decision {
  if (f.action === 'allow') return { kind: 'allow', reason: undefined, wouldBlock: false, evidence, route };
  if (f.action === 'monitor' || policy.mode === 'monitor') return { kind: 'allow', reason: f.reason, wouldBlock: true, evidence, route };
  return { kind: 'reject', reason: f.reason, evidence, answer: policy.reasons[f.reason].answer };
}
