/**
 * CDR builders for store tests: a consistent default screening record (allowed call from trunk-1 / prov-1,
 * matching test/support/builders.ts) that a test overrides where its behaviour depends on it.
 */
import type { CdrRecord } from '../../../src/screening/cdr-record.js';

/** 2026-11-20T19:03:00.000Z — 14:03 in New York (EST). */
export const AT = Date.UTC(2026, 10, 20, 19, 3, 0);

/** A screening CDR; `receivedAt` follows `receivedAtMs` unless given. */
export function buildCdr(overrides: Partial<CdrRecord> = {}): CdrRecord {
  const receivedAtMs = overrides.receivedAtMs ?? AT;
  return {
    schemaVersion: 1,
    type: 'screening',
    node: 'gate-1',
    seq: 1,
    receivedAt: new Date(receivedAtMs).toISOString(),
    receivedAtMs,
    decidedAtMs: receivedAtMs + 1,
    callId: 'call-1@test',
    sourceAddress: '203.0.113.10',
    sourcePort: 5060,
    transport: 'udp',
    localAddress: '198.51.100.1',
    localPort: 5060,
    trunkId: 'trunk-1',
    providerId: 'prov-1',
    providerName: 'Harborline Communications LLC',
    providerRmdNumber: 'RMD0990001',
    providerFrn: '0099000001',
    fromUser: '+13035550100',
    fromE164: '+13035550100',
    paiUser: '',
    paiE164: null,
    callingE164: '+13035550100',
    ruriUser: '+12025550123',
    calledE164: '+12025550123',
    identityStatus: 'absent',
    attest: null,
    origid: null,
    identityOrigTn: null,
    identityDestTn: null,
    identityIat: null,
    identityVerified: false,
    decision: 'allow',
    wouldBlock: false,
    reason: null,
    listEntryId: null,
    listKind: null,
    listSource: null,
    rmdSnapshotId: 'snap0000deadbeef',
    rmdSnapshotLoadedAt: '2026-11-20T00:00:00.000Z',
    rmdMatch: 'rmd-number',
    sipStatus: 302,
    mode: 'enforce',
    configVersion: 'cfg000000001',
    ...overrides,
  };
}

/** `n` records with consecutive seq from `firstSeq`, one per `stepMs` from `startMs`, distinct called numbers. */
export function buildCdrs(n: number, opts: { firstSeq?: number; startMs?: number; stepMs?: number; node?: string } = {}): CdrRecord[] {
  const first = opts.firstSeq ?? 1;
  return Array.from({ length: n }, (_, i) => {
    const ms = (opts.startMs ?? AT) + i * (opts.stepMs ?? 1);
    const called = `+1202555${String(i % 10000).padStart(4, '0')}`;
    return buildCdr({ seq: first + i, node: opts.node ?? 'gate-1', receivedAtMs: ms, callId: `call-${first + i}@test`, ruriUser: called, calledE164: called });
  });
}
