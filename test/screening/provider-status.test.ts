import { describe, expect, it } from 'vitest';
import {
  countProviderRmdStatuses, isRecertificationOverdue, recertificationDeadline, toProviderRmdStatus,
} from '../../src/screening/provider-status.js';
import type { ScreeningWorld } from '../../src/screening/policy.js';
import { buildEntry, buildFiling, buildProvider, buildSnapshot, buildWorld } from '../support/builders.js';

const NOV_2026 = Date.UTC(2026, 10, 23);
const FEB_2026 = Date.UTC(2026, 1, 15);

function stateOf(world: ScreeningWorld, id = 'prov-1') {
  const s = world.providers.get(id);
  if (!s) throw new Error(`no provider ${id}`);
  return s;
}

describe('recertificationDeadline', () => {
  it.each([
    { name: 'none before the first deadline (March 1, 2026)', now: FEB_2026, expected: undefined },
    { name: 'March 1 of this year once it has passed', now: NOV_2026, expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
    { name: "last year's before March 1", now: Date.UTC(2027, 1, 28), expected: { deadline: '2026-03-01', windowOpens: '2026-02-01' } },
    { name: 'the new one from March 1', now: Date.UTC(2027, 2, 1), expected: { deadline: '2027-03-01', windowOpens: '2027-02-01' } },
  ])('gives $name', ({ now, expected }) => {
    expect(recertificationDeadline(now)).toEqual(expected);
  });
});

describe('isRecertificationOverdue', () => {
  it.each([
    { name: 'recertified inside the 2026 window', lastRecertified: '2026-02-20', lastUpdated: '2026-02-20', overdue: false },
    { name: 'recertified before the window opened', lastRecertified: '2025-06-01', lastUpdated: '2025-06-01', overdue: true },
    { name: 'never recertified, last filed before the deadline', lastRecertified: '', lastUpdated: '2025-09-18', overdue: true },
    { name: 'never recertified, first filed after the deadline', lastRecertified: '', lastUpdated: '2026-06-01', overdue: false },
  ])('is $overdue when $name', ({ lastRecertified, lastUpdated, overdue }) => {
    expect(isRecertificationOverdue({ lastRecertified, lastUpdated }, NOV_2026)).toBe(overdue);
  });

  it('is never overdue before the first deadline', () => {
    expect(isRecertificationOverdue({ lastRecertified: '', lastUpdated: '2020-01-01' }, FEB_2026)).toBe(false);
  });
});

describe('toProviderRmdStatus', () => {
  it.each([
    { name: 'listed with a current filing', world: () => buildWorld(), grace: false, expected: 'listed' },
    { name: 'overdue when the filing missed the recertification', world: () => buildWorld({ rmd: buildSnapshot([buildFiling({ lastRecertified: '2025-05-01' })]) }), grace: false, expected: 'overdue' },
    { name: 'missing without a filing', world: () => buildWorld({ rmd: buildSnapshot([]) }), grace: false, expected: 'missing' },
    { name: 'in-grace without a filing while its removal grace runs', world: () => buildWorld({ rmd: buildSnapshot([]) }), grace: true, expected: 'in-grace' },
    { name: 'exempt without a filing when it need not file', world: () => buildWorld({ rmd: buildSnapshot([]), providers: [buildProvider({ rmdRequired: false })] }), grace: false, expected: 'exempt' },
    { name: 'designated with an active entry, even when listed', world: () => buildWorld({ entries: [buildEntry()] }), grace: false, expected: 'designated' },
    { name: 'listed when the entry is not yet effective', world: () => buildWorld({ entries: [buildEntry({ effectiveAt: Date.UTC(2027, 0, 1) })] }), grace: false, expected: 'listed' },
    { name: 'listed when the entry has expired', world: () => buildWorld({ entries: [buildEntry({ expiresAt: Date.UTC(2026, 0, 1) })] }), grace: false, expected: 'listed' },
  ])('is $expected: $name', ({ world, grace, expected }) => {
    expect(toProviderRmdStatus(stateOf(world()), NOV_2026, () => grace)).toBe(expected);
  });
});

describe('countProviderRmdStatuses', () => {
  const twoMissing = (): ScreeningWorld =>
    buildWorld({ rmd: buildSnapshot([]), providers: [buildProvider(), buildProvider({ id: 'prov-2', rmdNumber: 'RMD0990002', frn: '0099000002' })] });

  it('counts every status, zero when none', () => {
    expect(countProviderRmdStatuses(twoMissing(), NOV_2026)).toEqual({ listed: 0, overdue: 0, 'in-grace': 0, missing: 2, designated: 0, exempt: 0 });
  });

  it('moves providers from missing to in-grace by the grace count when the world carries no grace set', () => {
    expect(countProviderRmdStatuses(twoMissing(), NOV_2026, 1)).toMatchObject({ missing: 1, 'in-grace': 1 });
  });

  it("uses the world's rmdGrace set when present", () => {
    const world = { ...twoMissing(), rmdGrace: new Set(['prov-2']) };

    expect(countProviderRmdStatuses(world, NOV_2026, 2)).toMatchObject({ missing: 1, 'in-grace': 1 });
  });
});
