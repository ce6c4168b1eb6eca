import { describe, expect, it } from 'vitest';
import { AllocationTableBuilder } from '../../src/screening/allocation-table.js';
import {
  BUILTIN_EMERGENCY_NUMBERS, CALLING_NUMBER_REASONS, findCallingNumber, protectionOf, toEmergencyProtection, type CallingNumberScreening,
} from '../../src/screening/calling-number.js';
import { DnoListBuilder } from '../../src/screening/dno-table.js';
import { buildFacts, T0 } from '../support/builders.js';

const sip = (user: string): string => `<sip:${user}@carrier.example.com;user=phone>;tag=1`;

function dnoList(name: string, numbers: readonly number[], prefixes: readonly string[] = [], effectiveAt = 0) {
  const b = new DnoListBuilder(name);
  const m = b.meta({ source: `${name}-source`, effectiveAt, note: `${name} note` });
  for (const n of numbers) b.addNumber(n, m);
  for (const p of prefixes) b.addPrefix(p, m);
  return b.build();
}

const ALLOCATION = (() => {
  const b = new AllocationTableBuilder();
  b.add(202, 555);
  b.add(303, 555, 0);
  return b.build();
})();

const ALL_ON: CallingNumberScreening = {
  source: 'pai-then-from',
  invalid: true,
  dno: [dnoList('first', [2025550166], ['303555']), dnoList('second', [2025550177, 2025550166])],
  allocation: ALLOCATION,
  allocationName: 'nanpa',
};

describe('findCallingNumber', () => {
  it.each([
    ['+12025550100', undefined],
    ['+12025550166', { reason: 'calling-number-dno', list: 'first', entry: '+12025550166', source: 'first-source', note: 'first note' }],
    ['+12025550177', { reason: 'calling-number-dno', list: 'second', entry: '+12025550177', source: 'second-source', note: 'second note' }],
    ['+13035550100', { reason: 'calling-number-dno', list: 'first', entry: '+1303555…', source: 'first-source', note: 'first note' }],
    ['+12025560100', { reason: 'calling-number-unallocated', list: 'nanpa', entry: '202-556', source: 'numbering-administrator' }],
    ['+13035561000', { reason: 'calling-number-unallocated', list: 'nanpa', entry: '303-556', source: 'numbering-administrator' }],
    ['+18005550100', undefined],
    ['+12021110100', { reason: 'calling-number-invalid', list: 'nanp', entry: 'nxx-first-digit', source: 'nanp-structure' }],
    ['+1202555010', { reason: 'calling-number-invalid', list: 'nanp', entry: 'length', source: 'nanp-structure' }],
    ['0125550166', { reason: 'calling-number-invalid', list: 'nanp', entry: 'npa-first-digit', source: 'nanp-structure' }],
    ['+442079460000', undefined],
    ['anonymous', undefined],
  ])('From %s → %o', (user, finding) => {
    expect(findCallingNumber(buildFacts({ from: sip(user) }), ALL_ON, T0)).toEqual(finding);
  });

  it('reports an invalid number as invalid even when a DNO list names it (order: invalid, dno, unallocated)', () => {
    const cn = { ...ALL_ON, dno: [dnoList('x', [2021110166])] };

    expect(findCallingNumber(buildFacts({ from: sip('+12021110166') }), cn, T0)?.reason).toBe('calling-number-invalid');
    expect(findCallingNumber(buildFacts({ from: sip('+12021110166') }), { ...cn, invalid: false }, T0)?.reason).toBe('calling-number-dno');
    expect(CALLING_NUMBER_REASONS).toEqual(['calling-number-invalid', 'calling-number-dno', 'calling-number-unallocated']);
  });

  it('with the NANP rules off, still finds an invalid number\'s code unallocated', () => {
    expect(findCallingNumber(buildFacts({ from: sip('+12021110100') }), { ...ALL_ON, invalid: false }, T0)?.entry).toBe('202-111');
  });

  it('screens the national number 0 (+10000000000) as any other', () => {
    expect(findCallingNumber(buildFacts({ from: sip('+10000000000') }), ALL_ON, T0)?.entry).toBe('npa-first-digit');
  });

  it('reports a DNO number before its missing allocation', () => {
    expect(findCallingNumber(buildFacts({ from: sip('+13035551166') }), ALL_ON, T0)?.reason).toBe('calling-number-dno');
  });

  it('with the NANP rules off, lets invalid numbers and +1 numbers of the wrong length through', () => {
    const cn = { ...ALL_ON, invalid: false, allocation: undefined };

    expect(findCallingNumber(buildFacts({ from: sip('+12021110100') }), cn, T0)).toBeUndefined();
    expect(findCallingNumber(buildFacts({ from: sip('+1202555010') }), cn, T0)).toBeUndefined();
  });

  it('without an allocation feed, checks no allocation', () => {
    const cn: CallingNumberScreening = { source: 'from', invalid: true, dno: [] };

    expect(findCallingNumber(buildFacts({ from: sip('+12025560100') }), cn, T0)).toBeUndefined();
  });

  it('records the allocation feed as "allocation" when it has no name', () => {
    const cn: CallingNumberScreening = { source: 'from', invalid: false, dno: [], allocation: ALLOCATION };

    expect(findCallingNumber(buildFacts({ from: sip('+12025560100') }), cn, T0)?.list).toBe('allocation');
  });

  it('ignores DNO entries not yet effective at the call time', () => {
    const cn: CallingNumberScreening = { source: 'from', invalid: false, dno: [dnoList('later', [2025550166], [], T0 + 1)] };

    expect(findCallingNumber(buildFacts({ from: sip('+12025550166') }), cn, T0)).toBeUndefined();
    expect(findCallingNumber(buildFacts({ from: sip('+12025550166') }), cn, T0 + 1)?.reason).toBe('calling-number-dno');
  });

  describe('which number is screened', () => {
    const cn = (source: CallingNumberScreening['source']): CallingNumberScreening => ({ source, invalid: false, dno: [dnoList('d', [2025550166])] });
    const listedFrom = { from: sip('+12025550166'), pAssertedIdentity: sip('+12025550100') };
    const listedPai = { from: sip('+12025550100'), pAssertedIdentity: sip('+12025550166') };

    it.each([
      ['pai-then-from', listedPai, 'calling-number-dno'],
      ['pai-then-from', listedFrom, undefined],
      ['pai-then-from', { from: sip('+12025550166') }, 'calling-number-dno'],
      ['pai-then-from', { from: sip('+12025550166'), pAssertedIdentity: '<sip:anonymous@anonymous.invalid>' }, 'calling-number-dno'],
      ['pai-then-from', { from: sip('+12025550166'), pAssertedIdentity: sip('+442079460000') }, undefined],
      ['from', listedFrom, 'calling-number-dno'],
      ['from', listedPai, undefined],
      ['pai', listedPai, 'calling-number-dno'],
      ['pai', listedFrom, undefined],
      ['pai', { from: sip('+12025550166') }, undefined],
    ] as const)('%s with %o → %s', (source, headers, reason) => {
      expect(findCallingNumber(buildFacts(headers), cn(source), T0)?.reason).toBe(reason);
    });
  });
});

describe('emergency protection', () => {
  it('always holds 911 and 933, plus configured called numbers without + or separators', () => {
    const p = toEmergencyProtection(['+988', '9-1-1', '112']);

    expect(BUILTIN_EMERGENCY_NUMBERS).toEqual(['911', '933']);
    expect([...p.calledNumbers].sort()).toEqual(['112', '911', '933', '988']);
    expect([...toEmergencyProtection().calledNumbers].sort()).toEqual(['911', '933']);
  });

  it('compares called numbers of any configured length', () => {
    const p6 = toEmergencyProtection(['112233']);

    expect(protectionOf(buildFacts({ requestUri: 'sip:112233@gw' }), p6)).toBe('emergency');
    expect(protectionOf(buildFacts({ requestUri: 'sip:911@gw' }), p6)).toBe('emergency');
    expect(p6.longestCalled).toBe(6);
  });

  it('keeps PSAP numbers as E.164 and drops what is no number', () => {
    const p = toEmergencyProtection([], ['202-555-0199', '+13035550111', 'not a number']);

    expect([...p.psapCallingNumbers].sort()).toEqual(['+12025550199', '+13035550111']);
  });

  const p = toEmergencyProtection(['988'], ['+12025550199']);

  it.each([
    ['sip:911@gw.example.net', undefined, 'emergency'],
    ['sip:911@gw.example.net;user=phone', undefined, 'emergency'],
    ['tel:911;phone-context=+1', undefined, 'emergency'],
    ['sip:933@gw', undefined, 'emergency'],
    ['sip:+911@gw', undefined, 'emergency'],
    ['sip:988@gw', undefined, 'emergency'],
    ['sip:9110@gw', undefined, undefined],
    ['sip:+12025550123@gw', undefined, undefined],
    ['sip:+12025550123@gw', sip('+12025550199'), 'psap'],
    ['sip:+12025550123@gw', sip('2025550199'), 'psap'],
    ['sip:+12025550123@gw', sip('+12025550198'), undefined],
  ])('%s from %s → %s', (requestUri, from, expected) => {
    expect(protectionOf(buildFacts({ requestUri, from }), p)).toBe(expected);
  });

  it('finds a PSAP in P-Asserted-Identity when From is something else', () => {
    const facts = buildFacts({ from: sip('anonymous'), pAssertedIdentity: sip('+12025550199') });

    expect(protectionOf(facts, p)).toBe('psap');
    expect(protectionOf(facts, toEmergencyProtection())).toBeUndefined();
  });
});
