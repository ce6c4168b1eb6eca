import { describe, expect, it } from 'vitest';
import { CDR_SCHEMA_VERSION, FLOOD_OTHER_SOURCES, toCdrRecord, toFloodSummaryRecord, type CdrContext } from '../../src/screening/cdr-record.js';
import type { Decision } from '../../src/screening/model.js';
import type { ProviderState } from '../../src/screening/policy.js';
import { DEFAULTS, T0, buildEntry, buildFacts, buildFiling, buildPassport, buildProvider } from '../support/builders.js';

const K4 = buildEntry();
const PROVIDER_STATE: ProviderState = { provider: buildProvider(), filing: buildFiling(), rmdMatch: 'rmd-number', entries: [K4] };

function buildContext(overrides: Partial<CdrContext> = {}): CdrContext {
  return {
    node: 'gate-lab-1',
    seq: 42,
    decidedAt: T0 + 3,
    sipStatus: 603,
    mode: 'enforce',
    configVersion: 'cfg000000001',
    provider: PROVIDER_STATE,
    rmdLoadedAt: Date.UTC(2026, 1, 28, 6),
    ...overrides,
  };
}

const REJECT: Decision = {
  kind: 'reject',
  reason: 'provider-designated',
  evidence: {
    trunkId: DEFAULTS.trunkId, providerId: DEFAULTS.providerId, rmdSnapshotId: DEFAULTS.snapshotId, rmdNumber: DEFAULTS.rmdNumber,
    rmdMatch: 'rmd-number', listEntryId: K4.id, listKind: K4.kind, listSource: K4.source,
  },
  answer: { status: 603, phrase: 'Decline', reasonHeader: 'SIP;cause=603;text="provider-designated"' },
};

describe('toCdrRecord', () => {
  it('fills every field from the facts, the decision and the context', () => {
    const facts = buildFacts({
      callId: 'call-77@pc33.example.com',
      transport: 'tcp',
      sourcePort: 5062,
      from: '"Alice" <sip:+13035550100@carrier.example.com>;tag=1',
      pAssertedIdentity: '<sip:3035550199@carrier.example.com;user=phone>',
      requestUri: 'sip:2025550123@gw.example.net;user=phone',
      identity: [buildPassport()],
    });

    const record = toCdrRecord(facts, REJECT, buildContext());

    expect(record).toEqual({
      schemaVersion: CDR_SCHEMA_VERSION,
      type: 'screening',
      node: 'gate-lab-1',
      seq: 42,
      receivedAt: '2023-11-14T22:13:20.000Z',
      receivedAtMs: T0,
      decidedAtMs: T0 + 3,
      callId: 'call-77@pc33.example.com',
      sourceAddress: '203.0.113.10',
      sourcePort: 5062,
      transport: 'tcp',
      localAddress: '198.51.100.1',
      localPort: 5060,
      trunkId: 'trunk-1',
      providerId: 'prov-1',
      providerName: 'Harborline Communications LLC',
      providerRmdNumber: 'RMD0990001',
      providerFrn: '0099000001',
      fromUser: '+13035550100',
      fromE164: '+13035550100',
      paiUser: '3035550199',
      paiE164: '+13035550199',
      callingE164: '+13035550199',
      ruriUser: '2025550123',
      calledE164: '+12025550123',
      identityStatus: 'ok',
      attest: 'A',
      origid: 'c1375035-add9-48d3-8052-c48c2977bc60',
      identityOrigTn: '19205551234',
      identityDestTn: ['12125551234'],
      identityIat: 1629357305,
      identityVerified: false,
      decision: 'reject',
      wouldBlock: false,
      reason: 'provider-designated',
      listEntryId: 'fcc-k4:1',
      listKind: 'k4',
      listSource: 'DA 22-727',
      rmdSnapshotId: DEFAULTS.snapshotId,
      rmdSnapshotLoadedAt: '2026-02-28T06:00:00.000Z',
      rmdMatch: 'rmd-number',
      callingNumberList: null,
      callingNumberEntry: null,
      callingNumberSource: null,
      protectedCall: null,
      sipStatus: 603,
      mode: 'enforce',
      configVersion: 'cfg000000001',
    });
  });

  it('records empty strings and nulls, without throwing, when From, PAI, Identity, local address and provider are missing', () => {
    const facts = buildFacts({ from: undefined, to: undefined, pAssertedIdentity: undefined, identity: undefined, localAddress: undefined, localPort: undefined, requestUri: 'sip:gw.example.net' });
    const decision: Decision = { kind: 'reject', reason: 'unknown-trunk', evidence: {}, answer: { status: 403, phrase: 'Forbidden' } };

    const record = toCdrRecord(facts, decision, buildContext({ provider: undefined, rmdLoadedAt: undefined, sipStatus: 403 }));

    expect(record).toMatchObject({
      localAddress: null,
      localPort: null,
      trunkId: null,
      providerId: null,
      providerName: null,
      providerRmdNumber: null,
      providerFrn: null,
      fromUser: '',
      fromE164: null,
      paiUser: '',
      paiE164: null,
      callingE164: null,
      ruriUser: '',
      calledE164: null,
      identityStatus: 'absent',
      attest: null,
      origid: null,
      identityOrigTn: null,
      identityDestTn: null,
      identityIat: null,
      identityVerified: false,
      decision: 'reject',
      reason: 'unknown-trunk',
      listEntryId: null,
      listKind: null,
      listSource: null,
      rmdSnapshotId: null,
      rmdSnapshotLoadedAt: null,
      rmdMatch: null,
      sipStatus: 403,
    });
  });

  it.each([
    { name: 'PAI over From when both have a number', from: '<sip:+13035550100@h>', pai: '<sip:+13035550199@h>', expected: '+13035550199' },
    { name: 'From when PAI is missing', from: '<sip:+13035550100@h>', pai: undefined, expected: '+13035550100' },
    { name: 'From when PAI has no number', from: '<sip:+13035550100@h>', pai: '<sip:alice@h>', expected: '+13035550100' },
    { name: 'null when neither has a number', from: '<sip:anonymous@anonymous.invalid>', pai: undefined, expected: null },
  ])('takes callingE164 from $name', ({ from, pai, expected }) => {
    const record = toCdrRecord(buildFacts({ from, pAssertedIdentity: pai }), REJECT, buildContext());

    expect(record.callingE164).toBe(expected);
  });

  it('never throws on garbage header values and records them as unreadable', () => {
    const facts = buildFacts({ from: '<<<', pAssertedIdentity: '"\u0000"', requestUri: '', identity: ['x.y.z', ''] });

    const record = toCdrRecord(facts, REJECT, buildContext());

    expect([record.fromUser, record.paiUser, record.ruriUser, record.identityStatus]).toEqual(['', '', '', 'malformed']);
  });

  it('records a would-block allow with its reason and the 302 status', () => {
    const decision: Decision = { kind: 'allow', reason: 'provider-not-in-rmd', wouldBlock: true, evidence: { trunkId: 't', providerId: 'p' }, route: ['sip:core'] };

    const record = toCdrRecord(buildFacts(), decision, buildContext({ sipStatus: 302, mode: 'monitor' }));

    expect([record.decision, record.wouldBlock, record.reason, record.sipStatus, record.mode]).toEqual(['allow', true, 'provider-not-in-rmd', 302, 'monitor']);
  });

  it('records a clean allow with a null reason', () => {
    const decision: Decision = { kind: 'allow', reason: undefined, wouldBlock: false, evidence: { trunkId: 't' }, route: [] };

    const record = toCdrRecord(buildFacts(), decision, buildContext({ sipStatus: 302 }));

    expect([record.decision, record.wouldBlock, record.reason]).toEqual(['allow', false, null]);
  });

  it('takes the provider\'s RMD number and FRN from the filing when the config gave none', () => {
    const state: ProviderState = {
      provider: buildProvider({ rmdNumber: undefined, frn: undefined, rmdRequired: false }),
      filing: buildFiling({ rmdNumber: 'RMD0990005', frn: '0099000005' }),
      rmdMatch: 'frn',
      entries: [],
    };

    const record = toCdrRecord(buildFacts(), REJECT, buildContext({ provider: state }));

    expect([record.providerRmdNumber, record.providerFrn]).toEqual(['RMD0990005', '0099000005']);
  });

  it.each([
    { name: 'an FRN-only provider', provider: buildProvider({ rmdNumber: undefined, frn: '0099000077' }), rmd: null, frn: '0099000077' },
    { name: 'an RMD-number-only provider', provider: buildProvider({ rmdNumber: 'RMD0990077', frn: undefined }), rmd: 'RMD0990077', frn: null },
  ])('records $name that is not in the RMD without throwing', ({ provider, rmd, frn }) => {
    const state: ProviderState = { provider, filing: undefined, rmdMatch: undefined, entries: [] };
    const notInRmd: Decision = { ...REJECT, reason: 'provider-not-in-rmd', evidence: { trunkId: DEFAULTS.trunkId, providerId: DEFAULTS.providerId } };

    const record = toCdrRecord(buildFacts(), notInRmd, buildContext({ provider: state }));

    expect([record.providerName, record.providerRmdNumber, record.providerFrn, record.reason]).toEqual([DEFAULTS.providerName, rmd, frn, 'provider-not-in-rmd']);
  });

  it('records a null FRN when the filing has a blank FRN', () => {
    const state: ProviderState = { provider: buildProvider({ frn: undefined }), filing: buildFiling({ frn: '' }), rmdMatch: 'rmd-number', entries: [] };

    const record = toCdrRecord(buildFacts(), REJECT, buildContext({ provider: state }));

    expect(record.providerFrn).toBeNull();
  });

  it('writes receivedAt as ISO 8601 UTC with milliseconds', () => {
    const record = toCdrRecord(buildFacts({ receivedAt: Date.UTC(2026, 2, 25, 23, 59, 59, 7) }), REJECT, buildContext());

    expect(record.receivedAt).toBe('2026-03-25T23:59:59.007Z');
  });

  it('survives a JSON round trip unchanged (one JSON line per record)', () => {
    const record = toCdrRecord(buildFacts({ identity: [buildPassport()] }), REJECT, buildContext());

    const line = JSON.stringify(record);

    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(record);
  });
});

describe('toFloodSummaryRecord', () => {
  it('records the sources beyond the per-interval bound under the address "other" (the token docs and tracebacks show), with ISO times', () => {
    const record = toFloodSummaryRecord({ sourceAddress: FLOOD_OTHER_SOURCES, sources: 37, transport: 'udp', intervalStartMs: T0, intervalEndMs: T0 + 10_000, requests: 912, action: 'dropped' }, 'gate-1');

    expect(record).toEqual({
      schemaVersion: CDR_SCHEMA_VERSION, type: 'flood-summary', node: 'gate-1', sourceAddress: 'other', sources: 37, transport: 'udp',
      intervalStart: new Date(T0).toISOString(), intervalStartMs: T0, intervalEnd: new Date(T0 + 10_000).toISOString(), intervalEndMs: T0 + 10_000,
      requests: 912, action: 'dropped', reason: 'flood-limit',
    });
  });
});
