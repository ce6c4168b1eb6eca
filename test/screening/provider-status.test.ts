import { describe, expect, it } from 'vitest';
import { countProviderRmdStatuses, toProviderRmdStatus } from '../../src/screening/provider-status.js';
import type { ScreeningWorld } from '../../src/screening/policy.js';
import { buildEntry, buildFiling, buildProvider, buildSnapshot, buildWorld } from '../support/builders.js';

const NOV_2026 = Date.UTC(2026, 10, 23);

function stateOf(world: ScreeningWorld, id = 'prov-1') {
  const s = world.providers.get(id);
  if (!s) throw new Error(`no provider ${id}`);
  return s;
}

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
    { name: 'designated from the instant the entry becomes effective', world: () => buildWorld({ entries: [buildEntry({ effectiveAt: NOV_2026 })] }), grace: false, expected: 'designated' },
    { name: 'listed from the instant the entry expires', world: () => buildWorld({ entries: [buildEntry({ expiresAt: NOV_2026 })] }), grace: false, expected: 'listed' },
    { name: 'designated until the entry expires', world: () => buildWorld({ entries: [buildEntry({ expiresAt: NOV_2026 + 1 })] }), grace: false, expected: 'designated' },
  ])('is $expected: $name', ({ world, grace, expected }) => {
    expect(toProviderRmdStatus(stateOf(world()), NOV_2026, grace ? new Set(['prov-1']) : undefined)).toBe(expected);
  });
});

describe('countProviderRmdStatuses', () => {
  const twoMissing = (): ScreeningWorld =>
    buildWorld({ rmd: buildSnapshot([]), providers: [buildProvider(), buildProvider({ id: 'prov-2', rmdNumber: 'RMD0990002', frn: '0099000002' })] });

  it('counts every status, zero when none', () => {
    expect(countProviderRmdStatuses(twoMissing(), NOV_2026)).toEqual({ listed: 0, overdue: 0, 'in-grace': 0, missing: 2, designated: 0, exempt: 0 });
  });

  it("counts a provider in the world's rmdGrace set as in-grace", () => {
    const world = { ...twoMissing(), rmdGrace: new Set(['prov-2']) };

    expect(countProviderRmdStatuses(world, NOV_2026)).toMatchObject({ missing: 1, 'in-grace': 1 });
  });
});
