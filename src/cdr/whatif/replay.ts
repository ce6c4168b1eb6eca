/**
 * What-if replay: re-decides stored calls under a candidate world (config and/or RMD snapshot) with the pure core's
 * decide(), compares with the stored outcome, and groups the differences by change, trunk, provider and reason.
 */
import { decide, type Decision, type InviteFacts, type ScreeningWorld, type Transport } from '../../screening/index.js';
import type { StoredCdr } from '../ports.js';

/** A call's effective outcome. */
export type Outcome = 'reject' | 'would-block' | 'allow';

/** How a call's outcome changes under the candidate. */
export type Change = 'now-blocked' | 'now-allowed' | 'changed';

/** Calls sharing a change, trunk, provider and reason transition. */
export interface WhatIfGroup {
  readonly change: Change;
  readonly trunkId: string;
  readonly providerId: string;
  readonly from: string;
  readonly to: string;
  count: number;
  readonly examples: string[];
}

/** The replay's result. */
export interface WhatIfReport {
  readonly replayed: number;
  readonly unchanged: number;
  readonly nowBlocked: number;
  readonly nowAllowed: number;
  readonly changed: number;
  /** Calls replayed without their raw Request-URI/headers while candidate trunks narrow by tgrp/trunk-context/header. */
  readonly approximate: number;
  readonly groups: readonly WhatIfGroup[];
}

/** Options of a replay. */
export interface ReplayOptions {
  /** Whether candidate trunks narrow by Request-URI parameters or a header (then raw fields matter). */
  readonly narrowing: boolean;
  /** Example Call-IDs kept per group (default 3). */
  readonly maxExamples?: number;
}

/** Rebuilds the InviteFacts decide() reads from a stored call (raw Request-URI and headers when recorded). */
export function toReplayFacts(call: StoredCdr): InviteFacts {
  const r = call.record;
  const uri = (user: string): string | undefined => (user ? `<sip:${user}@replay.invalid>` : undefined);
  return {
    callId: r.callId,
    receivedAt: r.receivedAtMs,
    transport: r.transport as Transport,
    sourceAddress: r.sourceAddress,
    sourcePort: r.sourcePort,
    localAddress: r.localAddress ?? undefined,
    localPort: r.localPort ?? undefined,
    requestUri: call.requestUri ?? `sip:${r.ruriUser || 'unknown'}@replay.invalid`,
    from: uri(r.fromUser),
    pAssertedIdentity: uri(r.paiUser),
    selectorHeaders: call.selectorHeaders ?? undefined,
  };
}

/** The outcome of a fresh decision. */
export function outcomeOf(d: Decision): Outcome {
  return d.kind === 'reject' ? 'reject' : d.wouldBlock ? 'would-block' : 'allow';
}

/** Replays calls (any iterable, consumed once: memory is bounded by the number of groups). */
export function replayCalls(calls: Iterable<StoredCdr>, world: ScreeningWorld, opts: ReplayOptions): WhatIfReport {
  const groups = new Map<string, WhatIfGroup>();
  const totals = { replayed: 0, unchanged: 0, nowBlocked: 0, nowAllowed: 0, changed: 0, approximate: 0 };
  for (const call of calls) {
    totals.replayed++;
    if (opts.narrowing && call.requestUri === null) totals.approximate++;
    const r = call.record;
    const before: Outcome = r.decision === 'reject' ? 'reject' : r.wouldBlock ? 'would-block' : 'allow';
    const decision = decide(toReplayFacts(call), world);
    const after = outcomeOf(decision);
    const change = classify(before, after, r.reason, decision.reason ?? null);
    if (change === undefined) {
      totals.unchanged++;
      continue;
    }
    totals[change === 'now-blocked' ? 'nowBlocked' : change === 'now-allowed' ? 'nowAllowed' : 'changed']++;
    addToGroup(groups, change, call, decision, `${before}${r.reason ? `:${r.reason}` : ''}`, `${after}${decision.reason ? `:${decision.reason}` : ''}`, opts.maxExamples ?? 3);
  }
  const order: Record<Change, number> = { 'now-blocked': 0, 'now-allowed': 1, changed: 2 };
  const sorted = [...groups.values()].sort((a, b) => order[a.change] - order[b.change] || b.count - a.count || a.trunkId.localeCompare(b.trunkId));
  return { ...totals, groups: sorted };
}

function classify(before: Outcome, after: Outcome, reasonBefore: string | null, reasonAfter: string | null): Change | undefined {
  if (before !== 'reject' && after === 'reject') return 'now-blocked';
  if (before === 'reject' && after !== 'reject') return 'now-allowed';
  return before !== after || reasonBefore !== reasonAfter ? 'changed' : undefined;
}

function addToGroup(groups: Map<string, WhatIfGroup>, change: Change, call: StoredCdr, d: Decision, from: string, to: string, maxExamples: number): void {
  const trunkId = d.evidence.trunkId ?? call.record.trunkId ?? 'unknown';
  const providerId = d.evidence.providerId ?? call.record.providerId ?? 'unknown';
  const key = [change, trunkId, providerId, from, to].join('\u0000');
  let g = groups.get(key);
  if (!g) {
    g = { change, trunkId, providerId, from, to, count: 0, examples: [] };
    groups.set(key, g);
  }
  g.count++;
  if (g.examples.length < maxExamples) g.examples.push(call.record.callId);
}
