import { describe, expect, it } from 'vitest';
import type { BlocklistEntry, Decision, Evidence, Provider, Reason, RejectAnswer } from '../../src/screening/model.js';
import { compileWorld, decide } from '../../src/screening/policy.js';
import {
  DAY_MS, DEFAULTS, buildEntry, buildFacts, buildFiling, buildPolicy, buildProvider, buildSnapshot, buildTrunk, buildWorld,
  type PolicyOverrides,
} from '../support/builders.js';

const NOW = Date.UTC(2026, 2, 1, 12);
const SNAP = DEFAULTS.snapshotId;
const ROUTE = [DEFAULTS.defaultRoute];
const UNKNOWN_SOURCE = '198.51.100.200';

/** The one filing in the snapshot: RMD0990001, FRN 0099000001, other FRN 0099000011, DBA "Harbor Voice". */
const FILING = buildFiling({ otherFrns: ['0099000011'], otherNames: ['Harbor Voice'] });

/** How the trunk's provider relates to the RMD snapshot. */
const PROVIDERS = {
  'rmd-number': buildProvider({ rmdNumber: 'RMD0990001', frn: undefined }),
  frn: buildProvider({ rmdNumber: undefined, frn: '0099000001' }),
  'frn-other-name': buildProvider({ name: 'HL Comms', rmdNumber: undefined, frn: '0099000001' }),
  'other-frn': buildProvider({ rmdNumber: undefined, frn: '0099000011' }),
  absent: buildProvider({ name: 'Driftwood Dialers LLC', rmdNumber: 'RMD0990099', frn: '0099000099' }),
  'call-pipe': buildProvider({ name: 'CALL PIPE LLC', rmdNumber: undefined, frn: '0099000001' }),
} satisfies Record<string, Provider>;
type ProviderKey = keyof typeof PROVIDERS;

const K4 = buildEntry({ id: 'fcc-k4:1', kind: 'k4', list: 'fcc-k4', rmdNumber: 'RMD0990001', source: 'DA 22-727', effectiveAt: NOW - 30 * DAY_MS });
const K4_EFFECTIVE_NOW = { ...K4, effectiveAt: NOW };
const K4_EXPIRING_LATER = { ...K4, expiresAt: NOW + 1 };
const K4_BY_NAME = buildEntry({ id: 'fcc-k4:7', rmdNumber: undefined, name: 'Call Pipe, L.L.C.', effectiveAt: NOW - DAY_MS });
const K4_BY_FILING_NAME = buildEntry({ id: 'fcc-k4:8', rmdNumber: undefined, name: 'HARBORLINE COMMUNICATIONS, L.L.C.', effectiveAt: NOW - DAY_MS });
const K4_BY_FILING_DBA = buildEntry({ id: 'fcc-k4:9', rmdNumber: undefined, name: 'Harbor Voice Inc.', effectiveAt: NOW - DAY_MS });
const K4_BY_OTHER_FRN = buildEntry({ id: 'fcc-k4:10', rmdNumber: undefined, frn: '0099000011', effectiveAt: NOW - DAY_MS });
const K4_ON_ABSENT = buildEntry({ id: 'fcc-k4:11', rmdNumber: undefined, frn: '0099000099', effectiveAt: NOW - DAY_MS });
const FDO = buildEntry({ id: 'fdo:1', list: 'fdo', kind: 'fdo', source: 'DA 23-424', effectiveAt: NOW - DAY_MS });
const C_CIST = buildEntry({ id: 'c-cist:1', list: 'c-cist', kind: 'c-cist', source: 'DA 24-450', effectiveAt: NOW - DAY_MS });

const ENTRIES = {
  none: [],
  'active-k4': [K4],
  'k4-effective-now': [K4_EFFECTIVE_NOW],
  'expired-k4': [{ ...K4, expiresAt: NOW }],
  'k4-expiring-later': [K4_EXPIRING_LATER],
  'future-k4': [{ ...K4, effectiveAt: NOW + 1 }],
  'k4-by-name': [K4_BY_NAME],
  'k4-by-filing-name': [K4_BY_FILING_NAME],
  'k4-by-filing-dba': [K4_BY_FILING_DBA],
  'k4-by-other-frn': [K4_BY_OTHER_FRN],
  'k4-on-absent-by-frn': [K4_ON_ABSENT],
  'k4-for-someone-else': [buildEntry({ id: 'fcc-k4:12', rmdNumber: 'RMD0990777', effectiveAt: NOW - DAY_MS })],
  'k4-and-fdo': [K4, FDO],
  'expired-fdo-active-k4': [K4, { ...FDO, effectiveAt: NOW - 60 * DAY_MS, expiresAt: NOW - DAY_MS }],
  'k4-and-c-cist': [K4, C_CIST],
} satisfies Record<string, readonly BlocklistEntry[]>;
type EntriesKey = keyof typeof ENTRIES;

const ANSWER = {
  notInRmd603: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-not-in-rmd"' },
  notInRmd403: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="provider-not-in-rmd"' },
  designated603: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-designated"' },
  designated607: { status: 607, phrase: 'Unwanted', reasonHeader: 'SIP;cause=607;text="provider-designated"' },
  designated603plus: { status: 603, phrase: 'Network Blocked', reasonHeader: 'SIP;cause=603;text="v=analytics1;url=https://x/redress";location=TN' },
  unknown403: { status: 403, phrase: 'Forbidden', reasonHeader: 'SIP;cause=403;text="unknown-trunk"' },
  unknown608: { status: 608, phrase: 'Rejected', reasonHeader: 'SIP;cause=608;text="unknown-trunk"' },
  rmdUnavailable503: { status: 503, phrase: 'Service Unavailable', reasonHeader: 'SIP;cause=503;text="rmd-unavailable"' },
  screeningError500: { status: 500, phrase: 'Server Internal Error', reasonHeader: 'SIP;cause=500;text="screening-error"' },
} satisfies Record<string, RejectAnswer>;

/** Evidence shorthand: which RMD match and which list entry the decision should carry. */
interface EvidenceSpec {
  readonly trunk?: boolean;
  readonly rmd?: 'rmd-number' | 'frn';
  readonly entry?: BlocklistEntry;
  readonly snapshot?: boolean;
}

function evidence(spec: EvidenceSpec): Evidence {
  const snapshot = spec.snapshot === false ? {} : { rmdSnapshotId: SNAP };
  if (spec.trunk === false) return snapshot;
  return {
    trunkId: DEFAULTS.trunkId,
    providerId: DEFAULTS.providerId,
    ...snapshot,
    ...(spec.rmd ? { rmdNumber: 'RMD0990001', rmdMatch: spec.rmd } : {}),
    ...(spec.entry ? { listEntryId: spec.entry.id, listKind: spec.entry.kind, listSource: spec.entry.source } : {}),
  };
}

const allow = (spec: EvidenceSpec): Decision => ({ kind: 'allow', reason: undefined, wouldBlock: false, evidence: evidence(spec), route: ROUTE });
const wouldBlock = (reason: Reason, spec: EvidenceSpec): Decision => ({
  kind: 'allow', reason, wouldBlock: true, evidence: evidence(spec), route: ROUTE,
});
const reject = (reason: Reason, answer: RejectAnswer, spec: EvidenceSpec): Decision => ({
  kind: 'reject', reason, evidence: evidence(spec), answer,
});

interface Row {
  readonly name: string;
  readonly trunk?: 'known' | 'unknown';
  readonly provider?: ProviderKey;
  readonly rmdRequired?: boolean;
  readonly rmd?: 'loaded' | 'none';
  readonly entries?: EntriesKey;
  readonly policy?: PolicyOverrides;
  readonly expected: Decision;
}

const REDRESS = { url: 'https://x/redress' };

const rows: Row[] = [
  // RMD membership of a known trunk's provider
  { name: 'allows when the provider is in the RMD by RMD number', provider: 'rmd-number', expected: allow({ rmd: 'rmd-number' }) },
  { name: 'allows when the provider is in the RMD by FRN', provider: 'frn', expected: allow({ rmd: 'frn' }) },
  { name: 'allows when the provider is in the RMD by one of the filing\'s other_frns', provider: 'other-frn', expected: allow({ rmd: 'frn' }) },
  { name: 'rejects with provider-not-in-rmd (603) when the trunk\'s provider has no RMD filing', provider: 'absent', expected: reject('provider-not-in-rmd', ANSWER.notInRmd603, {}) },
  { name: 'rejects with the configured 403 when provider-not-in-rmd is set to status 403', provider: 'absent', policy: { reasons: { 'provider-not-in-rmd': { status: 403 } } }, expected: reject('provider-not-in-rmd', ANSWER.notInRmd403, {}) },
  { name: 'records a would-block when provider-not-in-rmd is set to monitor', provider: 'absent', policy: { reasons: { 'provider-not-in-rmd': { action: 'monitor' } } }, expected: wouldBlock('provider-not-in-rmd', {}) },
  { name: 'allows cleanly when provider-not-in-rmd is set to allow', provider: 'absent', policy: { reasons: { 'provider-not-in-rmd': { action: 'allow' } } }, expected: allow({}) },
  { name: 'turns provider-not-in-rmd into a would-block in monitor mode', provider: 'absent', policy: { mode: 'monitor' }, expected: wouldBlock('provider-not-in-rmd', {}) },
  { name: 'allows a provider absent from the RMD when rmdRequired is false', provider: 'absent', rmdRequired: false, expected: allow({}) },

  // unknown trunk
  { name: 'rejects with unknown-trunk (403) when the source matches no trunk', trunk: 'unknown', expected: reject('unknown-trunk', ANSWER.unknown403, { trunk: false }) },
  { name: 'rejects unknown-trunk with the configured 608', trunk: 'unknown', policy: { reasons: { 'unknown-trunk': { status: 608 } } }, expected: reject('unknown-trunk', ANSWER.unknown608, { trunk: false }) },
  { name: 'turns unknown-trunk into a would-block in monitor mode', trunk: 'unknown', policy: { mode: 'monitor' }, expected: wouldBlock('unknown-trunk', { trunk: false }) },
  { name: 'records a would-block when unknown-trunk is set to monitor', trunk: 'unknown', policy: { reasons: { 'unknown-trunk': { action: 'monitor' } } }, expected: wouldBlock('unknown-trunk', { trunk: false }) },
  { name: 'allows cleanly when unknown-trunk is set to allow', trunk: 'unknown', policy: { reasons: { 'unknown-trunk': { action: 'allow' } } }, expected: allow({ trunk: false }) },
  { name: 'records no snapshot id for an unknown trunk when no RMD is loaded', trunk: 'unknown', rmd: 'none', expected: reject('unknown-trunk', ANSWER.unknown403, { trunk: false, snapshot: false }) },

  // designation lists
  { name: 'rejects with provider-designated when an active K4 entry names the provider', provider: 'rmd-number', entries: 'active-k4', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4 }) },
  { name: 'rejects with provider-designated when the entry became effective exactly now', provider: 'rmd-number', entries: 'k4-effective-now', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4_EFFECTIVE_NOW }) },
  { name: 'rejects with provider-designated while the entry has not yet expired', provider: 'rmd-number', entries: 'k4-expiring-later', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4_EXPIRING_LATER }) },
  { name: 'allows when the K4 entry expired exactly now (expiry is exclusive)', provider: 'rmd-number', entries: 'expired-k4', expected: allow({ rmd: 'rmd-number' }) },
  { name: 'allows when the K4 entry is not yet effective', provider: 'rmd-number', entries: 'future-k4', expected: allow({ rmd: 'rmd-number' }) },
  { name: 'allows when the entry names another provider', provider: 'rmd-number', entries: 'k4-for-someone-else', expected: allow({ rmd: 'rmd-number' }) },
  { name: 'rejects when a name-keyed entry "Call Pipe, L.L.C." names provider "CALL PIPE LLC"', provider: 'call-pipe', entries: 'k4-by-name', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'frn', entry: K4_BY_NAME }) },
  { name: 'rejects when a name-keyed entry matches the RMD filing\'s business name', provider: 'frn-other-name', entries: 'k4-by-filing-name', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'frn', entry: K4_BY_FILING_NAME }) },
  { name: 'rejects when a name-keyed entry matches one of the filing\'s other names', provider: 'rmd-number', entries: 'k4-by-filing-dba', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4_BY_FILING_DBA }) },
  { name: 'rejects when an FRN-keyed entry matches one of the filing\'s other_frns', provider: 'rmd-number', entries: 'k4-by-other-frn', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4_BY_OTHER_FRN }) },
  { name: 'rejects with provider-designated (not provider-not-in-rmd) when a provider absent from the RMD is designated', provider: 'absent', entries: 'k4-on-absent-by-frn', expected: reject('provider-designated', ANSWER.designated603, { entry: K4_ON_ABSENT }) },
  { name: 'rejects a designated provider even when rmdRequired is false', provider: 'absent', rmdRequired: false, entries: 'k4-on-absent-by-frn', expected: reject('provider-designated', ANSWER.designated603, { entry: K4_ON_ABSENT }) },
  { name: 'answers provider-designated with the configured 607', provider: 'rmd-number', entries: 'active-k4', policy: { reasons: { 'provider-designated': { status: 607 } } }, expected: reject('provider-designated', ANSWER.designated607, { rmd: 'rmd-number', entry: K4 }) },
  { name: 'answers provider-designated with 603+ when configured', provider: 'rmd-number', entries: 'active-k4', policy: { reasons: { 'provider-designated': { style: '603plus' } }, redress: REDRESS }, expected: reject('provider-designated', ANSWER.designated603plus, { rmd: 'rmd-number', entry: K4 }) },

  // action per list kind × action per reason (the milder applies)
  { name: 'records a would-block when the k4 kind is set to monitor', provider: 'rmd-number', entries: 'active-k4', policy: { designated: { k4: 'monitor' } }, expected: wouldBlock('provider-designated', { rmd: 'rmd-number', entry: K4 }) },
  { name: 'allows but keeps the entry as evidence when the k4 kind is set to allow', provider: 'rmd-number', entries: 'active-k4', policy: { designated: { k4: 'allow' } }, expected: allow({ rmd: 'rmd-number', entry: K4 }) },
  { name: 'records a would-block when the reason is monitor and the kind is block', provider: 'rmd-number', entries: 'active-k4', policy: { reasons: { 'provider-designated': { action: 'monitor' } }, designated: { k4: 'block' } }, expected: wouldBlock('provider-designated', { rmd: 'rmd-number', entry: K4 }) },
  { name: 'allows when the reason is allow and the kind is block', provider: 'rmd-number', entries: 'active-k4', policy: { reasons: { 'provider-designated': { action: 'allow' } } }, expected: allow({ rmd: 'rmd-number', entry: K4 }) },
  { name: 'allows when the reason is monitor and the kind is allow', provider: 'rmd-number', entries: 'active-k4', policy: { reasons: { 'provider-designated': { action: 'monitor' } }, designated: { k4: 'allow' } }, expected: allow({ rmd: 'rmd-number', entry: K4 }) },
  { name: 'turns provider-designated into a would-block in monitor mode', provider: 'rmd-number', entries: 'active-k4', policy: { mode: 'monitor' }, expected: wouldBlock('provider-designated', { rmd: 'rmd-number', entry: K4 }) },
  { name: 'cites the FDO entry over the K4 entry when both block (fdo is the stronger kind)', provider: 'rmd-number', entries: 'k4-and-fdo', expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: FDO }) },
  { name: 'cites the blocking FDO entry when the K4 kind is only monitored', provider: 'rmd-number', entries: 'k4-and-fdo', policy: { designated: { k4: 'monitor' } }, expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: FDO }) },
  { name: 'cites the blocking K4 entry when the FDO kind is only monitored', provider: 'rmd-number', entries: 'k4-and-fdo', policy: { designated: { fdo: 'monitor' } }, expected: reject('provider-designated', ANSWER.designated603, { rmd: 'rmd-number', entry: K4 }) },
  { name: 'skips an expired FDO entry and applies the active K4 entry', provider: 'rmd-number', entries: 'expired-fdo-active-k4', policy: { designated: { k4: 'monitor' } }, expected: wouldBlock('provider-designated', { rmd: 'rmd-number', entry: K4 }) },
  { name: 'cites the monitored C-CIST entry when the K4 kind is allowed', provider: 'rmd-number', entries: 'k4-and-c-cist', policy: { designated: { k4: 'allow', 'c-cist': 'monitor' } }, expected: wouldBlock('provider-designated', { rmd: 'rmd-number', entry: C_CIST }) },

  // designation and RMD findings together
  { name: 'rejects with provider-not-in-rmd when the designation is only monitored (block beats monitor)', provider: 'absent', entries: 'k4-on-absent-by-frn', policy: { designated: { k4: 'monitor' } }, expected: reject('provider-not-in-rmd', ANSWER.notInRmd603, {}) },
  { name: 'records the designation would-block when provider-not-in-rmd is also only monitored', provider: 'absent', entries: 'k4-on-absent-by-frn', policy: { designated: { k4: 'monitor' }, reasons: { 'provider-not-in-rmd': { action: 'monitor' } } }, expected: wouldBlock('provider-designated', { entry: K4_ON_ABSENT }) },
  { name: 'records a provider-not-in-rmd would-block over an allowed designation', provider: 'absent', entries: 'k4-on-absent-by-frn', policy: { designated: { k4: 'allow' }, reasons: { 'provider-not-in-rmd': { action: 'monitor' } } }, expected: wouldBlock('provider-not-in-rmd', {}) },

  // no RMD snapshot
  { name: 'allows by default when no RMD snapshot is loaded (rmd-unavailable defaults to allow)', provider: 'rmd-number', rmd: 'none', expected: allow({ snapshot: false }) },
  { name: 'rejects with rmd-unavailable (503) when no RMD snapshot is loaded and it is set to block', provider: 'rmd-number', rmd: 'none', policy: { reasons: { 'rmd-unavailable': { action: 'block' } } }, expected: reject('rmd-unavailable', ANSWER.rmdUnavailable503, { snapshot: false }) },
  { name: 'records an rmd-unavailable would-block when set to monitor', provider: 'rmd-number', rmd: 'none', policy: { reasons: { 'rmd-unavailable': { action: 'monitor' } } }, expected: wouldBlock('rmd-unavailable', { snapshot: false }) },
  { name: 'allows without an RMD snapshot when rmdRequired is false even if rmd-unavailable blocks', provider: 'rmd-number', rmd: 'none', rmdRequired: false, policy: { reasons: { 'rmd-unavailable': { action: 'block' } } }, expected: allow({ snapshot: false }) },
  { name: 'still applies designations when no RMD snapshot is loaded', provider: 'rmd-number', rmd: 'none', entries: 'active-k4', policy: { reasons: { 'rmd-unavailable': { action: 'block' } } }, expected: reject('provider-designated', ANSWER.designated603, { snapshot: false, entry: K4 }) },
];

describe('decide: the policy matrix', () => {
  it.each(rows)('$name', (row) => {
    const provider = { ...PROVIDERS[row.provider ?? 'rmd-number'], rmdRequired: row.rmdRequired ?? true };
    const world = buildWorld({
      trunks: [buildTrunk()],
      providers: [provider],
      rmd: row.rmd === 'none' ? undefined : buildSnapshot([FILING]),
      entries: ENTRIES[row.entries ?? 'none'],
      policy: buildPolicy(row.policy ?? {}),
    });
    const facts = buildFacts({ receivedAt: NOW, sourceAddress: row.trunk === 'unknown' ? UNKNOWN_SOURCE : '203.0.113.10' });

    const decision = decide(facts, world);

    expect(decision).toEqual(row.expected);
  });
});

describe('decide: routes and configuration errors', () => {
  it('routes an allowed call to the trunk\'s own route instead of the default route', () => {
    const route = ['sip:core-a.example.net:5060', 'sip:core-b.example.net:5060'];
    const world = buildWorld({ trunks: [buildTrunk({ route })] });

    const decision = decide(buildFacts(), world);

    expect(decision).toMatchObject({ kind: 'allow', route });
  });

  it('routes an allowed call on a trunk without its own route to the default route', () => {
    const world = buildWorld({ policy: buildPolicy({ defaultRoute: ['sip:core.example.net:5070'] }) });

    const decision = decide(buildFacts(), world);

    expect(decision).toMatchObject({ kind: 'allow', route: ['sip:core.example.net:5070'] });
  });

  it('routes a monitored would-block to the trunk\'s own route', () => {
    const route = ['sip:core-a.example.net:5060'];
    const world = buildWorld({ trunks: [buildTrunk({ route })], providers: [PROVIDERS.absent], policy: buildPolicy({ mode: 'monitor' }) });

    const decision = decide(buildFacts(), world);

    expect(decision).toMatchObject({ kind: 'allow', wouldBlock: true, reason: 'provider-not-in-rmd', route });
  });

  it('falls back to screening-error (fail-open by default) when the trunk names a provider the world does not know', () => {
    const world = buildWorld({ trunks: [buildTrunk({ providerId: 'ghost' })] });

    const decision = decide(buildFacts(), world);

    expect(decision).toEqual({
      kind: 'allow', reason: undefined, wouldBlock: false, route: ROUTE,
      evidence: { trunkId: DEFAULTS.trunkId, providerId: 'ghost', rmdSnapshotId: SNAP },
    });
  });

  it('rejects with screening-error (500) when the trunk names an unknown provider and screening-error blocks', () => {
    const world = buildWorld({ trunks: [buildTrunk({ providerId: 'ghost' })], policy: buildPolicy({ reasons: { 'screening-error': { action: 'block' } } }) });

    const decision = decide(buildFacts(), world);

    expect(decision).toEqual({
      kind: 'reject', reason: 'screening-error', answer: ANSWER.screeningError500,
      evidence: { trunkId: DEFAULTS.trunkId, providerId: 'ghost', rmdSnapshotId: SNAP },
    });
  });

  it('uses the facts\' receivedAt as "now" for designation dates', () => {
    const entry = buildEntry({ effectiveAt: NOW });
    const world = buildWorld({ entries: [entry] });

    const before = decide(buildFacts({ receivedAt: NOW - 1 }), world);
    const after = decide(buildFacts({ receivedAt: NOW }), world);

    expect([before.kind, after.kind]).toEqual(['allow', 'reject']);
  });
});

describe('compileWorld', () => {
  it('joins each provider to its filing, match kind and entries', () => {
    const fdo = buildEntry({ id: 'fdo:1', kind: 'fdo', list: 'fdo' });
    const world = compileWorld({
      trunks: [buildTrunk()],
      providers: [PROVIDERS['other-frn'], { ...PROVIDERS.absent, id: 'prov-2' }],
      rmd: buildSnapshot([FILING]),
      blocklists: [K4, fdo, buildEntry({ id: 'op:1', kind: 'operator', list: 'operator', rmdNumber: 'RMD0990099' })],
      policy: buildPolicy(),
      configVersion: 'v1',
    });

    const one = world.providers.get(DEFAULTS.providerId);
    const two = world.providers.get('prov-2');

    expect(one?.filing).toBe(FILING);
    expect(one?.rmdMatch).toBe('frn');
    expect(one?.entries.map((e) => e.id)).toEqual(['fdo:1', 'fcc-k4:1']);
    expect(two?.filing).toBeUndefined();
    expect(two?.rmdMatch).toBeUndefined();
    expect(two?.entries.map((e) => e.id)).toEqual(['op:1']);
    expect(world.configVersion).toBe('v1');
    expect(world.trunks.size).toBe(1);
  });

  it('prefers the RMD-number match over the FRN match when both resolve', () => {
    const other = buildFiling({ rmdNumber: 'RMD0990002', frn: '0099000002', businessName: 'Other LLC' });
    const world = buildWorld({ providers: [buildProvider({ rmdNumber: 'RMD0990001', frn: '0099000002' })], rmd: buildSnapshot([FILING, other]) });

    const state = world.providers.get(DEFAULTS.providerId);

    expect(state?.rmdMatch).toBe('rmd-number');
    expect(state?.filing?.rmdNumber).toBe('RMD0990001');
  });

  it('falls back to the FRN when the provider\'s RMD number is not in the snapshot', () => {
    const world = buildWorld({ providers: [buildProvider({ rmdNumber: 'RMD0990999', frn: '0099000001' })], rmd: buildSnapshot([FILING]) });

    expect(world.providers.get(DEFAULTS.providerId)?.rmdMatch).toBe('frn');
  });

  it('lists an entry once even when it matches the provider by several keys', () => {
    const both = buildEntry({ id: 'fcc-k4:3', rmdNumber: 'RMD0990001', frn: '0099000001', name: DEFAULTS.providerName });
    const world = buildWorld({ entries: [both] });

    expect(world.providers.get(DEFAULTS.providerId)?.entries.map((e) => e.id)).toEqual(['fcc-k4:3']);
  });

  it('ignores name-keyed entries whose name is only a legal suffix', () => {
    const world = buildWorld({ providers: [buildProvider({ name: 'LLC' })], entries: [buildEntry({ rmdNumber: undefined, name: 'L.L.C.' })] });

    expect(world.providers.get(DEFAULTS.providerId)?.entries).toEqual([]);
  });
});

describe('compileWorld: trunk header and removal grace reach decide()', () => {
  const SRC = `${DEFAULTS.source}/32`;
  const HEADER_TRUNKS = [
    buildTrunk({ id: 'plain', sources: [SRC], providerId: 'prov-1' }),
    buildTrunk({ id: 'blue', sources: [SRC], providerId: 'prov-absent', headerValue: 'blue' }),
  ];
  const HEADER_PROVIDERS = [buildProvider(), { ...PROVIDERS.absent, id: 'prov-absent' }];

  function headerWorld(trunkHeader: string | undefined, trunks = HEADER_TRUNKS): ReturnType<typeof compileWorld> {
    return compileWorld({ trunks, providers: HEADER_PROVIDERS, rmd: buildSnapshot([FILING]), blocklists: [], policy: buildPolicy(), trunkHeader, configVersion: 'v1' });
  }

  it('narrows the trunk by the configured header, so its provider\'s finding applies', () => {
    const world = headerWorld('X-Trunk');

    const blue = decide(buildFacts({ selectorHeaders: { 'x-trunk': 'blue' } }), world);
    const other = decide(buildFacts({ selectorHeaders: { 'x-trunk': 'red' } }), world);

    expect([blue.evidence.trunkId, blue.kind, blue.reason]).toEqual(['blue', 'reject', 'provider-not-in-rmd']);
    expect([other.evidence.trunkId, other.kind]).toEqual(['plain', 'allow']);
  });

  it('rebuilds the trunk table when the same trunk list is compiled with another trunk header', () => {
    const trunks = [...HEADER_TRUNKS];
    const facts = buildFacts({ selectorHeaders: { 'x-trunk': 'blue', 'x-other': 'blue' } });

    const first = decide(facts, headerWorld('X-Other', trunks));
    const none = decide(facts, headerWorld(undefined, trunks));
    const again = decide(facts, headerWorld('X-Trunk', trunks));

    expect([first.evidence.trunkId, none.evidence.trunkId, again.evidence.trunkId]).toEqual(['blue', 'plain', 'blue']);
  });

  it('reuses the trunk table for a data-only recompile of the same trunk list and header', () => {
    const trunks = [...HEADER_TRUNKS];

    expect(headerWorld('X-Trunk', trunks).trunks).toBe(headerWorld('X-Trunk', trunks).trunks);
  });

  it('carries the grace map into the world and caps provider-not-in-rmd at monitor for a provider in grace', () => {
    const grace = new Map([[DEFAULTS.providerId, { endsAt: Date.UTC(2030, 0, 1) }]]);
    const inputs = {
      trunks: [buildTrunk()], providers: [PROVIDERS.absent], rmd: buildSnapshot([FILING]), blocklists: [], policy: buildPolicy(), configVersion: 'v1',
    };

    const graced = compileWorld({ ...inputs, rmdGrace: grace });
    const ungraced = compileWorld(inputs);
    const otherGraced = compileWorld({ ...inputs, rmdGrace: new Map([['prov-9', { endsAt: Date.UTC(2030, 0, 1) }]]) });

    expect(graced.rmdGrace).toBe(grace);
    expect('rmdGrace' in ungraced).toBe(false);
    expect(decide(buildFacts(), graced)).toEqual(wouldBlock('provider-not-in-rmd', {}));
    expect(decide(buildFacts(), ungraced)).toEqual(reject('provider-not-in-rmd', ANSWER.notInRmd603, {}));
    expect(decide(buildFacts(), otherGraced)).toEqual(reject('provider-not-in-rmd', ANSWER.notInRmd603, {}));
  });

  it('throws naming the trunk when the table finds a trunk the world has no state for', () => {
    const world = buildWorld();

    expect(() => decide(buildFacts(), { ...world, trunkStates: new Map() })).toThrow('trunk trunk-1 has no compiled state');
  });

  it('keeps a provider in grace allowed cleanly when provider-not-in-rmd is set to allow', () => {
    const world = compileWorld({
      trunks: [buildTrunk()], providers: [PROVIDERS.absent], rmd: buildSnapshot([FILING]), blocklists: [],
      policy: buildPolicy({ reasons: { 'provider-not-in-rmd': { action: 'allow' } } }), configVersion: 'v1', rmdGrace: new Map([[DEFAULTS.providerId, { endsAt: Date.UTC(2030, 0, 1) }]]),
    });

    expect(decide(buildFacts(), world)).toEqual(allow({}));
  });
});
