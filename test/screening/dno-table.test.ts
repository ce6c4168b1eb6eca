import { describe, expect, it } from 'vitest';
import { DnoListBuilder, dnoListFromParts, dnoListParts, type DnoList, type DnoMeta } from '../../src/screening/dno-table.js';

const NOW = Date.UTC(2026, 11, 6);
const OPERATOR: DnoMeta = { source: 'operator', effectiveAt: 0 };
const BANK: DnoMeta = { source: 'subscriber-request', effectiveAt: Date.UTC(2025, 11, 15), note: 'bank inbound line' };
const LATER: DnoMeta = { source: 'itg', effectiveAt: NOW + 1 };

function build(add: (b: DnoListBuilder, meta: (m: DnoMeta) => number) => void) {
  const b = new DnoListBuilder('dno-test');
  add(b, (m) => b.meta(m));
  return b.build();
}

describe('DnoListBuilder / DnoList', () => {
  it('finds exact numbers with their meta, and nothing for their neighbours', () => {
    const list = build((b, meta) => {
      b.addNumber(2025550100, meta(OPERATOR));
      b.addNumber(2025550177, meta(BANK));
      b.addNumber(2025559999, meta(OPERATOR));
      b.addNumber(2025550000, meta(OPERATOR));
    });

    expect(list.lookup(2025550177, NOW)).toEqual({ entry: '+12025550177', meta: BANK });
    expect(list.lookup(2025550100, NOW)).toEqual({ entry: '+12025550100', meta: OPERATOR });
    expect(list.lookup(2025550000, NOW)?.entry).toBe('+12025550000');
    expect(list.lookup(2025559999, NOW)?.entry).toBe('+12025559999');
    for (const n of [2025550101, 2025550099, 2025550176, 2025550178, 2025560100, 2025540100, 3025550100, 2025550001, 2025559998]) {
      expect(list.lookup(n, NOW), String(n)).toBeUndefined();
    }
    expect([list.name, list.numbers, list.prefixes]).toEqual(['dno-test', 4, 0]);
  });

  it('keeps numbers apart across neighbouring NPA-NXX codes and at the ends of the number space', () => {
    const list = build((b, meta) => {
      for (const n of [2000000000, 2025559999, 2025560000, 9999999999, 125550100]) b.addNumber(n, meta(OPERATOR));
    });

    for (const n of [2000000000, 2025559999, 2025560000, 9999999999, 125550100]) expect(list.lookup(n, NOW)?.entry, String(n)).toBe(`+1${String(n).padStart(10, '0')}`);
    for (const n of [2000000001, 2025560001, 2025550000, 9999999998, 1999999999, 125550101]) expect(list.lookup(n, NOW), String(n)).toBeUndefined();
  });

  it('counts duplicates once and keeps the first meta given', () => {
    const list = build((b, meta) => {
      b.addNumber(2025550177, meta(BANK));
      b.addNumber(2025550177, meta(OPERATOR));
      b.addNumber(2025550177, meta(BANK));
    });

    expect(list.numbers).toBe(1);
    expect(list.lookup(2025550177, NOW)?.meta).toEqual(BANK);
  });

  it('shares one meta index among equal metas', () => {
    const b = new DnoListBuilder('x');

    expect(b.meta(OPERATOR)).toBe(0);
    expect(b.meta(BANK)).toBe(1);
    expect(b.meta({ ...OPERATOR })).toBe(0);
    expect(b.meta({ source: 'operator', effectiveAt: 0, note: 'x' })).toBe(2);
    expect(b.meta({ source: 'operator', effectiveAt: 1 })).toBe(3);
  });

  it('refuses more than 65,536 distinct metas', () => {
    const b = new DnoListBuilder('x');
    for (let i = 0; i < 65_536; i++) b.meta({ source: 's', effectiveAt: i });

    expect(() => b.meta({ source: 's', effectiveAt: 70_000 })).toThrow(/more than 65536 distinct/);
    expect(b.meta({ source: 's', effectiveAt: 65_535 })).toBe(65_535);
  });

  it('ignores entries not yet effective, exact or prefix', () => {
    const list = build((b, meta) => {
      b.addNumber(2025550166, meta(LATER));
      b.addPrefix('303555', meta(LATER));
    });

    expect(list.lookup(2025550166, NOW)).toBeUndefined();
    expect(list.lookup(2025550166, NOW + 1)?.entry).toBe('+12025550166');
    expect(list.lookup(3035550100, NOW)).toBeUndefined();
    expect(list.lookup(3035550100, NOW + 1)?.entry).toBe('+1303555…');
  });

  it('falls back from a not-yet-effective exact entry to a prefix in force', () => {
    const list = build((b, meta) => {
      b.addNumber(2025550166, meta(LATER));
      b.addPrefix('202555', meta(OPERATOR));
    });

    expect(list.lookup(2025550166, NOW)).toEqual({ entry: '+1202555…', meta: OPERATOR });
  });

  it('matches prefixes of every length 1–9, the longest first, exact numbers before prefixes', () => {
    const list = build((b, meta) => {
      b.addPrefix('2', meta(OPERATOR));
      b.addPrefix('20255501', meta(BANK));
      b.addPrefix('202555019', meta({ source: 'nine', effectiveAt: 0 }));
      b.addNumber(2025550199, meta({ source: 'exact', effectiveAt: 0 }));
    });

    expect(list.lookup(2025550199, NOW)?.meta.source).toBe('exact');
    expect(list.lookup(2025550198, NOW)).toEqual({ entry: '+1202555019…', meta: { source: 'nine', effectiveAt: 0 } });
    expect(list.lookup(2025550188, NOW)).toEqual({ entry: '+120255501…', meta: BANK });
    expect(list.lookup(2995550100, NOW)).toEqual({ entry: '+12…', meta: OPERATOR });
    expect(list.lookup(3025550100, NOW)).toBeUndefined();
    expect(list.prefixes).toBe(3);
  });

  it.each(['2', '20', '202', '2025', '20255', '202555', '2025550', '20255501', '202555019'])('matches a %s prefix at its own length only', (prefix) => {
    const list = build((b, meta) => b.addPrefix(prefix, meta(OPERATOR)));
    const inside = Number(prefix.padEnd(10, '9'));
    const outside = Number(`${prefix.slice(0, -1)}${(Number(prefix.at(-1)) + 1) % 10}`.padEnd(10, '0'));

    expect(list.lookup(inside, NOW)?.entry).toBe(`+1${prefix}…`);
    expect(list.lookup(outside, NOW)).toBeUndefined();
  });

  it('keeps a prefix with a leading zero apart from one without', () => {
    const list = build((b, meta) => b.addPrefix('0125', meta(OPERATOR)));

    expect(list.lookup(125550100, NOW)?.entry).toBe('+10125…');
    expect(list.lookup(1255501000, NOW)).toBeUndefined();
  });

  it('counts a repeated prefix once', () => {
    const list = build((b, meta) => {
      b.addPrefix('202555', meta(OPERATOR));
      b.addPrefix('202555', meta(BANK));
    });

    expect(list.prefixes).toBe(1);
    expect(list.lookup(2025550100, NOW)?.meta).toEqual(OPERATOR);
  });

  it.each(['', '0123456789', '20a', '+1202'])('refuses the prefix %j', (prefix) => {
    expect(() => new DnoListBuilder('x').addPrefix(prefix, 0)).toThrow(new RangeError(`prefix must be 1–9 digits: ${prefix}`));
  });

  it('keeps the lowest national numbers (1 and 0)', () => {
    const list = build((b, meta) => {
      b.addNumber(1, meta(OPERATOR));
      b.addNumber(0, meta(BANK));
    });

    expect(list.numbers).toBe(2);
    expect(list.lookup(1, NOW)?.entry).toBe('+10000000001');
    expect(list.lookup(0, NOW)?.meta).toEqual(BANK);
  });

  it('grows past its first buffer and reports its memory: 4 MB fixed + 4 bytes per number', () => {
    const list = build((b, meta) => {
      const m = meta(OPERATOR);
      for (let i = 0; i < 5000; i++) b.addNumber(2025550000 + i * 7, m);
    });

    expect(list.numbers).toBe(5000);
    expect(list.bytes).toBe(4 * 1_000_001 + 4 * 5000);
    expect(list.lookup(2025550000 + 4999 * 7, NOW)).toBeDefined();
    expect(list.lookup(2025550000 + 4999 * 7 + 1, NOW)).toBeUndefined();
  });

  it('is empty when nothing was added', () => {
    const list = new DnoListBuilder('empty').build();

    expect([list.numbers, list.prefixes]).toEqual([0, 0]);
    expect(list.lookup(2025550100, NOW)).toBeUndefined();
  });
});

describe('dnoListParts / dnoListFromParts (the list as it crosses a thread)', () => {
  it('rebuilds a list that answers every lookup as the original, with the same sizes', () => {
    const original = build((b, meta) => {
      b.addNumber(2025550177, meta(BANK));
      b.addNumber(2025550100, meta(OPERATOR));
      b.addNumber(4045551234, meta(LATER));
      b.addPrefix('303555', meta(OPERATOR));
    });
    const parts = structuredClone(dnoListParts(original));
    const copy = dnoListFromParts(parts);

    expect({ name: copy.name, numbers: copy.numbers, prefixes: copy.prefixes, bytes: copy.bytes }).toEqual({ name: 'dno-test', numbers: 3, prefixes: 1, bytes: original.bytes });
    for (const n of [2025550177, 2025550100, 2025550101, 4045551234, 3035550000, 3035559999, 3035560000]) {
      expect(copy.lookup(n, NOW), String(n)).toEqual(original.lookup(n, NOW));
    }
    expect(copy.lookup(3035550001, NOW)).toEqual({ entry: '+1303555…', meta: OPERATOR });
    expect(copy.lookup(4045551234, NOW + 1)).toEqual({ entry: '+14045551234', meta: LATER });
  });

  it('refuses a list it did not compile', () => {
    const foreign: DnoList = { name: 'x', numbers: 0, prefixes: 0, bytes: 0, lookup: () => undefined };

    expect(() => dnoListParts(foreign)).toThrow('not a compiled DNO list');
  });
});

describe('DnoListBuilder: metas and the lowest numbers', () => {
  it('keeps metas that differ only in their note apart', () => {
    const list = build((b, meta) => {
      b.addNumber(2025550100, meta({ source: 'itg', effectiveAt: 0, note: 'bank' }));
      b.addNumber(2025550101, meta({ source: 'itg', effectiveAt: 0, note: 'agency' }));
      b.addNumber(2025550102, meta({ source: 'itg', effectiveAt: 0 }));
    });

    expect([2025550100, 2025550101, 2025550102].map((n) => list.lookup(n, NOW)?.meta.note)).toEqual(['bank', 'agency', undefined]);
  });

  it.each([
    { name: '0 and 1', numbers: [1, 0] },
    { name: '1 alone', numbers: [1] },
  ])('finds the lowest national numbers as the first keys after sorting: $name', ({ numbers }) => {
    const list = build((b, meta) => {
      for (const n of numbers) b.addNumber(n, meta(OPERATOR));
    });

    for (const n of numbers) expect(list.lookup(n, NOW)?.meta, String(n)).toEqual(OPERATOR);
    expect(list.numbers).toBe(numbers.length);
  });
});
