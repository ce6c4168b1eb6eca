/**
 * The byte slabs behind lib/ttl-byte-table.ts: one size class of fixed-size slots in 256 KiB chunks.
 */

/** Bytes of a chunk (a class's slot count per chunk is what fits). */
export const CHUNK_BYTES = 256 * 1024;
/** No slot / no entry. */
export const NONE = -1;

/**
 * Slots of one size in 256 KiB chunks allocated on demand. A slot is taken from the lowest chunk that has a free one,
 * so when load falls the entries settle into the first chunks and the upper ones empty out; an empty chunk other
 * than the first is released at once (its memory goes back to the system with the Buffer).
 */
export class SlabClass {
  private readonly chunks: (Buffer | undefined)[] = [];
  /** Free slot numbers of each chunk (popped in ascending order). */
  private readonly freeOf: number[][] = [];
  /** Slots in use per chunk. */
  private readonly usedOf: number[] = [];
  /** No chunk below this index has a free slot. */
  private lowestFree = 0;
  private readonly perChunk: number;
  readonly chunkBytes: number;
  /** Bytes of the chunks currently allocated. */
  bytes = 0;

  constructor(readonly size: number) {
    this.perChunk = Math.max(1, Math.floor(CHUNK_BYTES / size));
    this.chunkBytes = this.perChunk * size;
  }

  /** True when a slot is free without allocating a chunk. */
  hasFree(): boolean {
    for (let c = this.lowestFree; c < this.chunks.length; c++) if ((this.freeOf[c]?.length ?? 0) > 0) return true;
    return false;
  }

  /** A free slot, allocating a chunk when none is free and `mayGrow`; NONE otherwise. */
  alloc(mayGrow: boolean): number {
    let c = this.lowestFree;
    while (c < this.chunks.length && (this.freeOf[c]?.length ?? 0) === 0) c++;
    this.lowestFree = c;
    if (c === this.chunks.length || this.chunks[c] === undefined) {
      // No free slot in an allocated chunk: use the first released (or a new) chunk index.
      if (!mayGrow) return NONE;
      c = this.chunks.indexOf(undefined);
      if (c < 0) c = this.chunks.length;
      this.chunks[c] = Buffer.allocUnsafeSlow(this.chunkBytes);
      this.bytes += this.chunkBytes;
      const free: number[] = [];
      for (let i = this.perChunk - 1; i >= 0; i--) free.push(c * this.perChunk + i);
      this.freeOf[c] = free;
      this.usedOf[c] = 0;
      if (c < this.lowestFree) this.lowestFree = c;
    }
    this.usedOf[c]!++;
    return this.freeOf[c]!.pop()!;
  }

  release(slot: number): void {
    const c = Math.floor(slot / this.perChunk);
    if (--this.usedOf[c]! === 0 && c > 0) {
      this.chunks[c] = undefined;
      this.freeOf[c] = [];
      this.bytes -= this.chunkBytes;
      while (this.chunks.length > 1 && this.chunks[this.chunks.length - 1] === undefined) {
        this.chunks.pop();
        this.freeOf.pop();
        this.usedOf.pop();
      }
      return;
    }
    this.freeOf[c]!.push(slot);
    if (c < this.lowestFree) this.lowestFree = c;
  }

  chunk(slot: number): Buffer {
    return this.chunks[Math.floor(slot / this.perChunk)]!;
  }

  offset(slot: number): number {
    return (slot % this.perChunk) * this.size;
  }
}
