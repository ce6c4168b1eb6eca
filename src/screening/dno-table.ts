/**
 * A do-not-originate list compiled for lookups by national NANP number: exact numbers and prefixes, each with the
 * source, effective time and note it was listed with. PURE.
 *
 * Layout of the exact numbers (millions of entries): numbers are grouped by NPA-NXX (the first 6 digits); a
 * `Uint32Array` of 1,000,001 offsets gives each NPA-NXX's run in a sorted `Uint16Array` of line numbers (the last 4
 * digits), beside a `Uint16Array` of meta indexes. A lookup is one offset read and a binary search of at most 14
 * steps (an NPA-NXX holds at most 10,000 numbers): O(digits), no allocation. Memory: 4 MB fixed plus 4 bytes per
 * number (4 MB per million). Prefixes (1–9 national digits) are kept in one Map per length.
 */

/** What an entry was listed with. */
export interface DnoMeta {
  /** Who listed it (an industry list, the subscriber's request, `operator`); defaults to the list name. */
  readonly source: string;
  /** In force from, epoch ms (0 = always). */
  readonly effectiveAt: number;
  readonly note?: string | undefined;
}

/** A match: the entry as written for records (`+12025550100`, or a prefix `+1202555…`) and its meta. */
export interface DnoMatch {
  readonly entry: string;
  readonly meta: DnoMeta;
}

/** A compiled DNO list. */
export interface DnoList {
  /** List (feed) name, recorded in the CDR. */
  readonly name: string;
  readonly numbers: number;
  readonly prefixes: number;
  /** Bytes held by the typed arrays (the fixed offset table included). */
  readonly bytes: number;
  /** The entry in force at `now` (epoch ms) covering a national number: exact first, then the longest prefix. */
  lookup(national: number, now: number): DnoMatch | undefined;
}

const CODES = 1_000_000;
const MAX_META = 65_536;

/** Collects entries, then compiles them once. Duplicates keep the first meta given. */
export class DnoListBuilder {
  private keys = new Float64Array(1024);
  private count = 0;
  private readonly metas: DnoMeta[] = [];
  private readonly metaIndex = new Map<string, number>();
  private readonly prefixMaps: Map<number, number>[] = Array.from({ length: 10 }, () => new Map<number, number>());
  private prefixCount = 0;

  constructor(private readonly name: string) {}

  /**
   * The index of a meta (equal metas share one). Throws past 65,536 distinct source/effective/note combinations:
   * per-number notes belong in a separate small list.
   */
  meta(m: DnoMeta): number {
    const key = `${m.source}\u0000${m.effectiveAt}\u0000${m.note ?? ''}`;
    const known = this.metaIndex.get(key);
    if (known !== undefined) return known;
    if (this.metas.length >= MAX_META) throw new RangeError(`more than ${MAX_META} distinct source/effective/note combinations`);
    this.metas.push(m);
    this.metaIndex.set(key, this.metas.length - 1);
    return this.metas.length - 1;
  }

  /** Adds a national number (0 ≤ n < 10^10) with a meta index from meta(). */
  addNumber(national: number, metaIndex: number): void {
    if (this.count === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.count++] = national * MAX_META + metaIndex;
  }

  /** Adds a prefix of 1–9 national digits (as text, so leading zeros count) with a meta index. */
  addPrefix(digits: string, metaIndex: number): void {
    const map = this.prefixMaps[digits.length];
    if (map === undefined || !/^\d+$/.test(digits)) throw new RangeError(`prefix must be 1–9 digits: ${digits}`);
    const value = Number(digits);
    if (map.has(value)) return;
    map.set(value, metaIndex);
    this.prefixCount++;
  }

  /** Compiles the list (sorts the numbers once; the builder should not be reused). */
  build(): DnoList {
    const sorted = this.keys.subarray(0, this.count).sort();
    const offsets = new Uint32Array(CODES + 1);
    const lines = new Uint16Array(this.count);
    const metaOf = new Uint16Array(this.count);
    let n = 0;
    let last = -1;
    for (let i = 0; i < sorted.length; i++) {
      const key = sorted[i] as number;
      const national = Math.floor(key / MAX_META);
      if (national === last) continue;
      last = national;
      const code = Math.floor(national / 10_000);
      offsets[code + 1] = n + 1;
      lines[n] = national - code * 10_000;
      metaOf[n] = key % MAX_META;
      n++;
    }
    // Stryker disable next-line EqualityOperator: equivalent, the last code (999-999, an N9X NPA) never holds a number a lookup can reach, and copying an equal offset changes nothing
    for (let c = 1; c <= CODES; c++) if ((offsets[c] as number) < (offsets[c - 1] as number)) offsets[c] = offsets[c - 1] as number;
    this.keys = new Float64Array(0);
    // Exact-size copies when duplicates were dropped, so the list holds no slack.
    // Stryker disable next-line ConditionalExpression: equivalent, copying when nothing was dropped only costs memory
    const exact = n === lines.length;
    return new CompiledDnoList(this.name, offsets, exact ? lines : lines.slice(0, n), exact ? metaOf : metaOf.slice(0, n), this.metas, this.prefixMaps, this.prefixCount);
  }
}

/**
 * A compiled list as plain data (typed arrays, arrays, maps): what crosses a thread boundary by structured clone, the
 * typed arrays' buffers transferred. {@link dnoListParts} takes a list apart, {@link dnoListFromParts} puts it back.
 */
export interface DnoListParts {
  readonly name: string;
  readonly offsets: Uint32Array;
  readonly lines: Uint16Array;
  readonly metaOf: Uint16Array;
  readonly metas: readonly DnoMeta[];
  readonly prefixMaps: readonly Map<number, number>[];
  readonly prefixes: number;
}

/** The parts of a list compiled by {@link DnoListBuilder} (it is the only kind of DnoList). */
export function dnoListParts(list: DnoList): DnoListParts {
  if (!(list instanceof CompiledDnoList)) throw new TypeError('dnoListParts: not a compiled DNO list');
  return list.parts();
}

/** The list the parts came from; lookups answer as the original's did. */
export function dnoListFromParts(p: DnoListParts): DnoList {
  return new CompiledDnoList(p.name, p.offsets, p.lines, p.metaOf, p.metas, p.prefixMaps, p.prefixes);
}

class CompiledDnoList implements DnoList {
  readonly numbers: number;
  readonly bytes: number;

  constructor(
    readonly name: string,
    private readonly offsets: Uint32Array,
    private readonly lines: Uint16Array,
    private readonly metaOf: Uint16Array,
    private readonly metas: readonly DnoMeta[],
    private readonly prefixMaps: readonly Map<number, number>[],
    readonly prefixes: number,
  ) {
    this.numbers = lines.length;
    this.bytes = offsets.byteLength + lines.byteLength * 2;
  }

  parts(): DnoListParts {
    const { name, offsets, lines, metaOf, metas, prefixMaps, prefixes } = this;
    return { name, offsets, lines, metaOf, metas, prefixMaps, prefixes };
  }

  lookup(national: number, now: number): DnoMatch | undefined {
    const code = Math.floor(national / 10_000);
    const line = national - code * 10_000;
    let lo = this.offsets[code] as number;
    let hi = (this.offsets[code + 1] as number) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.lines[mid] as number;
      if (v < line) lo = mid + 1;
      else if (v > line) hi = mid - 1;
      else {
        const meta = this.metas[this.metaOf[mid] as number] as DnoMeta;
        if (meta.effectiveAt <= now) return { entry: `+1${String(national).padStart(10, '0')}`, meta };
        break;
      }
    }
    // Stryker disable next-line ConditionalExpression: equivalent, a fast path: a list without prefixes finds none
    return this.prefixes === 0 ? undefined : this.lookupPrefix(national, now);
  }

  private lookupPrefix(national: number, now: number): DnoMatch | undefined {
    for (let len = 9; len >= 1; len--) {
      const value = Math.floor(national / 10 ** (10 - len));
      const index = (this.prefixMaps[len] as Map<number, number>).get(value);
      if (index === undefined) continue;
      const meta = this.metas[index] as DnoMeta;
      if (meta.effectiveAt <= now) return { entry: `+1${String(value).padStart(len, '0')}…`, meta };
    }
    return undefined;
  }
}
