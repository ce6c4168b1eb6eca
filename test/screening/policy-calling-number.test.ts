/**
 * decide() with calling-number screening and emergency protection (policy.ts withCallingNumber / protect): which
 * finding wins when several apply, the evidence recorded, and emergency/PSAP calls against every blocking reason.
 */
import { describe, expect, it } from 'vitest';
import { AllocationTableBuilder } from '../../src/screening/allocation-table.js';
import { toEmergencyProtection, type CallingNumberScreening } from '../../src/screening/calling-number.js';
import { DnoListBuilder } from '../../src/screening/dno-table.js';
import type { Action, PolicyReason } from '../../src/screening/model.js';
import { decide } from '../../src/screening/policy.js';
import { buildEntry, buildFacts, buildPolicy, buildProvider, buildTrunk, buildWorld, DEFAULTS, T0, type PolicyOverrides } from '../support/builders.js';

const sip = (user: string): string => `<sip:${user}@carrier.example.com;user=phone>;tag=1`;
const DNO_NUMBER = '+12025550166';
const INVALID_NUMBER = '+12021110100';
const UNALLOCATED_NUMBER = '+13035550100';
const CLEAN_NUMBER = '+12025550100';
const PSAP = '+12025550199';

const DNO = (() => {
  const b = new DnoListBuilder('operator-dno');
  b.addNumber(2025550166, b.meta({ source: 'subscriber-request', effectiveAt: 0 }));
  return b.build();
})();
const ALLOCATION = (() => {
  const b = new AllocationTableBuilder();
  b.add(202, 555);
  b.add(303, 556);
  return b.build();
})();
const CN: CallingNumberScreening = { source: 'pai-then-from', invalid: true, dno: [DNO], allocation: ALLOCATION, allocationName: 'allocation' };
const K4 = buildEntry({ effectiveAt: T0 - 1 });

type Setup = 'clean' | 'designated' | 'not-in-rmd' | 'no-rmd' | 'no-provider';

function world(setup: Setup, policy: PolicyOverrides = {}, cn: CallingNumberScreening | 'off' = CN) {
  return buildWorld({
    entries: setup === 'designated' ? [K4] : [],
    providers: setup === 'not-in-rmd' ? [buildProvider({ rmdNumber: 'RMD0990099', frn: '0099000099' })] : [buildProvider()],
    trunks: setup === 'no-provider' ? [buildTrunk({ providerId: 'nobody' })] : [buildTrunk()],
    ...(setup === 'no-rmd' ? { rmd: undefined } : {}),
    policy: buildPolicy(policy),
    ...(cn === 'off' ? {} : { callingNumber: cn }),
    emergency: toEmergencyProtection(['988'], [PSAP]),
  });
}

const call = (from: string, requestUri = 'sip:+12025550123@gw.example.net'): ReturnType<typeof buildFacts> => buildFacts({ from: sip(from), requestUri });

describe('decide() with calling-number screening', () => {
  it.each([
    [DNO_NUMBER, 'calling-number-dno', 'operator-dno', '+12025550166', 'subscriber-request'],
    [INVALID_NUMBER, 'calling-number-invalid', 'nanp', 'nxx-first-digit', 'nanp-structure'],
    [UNALLOCATED_NUMBER, 'calling-number-unallocated', 'allocation', '303-555', 'numbering-administrator'],
  ])('refuses a call from %s with %s and records the finding beside the trunk evidence', (from, reason, list, entry, source) => {
    const d = decide(call(from), world('clean'));

    expect(d).toEqual({
      kind: 'reject',
      reason,
      answer: { status: 603, phrase: 'Decline', reasonHeader: `SIP;cause=603;text="${reason}"` },
      evidence: {
        trunkId: DEFAULTS.trunkId, providerId: DEFAULTS.providerId, rmdSnapshotId: DEFAULTS.snapshotId, rmdNumber: DEFAULTS.rmdNumber, rmdMatch: 'rmd-number',
        callingNumberList: list, callingNumberEntry: entry, callingNumberSource: source,
      },
    });
  });

  it('allows a clean number, and allows everything when calling-number screening is off', () => {
    expect(decide(call(CLEAN_NUMBER), world('clean'))).toMatchObject({ kind: 'allow', reason: undefined, wouldBlock: false });
    expect(decide(call(DNO_NUMBER), world('clean', {}, 'off'))).toMatchObject({ kind: 'allow', reason: undefined, wouldBlock: false });
  });

  it.each([
    ['monitor', { kind: 'allow', reason: 'calling-number-dno', wouldBlock: true, route: [DEFAULTS.defaultRoute] }],
    ['allow', { kind: 'allow', reason: undefined, wouldBlock: false }],
  ] as const)('with the DNO action %s', (action, expected) => {
    const d = decide(call(DNO_NUMBER), world('clean', { reasons: { 'calling-number-dno': { action } } }));

    expect(d).toMatchObject(expected);
  });

  it('in mode monitor records the block as would-block', () => {
    expect(decide(call(DNO_NUMBER), world('clean', { mode: 'monitor' }))).toMatchObject({ kind: 'allow', reason: 'calling-number-dno', wouldBlock: true });
  });

  it('answers with the route of the trunk when it has one', () => {
    const w = buildWorld({ trunks: [buildTrunk({ route: ['sip:core-b:5060'] })], policy: buildPolicy({ reasons: { 'calling-number-dno': { action: 'monitor' } } }), callingNumber: CN });

    expect(decide(call(DNO_NUMBER), w)).toMatchObject({ kind: 'allow', route: ['sip:core-b:5060'] });
  });

  describe('which finding wins (provider-level findings win ties; the more severe action wins)', () => {
    it.each([
      ['designated', {}, 'provider-designated'],
      ['not-in-rmd', {}, 'provider-not-in-rmd'],
      ['designated', { designated: { k4: 'monitor' as Action } }, 'calling-number-dno'],
      ['not-in-rmd', { reasons: { 'provider-not-in-rmd': { action: 'monitor' as Action } } }, 'calling-number-dno'],
      ['no-rmd', {}, 'calling-number-dno'],
      ['no-rmd', { reasons: { 'rmd-unavailable': { action: 'block' as Action, status: 503 as const } } }, 'rmd-unavailable'],
    ] as const)('%s with %o and a DNO number → %s refused', (setup, policy, reason) => {
      const d = decide(call(DNO_NUMBER), world(setup, policy));

      expect(d).toMatchObject({ kind: 'reject', reason });
    });

    it('keeps a monitored designation over a monitored DNO finding (tie)', () => {
      const d = decide(call(DNO_NUMBER), world('designated', { designated: { k4: 'monitor' }, reasons: { 'calling-number-dno': { action: 'monitor' } } }));

      expect(d).toMatchObject({ kind: 'allow', reason: 'provider-designated', wouldBlock: true });
      expect(d.evidence.callingNumberList).toBeUndefined();
    });

    it('replaces a monitored designation with a DNO block, keeping the designation out of the evidence', () => {
      const d = decide(call(DNO_NUMBER), world('designated', { designated: { k4: 'monitor' } }));

      expect(d.evidence).toMatchObject({ callingNumberList: 'operator-dno', trunkId: DEFAULTS.trunkId });
      expect(d.evidence.listEntryId).toBeUndefined();
    });

    it('does not let an allow or monitor calling-number action undo a provider block', () => {
      for (const action of ['allow', 'monitor'] as const) {
        expect(decide(call(DNO_NUMBER), world('designated', { reasons: { 'calling-number-dno': { action } } }))).toMatchObject({ kind: 'reject', reason: 'provider-designated' });
      }
    });

    it('refuses an unknown source as unknown-trunk whatever its calling number', () => {
      expect(decide(buildFacts({ sourceAddress: '198.51.100.200', from: sip(DNO_NUMBER) }), world('clean'))).toMatchObject({ kind: 'reject', reason: 'unknown-trunk' });
    });
  });
});

describe('decide() never refuses emergency and PSAP calls on a configured trunk', () => {
  /** Every blocking reason a configured trunk can produce, with the setup and calling number that fire it. */
  const BLOCKING: readonly (readonly [PolicyReason, Setup, string, PolicyOverrides])[] = [
    ['provider-designated', 'designated', CLEAN_NUMBER, {}],
    ['provider-not-in-rmd', 'not-in-rmd', CLEAN_NUMBER, {}],
    ['rmd-unavailable', 'no-rmd', CLEAN_NUMBER, { reasons: { 'rmd-unavailable': { action: 'block' } } }],
    ['screening-error', 'no-provider', CLEAN_NUMBER, { reasons: { 'screening-error': { action: 'block' } } }],
    ['calling-number-invalid', 'clean', INVALID_NUMBER, {}],
    ['calling-number-unallocated', 'clean', UNALLOCATED_NUMBER, {}],
    ['calling-number-dno', 'clean', DNO_NUMBER, {}],
  ];
  const PROTECTED = [
    ['a call to 911', 'sip:911@gw.example.net', undefined, 'emergency'],
    ['a call to 933', 'tel:933', undefined, 'emergency'],
    ['a call to a configured emergency number (988)', 'sip:988@gw.example.net;user=phone', undefined, 'emergency'],
    ['a call from a PSAP (From; the number the rule fired on in PAI)', 'sip:+12025550123@gw.example.net', PSAP, 'psap'],
  ] as const;
  const CASES = BLOCKING.flatMap(([reason, setup, from, policy]) => PROTECTED.map(([what, ruri, psap, kind]) => ({ reason, setup, from, policy, what, ruri, psap, kind })));

  it.each(CASES)('$what is allowed as would-block when $reason fires', (c) => {
    const w = world(c.setup, c.policy);
    const facts = buildFacts(c.psap === undefined ? { from: sip(c.from), requestUri: c.ruri } : { from: sip(c.psap), pAssertedIdentity: sip(c.from), requestUri: c.ruri });

    const plain = decide(buildFacts({ from: sip(c.from) }), w);
    const d = decide(facts, w);

    expect(plain).toMatchObject({ kind: 'reject', reason: c.reason });
    expect(d).toMatchObject({ kind: 'allow', reason: c.reason, wouldBlock: true, route: [DEFAULTS.defaultRoute] });
    expect(d.evidence).toEqual({ ...plain.evidence, protectedCall: c.kind });
  });

  it('uses the trunk route for a protected call', () => {
    const w = buildWorld({ entries: [K4], trunks: [buildTrunk({ route: ['sip:psap-core:5060'] })] });

    expect(decide(call(CLEAN_NUMBER, 'sip:911@gw'), w)).toMatchObject({ kind: 'allow', route: ['sip:psap-core:5060'], evidence: { protectedCall: 'emergency' } });
  });

  it('protects 911 and 933 with no emergency config at all', () => {
    const w = buildWorld({ entries: [K4] });

    expect(decide(call(CLEAN_NUMBER, 'sip:911@gw'), w)).toMatchObject({ kind: 'allow', wouldBlock: true });
    expect(decide(call(CLEAN_NUMBER, 'sip:933@gw'), w)).toMatchObject({ kind: 'allow', wouldBlock: true });
    expect(decide(call(CLEAN_NUMBER, 'sip:988@gw'), w)).toMatchObject({ kind: 'reject' });
  });

  it('still refuses 911 from an unknown source (ingress access list, not call blocking)', () => {
    const d = decide(buildFacts({ sourceAddress: '198.51.100.200', requestUri: 'sip:911@gw' }), world('clean'));

    expect(d).toMatchObject({ kind: 'reject', reason: 'unknown-trunk', answer: { status: 403 } });
  });

  it('leaves clean emergency calls and monitored findings as they are', () => {
    expect(decide(call(CLEAN_NUMBER, 'sip:911@gw'), world('clean'))).toMatchObject({ kind: 'allow', reason: undefined, wouldBlock: false });
    const monitored = decide(call(DNO_NUMBER, 'sip:911@gw'), world('clean', { mode: 'monitor' }));

    expect(monitored).toMatchObject({ kind: 'allow', reason: 'calling-number-dno', wouldBlock: true });
    expect(monitored.evidence.protectedCall).toBeUndefined();
  });

  it('refuses the same blocked call to a non-emergency number', () => {
    expect(decide(call(DNO_NUMBER, 'sip:9110@gw'), world('clean'))).toMatchObject({ kind: 'reject', reason: 'calling-number-dno' });
  });
});
