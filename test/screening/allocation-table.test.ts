import { describe, expect, it } from 'vitest';
import { AllocationTableBuilder } from '../../src/screening/allocation-table.js';

function table(rows: readonly (readonly [number, number, number?])[]) {
  const b = new AllocationTableBuilder();
  for (const [npa, nxx, x] of rows) b.add(npa, nxx, x);
  return b.build();
}

describe('AllocationTable', () => {
  const t = table([[202, 555], [202, 556, 0], [202, 556, 3], [303, 200], [303, 200, 9]]);

  it('allocates every number of a listed code', () => {
    expect(t.unallocated(2025550000)).toBeUndefined();
    expect(t.unallocated(2025559999)).toBeUndefined();
  });

  it('names the missing code of a covered NPA', () => {
    expect(t.unallocated(2025570100)).toBe('202-557');
    expect(t.unallocated(2022000100)).toBe('202-200');
  });

  it('allocates only the listed thousands blocks of a pooled code, naming the missing block', () => {
    expect(t.unallocated(2025560999)).toBeUndefined();
    expect(t.unallocated(2025563000)).toBeUndefined();
    expect(t.unallocated(2025561000)).toBe('202-556-1');
    expect(t.unallocated(2025569999)).toBe('202-556-9');
  });

  it('lets listed blocks govern a code listed whole as well', () => {
    expect(t.unallocated(3032009000)).toBeUndefined();
    expect(t.unallocated(3032000000)).toBe('303-200-0');
  });

  it('does not cover NPAs the feed has no row for (toll-free, other states)', () => {
    expect(t.unallocated(8005550100)).toBeUndefined();
    expect(t.unallocated(2015550100)).toBeUndefined();
  });

  it('counts rows, codes and blocks', () => {
    expect([t.rows, t.codes, t.blocks]).toEqual([5, 3, 3]);
  });

  it('keeps leading zeros in the code it names', () => {
    const z = table([[200, 5]]);

    expect(z.unallocated(2000060000)).toBe('200-006');
    expect(z.unallocated(2000050000)).toBeUndefined();
  });

  it('pads codes of NPAs below 100 to six digits', () => {
    expect(table([[0, 6]]).unallocated(50000)).toBe('000-005');
  });

  it('covers nothing when empty', () => {
    expect(table([]).unallocated(2025550100)).toBeUndefined();
  });
});
