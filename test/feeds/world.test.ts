/**
 * World composition from config and feed data: second-opinion filings added under a derived snapshot id, a withheld
 * (stale, fail-closed) RMD, and the drift/shrink validation of candidates.
 */
import { describe, expect, it } from 'vitest';
import { validateCandidate, type InForce } from '../../src/feeds/refresh.js';
import type { FeedSpec } from '../../src/feeds/ports.js';
import { composeWorld, withExtraFilings } from '../../src/feeds/world.js';
import { decide } from '../../src/screening/policy.js';
import { buildFacts, buildFiling, buildPolicy, buildProvider, buildSnapshot, buildTrunk } from '../support/builders.js';

const config = { trunks: [buildTrunk()], providers: [buildProvider()], policy: buildPolicy({ reasons: { 'rmd-unavailable': { action: 'block' } } }), configVersion: 'v' };
const other = buildFiling({ rmdNumber: 'RMD0000005', frn: '0000000005' });

describe('withExtraFilings', () => {
  it('adds missing filings under a derived id and returns the same object for the same input', () => {
    const rmd = buildSnapshot([other], { id: 'abc' });

    const a = withExtraFilings(rmd, [buildFiling()]);

    expect(a.id).toBe('abc+1');
    expect(a.byFrn.get('0099000001')?.rmdNumber).toBe('RMD0990001');
    expect(withExtraFilings(rmd, [buildFiling()])).toBe(a);
    expect(withExtraFilings(rmd, [other])).toBe(rmd);
  });
});

describe('composeWorld', () => {
  const data = { rmd: buildSnapshot([other], { id: 'abc' }), rmdWithheld: false, blocklists: [], rmdGrace: new Map(), extraFilings: [] };

  it('allows a provider the second opinion confirmed', () => {
    const world = composeWorld(config, { ...data, extraFilings: [buildFiling()] });

    expect(decide(buildFacts(), world)).toMatchObject({ kind: 'allow', evidence: { rmdSnapshotId: 'abc+1', rmdNumber: 'RMD0990001' } });
  });

  it('decides rmd-unavailable when the RMD is withheld as stale', () => {
    const world = composeWorld(config, { ...data, rmdWithheld: true });

    expect(world.rmd).toBeUndefined();
    expect(decide(buildFacts(), world)).toMatchObject({ kind: 'reject', reason: 'rmd-unavailable' });
  });
});

describe('validateCandidate', () => {
  const spec: FeedSpec = { name: 'rmd', kind: 'rmd', source: { kind: 'file', path: 'x' }, format: 'csv', maxShrinkFraction: 0.2 };
  const last = (rows: number, headers: string[]): InForce => ({
    data: { kind: 'rmd', snapshot: buildSnapshot(), headers },
    meta: { feed: 'rmd', source: 'x', fetchedAt: 0, verifiedAt: 0, sha256: 'h', rows, headers },
  });
  const candidate = (rows: number, headers: string[]) => ({ kind: 'rmd' as const, snapshot: buildSnapshot(Array.from({ length: rows }, (_, i) => buildFiling({ rmdNumber: `RMD${String(i).padStart(7, '0')}` }))), headers });

  it.each([
    { name: 'a dropped column', headers: ['number', 'frn'], rows: 10, code: 'ERR_FEED_DRIFT' },
    { name: 'a renamed column', headers: ['number', 'frn', 'company'], rows: 10, code: 'ERR_FEED_DRIFT' },
    { name: 'a 21% shrink', headers: ['number', 'frn', 'business_name'], rows: 79, code: 'ERR_FEED_SHRINK' },
  ])('refuses $name', ({ headers, rows, code }) => {
    expect(validateCandidate(spec, last(100, ['number', 'frn', 'business_name']), candidate(rows === 10 ? 100 : rows, headers))?.code).toBe(code);
  });

  it.each([
    { name: 'the same columns in another spelling and order, plus a new one', headers: ['Business Name', 'FRN', 'Number', 'extra'], rows: 100 },
    { name: 'a 20% shrink', headers: ['number', 'frn', 'business_name'], rows: 80 },
    { name: 'growth', headers: ['number', 'frn', 'business_name'], rows: 150 },
  ])('accepts $name', ({ headers, rows }) => {
    expect(validateCandidate(spec, last(100, ['number', 'frn', 'business_name']), candidate(rows, headers))).toBeUndefined();
  });
});
