/**
 * Blocklist parsing (YAML and CSV): defaults, normalisation, collected validation problems with lines, and the sample lists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlocklist } from '../../../src/feeds/lists/blocklist.js';
import type { ParseBlocklistOptions } from '../../../src/feeds/lists/blocklist.js';
import { loadListFile, loadRmdFile } from '../../../src/feeds/load.js';
import { DataFileError } from '../../../src/feeds/errors.js';
import type { BlocklistEntry } from '../../../src/screening/model.js';
import { repoPath } from '../../support/paths.js';
import { thrown } from '../../support/thrown.js';

const fixture = (name: string): string => repoPath('test/fixtures/lists', name);
const sample = (name: string): string => repoPath('config/samples', name);
const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d);

function parseFixture(name: string, opts: Partial<ParseBlocklistOptions> = {}): BlocklistEntry[] {
  const format = name.endsWith('.csv') ? 'csv' : 'yaml';
  return parseBlocklist(readFileSync(fixture(name), 'utf8'), { file: `lists/${name}`, list: 'test', format, ...opts });
}

function yaml(text: string, opts: Partial<ParseBlocklistOptions> = {}): BlocklistEntry[] {
  return parseBlocklist(text, { file: 'inline.yaml', list: 'inline', format: 'yaml', ...opts });
}

const dataError = (fn: () => unknown): DataFileError => thrown(DataFileError, fn);

describe('parseBlocklist: YAML', () => {
  it('builds entries with file-level defaults, normalised keys and UTC-midnight dates', () => {
    expect(parseFixture('valid.yaml')).toEqual([
      {
        id: 'test:alpha', list: 'test', kind: 'k4', rmdNumber: 'RMD0997001', source: 'DA 26-0001 (fictional)',
        effectiveAt: day(2026, 1, 15), note: 'lower-case RMD number is normalised',
      },
      {
        id: 'test:9', list: 'test', kind: 'k4', frn: '0099700002', name: 'Fixture Beta Telecom LLC',
        source: 'DA 26-0001 (fictional)', effectiveAt: day(2026, 2, 1), expiresAt: day(2026, 3, 1),
      },
      {
        id: 'test:gamma', list: 'test', kind: 'c-cist', name: 'Fixture Gamma Holdings Ltd',
        source: 'EB PN 26-0002 (fictional)', effectiveAt: day(2024, 2, 29),
      },
    ]);
  });

  it.each([
    ['entry kind', 'kind: k4\nentries:\n  - { kind: fdo, name: X, source: S, effective: 2026-01-01 }\n', 'c-cist', 'fdo'],
    ['file kind', 'kind: k4\nentries:\n  - { name: X, source: S, effective: 2026-01-01 }\n', 'c-cist', 'k4'],
    ['default kind', 'entries:\n  - { name: X, source: S, effective: 2026-01-01 }\n', 'rmd-removed', 'rmd-removed'],
  ] as const)('takes the kind from the %s first', (_label, text, defaultKind, expected) => {
    expect(yaml(text, { defaultKind }).map((e) => e.kind)).toEqual([expected]);
  });

  it('accepts an empty entries list', () => {
    expect(yaml('kind: k4\nentries: []\n')).toEqual([]);
  });

  it('collects every problem in the file with its line, column and entry index', () => {
    const err = dataError(() => parseFixture('problems.yaml'));
    expect(err.code).toBe('ERR_DATA_ROW');
    expect(err.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [8, undefined, 'entries[1]: needs at least one of rmdNumber, frn, name'],
      [13, 'efective', expect.stringMatching(/^entries\[2\]: efective: unknown field \(allowed: id, kind, rmdNumber/)],
      [18, 'expires', 'entries[3]: expires: 2026-02-01 must be after effective 2026-03-01'],
      [21, 'effective', 'entries[4]: effective: not a valid date YYYY-MM-DD'],
      [23, 'rmdNumber', 'entries[5]: rmdNumber: not RMD followed by 7 digits'],
      [26, 'kind', 'entries[6]: kind: not one of k4, fdo, rmd-removed, c-cist, operator'],
    ]);
    expect(err.problems.every((p) => p.file === 'lists/problems.yaml')).toBe(true);
  });

  it.each([
    'lists/problems.yaml:8: entries[1]: needs at least one of rmdNumber, frn, name',
    'lists/problems.yaml:18: entries[3]: expires: 2026-02-01 must be after effective 2026-03-01',
    'lists/problems.yaml:26: entries[6]: kind: not one of',
  ])('puts %j in the error message', (line) => {
    expect(dataError(() => parseFixture('problems.yaml')).message).toContain(line);
  });

  it('requires a source from the entry or the file and a single value per field', () => {
    const err = dataError(() => parseFixture('no-source.yaml', { defaultKind: 'operator' }));
    expect(err.problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'entries[0]: source missing (set it on the entry or as the file-level source)'],
      [5, 'entries[1]: name: must be a single value, not a list or mapping'],
    ]);
  });

  it.each([
    ['expiry equal to effective', 'entries:\n  - { name: X, source: S, effective: 2026-01-01, expires: 2026-01-01 }\n', 'expires: 2026-01-01 must be after effective 2026-01-01'],
    ['missing effective', 'entries:\n  - { name: X, source: S }\n', 'entries[0]: effective missing (YYYY-MM-DD)'],
    ['no kind anywhere', 'entries:\n  - { name: X, source: S, effective: 2026-01-01 }\n', 'entries[0]: kind missing'],
    ['bad FRN', 'entries:\n  - { frn: 00-99, source: S, effective: 2026-01-01 }\n', 'frn: not an FRN (1–10 digits)'],
    ['duplicate id', 'entries:\n  - { id: a, name: X, source: S, effective: 2026-01-01 }\n  - { id: a, name: Y, source: S, effective: 2026-01-01 }\n', 'duplicate id (first at line 2)'],
    ['unknown top-level field', 'kind: k4\nentires: []\n', 'entires: unknown top-level field'],
    ['invalid file kind', 'kind: k9\nentries: []\n', 'kind: not one of'],
    ['entry that is not a mapping', 'entries:\n  - just a string\n', 'entries[0]: must be a mapping'],
    ['document that is not a mapping', '- a\n- b\n', 'expected a mapping with an entries list'],
  ])('reports %s', (_label, text, expected) => {
    const err = dataError(() => yaml(text));
    expect(err.code).toBe('ERR_DATA_ROW');
    expect(err.message).toContain(expected);
  });

  it('reports YAML syntax errors as ERR_DATA_PARSE with a line', () => {
    const err = dataError(() => parseFixture('syntax-error.yaml'));
    expect(err.code).toBe('ERR_DATA_PARSE');
    expect(err.file).toBe('lists/syntax-error.yaml');
    expect(err.line).toBeGreaterThanOrEqual(5);
    expect(err.message).toMatch(/lists\/syntax-error\.yaml:\d+: YAML: /);
    expect(err.message).not.toMatch(/at line \d+|column \d+/);
  });
});

describe('parseBlocklist: CSV', () => {
  it('reads any-case and camelCase headers, quoted fields, and falls back to the line for a missing id', () => {
    expect(parseFixture('valid.csv', { defaultKind: 'operator' })).toEqual([
      { id: 'test:op-1', list: 'test', kind: 'operator', rmdNumber: 'RMD0998001', source: 'NOC 1 (fictional)', effectiveAt: day(2026, 1, 10), note: 'keyed, by RMD number' },
      { id: 'test:3', list: 'test', kind: 'operator', frn: '0099800002', source: 'NOC 2 (fictional)', effectiveAt: day(2026, 1, 11), expiresAt: day(2026, 12, 31) },
      { id: 'test:op-3', list: 'test', kind: 'fdo', name: 'Fixture "Quoted" Name LLC', source: 'NOC 3 (fictional)', effectiveAt: day(2026, 1, 12) },
    ]);
  });

  it('refuses a CSV header that names the same field twice', () => {
    const text = 'name,Name,source,effective\nA,B,S,2026-01-01\n';
    const err = dataError(() => parseBlocklist(text, { file: 'dup.csv', list: 'd', format: 'csv', defaultKind: 'operator' }));
    expect(err.problems).toEqual([{ file: 'dup.csv', line: 1, column: 'Name', message: 'duplicate column for name' }]);
  });

  it('refuses an empty CSV list as having no header row', () => {
    const err = dataError(() => parseBlocklist('', { file: 'empty.csv', list: 'e', format: 'csv', defaultKind: 'operator' }));
    expect(err.problems).toEqual([{ file: 'empty.csv', line: 1, message: 'no header row' }]);
  });

  it('collects unknown columns and every row problem with its line', () => {
    const err = dataError(() => parseFixture('problems.csv'));
    expect(err.code).toBe('ERR_DATA_ROW');
    expect(err.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [1, 'column 10', 'column 10: not a known column (allowed: id, kind, rmdNumber, frn, name, source, effective, expires, note)'],
      [2, 'expires', 'row 1: expires: 2025-12-31 must be after effective 2026-01-10'],
      [3, 'frn', 'row 2: frn: not an FRN (1–10 digits)'],
      [4, undefined, 'row 3: source missing (set it on the entry or as the file-level source)'],
      [5, 'id', 'row 4: id: duplicate id (first at line 2)'],
      [5, 'effective', 'row 4: effective: not a valid date YYYY-MM-DD'],
    ]);
  });
});

describe('config/samples/lists', () => {
  it('fcc-k4.yaml designates Tallgrass Telecom LLC plus a name-only and an FRN-only entry', async () => {
    const entries = await loadListFile(sample('lists/fcc-k4.yaml'), 'fcc-k4', 'k4');
    expect(entries[0]).toEqual({
      id: 'fcc-k4:tallgrass', list: 'fcc-k4', kind: 'k4', rmdNumber: 'RMD0990003', frn: '0099000003', name: 'Tallgrass Telecom LLC',
      source: 'DA 26-9999 (fictional)', effectiveAt: day(2026, 1, 15), note: 'Fictional K4 notice naming the sample provider Tallgrass Telecom LLC.',
    });
    expect(entries.slice(1).map((e) => [e.rmdNumber, e.frn, e.name])).toEqual([
      [undefined, undefined, 'Moonshadow Outreach Partners LLC'],
      [undefined, '0099000088', undefined],
    ]);
    expect(entries.every((e) => e.note !== undefined && e.note !== '')).toBe(true);
  });

  it('operator.csv has three operator entries, one expired on 2025-12-31 and one keyed by RMD number', async () => {
    const entries = await loadListFile(sample('lists/operator.csv'), 'operator', 'operator');
    expect(entries.map((e) => e.kind)).toEqual(['operator', 'operator', 'operator']);
    expect(entries.filter((e) => e.expiresAt === day(2025, 12, 31)).map((e) => e.id)).toEqual(['operator:cedar-trial']);
    expect(entries.filter((e) => e.rmdNumber !== undefined).map((e) => e.rmdNumber)).toEqual(['RMD0990010']);
  });

  it('fdo.yaml has one fdo entry', async () => {
    const entries = await loadListFile(sample('lists/fdo.yaml'), 'fcc-fdo');
    expect(entries.map((e) => [e.id, e.kind, e.name])).toEqual([['fcc-fdo:nightjar', 'fdo', 'Nightjar Routing Ltd']]);
  });

  it('no active sample entry names Harborline, and the K4 RMD number exists in the sample RMD', async () => {
    const rmd = await loadRmdFile(sample('rmd.csv'), 0);
    const all = (
      await Promise.all([
        loadListFile(sample('lists/fcc-k4.yaml'), 'fcc-k4'),
        loadListFile(sample('lists/fdo.yaml'), 'fcc-fdo'),
        loadListFile(sample('lists/operator.csv'), 'operator'),
      ])
    ).flat();
    const harborline = all.filter((e) => e.rmdNumber === 'RMD0990001' || e.frn === '0099000001' || /harborline/i.test(e.name ?? ''));
    expect(harborline).toEqual([]);
    expect(rmd.byRmdNumber.get('RMD0990003')?.businessName).toBe('Tallgrass Telecom LLC');
  });
});

describe('loadListFile', () => {
  it.each([
    ['an unsupported extension', 'list.txt', 'unsupported blocklist file type (use .yaml, .yml or .csv)'],
    ['a missing file', 'missing.yaml', 'cannot read data file: file not found'],
  ])('refuses %s with ERR_DATA_READ naming the path', async (_label, name, text) => {
    const path = fixture(name);
    const err = await loadListFile(path, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toMatchObject({ code: 'ERR_DATA_READ', file: path, message: `${path}: ${text}` });
  });
});
