import { describe, expect, it } from 'vitest';
import { FilingIndex, buildFilingIndexes, hashKey } from '../../../src/feeds/rmd/filing-index.js';
import type { RmdFiling } from '../../../src/screening/model.js';
import { buildFiling, buildSnapshot } from '../../support/builders.js';

/** Filings with shared, empty and repeated FRNs, like a real export: the index must match the loader's Maps exactly. */
function filings(n: number, seed: number): RmdFiling[] {
  let s = seed;
  const rand = (k: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % k;
  };
  const frn = (): string => String(rand(n)).padStart(10, '0');
  return Array.from({ length: n }, (_, i) =>
    buildFiling({
      rmdNumber: `RMD${String(1_000_000 + i).slice(1).padStart(7, '0')}`,
      frn: rand(10) === 0 ? '' : frn(),
      otherFrns: Array.from({ length: rand(4) }, frn),
    }),
  );
}

function indexes(list: RmdFiling[]): { byRmdNumber: FilingIndex; byFrn: FilingIndex } {
  const t = buildFilingIndexes(buildSnapshot(list));
  return { byRmdNumber: new FilingIndex(t.filings, t.byRmdNumber), byFrn: new FilingIndex(t.filings, t.byFrn) };
}

describe('filing index (typed-array lookup built by the parser process)', () => {
  it.each([1, 2, 17, 1000, 5000])('matches the loader Maps for %i filings: size, every get, misses, iteration order', (n) => {
    const list = filings(n, n);
    const want = buildSnapshot(list);
    const got = indexes(list);
    for (const [name, map] of [['byRmdNumber', want.byRmdNumber], ['byFrn', want.byFrn]] as const) {
      const idx = got[name];
      expect(idx.size).toBe(map.size);
      expect([...idx.keys()]).toEqual([...map.keys()]);
      expect([...idx.values()]).toEqual([...map.values()]);
      expect([...idx]).toEqual([...map]);
      for (const [k, f] of map) {
        expect(idx.get(k)).toBe(f);
        expect(idx.has(k)).toBe(true);
      }
    }
    expect(got.byFrn.get('')).toBeUndefined(); // an empty main FRN is not a key
    expect(got.byRmdNumber.get('RMD9999999')).toBeUndefined();
    expect(got.byFrn.has('nope')).toBe(false);
  });

  it('copies into a Map (as withExtraFilings does) and iterates with forEach like a Map', () => {
    const list = filings(50, 7);
    const idx = indexes(list).byFrn;
    const copy = new Map(idx);
    expect([...copy]).toEqual([...idx]);
    const seen: string[] = [];
    idx.forEach((f, k, m) => {
      expect(m.get(k)).toBe(f);
      seen.push(k);
    });
    expect(seen).toEqual([...idx.keys()]);
  });

  it('finds keys whose hashes collide in the table (linear probing compares the key itself)', () => {
    const list = filings(3000, 3);
    const idx = indexes(list).byRmdNumber;
    const mask = 8191; // 3000 entries -> 8192 cells
    const byCell = new Map<number, string[]>();
    for (const k of idx.keys()) byCell.set(hashKey(k) & mask, [...(byCell.get(hashKey(k) & mask) ?? []), k]);
    const shared = [...byCell.values()].find((ks) => ks.length > 1);
    expect(shared).toBeDefined();
    for (const k of shared!) expect(idx.get(k)?.rmdNumber).toBe(k);
  });

  it('tables are plain typed arrays that survive structured cloning (the IPC channel of the parser process)', () => {
    const t = buildFilingIndexes(buildSnapshot(filings(10, 1)));
    for (const part of [t.byRmdNumber, t.byFrn]) for (const a of [part.filing, part.key, part.table]) expect(a).toBeInstanceOf(Int32Array);
    const copy = structuredClone({ byRmdNumber: t.byRmdNumber, byFrn: t.byFrn });
    expect([...new FilingIndex(t.filings, copy.byFrn)]).toEqual([...new FilingIndex(t.filings, t.byFrn)]);
  });
});
