/**
 * Which NANP numbers are allocated: central office codes (NPA-NXX) and thousands blocks (NPA-NXX-X) assigned to
 * carriers, from the numbering administrators' reports. PURE.
 *
 * Rules: an NPA the feed has no row for is not covered (toll-free and other non-geographic NPAs, or a feed limited to
 * some states), so nothing in it is unallocated. In a covered NPA, a number is allocated when its NPA-NXX is listed;
 * when any thousands block of that NPA-NXX is listed (a pooled code), only the listed blocks are allocated.
 * Memory: a `Uint16Array` of 1,000,000 codes (2 MB: bit 10 = code listed, bits 0–9 = blocks listed) and a 1,000-byte
 * NPA map, whatever the feed's size. Lookups are two array reads.
 */

const CODE_LISTED = 1 << 10;
const BLOCKS = CODE_LISTED - 1;

/** A compiled allocation table. */
export interface AllocationTable {
  /** Rows the feed had (codes and blocks). */
  readonly rows: number;
  readonly codes: number;
  readonly blocks: number;
  /**
   * undefined when the national number is allocated or its NPA is not covered; otherwise the code or block it lacks,
   * as recorded in the CDR: `NPA-NXX`, or `NPA-NXX-X` in a pooled code.
   */
  unallocated(national: number): string | undefined;
}

/** Collects codes and blocks, then compiles them. */
export class AllocationTableBuilder {
  private readonly table = new Uint16Array(1_000_000);
  private readonly npas = new Uint8Array(1000);
  private rows = 0;

  /** Adds an allocated NPA-NXX (x undefined) or thousands block NPA-NXX-X (npa, nxx 0–999; x 0–9). */
  add(npa: number, nxx: number, x?: number): void {
    const code = npa * 1000 + nxx;
    this.table[code] = (this.table[code] as number) | (x === undefined ? CODE_LISTED : 1 << x);
    this.npas[npa] = 1;
    this.rows++;
  }

  build(): AllocationTable {
    let codes = 0;
    let blocks = 0;
    for (const v of this.table) {
      if (v !== 0) codes++;
      for (let b = v & BLOCKS; b !== 0; b &= b - 1) blocks++;
    }
    const { table, npas } = this;
    return {
      rows: this.rows,
      codes,
      blocks,
      unallocated(national: number): string | undefined {
        const code = Math.floor(national / 10_000);
        if (npas[Math.floor(code / 1000)] === 0) return undefined;
        const v = table[code] as number;
        const x = Math.floor(national / 1000) % 10;
        if ((v & BLOCKS) === 0) return v === 0 ? codeText(code) : undefined;
        return (v & (1 << x)) === 0 ? `${codeText(code)}-${x}` : undefined;
      },
    };
  }
}

function codeText(code: number): string {
  const s = String(code).padStart(6, '0');
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}
