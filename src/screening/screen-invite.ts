/**
 * The screening use case: facts → decision (pure core), plus one CDR, one metric observation and a log line. Both SIP
 * fronts call it and render the decision's SIP answer themselves. It never throws: a bug in screening becomes the
 * `screening-error` reason.
 */
import { protectionOf, type ProtectedCall } from './calling-number.js';
import { toCdrRecord } from './cdr-record.js';
import type { Decision, InviteFacts } from './model.js';
import { decide, type ScreeningWorld } from './policy.js';
import type { CdrSink, Clock, Logger, ScreeningMetrics } from './ports.js';

/** Dependencies of the screener. `world` returns the current world (swapped atomically by reloads). */
export interface InviteScreenerDeps {
  readonly world: () => ScreeningWorld;
  readonly cdr: CdrSink;
  readonly metrics: ScreeningMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly node: string;
  /** First CDR sequence number (e.g. boot time × 1000, so node + seq stays unique across restarts). */
  readonly firstSeq: number;
  /**
   * The SIP status the front answers a decision with, as the CDR records it: the reject answer's status, 302 for a
   * redirect, 100 for a call the drachtio front proxies (its final status is in the disposition record).
   */
  readonly sipStatus: (decision: Decision) => number;
}

/** The screener: decides, records and returns the decision. Never throws. */
export type InviteScreener = (facts: InviteFacts) => Decision;

/** Creates the screener. */
export function createInviteScreener(deps: InviteScreenerDeps): InviteScreener {
  let seq = deps.firstSeq;
  const nextSeq = (): number => seq++;
  return function screen(facts: InviteFacts): Decision {
    try {
      return screenOnce(facts, deps, nextSeq);
    } catch (err) {
      deps.metrics.screeningError();
      deps.log.error({ err, callId: facts.callId }, 'screening failed after the decision');
      return screeningErrorDecision(deps.world(), facts);
    }
  };
}

function screenOnce(facts: InviteFacts, deps: InviteScreenerDeps, nextSeq: () => number): Decision {
  const started = deps.clock.monotonicMs();
  const world = deps.world();
  const decision = safeDecide(facts, world, deps);
  const sipStatus = deps.sipStatus(decision);
  const seconds = (deps.clock.monotonicMs() - started) / 1000;
  const outcome = decision.kind === 'reject' ? 'reject' : decision.wouldBlock ? 'would-block' : 'allow';
  deps.metrics.screened({ trunk: decision.evidence.trunkId ?? 'unknown', decision: outcome, reason: decision.reason ?? 'none', mode: world.policy.mode, seconds, protectedCall: decision.evidence.protectedCall });
  deps.cdr.write(
    toCdrRecord(facts, decision, {
      node: deps.node,
      seq: nextSeq(),
      decidedAt: deps.clock.now(),
      sipStatus,
      mode: world.policy.mode,
      configVersion: world.configVersion,
      provider: decision.evidence.providerId === undefined ? undefined : world.providers.get(decision.evidence.providerId),
      rmdLoadedAt: world.rmd?.loadedAt,
    }),
    { requestUri: facts.requestUri, selectorHeaders: facts.selectorHeaders },
  );
  logDecision(deps.log, facts, decision, sipStatus);
  return decision;
}

function safeDecide(facts: InviteFacts, world: ScreeningWorld, deps: InviteScreenerDeps): Decision {
  try {
    return decide(facts, world);
  } catch (err) {
    deps.metrics.screeningError();
    deps.log.error({ err, callId: facts.callId }, 'screening failed');
    return screeningErrorDecision(world, facts);
  }
}

/**
 * The decision the fail-open/closed policy (`policy.reasons.screening-error`) gives when screening cannot complete.
 * Fail-closed still lets an emergency or PSAP call from a configured trunk source through (as would-block): the
 * protection holds even when screening broke.
 */
export function screeningErrorDecision(world: ScreeningWorld, facts?: InviteFacts): Decision {
  const p = world.policy.reasons['screening-error'];
  if (p.action === 'block' && world.policy.mode === 'enforce') {
    const protectedCall = facts === undefined ? undefined : protectedDespiteError(facts, world);
    if (protectedCall !== undefined) return { kind: 'allow', reason: 'screening-error', wouldBlock: true, evidence: { protectedCall }, route: world.policy.defaultRoute };
    return { kind: 'reject', reason: 'screening-error', evidence: {}, answer: p.answer };
  }
  return { kind: 'allow', reason: 'screening-error', wouldBlock: p.action !== 'allow', evidence: {}, route: world.policy.defaultRoute };
}

/** The protection of a call whose screening threw, when its source is a configured trunk's; undefined if that cannot be told. */
function protectedDespiteError(facts: InviteFacts, world: ScreeningWorld): ProtectedCall | undefined {
  try {
    return world.trunks.hasSource(facts.sourceAddress) ? protectionOf(facts, world.emergency) : undefined;
  } catch {
    // the world itself is broken: whether the source is a trunk's cannot be told
  }
  return undefined;
}

function logDecision(log: Logger, facts: InviteFacts, decision: Decision, sipStatus: number): void {
  // Stryker disable next-line ConditionalExpression: equivalent, the level only decides whether to build the fields; the child logger below logs at the decision's own level
  const level = decision.kind === 'reject' ? 'info' : 'debug';
  // Stryker disable next-line ConditionalExpression: equivalent, a fast path: the logger drops a line below its level anyway
  if (!log.isLevelEnabled(level)) return;
  const fields = {
    trunkId: decision.evidence.trunkId ?? 'unknown',
    providerId: decision.evidence.providerId,
    reason: decision.reason ?? 'none',
    sipStatus,
    source: `${facts.sourceAddress}:${facts.sourcePort}`,
    listEntryId: decision.evidence.listEntryId,
    callingNumberEntry: decision.evidence.callingNumberEntry,
    protectedCall: decision.evidence.protectedCall,
  };
  const child = log.child({ callId: facts.callId });
  if (decision.kind === 'reject') child.info(fields, 'invite rejected');
  else child.debug({ ...fields, wouldBlock: decision.wouldBlock }, 'invite allowed');
}
