/**
 * World composition from config and feed data: second-opinion filings added under a derived snapshot id, a withheld
 * (stale, fail-closed) RMD, and the drift/shrink validation of candidates.
 */
import { describe, expect, it } from 'vitest';
import { validateCandidate, type InForce } from '../../src/feeds/refresh.js';
import { parseRmdCsv, type RmdReadReport } from '../../src/feeds/rmd/csv.js';
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

  it('matches a configured provider by FRN in an export without RMD numbers (filings keyed frn:<FRN>)', () => {
    const rmd = parseRmdCsv('frn,business_name\n0099000001,Harborline Communications LLC\n0000000005,Other LLC\n', { source: 'no-number.csv', loadedAt: 0 });
    const world = composeWorld(config, { ...data, rmd });

    expect([...rmd.byRmdNumber.keys()]).toEqual(['frn:0099000001', 'frn:0000000005']);
    expect(decide(buildFacts(), world)).toMatchObject({ kind: 'allow', evidence: { rmdMatch: 'frn', rmdNumber: undefined } });
    expect(withExtraFilings(rmd, [buildFiling({ rmdNumber: '', frn: '0000000007' }), buildFiling({ rmdNumber: '', frn: '0000000008' })]).rows).toBe(4);
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

  const report = (dataRows: number, badRows: number): RmdReadReport => ({
    dataRows, badRows, badRowSample: [{ file: 'x', line: 7, column: 'number', message: 'number is not RMD followed by 7 digits' }],
    notInForce: 0, keyedBy: 'rmd-number', columns: {}, byContent: [], ignoredHeaders: [],
  });

  it.each([
    { name: '1 bad row in 100 at the default 1 % limit', dataRows: 100, badRows: 1, limit: undefined, code: undefined },
    { name: '2 bad rows in 100 at the default limit', dataRows: 100, badRows: 2, limit: undefined, code: 'ERR_FEED_BAD_ROWS' },
    { name: '2 bad rows in 100 with a 5 % limit', dataRows: 100, badRows: 2, limit: 0.05, code: undefined },
    { name: '1 bad row with a 0 limit', dataRows: 1000, badRows: 1, limit: 0, code: 'ERR_FEED_BAD_ROWS' },
    { name: 'every row bad', dataRows: 3, badRows: 3, limit: undefined, code: 'ERR_FEED_BAD_ROWS' },
  ])('applies the bad-row guard, with or without a last good snapshot: $name', ({ dataRows, badRows, limit, code }) => {
    const data = { ...candidate(dataRows - badRows, ['number', 'frn', 'business_name']), report: report(dataRows, badRows) };
    const s = { ...spec, maxBadRowFraction: limit };
    expect(validateCandidate(s, undefined, data)?.code).toBe(code);
    expect(validateCandidate(s, last(dataRows - badRows, ['number', 'frn', 'business_name']), data)?.code).toBe(code);
  });

  it('names the counts, the share, the limit and the sample in the bad-row refusal', () => {
    const data = { ...candidate(97, ['number', 'frn', 'business_name']), report: report(100, 3) };
    expect(validateCandidate(spec, undefined, data)?.message).toBe('rmd: 3 of 100 rows are bad (3%; limit 1%): x:7: number is not RMD followed by 7 digits');
  });
});
