/**
 * Read-only lookup of RMD filings by RMD number and by FRN, kept in typed arrays instead of Maps, so the parser process
 * can build it and hand it over as a few flat arrays (no object graph to deserialise).
 *
 * Why: indexing a snapshot in Maps on the SIP thread allocates backing stores of 10,000+ entries per refresh, which
 * then die in the old generation and cost the SIP loop a garbage collection in the refresh's second. With this index
 * the SIP thread only lays out the filings array (mostly the objects of the previous snapshot) and wraps the tables.
 *
 * It is built from the Maps `parseRmdCsv` (rmd/csv.ts) made, so it answers and iterates exactly as they do.
 */
import type { RmdFiling, RmdSnapshot } from '../../screening/index.js';
import { rmdFilingKey } from './csv.js';

/** The tables of one key space: entries in iteration order and an open-addressing table over them (plain typed arrays). */
export interface IndexTables {
  /** For each entry (iteration order): the index of its filing. */
  readonly filing: Int32Array;
  /** For each entry: which key of the filing it is (see {@link FilingKey}). */
  readonly key: Int32Array;
  /** Open addressing, linear probing: entry position + 1, 0 = empty; length a power of two. */
  readonly table: Int32Array;
}

/** Which key of a filing an entry stands for: its key in `byRmdNumber` (rmdFilingKey), the main FRN, or other FRN number k (k ≥ 0). */
export type FilingKey = number;
const RMD_NUMBER = -2;
const MAIN_FRN = -1;

/** The key string of an entry. */
function keyOf(f: RmdFiling, k: FilingKey): string {
  return k === RMD_NUMBER ? rmdFilingKey(f) : k === MAIN_FRN ? f.frn : f.otherFrns[k]!;
}

/** FNV-1a over the UTF-16 code units of a string (the same in every thread). */
export function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function buildTables(filings: readonly RmdFiling[], filing: number[], key: number[]): IndexTables {
  let cells = 16;
  while (cells < filing.length * 2) cells *= 2;
  const table = new Int32Array(cells);
  const mask = cells - 1;
  for (let e = 0; e < filing.length; e++) {
    let i = hashKey(keyOf(filings[filing[e]!]!, key[e]!)) & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = e + 1;
  }
  return { filing: Int32Array.from(filing), key: Int32Array.from(key), table };
}

/**
 * The typed-array form of a parsed snapshot's two Maps (`parseRmdCsv`), entries in the same order: the rule of which
 * filing keeps an FRN stays in one place (rmd-csv.ts). `filings` are the snapshot's filings in `byRmdNumber` order.
 */
export function buildFilingIndexes(snapshot: Pick<RmdSnapshot, 'byRmdNumber' | 'byFrn'>): { readonly filings: RmdFiling[]; readonly byRmdNumber: IndexTables; readonly byFrn: IndexTables } {
  const filings = [...snapshot.byRmdNumber.values()];
  const position = new Map(filings.map((f, i) => [f, i]));
  const all = filings.map((_, i) => i);
  const filing: number[] = [];
  const key: number[] = [];
  for (const [frn, f] of snapshot.byFrn) {
    filing.push(position.get(f)!);
    key.push(frn === f.frn ? MAIN_FRN : f.otherFrns.indexOf(frn));
  }
  return { filings, byRmdNumber: buildTables(filings, all, all.map(() => RMD_NUMBER)), byFrn: buildTables(filings, filing, key) };
}

/** A ReadonlyMap over filings and the tables of one key space. */
export class FilingIndex implements ReadonlyMap<string, RmdFiling> {
  private readonly mask: number;

  constructor(
    private readonly filings: readonly RmdFiling[],
    private readonly tables: IndexTables,
  ) {
    this.mask = tables.table.length - 1;
  }

  get size(): number {
    return this.tables.filing.length;
  }

  get(k: string): RmdFiling | undefined {
    const { table, filing, key } = this.tables;
    for (let i = hashKey(k) & this.mask; table[i] !== 0; i = (i + 1) & this.mask) {
      const e = table[i]! - 1;
      const f = this.filings[filing[e]!]!;
      if (keyOf(f, key[e]!) === k) return f;
    }
    return undefined;
  }

  has(k: string): boolean {
    return this.get(k) !== undefined;
  }

  *entries(): MapIterator<[string, RmdFiling]> {
    const { filing, key } = this.tables;
    for (let e = 0; e < filing.length; e++) {
      const f = this.filings[filing[e]!]!;
      yield [keyOf(f, key[e]!), f];
    }
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<RmdFiling> {
    for (const [, f] of this.entries()) yield f;
  }

  [Symbol.iterator](): MapIterator<[string, RmdFiling]> {
    return this.entries();
  }

  forEach(fn: (value: RmdFiling, key: string, map: ReadonlyMap<string, RmdFiling>) => void, thisArg?: unknown): void {
    for (const [k, f] of this.entries()) fn.call(thisArg, f, k, this);
  }
}
