/**
 * A crowded traceback window: thousands of calls of one calling/called pair around a time, with equal distances on
 * both sides, same-millisecond calls from several nodes, calls matched by From only, and decoys that must not count
 * (other numbers, just outside the window). Deterministic (fixed-seed generator); the expected order is computed here
 * independently of the stores' comparator.
 */
import type { CdrRecord } from '../../src/screening/cdr-record.js';
import { buildCdr } from './builders.js';

/** The pair asked about (as buildCdr's defaults). */
export const CROWD_CALLING = '+13035550100';
export const CROWD_CALLED = '+12025550123';

/** A crowd: every record to store, and the matching ones (calling/called pair inside [at - window, at + window]). */
export interface TracebackCrowd {
  readonly records: readonly CdrRecord[];
  readonly matches: readonly CdrRecord[];
}

/** Node names whose byte order differs from their numeric order (gate-1 < gate-10 < gate-2). */
const NODES = ['gate-2', 'gate-10', 'gate-1'];

/**
 * `matches` matching calls spread over [atMs - windowMs, atMs + windowMs] (both ends included), plus ties and decoys.
 * Seq numbers are unique per node.
 */
export function buildTracebackCrowd(opts: { atMs: number; windowMs: number; matches: number }): TracebackCrowd {
  let state = 0x2545f491;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const seqs = new Map<string, number>();
  const call = (receivedAtMs: number, node: string, extra: Partial<CdrRecord> = {}): CdrRecord => {
    const seq = (seqs.get(node) ?? 0) + 1;
    seqs.set(node, seq);
    return buildCdr({ node, seq, receivedAtMs, callId: `crowd-${node}-${seq}@test`, ...extra });
  };
  const { atMs, windowMs } = opts;
  const matches: CdrRecord[] = [];
  // Fixed points: both window ends, equal distances either side of the time, and same-millisecond calls on three nodes.
  const fixed = [atMs - windowMs, atMs + windowMs, atMs - 1500, atMs + 1500, atMs - 1500, atMs + 40, atMs + 40, atMs + 40];
  fixed.forEach((ms, i) => matches.push(call(ms, NODES[i % NODES.length]!)));
  while (matches.length < opts.matches) {
    const ms = atMs + Math.round((next() * 2 - 1) * windowMs);
    const node = NODES[Math.floor(next() * NODES.length)]!;
    // One call in five has a different PAI: it matches by its From number only.
    const byFrom = next() < 0.2 ? { callingE164: '+19995550000', paiE164: '+19995550000', paiUser: '+19995550000' } : {};
    matches.push(call(ms, node, byFrom));
  }
  const decoys: CdrRecord[] = [];
  for (let i = 0; i < 300; i++) {
    const ms = atMs + Math.round((next() * 2 - 1) * windowMs);
    decoys.push(call(ms, 'gate-1', { calledE164: '+12025550199', ruriUser: '+12025550199' }));
    decoys.push(call(ms, 'gate-1', { callingE164: '+13035550199', fromE164: '+13035550199', fromUser: '+13035550199' }));
  }
  for (const ms of [atMs - windowMs - 1, atMs + windowMs + 1, atMs - windowMs - 60_000, atMs + windowMs + 60_000]) decoys.push(call(ms, 'gate-1'));
  return { records: [...matches, ...decoys], matches };
}

/** `node/seq` of each record, the identity the assertions compare. */
export const ids = (records: readonly { readonly node: string; readonly seq: number }[]): string[] => records.map((r) => `${r.node}/${r.seq}`);

/** The matches in the expected answer order: |received - at| ascending, then received time, then node (bytes), then seq. */
export function expectedOrder(matches: readonly CdrRecord[], atMs: number): CdrRecord[] {
  const key = (r: CdrRecord): [number, number, string, number] => [Math.abs(r.receivedAtMs - atMs), r.receivedAtMs, r.node, r.seq];
  return [...matches].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}
