/**
 * The screening use case: facts → decision (pure core) → SIP reply, plus one CDR, one metric observation and a log
 * line. Both SIP fronts call it. It never throws: a bug in screening becomes the `screening-error` reason.
 */
import { toCdrRecord } from './cdr-record.js';
import type { Decision, InviteFacts } from './model.js';
import { decide, type ScreeningWorld } from './policy.js';
import { toSipReply, type ReplyOptions, type SipReply } from '../sip/shared/sip-reply.js';
import type { CdrSink, Clock, Logger, ScreeningMetrics } from './ports.js';

/** Dependencies of the screener. `world` returns the current world (swapped atomically by reloads). */
export interface InviteScreenerDeps {
  readonly world: () => ScreeningWorld;
  readonly cdr: CdrSink;
  readonly metrics: ScreeningMetrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly node: string;
  readonly reply: ReplyOptions;
  /** First CDR sequence number (e.g. boot time × 1000, so node + seq stays unique across restarts). */
  readonly firstSeq: number;
  /**
   * For fronts that proxy allowed calls instead of redirecting them: the status the CDR records for an allowed call
   * on a trunk (the drachtio front returns 100 for proxied trunks — the final status is in the disposition record).
   * Default: the reply's status (302).
   */
  readonly allowedCdrStatus?: ((trunkId: string | undefined) => number | undefined) | undefined;
}

/** The outcome of screening, for fronts that need more than the reply (e.g. the drachtio proxy). */
export interface Screening {
  readonly decision: Decision;
  readonly reply: SipReply;
}

/** Creates the screener: `screen(facts)` decides, records and returns the reply to send. */
export function createInviteScreener(deps: InviteScreenerDeps): (facts: InviteFacts) => Screening {
  let seq = deps.firstSeq;
  const nextSeq = (): number => seq++;
  return function screen(facts: InviteFacts): Screening {
    try {
      return screenOnce(facts, deps, nextSeq);
    } catch (err) {
      deps.metrics.screeningError();
      deps.log.error({ err, callId: facts.callId }, 'screening failed after the decision');
      const decision = screeningErrorDecision(deps.world());
      return { decision, reply: toSipReply(decision, deps.reply, facts.requestUri) };
    }
  };
}

function screenOnce(facts: InviteFacts, deps: InviteScreenerDeps, nextSeq: () => number): Screening {
  const started = deps.clock.monotonicMs();
  const world = deps.world();
  const decision = safeDecide(facts, world, deps);
  const reply = toSipReply(decision, deps.reply, facts.requestUri);
  const seconds = (deps.clock.monotonicMs() - started) / 1000;
  const outcome = decision.kind === 'reject' ? 'reject' : decision.wouldBlock ? 'would-block' : 'allow';
  deps.metrics.screened({ trunk: decision.evidence.trunkId ?? 'unknown', decision: outcome, reason: decision.reason ?? 'none', mode: world.policy.mode, seconds });
  deps.cdr.write(
    toCdrRecord(facts, decision, {
      node: deps.node,
      seq: nextSeq(),
      decidedAt: deps.clock.now(),
      sipStatus: (decision.kind === 'allow' ? deps.allowedCdrStatus?.(decision.evidence.trunkId) : undefined) ?? reply.status,
      mode: world.policy.mode,
      configVersion: world.configVersion,
      provider: decision.evidence.providerId === undefined ? undefined : world.providers.get(decision.evidence.providerId),
      rmdLoadedAt: world.rmd?.loadedAt,
    }),
    { requestUri: facts.requestUri, selectorHeaders: facts.selectorHeaders },
  );
  logDecision(deps.log, facts, decision, reply);
  return { decision, reply };
}

function safeDecide(facts: InviteFacts, world: ScreeningWorld, deps: InviteScreenerDeps): Decision {
  try {
    return decide(facts, world);
  } catch (err) {
    deps.metrics.screeningError();
    deps.log.error({ err, callId: facts.callId }, 'screening failed');
    return screeningErrorDecision(world);
  }
}

/** The decision the fail-open/closed policy gives when screening cannot complete (bug or deadline). */
export function screeningErrorDecision(world: ScreeningWorld): Decision {
  const p = world.policy.reasons['screening-error'];
  if (p.action === 'block' && world.policy.mode === 'enforce') {
    return { kind: 'reject', reason: 'screening-error', evidence: {}, answer: p.answer };
  }
  return { kind: 'allow', reason: 'screening-error', wouldBlock: p.action !== 'allow', evidence: {}, route: world.policy.defaultRoute };
}

function logDecision(log: Logger, facts: InviteFacts, decision: Decision, reply: SipReply): void {
  const level = decision.kind === 'reject' ? 'info' : 'debug';
  if (!log.isLevelEnabled(level)) return;
  const fields = {
    trunkId: decision.evidence.trunkId ?? 'unknown',
    providerId: decision.evidence.providerId,
    reason: decision.reason ?? 'none',
    sipStatus: reply.status,
    source: `${facts.sourceAddress}:${facts.sourcePort}`,
    listEntryId: decision.evidence.listEntryId,
  };
  const child = log.child({ callId: facts.callId });
  if (decision.kind === 'reject') child.info(fields, 'invite rejected');
  else child.debug({ ...fields, wouldBlock: decision.wouldBlock }, 'invite allowed');
}
