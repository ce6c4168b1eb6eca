import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/feeds/errors.js';
import { parseDnoList } from '../../../src/feeds/lists/dno.js';

const NOW = Date.UTC(2026, 11, 6);
const csv = (text: string) => parseDnoList(text, { file: 'dno.csv', list: 'op-dno', format: 'csv' });
const yaml = (text: string) => parseDnoList(text, { file: 'dno.yaml', list: 'op-dno', format: 'yaml' });

function problemsOf(fn: () => unknown): { code: string; message: string; problems: string[] } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DataFileError)) throw err;
    return { code: err.code, message: err.message, problems: (err.problems ?? []).map((p) => `${p.line ?? '-'}: ${p.message}`) };
  }
  throw new Error('expected a DataFileError');
}

describe('parseDnoList (CSV)', () => {
  it('reads numbers in any NANP form and prefixes, with source, effective date and note', () => {
    const list = csv([
      '\uFEFFNumber,Prefix,Source,Effective,Note',
      '+12025550166,,subscriber-request,2025-12-15,bank inbound line',
      '"202-555-0177",,itg,,',
      '12025550188,,,,',
      ',+1303555,operator,2026-01-01,"never assigned, whole code"',
      ',4045,,,',
      '',
    ].join('\r\n'));

    expect([list.numbers, list.prefixes]).toEqual([3, 2]);
    expect(list.lookup(2025550166, NOW)).toEqual({ entry: '+12025550166', meta: { source: 'subscriber-request', effectiveAt: Date.UTC(2025, 11, 15), note: 'bank inbound line' } });
    expect(list.lookup(2025550177, NOW)?.meta).toEqual({ source: 'itg', effectiveAt: 0, note: undefined });
    expect(list.lookup(2025550188, NOW)?.meta.source).toBe('op-dno');
    expect(list.lookup(3035550100, NOW)).toEqual({ entry: '+1303555…', meta: { source: 'operator', effectiveAt: Date.UTC(2026, 0, 1), note: 'never assigned, whole code' } });
    expect(list.lookup(4045550100, NOW)?.entry).toBe('+14045…');
    expect(list.lookup(2025550100, NOW)).toBeUndefined();
  });

  it('reads a one-column file of numbers and ignores columns it does not know', () => {
    const list = csv('phone_extra,number\nx,2025550166\ny,2025550177\n');

    expect(list.numbers).toBe(2);
    expect(list.lookup(2025550177, NOW)).toBeDefined();
  });

  it('reads a number-only file in place: blank lines skipped, short rows, quoted rows and bad numbers reported', () => {
    const e = problemsOf(() => csv('a,number,b\r\nx,2025550166,y\n\n   \nx\nx,"2025550177",y\nx,20255501,y\nx,,y\n'));

    expect(e.problems).toEqual([
      '5: line 5: needs exactly one of number, prefix',
      '7: line 7: number: not a 10-digit NANP number (+1NPANXXXXXX): 20255501',
      '8: line 8: needs exactly one of number, prefix',
    ]);
    expect(csv('number\n+12025550166\n\n"202-555-0177"\n 303 555 0100 \n').numbers).toBe(3);
  });

  it('keeps quoted cells with commas and doubled quotes', () => {
    const list = csv('number,note\n2025550166,"said ""never call"", twice"\n');

    expect(list.lookup(2025550166, NOW)?.meta.note).toBe('said "never call", twice');
  });

  it('refuses a file without a number or prefix column', () => {
    const e = problemsOf(() => csv('phone,source\n2025550166,x\n'));

    expect(e.code).toBe('ERR_DATA_COLUMNS');
    expect(e.message).toMatch(/number or prefix column/);
  });

  it('refuses an empty file', () => {
    expect(problemsOf(() => csv('\n\n')).code).toBe('ERR_DATA_COLUMNS');
  });

  it('lists every bad row with its line and refuses the file', () => {
    const e = problemsOf(() => csv([
      'number,prefix,effective',
      '2025550166,,',
      '+44207946000,,',
      ',2025550100123,',
      '2025550166,202,',
      ',,',
      '2025550177,,2025-02-30',
    ].join('\n')));

    expect(e.code).toBe('ERR_DATA_ROW');
    expect(e.message).toMatch(/^dno\.csv: 5 problem\(s\) in DNO list op-dno/);
    expect(e.problems).toEqual([
      '3: line 3: number: not a 10-digit NANP number (+1NPANXXXXXX): +44207946000',
      '4: line 4: prefix: not 1–9 national digits (e.g. +1202555): 2025550100123',
      '5: line 5: needs exactly one of number, prefix',
      '6: line 6: needs exactly one of number, prefix',
      '7: line 7: effective: not a valid date YYYY-MM-DD',
    ]);
  });

  it('lists the first 20 problems and counts them all', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `bad${i}`);
    const e = problemsOf(() => csv(`number\n${rows.join('\n')}\n`));

    expect(e.message).toMatch(/25 problem\(s\) in DNO list op-dno \(first 20 listed\)/);
    expect(e.problems).toHaveLength(20);
  });
});

describe('parseDnoList (YAML)', () => {
  it('reads file-level defaults, numbers, prefixes and entries', () => {
    const list = yaml([
      'source: operator',
      'effective: 2025-12-15',
      'numbers: ["+12025550166", 2025550177]',
      'prefixes: ["+1303555"]',
      'entries:',
      '  - { number: "+12025550188", source: itg, note: traceback 2026-0042 }',
      '  - { prefix: "404", effective: 2026-01-01 }',
    ].join('\n'));

    expect([list.numbers, list.prefixes]).toEqual([3, 2]);
    expect(list.lookup(2025550177, NOW)?.meta).toEqual({ source: 'operator', effectiveAt: Date.UTC(2025, 11, 15), note: undefined });
    expect(list.lookup(2025550188, NOW)?.meta).toEqual({ source: 'itg', effectiveAt: Date.UTC(2025, 11, 15), note: 'traceback 2026-0042' });
    expect(list.lookup(4045550100, NOW)?.meta.effectiveAt).toBe(Date.UTC(2026, 0, 1));
  });

  it('refuses unknown top-level fields and bad entries', () => {
    const e = problemsOf(() => yaml('numbers: [2025550166, nope]\nnumberz: []\n'));

    expect(e.code).toBe('ERR_DATA_ROW');
    expect(e.problems).toEqual([
      '1: numberz: unknown top-level field (allowed: source, effective, note, numbers, prefixes, entries)',
      '0: numbers[1]: number: not a 10-digit NANP number (+1NPANXXXXXX): nope',
    ]);
  });

  it('refuses YAML syntax errors and a document that is not a mapping', () => {
    expect(problemsOf(() => yaml('numbers: [1, 2\n')).code).toBe('ERR_DATA_PARSE');
    expect(problemsOf(() => yaml('- 2025550166\n')).code).toBe('ERR_DATA_PARSE');
  });
});
