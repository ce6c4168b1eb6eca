import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/feeds/errors.js';
import { parseAllocation } from '../../../src/feeds/lists/allocation.js';

function errorOf(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DataFileError) return err;
    throw err;
  }
  throw new Error('expected a DataFileError');
}

describe('parseAllocation', () => {
  it('reads npa, nxx and x columns (x blank = the whole code)', () => {
    const t = parseAllocation('NPA,NXX,X,OCN\n202,555,,1234\n202,556,0,1234\n202,556,3,5678\n', 'alloc.csv');

    expect([t.rows, t.codes, t.blocks]).toEqual([3, 2, 2]);
    expect(t.unallocated(2025550100)).toBeUndefined();
    expect(t.unallocated(2025563100)).toBeUndefined();
    expect(t.unallocated(2025561100)).toBe('202-556-1');
    expect(t.unallocated(2025570100)).toBe('202-557');
  });

  it('reads a tab-separated report with a combined NPA-NXX column (NANPA CO code report layout)', () => {
    const t = parseAllocation('State\tNPA-NXX\tOcn\tCompany\tRateCenter\nDC\t202-555\t1234\tExample Tel\tWSHNGTNZN1\nDC\t202-556\t1234\tExample Tel\tWSHNGTNZN1\n', 'allutlzd.txt');

    expect(t.codes).toBe(2);
    expect(t.unallocated(2025560100)).toBeUndefined();
    expect(t.unallocated(2025580100)).toBe('202-558');
  });

  it('reads a pooling report with NPA-NXX and a Block column, quoted cells and CRLF', () => {
    const t = parseAllocation('"NPA-NXX","Block","Status"\r\n"303555","4","Assigned"\r\n', 'blocks.csv');

    expect(t.unallocated(3035554100)).toBeUndefined();
    expect(t.unallocated(3035555100)).toBe('303-555-5');
  });

  it('refuses a file without npa/nxx columns', () => {
    expect(errorOf(() => parseAllocation('state,ocn\nDC,1234\n', 'a.csv')).code).toBe('ERR_DATA_COLUMNS');
    expect(errorOf(() => parseAllocation('npa,ocn\n202,1234\n', 'a.csv')).code).toBe('ERR_DATA_COLUMNS');
    expect(errorOf(() => parseAllocation('', 'a.csv')).code).toBe('ERR_DATA_COLUMNS');
  });

  it('refuses bad rows, listing each with its line', () => {
    const e = errorOf(() => parseAllocation('npa,nxx,x\n202,555,\n20,555,\n202,555,12\n202,5a5,1\n', 'a.csv'));

    expect(e.code).toBe('ERR_DATA_ROW');
    expect(e.message).toMatch(/3 bad row\(s\) in the allocation feed/);
    expect((e.problems ?? []).map((p) => p.line)).toEqual([3, 4, 5]);
  });
});
