/**
 * RMD diff on crafted snapshots: each change kind, configured vs all scope, the recertification cycle, and the reports.
 */
import { describe, expect, it } from 'vitest';
import { diffRmd, isRecertificationOverdue, recertificationDeadline } from '../../../src/feeds/rmd/diff.js';
import { toDiffJson, toDiffMarkdown } from '../../../src/feeds/rmd/diff-report.js';
import { buildFiling, buildProvider, buildSnapshot } from '../../support/builders.js';

const APRIL_2026 = Date.UTC(2026, 3, 1);
const A = buildFiling({ rmdNumber: 'RMD0000001', frn: '0000000001', businessName: 'Alpha LLC' });
const B = buildFiling({ rmdNumber: 'RMD0000002', frn: '0000000002', businessName: 'Bravo LLC' });
const C = buildFiling({ rmdNumber: 'RMD0000003', frn: '0000000003', businessName: 'Charlie LLC' });
const snap = (id: string, ...filings: ReturnType<typeof buildFiling>[]) => buildSnapshot(filings, { id });
const at = { oldAt: APRIL_2026, newAt: APRIL_2026 };

describe('diffRmd', () => {
  it.each([
    { name: 'removed', old: [A, B], next: [A], kind: 'removed', rmdNumber: 'RMD0000002', before: undefined, after: undefined },
    { name: 'listed', old: [A], next: [A, C], kind: 'listed', rmdNumber: 'RMD0000003', before: undefined, after: undefined },
    { name: 'implementation class changed', old: [A], next: [{ ...A, implementation: 'none' as const }], kind: 'implementation-changed', rmdNumber: 'RMD0000001', before: 'complete', after: 'none' },
    { name: 'roles changed', old: [A], next: [{ ...A, roles: { voiceServiceProvider: true, gateway: true, intermediate: true } }], kind: 'roles-changed', rmdNumber: 'RMD0000001', before: 'voice-service-provider', after: 'voice-service-provider,gateway,intermediate' },
  ])('reports $name across all filings', ({ old, next, kind, rmdNumber, before, after }) => {
    const diff = diffRmd(snap('old', ...old), snap('new', ...next), at);

    expect(diff.changes).toEqual([expect.objectContaining({ kind, rmdNumber, providerId: undefined, ...(before === undefined ? {} : { before, after }) })]);
    expect(diff.counts[kind as keyof typeof diff.counts]).toBe(1);
    expect(diff).toMatchObject({ scope: 'all', oldSnapshotId: 'old', newSnapshotId: 'new', recertificationDeadline: '2026-03-01' });
  });

  it('reports nothing for identical snapshots', () => {
    expect(diffRmd(snap('a', A, B), snap('b', A, B), at).changes).toEqual([]);
  });

  it('scopes to configured providers, matching by RMD number then FRN (a refiled provider stays listed)', () => {
    const providers = [
      buildProvider({ id: 'by-number', rmdNumber: 'RMD0000001', frn: undefined }),
      buildProvider({ id: 'by-frn', rmdNumber: 'RMD0000099', frn: '0000000002' }),
      buildProvider({ id: 'gone', rmdNumber: 'RMD0000003', frn: '0000000003' }),
    ];
    const refiled = { ...B, rmdNumber: 'RMD0000022' };

    const diff = diffRmd(snap('o', A, B, C), snap('n', A, refiled), { ...at, providers });

    expect(diff.scope).toBe('configured');
    expect(diff.changes).toEqual([expect.objectContaining({ kind: 'removed', providerId: 'gone', rmdNumber: 'RMD0000003' })]);
  });

  it('reports a recertification as newly overdue once: on the first snapshot evaluated after the deadline', () => {
    const late = { ...A, lastRecertified: '2025-02-20' };
    const feb = Date.UTC(2026, 1, 27);
    const march = Date.UTC(2026, 2, 5);

    const first = diffRmd(snap('o', late), snap('n', late), { oldAt: feb, newAt: march });
    const second = diffRmd(snap('n', late), snap('n2', late), { oldAt: march, newAt: Date.UTC(2026, 2, 6) });

    expect(first.changes).toEqual([expect.objectContaining({ kind: 'recertification-overdue', before: '2025-02-20', after: '2025-02-20' })]);
    expect(second.changes).toEqual([]);
    expect(second.overdue).toEqual([{ providerId: undefined, rmdNumber: 'RMD0000001', businessName: 'Alpha LLC', lastRecertified: '2025-02-20' }]);
  });
});

describe('recertification cycle', () => {
  it.each([
    { name: 'before the first deadline', at: Date.UTC(2026, 1, 28), deadline: undefined },
    { name: 'on March 1, 2026', at: Date.UTC(2026, 2, 1), deadline: '2026-03-01' },
    { name: 'in January 2027 (last cycle)', at: Date.UTC(2027, 0, 15), deadline: '2026-03-01' },
    { name: 'after March 1, 2027', at: Date.UTC(2027, 2, 10), deadline: '2027-03-01' },
  ])('has deadline $deadline $name', ({ at: when, deadline }) => {
    expect(recertificationDeadline(when)).toBe(deadline);
  });

  it.each([
    { name: 'recertified in the window', lastRecertified: '2026-02-01', lastUpdated: '2026-02-01', overdue: false },
    { name: 'recertified before the window opened', lastRecertified: '2026-01-31', lastUpdated: '2026-01-31', overdue: true },
    { name: 'never recertified, filed before the deadline', lastRecertified: '', lastUpdated: '2025-06-01', overdue: true },
    { name: 'never recertified, first filed after the deadline', lastRecertified: '', lastUpdated: '2026-03-15', overdue: false },
  ])('is overdue=$overdue when $name', ({ lastRecertified, lastUpdated, overdue }) => {
    expect(isRecertificationOverdue(buildFiling({ lastRecertified, lastUpdated }), APRIL_2026)).toBe(overdue);
  });
});

describe('diff reports', () => {
  const diff = diffRmd(snap('old1', A, B), snap('new1', { ...A, implementation: 'partial' }, C), { ...at, providers: [buildProvider({ id: 'p|a', rmdNumber: 'RMD0000001' }), buildProvider({ id: 'p-b', rmdNumber: 'RMD0000002', frn: undefined })] });

  it('renders Markdown with a summary and one table per change kind (cells escaped)', () => {
    const md = toDiffMarkdown(diff);

    expect(md).toContain('# RMD diff old1 → new1');
    expect(md).toContain('- Removed from the RMD (`removed`): 1');
    expect(md).toContain('## Removed from the RMD (1)\n\n| provider | RMD number | FRN | business name | before | after |');
    expect(md).toContain('| p-b | RMD0000002 | 0000000002 | Bravo LLC | Bravo LLC; FRN 0000000002; implementation complete; roles voice-service-provider; last recertified 2026-02-20; contact Pat Example +12025550100 | (not listed) |');
    expect(md).toContain('| provider | RMD number | FRN | business name | field | before | after |');
    expect(md).toContain('| p\\|a | RMD0000001 | 0000000001 | Alpha LLC | implementation | complete | partial |');
  });

  it('renders JSON with a report version and an ISO time', () => {
    const json = JSON.parse(toDiffJson(diff)) as Record<string, unknown>;

    expect(json).toMatchObject({ reportVersion: 2, scope: 'configured', at: '2026-04-01T00:00:00.000Z', counts: { removed: 1, 'implementation-changed': 1 } });
  });
});
