import { describe, expect, it } from 'vitest';
import type { Action, BlocklistEntry, Decision, ListKind, Provider, RmdFiling } from '../../src/screening/model.js';
import { decide, type ScreeningWorld } from '../../src/screening/policy.js';
import {
  countProviderRmdStatuses, graceAt, isEntryActive, providerStanding, toProviderRmdStatus, type ProviderRmdStatus, type RmdGraceMap,
} from '../../src/screening/provider-status.js';
import { buildEntry, buildFacts, buildFiling, buildPolicy, buildProvider, buildSnapshot, buildWorld, DAY_MS } from '../support/builders.js';

const NOV_2026 = Date.UTC(2026, 10, 23);
const graceUntil = (endsAt: number, id = 'prov-1'): RmdGraceMap => new Map([[id, { endsAt, rmdNumber: 'RMD0990001' }]]);

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
    expect(toProviderRmdStatus(stateOf(world()), NOV_2026, grace ? graceUntil(NOV_2026 + DAY_MS) : undefined)).toBe(expected);
  });
});

describe('isEntryActive and graceAt', () => {
  it.each([
    { name: 'expired yesterday', entry: { effectiveAt: NOV_2026 - 30 * DAY_MS, expiresAt: NOV_2026 - DAY_MS }, active: false },
    { name: 'expires tomorrow', entry: { effectiveAt: NOV_2026 - 30 * DAY_MS, expiresAt: NOV_2026 + DAY_MS }, active: true },
    { name: 'not yet effective', entry: { effectiveAt: NOV_2026 + DAY_MS }, active: false },
    { name: 'effective now, never expiring', entry: { effectiveAt: NOV_2026 }, active: true },
    { name: 'expiring now', entry: { effectiveAt: 0, expiresAt: NOV_2026 }, active: false },
  ])('an entry $name is active: $active', ({ entry, active }) => {
    expect(isEntryActive(entry, NOV_2026)).toBe(active);
  });

  it('runs the grace up to its end, exclusive, and only for the provider named', () => {
    const grace = graceUntil(NOV_2026);

    expect(graceAt('prov-1', grace, NOV_2026 - 1)).toEqual({ endsAt: NOV_2026, rmdNumber: 'RMD0990001' });
    expect(graceAt('prov-1', grace, NOV_2026)).toBeUndefined();
    expect(graceAt('prov-2', grace, NOV_2026 - 1)).toBeUndefined();
    expect(graceAt('prov-1', undefined, NOV_2026 - 1)).toBeUndefined();
  });
});

describe('providerStanding', () => {
  it('lists only the entries in force and reports the grace of a provider without a filing', () => {
    const entries = [
      buildEntry({ id: 'l:expired', expiresAt: NOV_2026 - DAY_MS }),
      buildEntry({ id: 'l:active', expiresAt: NOV_2026 + DAY_MS }),
      buildEntry({ id: 'l:future', effectiveAt: NOV_2026 + DAY_MS }),
    ];
    const world = buildWorld({ rmd: buildSnapshot([]), entries, rmdGrace: graceUntil(NOV_2026 + DAY_MS) });

    const standing = providerStanding(stateOf(world), NOV_2026, world.rmdGrace);

    expect(standing.status).toBe('designated');
    expect(standing.activeEntries.map((e) => e.id)).toEqual(['l:active']);
    expect(standing.grace).toEqual({ endsAt: NOV_2026 + DAY_MS, rmdNumber: 'RMD0990001' });
  });

  it('reports no grace for a provider that has a filing again', () => {
    const world = buildWorld({ rmdGrace: graceUntil(NOV_2026 + DAY_MS) });

    expect(providerStanding(stateOf(world), NOV_2026, world.rmdGrace)).toMatchObject({ status: 'listed', grace: undefined });
  });
});

/** A small deterministic PRNG (mulberry32) so the property test is reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What decide() must answer for a provider of each status (every action block, mode enforce). */
function expectedOutcome(status: ProviderRmdStatus): string {
  return { designated: 'reject provider-designated', missing: 'reject provider-not-in-rmd', 'in-grace': 'would-block provider-not-in-rmd', listed: 'allow', overdue: 'allow', exempt: 'allow' }[status];
}

const outcomeOf = (d: Decision): string => (d.kind === 'reject' ? `reject ${d.reason}` : d.wouldBlock ? `would-block ${d.reason ?? ''}` : 'allow');

describe('the live decision and the report agree (property)', () => {
  it('gives the outcome of each reported status for 300 random worlds at 8 times each', () => {
    const rand = prng(16);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const kinds: readonly ListKind[] = ['k4', 'fdo', 'rmd-removed', 'c-cist', 'operator'];
    const block: Record<ListKind, Action> = { k4: 'block', fdo: 'block', 'rmd-removed': 'block', 'c-cist': 'block', operator: 'block' };
    const policy = buildPolicy({ designated: block });
    const seen = new Set<string>();
    for (let w = 0; w < 300; w++) {
      const t = NOV_2026;
      const offset = (): number => pick([-2 * DAY_MS, -DAY_MS, -1, 0, 1, DAY_MS, 2 * DAY_MS]);
      const entries: BlocklistEntry[] = Array.from({ length: Math.floor(rand() * 3) }, (_, i) => ({
        ...buildEntry({ id: `l:${i}`, kind: pick(kinds), effectiveAt: t + offset() }),
        ...(rand() < 0.6 ? { expiresAt: t + offset() + DAY_MS } : {}),
      }));
      const provider: Provider = buildProvider({ rmdRequired: rand() < 0.85 });
      const filings: RmdFiling[] = rand() < 0.4 ? [buildFiling({ lastRecertified: pick(['2026-02-20', '2025-05-01']) })] : [];
      const rmdGrace = rand() < 0.6 ? graceUntil(t + offset()) : undefined;
      const world = buildWorld({ providers: [provider], rmd: buildSnapshot(filings), entries, policy, ...(rmdGrace ? { rmdGrace } : {}) });
      for (let i = 0; i < 8; i++) {
        const now = t + offset() + pick([-1, 0, 1]);
        const status = toProviderRmdStatus(stateOf(world), now, world.rmdGrace);
        seen.add(status);

        expect(outcomeOf(decide(buildFacts({ receivedAt: now }), world)), `world ${w} at ${new Date(now).toISOString()}: ${status}`).toBe(expectedOutcome(status));
      }
    }
    expect([...seen].sort()).toEqual(['designated', 'exempt', 'in-grace', 'listed', 'missing', 'overdue']);
  });
});

describe('countProviderRmdStatuses', () => {
  const twoMissing = (): ScreeningWorld =>
    buildWorld({ rmd: buildSnapshot([]), providers: [buildProvider(), buildProvider({ id: 'prov-2', rmdNumber: 'RMD0990002', frn: '0099000002' })] });

  it('counts every status, zero when none', () => {
    expect(countProviderRmdStatuses(twoMissing(), NOV_2026)).toEqual({ listed: 0, overdue: 0, 'in-grace': 0, missing: 2, designated: 0, exempt: 0 });
  });

  it("counts a provider in the world's rmdGrace as in-grace until its grace ends", () => {
    const world = { ...twoMissing(), rmdGrace: graceUntil(NOV_2026 + 1, 'prov-2') };

    expect(countProviderRmdStatuses(world, NOV_2026)).toMatchObject({ missing: 1, 'in-grace': 1 });
    expect(countProviderRmdStatuses(world, NOV_2026 + 1)).toMatchObject({ missing: 2, 'in-grace': 0 });
  });
});
