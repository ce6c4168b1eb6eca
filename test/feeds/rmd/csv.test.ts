/**
 * RMD CSV parsing: header aliases, field normalisation, row/line errors, snapshot indexes, and the shipped sample file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRmdFile } from '../../../src/feeds/load.js';
import { RMD_COLUMN_ALIASES, describeRmdSnapshot, normaliseRmdHeader, parseRmdCsv, readRmdCsv } from '../../../src/feeds/rmd/csv.js';
import { DataFileError } from '../../../src/feeds/errors.js';
import type { RmdFiling, RmdSnapshot } from '../../../src/screening/model.js';
import { repoPath } from '../../support/paths.js';
import { thrown } from '../../support/thrown.js';

const fixture = (name: string): string => repoPath('test/fixtures/rmd', name);
const SAMPLE = repoPath('config/samples/rmd.csv');

function parseFixture(name: string, transform: (t: string) => string = (t) => t): RmdSnapshot {
  return parseRmdCsv(transform(readFileSync(fixture(name), 'utf8')), { source: `rmd/${name}`, loadedAt: 1_000 });
}

const dataError = (fn: () => unknown): DataFileError => thrown(DataFileError, fn);

function filing(s: RmdSnapshot, rmdNumber: string): RmdFiling {
  const f = s.byRmdNumber.get(rmdNumber);
  if (f === undefined) throw new Error(`no filing ${rmdNumber}`);
  return f;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Parses a one-row CSV built from `cells` (number/frn/business_name defaulted) and returns its filing. */
function oneRow(cells: Record<string, string>): RmdFiling {
  const all = { number: 'RMD0000001', frn: '0000000001', business_name: 'Fixture Row LLC', ...cells };
  const text = `${Object.keys(all).join(',')}\n${Object.values(all).map(csvCell).join(',')}\n`;
  const [only] = parseRmdCsv(text, { source: 'inline.csv', loadedAt: 0 }).byRmdNumber.values();
  if (only === undefined) throw new Error('no row parsed');
  return only;
}

describe('parseRmdCsv: headers', () => {
  it('reads human-label headers in any order behind a UTF-8 BOM', () => {
    const s = parseFixture('human-labels.csv');
    expect(s.rows).toBe(2);
    expect(filing(s, 'RMD0991001')).toEqual({
      rmdNumber: 'RMD0991001',
      frn: '0099100001',
      otherFrns: ['0099100011', '0099100012'],
      businessName: 'Fixture Alpha Telecom LLC',
      otherNames: ['Alpha Voice', 'Alpha Connect, LLC'],
      implementation: 'complete',
      implementationText: 'Complete STIR/SHAKEN Implementation',
      roles: { voiceServiceProvider: true, gateway: false, intermediate: true },
      foreign: false,
      lastRecertified: '2026-02-21',
      lastUpdated: '2026-02-20',
      contactName: 'Pat Fixture',
      contactPhone: '+12025550150',
      filingUrl: 'https://example.invalid/rmd?sys_id=aaaa',
    });
  });

  it('normalises a lower-case RMD number, a short FRN and Yes/No flags from label headers', () => {
    const f = filing(parseFixture('human-labels.csv'), 'RMD0991002');
    expect(f).toMatchObject({
      rmdNumber: 'RMD0991002',
      frn: '0099100002',
      otherFrns: [],
      otherNames: ['Beta Old Name Inc.'],
      implementation: 'none',
      roles: { voiceServiceProvider: false, gateway: true, intermediate: false },
      foreign: true,
      lastRecertified: '',
      contactPhone: '7864613878',
    });
  });

  it.each([
    ['upper snake_case', 'NUMBER,FRN,BUSINESS_NAME'],
    ['spaces for underscores', 'Number, FRN ,Business   Name'],
    ['label spellings', 'RMD Number,FCC Registration Number (FRN),Business Name'],
  ])('matches headers case- and separator-insensitively (%s)', (_label, header) => {
    const s = parseRmdCsv(`${header}\nRMD0000042,42,Fixture Header LLC\n`, { source: 'h.csv', loadedAt: 0 });
    expect(filing(s, 'RMD0000042')).toMatchObject({ frn: '0000000042', businessName: 'Fixture Header LLC' });
  });

  it('keeps one unambiguous alias table: no header spelling maps to two columns', () => {
    const owners = new Map<string, string>();
    for (const [column, spellings] of Object.entries(RMD_COLUMN_ALIASES)) {
      for (const s of spellings) {
        const key = normaliseRmdHeader(s);
        expect(owners.get(key) ?? column).toBe(column);
        owners.set(key, column);
      }
    }
    expect(Object.keys(RMD_COLUMN_ALIASES)).toHaveLength(26);
  });

  it('refuses a file without a business name column, naming the file and the column but echoing no header cell', () => {
    const err = dataError(() => parseFixture('missing-columns.csv'));
    expect(err.code).toBe('ERR_DATA_COLUMNS');
    expect(err.file).toBe('rmd/missing-columns.csv');
    expect(err.line).toBe(1);
    expect(err.problems.map((p) => p.column)).toEqual(['business_name']);
    expect(err.message).toContain('rmd/missing-columns.csv');
    expect(err.message).toContain('missing required RMD column(s) business_name');
    expect(err.message).toContain('a header line of 3 cell(s), too few of them usable');
    expect(err.message).not.toMatch(/"name"|address/);
  });

  it('refuses a file with neither an RMD number nor an FRN column, by header or by content', () => {
    const err = dataError(() => parseRmdCsv('business_name,phone\nA LLC,2025550100\n', { source: 'nokey.csv', loadedAt: 0 }));
    expect(err.code).toBe('ERR_DATA_COLUMNS');
    expect(err.problems.map((p) => p.column)).toEqual(['number']);
    expect(err.message).toContain('no column to key filings by');
  });

  it('refuses an empty file as having no columns', () => {
    const err = dataError(() => parseRmdCsv('', { source: 'empty.csv', loadedAt: 0 }));
    expect(err.code).toBe('ERR_DATA_COLUMNS');
    expect(err.message).toContain('no header line');
  });
});

describe('parseRmdCsv: records and lines', () => {
  it('keeps quoted multi-line fields and commas inside one record with CRLF line endings', () => {
    const raw = readFileSync(fixture('crlf-multiline.csv'), 'utf8');
    expect(raw).toContain('\r\n');
    const s = parseRmdCsv(raw, { source: 'crlf.csv', loadedAt: 0 });
    expect([...s.byRmdNumber.keys()]).toEqual(['RMD0992001', 'RMD0992002']);
    expect(filing(s, 'RMD0992001')).toMatchObject({ businessName: 'Fixture Gamma, Inc.', implementation: 'partial', lastRecertified: '2026-02-01' });
    expect(filing(s, 'RMD0992002').roles.voiceServiceProvider).toBe(false);
  });

  it.each([
    ['CRLF', (t: string) => t],
    ['LF', (t: string) => t.replaceAll('\r\n', '\n')],
  ])('skips every bad RMD number, reporting its physical start line after a multi-line record (%s)', (_eol, transform) => {
    const { snapshot, report } = readRmdCsv(transform(readFileSync(fixture('bad-number.csv'), 'utf8')), { source: 'rmd/bad-number.csv', loadedAt: 0 });
    expect(report.badRows).toBe(2);
    expect(report.badRowSample).toEqual([
      { file: 'rmd/bad-number.csv', line: 5, column: 'number', message: 'number is not RMD followed by 7 digits' },
      { file: 'rmd/bad-number.csv', line: 7, column: 'number', message: 'number is not RMD followed by 7 digits' },
    ]);
    expect(JSON.stringify(report.badRowSample)).not.toContain('RMD99');
    expect(snapshot.rows).toBe(report.dataRows - 2);
    expect(snapshot.byRmdNumber.has('RMD0994001')).toBe(true);
  });

  it('turns a CSV syntax error into ERR_DATA_PARSE at the line where the broken record starts', () => {
    const err = dataError(() => parseFixture('unclosed-quote.csv'));
    expect(err.code).toBe('ERR_DATA_PARSE');
    expect(err.file).toBe('rmd/unclosed-quote.csv');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^rmd\/unclosed-quote\.csv:3: /);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('counts blank lines and line breaks inside quotes when locating bad rows (%s)', (_eol, eol) => {
    const text = ['', '', 'number,frn,business_name', '', 'RMD0000001,1,A', '', '"x', 'y",2,B', 'RMD9,3,C', ''].join(eol);
    const { report } = readRmdCsv(text, { source: 'lines.csv', loadedAt: 0 });
    expect(report.badRowSample.map((p) => p.line)).toEqual([7, 9]);
  });

  it('locates a syntax error after a CRLF multi-line record at the broken record', () => {
    const text = 'number,frn,business_name\r\nRMD0000001,1,"A\r\nB"\r\nRMD0000002,2,"C"D\r\n';
    const err = dataError(() => parseRmdCsv(text, { source: 'syntax.csv', loadedAt: 0 }));
    expect([err.code, err.line]).toEqual(['ERR_DATA_PARSE', 4]);
  });

  it('skips blank rows and lets a repeated RMD number replace the earlier row', () => {
    const s = parseFixture('quirks.csv');
    expect(s.rows).toBe(4);
    expect(filing(s, 'RMD0996001')).toMatchObject({ businessName: 'Fixture Xi Renamed LLC', implementation: 'partial', otherFrns: [], foreign: false });
  });

  it('indexes byFrn by main FRN first, then other FRNs, the first filing keeping a contested key', () => {
    const s = parseFixture('quirks.csv');
    expect(s.byFrn.get('0099600009')?.rmdNumber).toBe('RMD0996002');
    expect(s.byFrn.get('0099600001')?.rmdNumber).toBe('RMD0996001');
    expect(s.byFrn.has('')).toBe(false);
    expect([...s.byFrn.keys()].sort()).toEqual(['0099600001', '0099600009']);
  });

  it('turns unparseable dates and unknown flag values into blanks without failing the file', () => {
    const s = parseFixture('quirks.csv');
    expect(filing(s, 'RMD0996002')).toMatchObject({ lastUpdated: '', lastRecertified: '', foreign: null, implementation: 'unknown', implementationText: 'Something else' });
    expect(filing(s, 'RMD0996003')).toMatchObject({ frn: '', lastUpdated: '', foreign: true, implementation: 'unknown' });
  });
});

describe('parseRmdCsv: field normalisation', () => {
  it.each([
    [{ business_name: 'Acme  Voice\tLLC' }, 'Acme Voice LLC', []],
    [{ business_name: 'Acme\u00a0Voice LLC' }, 'Acme Voice LLC', []],
    [{ other_dba_names: 'None', previous_dba_names: 'N/A' }, 'Fixture Row LLC', []],
    [{ other_dba_names: '  Solo   Name ' }, 'Fixture Row LLC', ['Solo Name']],
    [{ other_dba_names: 'Alpha; beta voice', previous_dba_names: 'ALPHA\nBeta Voice, Inc.' }, 'Fixture Row LLC', ['Alpha', 'beta voice', 'Beta Voice, Inc.']],
    [{ other_dba_names: 'Gamma', previous_dba_names: 'gamma' }, 'Fixture Row LLC', ['Gamma']],
  ])('tidies names in %j', (cells, businessName, otherNames) => {
    expect(oneRow(cells)).toMatchObject({ businessName, otherNames });
  });

  it.each([
    ['Complete STIR/SHAKEN Implementation', 'complete'],
    ['Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation', 'partial'],
    ['No STIR/SHAKEN Implementation - Performing Robocall Mitigation', 'none'],
    ['complete stir/shaken implementation', 'complete'],
    ['None', 'unknown'],
    ['', 'unknown'],
  ])('maps implementation %j to %s and keeps the text', (text, expected) => {
    expect(oneRow({ implementation: text })).toMatchObject({ implementation: expected, implementationText: text });
  });

  it.each([
    ['123', '0000000123'],
    [' 0099000001 ', '0099000001'],
    ['0099-000-001', '0099000001'],
    ['', ''],
    ['12345678901', ''],
    ['FRN pending', ''],
  ])('normalises FRN %j to %j', (raw, expected) => {
    expect(oneRow({ frn: raw }).frn).toBe(expected);
  });

  it.each([
    ['0099000002, 0099000003', ['0099000002', '0099000003']],
    ['99000002; 99000002\n0099000003', ['0099000002', '0099000003']],
    ['0000000001 and 0099000004', ['0099000004']],
    ['None', []],
    ['123456789012', []],
  ])('extracts other FRNs from %j (deduplicated, without the main FRN)', (raw, expected) => {
    expect(oneRow({ other_frns: raw }).otherFrns).toEqual(expected);
  });

  it.each([
    ['2026-02-20', '2026-02-20'],
    ['02/20/2026', '2026-02-20'],
    ['2/3/2026', '2026-02-03'],
    ['2026-02-20 13:45:00', '2026-02-20'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', ''],
    ['20/02/2026', ''],
    ['Feb 20, 2026', ''],
    ['', ''],
  ])('reads last_recertified %j as %j', (raw, expected) => {
    expect(oneRow({ last_recertified: raw }).lastRecertified).toBe(expected);
  });

  it.each([
    ['Yes', true, true],
    ['no', false, false],
    ['', false, null],
    ['Unknown', false, null],
  ])('reads Yes/No %j as role %s and foreign %s', (raw, role, foreign) => {
    const f = oneRow({ gateway_provider_choice: raw, foreign_voice_provider: raw });
    expect([f.roles.gateway, f.foreign]).toEqual([role, foreign]);
  });

  it.each([
    [{ other_dba_names: 'Alpha Voice; Beta Voice', previous_dba_names: 'None' }, ['Alpha Voice', 'Beta Voice']],
    [{ other_dba_names: 'N/A', previous_dba_names: 'none' }, []],
    [{ other_dba_names: 'Gamma Telecom, LLC, Delta Inc', previous_dba_names: '' }, ['Gamma Telecom, LLC', 'Delta Inc']],
    [{ other_dba_names: 'Echo\nFoxtrot', previous_dba_names: 'echo; Golf' }, ['Echo', 'Foxtrot', 'Golf']],
  ])('collects other and previous names from %j', (cells, expected) => {
    expect(oneRow(cells).otherNames).toEqual(expected);
  });
});

describe('RmdSnapshot identity', () => {
  it('uses the first 16 hex chars of the sha256 of the raw bytes as id, for Buffer and string input alike', () => {
    const bytes = readFileSync(fixture('human-labels.csv'));
    const expected = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    expect(parseRmdCsv(bytes, { source: 'b', loadedAt: 0 }).id).toBe(expected);
    expect(parseRmdCsv(bytes.toString('utf8'), { source: 's', loadedAt: 0 }).id).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives different content a different id', () => {
    const a = parseRmdCsv('number,frn,business_name\nRMD0000001,1,A\n', { source: 'a', loadedAt: 0 });
    const b = parseRmdCsv('number,frn,business_name\nRMD0000001,1,B\n', { source: 'a', loadedAt: 0 });
    expect(a.id).not.toBe(b.id);
  });

  it('describes a snapshot by id, source, rows and loadedAt only', () => {
    const s = parseFixture('crlf-multiline.csv');
    expect(describeRmdSnapshot(s)).toEqual({ id: s.id, source: 'rmd/crlf-multiline.csv', rows: 2, loadedAt: 1_000 });
  });
});

describe('config/samples/rmd.csv', () => {
  it('loads 25 fictional filings with the rows the example config relies on', async () => {
    const s = await loadRmdFile(SAMPLE, 42);
    expect([s.rows, s.source, s.loadedAt]).toEqual([25, SAMPLE, 42]);
    expect(filing(s, 'RMD0990001')).toMatchObject({
      businessName: 'Harborline Communications LLC',
      frn: '0099000001',
      implementation: 'complete',
      roles: { voiceServiceProvider: true, gateway: false, intermediate: true },
      lastRecertified: '2026-02-20',
    });
    expect(filing(s, 'RMD0990002')).toMatchObject({ businessName: 'Cedar Ridge Voice Inc', frn: '0099000002', implementation: 'partial' });
    expect(filing(s, 'RMD0990003')).toMatchObject({ businessName: 'Tallgrass Telecom LLC', frn: '0099000003' });
    expect(s.byFrn.get('0099000003')?.rmdNumber).toBe('RMD0990003');
  });

  it('does not contain Driftwood Dialers LLC by FRN or name', async () => {
    const s = await loadRmdFile(SAMPLE, 0);
    expect(s.byFrn.has('0099000099')).toBe(false);
    expect([...s.byRmdNumber.values()].filter((f) => /driftwood/i.test([f.businessName, ...f.otherNames].join(' ')))).toEqual([]);
  });

  it('exercises foreign filers, every implementation class and mixed roles', async () => {
    const filings = [...(await loadRmdFile(SAMPLE, 0)).byRmdNumber.values()];
    expect(filings.filter((f) => f.foreign === true).length).toBeGreaterThanOrEqual(1);
    expect(new Set(filings.map((f) => f.implementation))).toEqual(new Set(['complete', 'partial', 'none']));
    expect(new Set(filings.map((f) => `${f.roles.voiceServiceProvider}/${f.roles.gateway}/${f.roles.intermediate}`)).size).toBeGreaterThan(3);
    expect(filings.every((f) => f.contactName !== '' && f.contactPhone !== '')).toBe(true);
  });
});

describe('loadRmdFile', () => {
  it('wraps a missing file into ERR_DATA_READ naming the path', async () => {
    const path = fixture('does-not-exist.csv');
    const err = await loadRmdFile(path, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toMatchObject({ code: 'ERR_DATA_READ', file: path });
    expect((err as DataFileError).message).toBe(`${path}: cannot read data file: file not found`);
  });
});

describe('readRmdCsv: the export as it may really look (header variants)', () => {
  const variant = (name: string): ReturnType<typeof readRmdCsv> =>
    readRmdCsv(readFileSync(fixture(`variants/${name}`)), { source: `variants/${name}`, loadedAt: 0 });
  const byFrn = (s: RmdSnapshot): RmdFiling[] => [...s.byRmdNumber.values()].sort((a, b) => a.frn.localeCompare(b.frn));
  const reference = byFrn(variant('snake-importer-order.csv').snapshot);
  const withoutNumbers = reference.map((f) => ({ ...f, rmdNumber: '' }));

  it('reads the reference variant completely: Draft skipped, status case-insensitive, ocn, e-mail and every role flag', () => {
    expect(reference.map((f) => f.rmdNumber)).toEqual(['RMD0997001', 'RMD0997002', 'RMD0997003', 'RMD0997005']);
    expect(reference[0]).toEqual({
      rmdNumber: 'RMD0997001', frn: '0099700001', otherFrns: ['0099700011'], businessName: 'Variant Alpha LLC', otherNames: ['Alpha Voice'],
      implementation: 'complete', implementationText: 'Complete STIR/SHAKEN Implementation',
      roles: { voiceServiceProvider: true, gateway: false, intermediate: true }, foreign: false,
      lastRecertified: '2026-02-15', recertificationUnknown: undefined, lastUpdated: '2026-01-10', contactName: 'Avery Variant',
      contactPhone: '+12025550171', contactEmail: 'alpha@example.invalid', ocn: '123A', filingUrl: 'https://example.invalid/rmd?sys_id=a1',
    });
    expect(reference[2]).toMatchObject({ roles: { voiceServiceProvider: false, gateway: true, intermediate: true }, ocn: '9Z9Z', contactEmail: '', foreign: true });
  });

  it.each([
    { file: 'snake-importer-order.csv', keyedBy: 'rmd-number', byContent: [], ignored: [] },
    { file: 'snake-portal-order.csv', keyedBy: 'rmd-number', byContent: [], ignored: [] },
    { file: 'human-labels.csv', keyedBy: 'rmd-number', byContent: [], ignored: [] },
    { file: 'portal-fields.csv', keyedBy: 'rmd-number', byContent: ['number'], ignored: ['pdf'] },
    { file: 'no-number.csv', keyedBy: 'frn', byContent: [], ignored: [] },
    { file: 'no-number-frn-by-content.csv', keyedBy: 'frn', byContent: ['frn'], ignored: [] },
  ])('$file loads the same filings (keyed by $keyedBy)', ({ file, keyedBy, byContent, ignored }) => {
    const { snapshot, report } = variant(file);
    expect(byFrn(snapshot)).toEqual(keyedBy === 'frn' ? withoutNumbers : reference);
    expect(report).toMatchObject({ dataRows: 5, badRows: 0, notInForce: 1, keyedBy, byContent, ignoredHeaders: ignored });
    expect(report.columns.intermediate_provider_choice).toBeDefined();
    if (keyedBy === 'frn') {
      expect([...snapshot.byRmdNumber.keys()].sort()).toEqual(['frn:0099700001', 'frn:0099700002', 'frn:0099700003', 'frn:0099700005']);
      expect(snapshot.byFrn.get('0099700011')?.businessName).toBe('Variant Alpha LLC');
    }
  });

  // One test per documented header spelling (domain.md §1.2/§1.3, the portal label map and the form's field names).
  it.each(Object.entries(RMD_COLUMN_ALIASES).flatMap(([column, spellings]) => spellings.map((spelling) => ({ column, spelling }))))(
    'resolves header $spelling to $column', ({ column, spelling }) => {
      const header = column === 'business_name' ? `number,${JSON.stringify(spelling)}` : `number,business_name,${JSON.stringify(spelling)}`;
      const row = column === 'number' || column === 'business_name' ? 'RMD0000001,Spelling LLC' : 'RMD0000001,Spelling LLC,x';
      const { report } = readRmdCsv(`${column === 'number' ? `${JSON.stringify(spelling)},business_name` : header}\n${row}\n`, { source: 's.csv', loadedAt: 0 });
      expect(report.columns[column as keyof typeof RMD_COLUMN_ALIASES]).toBe(spelling);
      expect(report.ignoredHeaders).toEqual([]);
    });

  it.each([
    ['non_gateway_intermediate_provider'],
    ['Non-Gateway Intermediate Provider'],
    ['NON GATEWAY INTERMEDIATE PROVIDER'],
    ['intermediate_provider_choice'],
  ])('reads the intermediate role flag under %j (the alias bug)', (header) => {
    const s = parseRmdCsv(`number,business_name,${header}\nRMD0000001,A LLC,Yes\n`, { source: 'i.csv', loadedAt: 0 });
    expect(filing(s, 'RMD0000001').roles.intermediate).toBe(true);
  });
});

describe('readRmdCsv: bad rows, status and unknown recertification', () => {
  const read = (text: string): ReturnType<typeof readRmdCsv> => readRmdCsv(text, { source: 'r.csv', loadedAt: 0 });

  it('skips and counts bad rows, keeping a sample of the first five with line and reason', () => {
    const rows = Array.from({ length: 8 }, (_, i) => `RMD00000${10 + i},00990000${10 + i},Row ${i} LLC,Published`);
    rows[1] = 'RMD12,0099000011,Short Number LLC,Published';
    rows[3] = 'RMD0000013,0099000013,Odd Status LLC,Pending Review Maybe';
    rows[5] = 'RMD0000015,0099000015,Shifted LLC,Published,extra';
    const { snapshot, report } = read(`number,frn,business_name,status\n${rows.join('\n')}\n`);
    expect(report).toMatchObject({ dataRows: 8, badRows: 3, notInForce: 0 });
    expect(report.badRowSample).toEqual([
      { file: 'r.csv', line: 3, column: 'number', message: 'number is not RMD followed by 7 digits' },
      { file: 'r.csv', line: 5, column: 'status', message: 'status is not a known filing status (in force: Published)' },
      { file: 'r.csv', line: 7, column: undefined, message: 'row has 5 cells, the header 4 (a stray separator shifts the cells)' },
    ]);
    expect(snapshot.rows).toBe(5);
  });

  it('keeps at most five bad rows in the sample but counts them all', () => {
    const rows = Array.from({ length: 9 }, (_, i) => `BAD${i},Row ${i} LLC`);
    const { report, snapshot } = read(`number,business_name\n${rows.join('\n')}\nRMD0000001,Good LLC\n`);
    expect([report.badRows, report.badRowSample.length, snapshot.rows]).toEqual([9, 5, 1]);
  });

  it.each([
    ['Published', true], ['published ', true], ['', true], ['Draft', false], ['Removed', false], ['WITHDRAWN', false],
  ])('applies status %j (in force: %s)', (status, inForce) => {
    const { snapshot, report } = read(`number,business_name,status\nRMD0000001,A LLC,${status}\n`);
    expect([snapshot.rows, report.notInForce, report.badRows]).toEqual(inForce ? [1, 0, 0] : [0, 1, 0]);
  });

  it('marks recertification unknown when the export has no last_recertified column', () => {
    expect(filing(parseRmdCsv('number,business_name\nRMD0000001,A LLC\n', { source: 'x', loadedAt: 0 }), 'RMD0000001').recertificationUnknown).toBe(true);
    expect(oneRow({ last_recertified: '' }).recertificationUnknown).toBeUndefined();
  });

  it('leaves ocn and contact_email undefined when the export has no such columns, blank when the cell is', () => {
    const f = oneRow({});
    expect([f.ocn, f.contactEmail, 'ocn' in f, 'contactEmail' in f]).toEqual([undefined, undefined, false, false]);
    expect(oneRow({ ocn: '', contact_email: ' a@example.invalid ' })).toMatchObject({ ocn: '', contactEmail: 'a@example.invalid' });
  });

  it('does not take a phone-number column for the FRN (an FRN starts 00; a NANP number never starts with 0)', () => {
    expect(() => read('business_name,phone\nA LLC,2025550100\n')).toThrow(/no column to key filings by/);
    const { report } = read('business_name,phone,registrant\nA LLC,2025550100,0026495937\n');
    expect(report.columns.frn).toBe('registrant');
  });
});

describe('readRmdCsv progress', () => {
  it('reports rows read with an estimate of the file\'s rows (share of the text read) that ends at the true count', async () => {
    const { rmdCsv, rows } = await import('../harness.js');
    const text = rmdCsv(rows(3000));
    const calls: [number, number][] = [];

    readRmdCsv(text, { source: 'rmd.csv', loadedAt: 0, onProgress: (done, estimated) => void calls.push([done, estimated]) });

    expect(calls).toHaveLength(3000);
    expect(calls.map(([done]) => done)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    const [lastDone, lastEstimate] = calls.at(-1)!;
    expect(lastDone).toBe(3000);
    expect(Math.abs(lastEstimate - 3000)).toBeLessThanOrEqual(3);
    const [, midEstimate] = calls[1499]!;
    expect(midEstimate).toBeGreaterThan(2700);
    expect(midEstimate).toBeLessThan(3300);
  });
});
