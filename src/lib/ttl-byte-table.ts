/**
 * A bounded table of string keys to byte values with per-entry expiry, kept off the JavaScript heap: an entry is a
 * few typed-array cells and a slot in a byte slab, so holding tens of thousands of short-lived values creates no
 * objects for the garbage collector to trace or promote.
 * - **index**: open addressing (linear probing, backward-shift deletion) over an FNV-1a hash of the key's UTF-8 bytes;
 *   a hit compares the stored key bytes, so a hash collision never returns another key's value;
 * - **slabs**: key + value bytes in fixed-size slots of a size class (256 B … 128 KiB), slots reused through a free
 *   list; an entry larger than the largest class is not stored;
 * - **expiry**: each TTL in use has a doubly linked FIFO, which is expiry order; every write drops the expired heads
 *   (amortised O(1)), so the table holds one TTL of writes, not `max`;
 * - **bounds**: at `max` entries, or when a new slab chunk would pass `maxBytes`, the entries closest to expiry are
 *   dropped; slots are taken lowest chunk first and an emptied chunk is released, so memory falls back with load.
 * A read hands out a copy of the bytes, so a slot reused later cannot change a value still in use.
 */
import { NONE, SlabClass } from './byte-slabs.js';
import { fnv1aBytes as fnv1a } from './fnv1a.js';

/** A bounded map of string keys to byte values, each entry living a fixed time after it was set. */
export interface TtlByteTable {
  /** A copy of the live value's bytes, or undefined. */
  get(key: string): Buffer | undefined;
  has(key: string): boolean;
  /**
   * Stores a copy of `value` for the table's TTL (replacing any entry of the key). False when it is not kept: key +
   * value over `maxEntryBytes`, or no room within `maxBytes` even after dropping a few entries closest to expiry.
   */
  set(key: string, value: Buffer): boolean;
  /** Keeps a live entry only `ttlMs` more from now (0 or less: drops it); unknown keys are left alone. */
  retain(key: string, ttlMs: number): void;
  /** Live entries (expired ones are dropped on every write). */
  readonly size: number;
  /** Slab bytes allocated: at most `maxBytes`; falls back when entries expire (empty chunks are released). */
  readonly slabBytes: number;
}

/** Options for {@link createTtlByteTable}. */
export interface TtlByteTableOptions {
  /** How long an entry lives after it was last set, ms. */
  readonly ttlMs: number;
  /** Entry bound; beyond it the entry closest to expiry is dropped. */
  readonly max: number;
  /** Bound on the slab bytes (default unbounded): a new chunk that would pass it makes room by eviction instead. */
  readonly maxBytes?: number;
  /** Largest key + value kept, bytes (default the largest slot, 128 KiB). */
  readonly maxEntryBytes?: number;
  /** Clock, ms. Entries age by this clock, not by timers: the table arms none. */
  readonly now: () => number;
}

/** Slot sizes of the slab classes (key + value bytes). */
export const SLOT_SIZES: readonly number[] = [256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 8192, 16384, 32768, 65536, 131072];
/** Entries one set() may drop to make room within maxBytes (bounded work per write). */
const MAX_EVICTIONS_PER_SET = 64;

/** One TTL's FIFO (head = oldest = first to expire). */
interface Queue {
  readonly ttlMs: number;
  head: number;
  tail: number;
}

/** The off-heap table behind {@link createTtlByteTable}. */
class SlabTable implements TtlByteTable {
  private readonly slabs = SLOT_SIZES.map((s) => new SlabClass(s));
  private readonly queues: Queue[] = [];
  // Per entry id:
  private capacity = 0;
  private expiresAt = new Float64Array(0);
  private hash = new Uint32Array(0);
  private keyLen = new Int32Array(0);
  private valueLen = new Int32Array(0);
  private slabOf = new Uint8Array(0);
  private slot = new Int32Array(0);
  private queueOf = new Uint8Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private readonly freeIds: number[] = [];
  private used = 0;
  private count = 0;
  /** Open-addressing index: entry id + 1, 0 = empty. Length a power of two, at least twice the capacity. */
  private index = new Int32Array(0);
  private mask = 0;
  private scratch = Buffer.allocUnsafeSlow(1024);
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;

  constructor(private readonly opts: TtlByteTableOptions) {
    this.maxBytes = opts.maxBytes ?? Infinity;
    this.maxEntryBytes = opts.maxEntryBytes ?? SLOT_SIZES[SLOT_SIZES.length - 1]!;
    this.grow(Math.min(1024, Math.max(1, opts.max)));
  }

  get(key: string): Buffer | undefined {
    const id = this.live(key, this.opts.now());
    if (id === NONE) return undefined;
    const n = this.valueLen[id]!;
    const slab = this.slabs[this.slabOf[id]!]!;
    const s = this.slot[id]!;
    const at = slab.offset(s) + this.keyLen[id]!;
    return Buffer.from(slab.chunk(s).subarray(at, at + n));
  }

  has(key: string): boolean {
    return this.live(key, this.opts.now()) !== NONE;
  }

  set(key: string, value: Buffer): boolean {
    const now = this.opts.now();
    this.sweep(now);
    return this.put(key, value, now, this.opts.ttlMs);
  }

  retain(key: string, ttlMs: number): void {
    const now = this.opts.now();
    this.sweep(now);
    const id = this.live(key, now);
    if (id === NONE) return;
    if (ttlMs <= 0) {
      this.remove(id);
      return;
    }
    // Same bytes, new expiry: the entry moves to the tail of the queue of its new TTL.
    this.unlink(id);
    this.expiresAt[id] = now + ttlMs;
    this.link(id, this.queueFor(ttlMs));
  }

  get size(): number {
    this.sweep(this.opts.now());
    return this.count;
  }

  get slabBytes(): number {
    return this.slabs.reduce((n, s) => n + s.bytes, 0);
  }

  /** Encodes `key` into the scratch buffer; its byte length. */
  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafeSlow(Math.max(key.length * 3, this.scratch.length * 2));
    return this.scratch.write(key, 0, 'utf8');
  }

  /** Index position holding the entry whose key is the first `len` scratch bytes with hash `h`, or of the empty cell where it would go (negative: -1 - cell). */
  private find(h: number, len: number): number {
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.index[i]!;
      if (v === 0) return -1 - i;
      const id = v - 1;
      if (this.hash[id] === h && this.keyLen[id] === len) {
        const slab = this.slabs[this.slabOf[id]!]!;
        const s = this.slot[id]!;
        const at = slab.offset(s);
        if (this.scratch.compare(slab.chunk(s), at, at + len, 0, len) === 0) return i;
      }
    }
  }

  /** The id of the live entry for `key` (an expired one is removed), or NONE. */
  private live(key: string, now: number): number {
    const len = this.encode(key);
    const cell = this.find(fnv1a(this.scratch, len), len);
    if (cell < 0) return NONE;
    const id = this.index[cell]! - 1;
    if (now <= this.expiresAt[id]!) return id;
    this.remove(id);
    return NONE;
  }

  /** Stores the entry; false when it is not kept (over the entry size limit, or no room within maxBytes). */
  private put(key: string, value: Buffer, now: number, ttlMs: number): boolean {
    const len = this.encode(key);
    const h = fnv1a(this.scratch, len);
    const found = this.find(h, len);
    if (found >= 0) this.remove(this.index[found]! - 1);
    const n = value.length;
    const bytes = len + n;
    if (bytes > this.maxEntryBytes) return false;
    let cls = 0;
    while (cls < SLOT_SIZES.length && SLOT_SIZES[cls]! < bytes) cls++;
    if (cls === SLOT_SIZES.length) return false; // larger than any slot: not kept
    if (this.count >= this.opts.max) this.evictOne();
    const slab = this.slabs[cls]!;
    const s = this.slotIn(slab);
    if (s === NONE) return false;
    if (this.used === this.capacity && this.freeIds.length === 0) this.grow(Math.min(this.opts.max, this.capacity * 2));
    const id = this.freeIds.pop() ?? this.used++;
    const chunk = slab.chunk(s);
    const at = slab.offset(s);
    this.scratch.copy(chunk, at, 0, len);
    value.copy(chunk, at + len);
    this.hash[id] = h;
    this.keyLen[id] = len;
    this.valueLen[id] = n;
    this.slabOf[id] = cls;
    this.slot[id] = s;
    this.expiresAt[id] = now + ttlMs;
    this.link(id, this.queueFor(ttlMs));
    this.insertIndex(id);
    this.count++;
    return true;
  }

  /**
   * A slot of `slab` within maxBytes: a free one, else a new chunk if it fits, else the entries closest to expiry are
   * dropped (at most MAX_EVICTIONS_PER_SET) until one of those applies. NONE when there is still no room.
   */
  private slotIn(slab: SlabClass): number {
    for (let evicted = 0; ; evicted++) {
      const s = slab.alloc(this.slabBytes + slab.chunkBytes <= this.maxBytes);
      if (s !== NONE || evicted === MAX_EVICTIONS_PER_SET || this.count === 0) return s;
      this.evictOne();
    }
  }

  private insertIndex(id: number): void {
    for (let i = this.hash[id]! & this.mask; ; i = (i + 1) & this.mask) {
      if (this.index[i] === 0) {
        this.index[i] = id + 1;
        return;
      }
    }
  }

  /** Removes entry `id`: index cell (backward-shift deletion), queue, slab slot, id. */
  private remove(id: number): void {
    let i = this.hash[id]! & this.mask;
    while (this.index[i] !== id + 1) i = (i + 1) & this.mask;
    // Backward shift: move later entries of the probe run into the hole when their home is at or before it.
    for (let j = (i + 1) & this.mask; this.index[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.hash[this.index[j]! - 1]! & this.mask;
      if (((j - home) & this.mask) >= ((j - i) & this.mask)) {
        this.index[i] = this.index[j]!;
        i = j;
      }
    }
    this.index[i] = 0;
    this.unlink(id);
    this.slabs[this.slabOf[id]!]!.release(this.slot[id]!);
    this.freeIds.push(id);
    this.count--;
  }

  private queueFor(ttlMs: number): number {
    for (let q = 0; q < this.queues.length; q++) if (this.queues[q]!.ttlMs === ttlMs) return q;
    this.queues.push({ ttlMs, head: NONE, tail: NONE });
    return this.queues.length - 1;
  }

  private link(id: number, q: number): void {
    const queue = this.queues[q]!;
    this.queueOf[id] = q;
    this.prev[id] = queue.tail;
    this.next[id] = NONE;
    if (queue.tail === NONE) queue.head = id;
    else this.next[queue.tail] = id;
    queue.tail = id;
  }

  private unlink(id: number): void {
    const queue = this.queues[this.queueOf[id]!]!;
    const p = this.prev[id]!;
    const n = this.next[id]!;
    if (p === NONE) queue.head = n;
    else this.next[p] = n;
    if (n === NONE) queue.tail = p;
    else this.prev[n] = p;
  }

  /** Drops the expired heads of every queue. */
  private sweep(now: number): void {
    for (const queue of this.queues) {
      while (queue.head !== NONE && now > this.expiresAt[queue.head]!) this.remove(queue.head);
    }
  }

  /** Drops the entry closest to expiry (the table is full). */
  private evictOne(): void {
    let soonest = NONE;
    for (const queue of this.queues) {
      if (queue.head !== NONE && (soonest === NONE || this.expiresAt[queue.head]! < this.expiresAt[soonest]!)) soonest = queue.head;
    }
    if (soonest !== NONE) this.remove(soonest);
  }

  /** Grows the per-entry arrays to `capacity` ids and rebuilds the index. */
  private grow(capacity: number): void {
    const widen = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.expiresAt = widen(this.expiresAt, (n) => new Float64Array(n));
    this.hash = widen(this.hash, (n) => new Uint32Array(n));
    this.keyLen = widen(this.keyLen, (n) => new Int32Array(n));
    this.valueLen = widen(this.valueLen, (n) => new Int32Array(n));
    this.slabOf = widen(this.slabOf, (n) => new Uint8Array(n));
    this.slot = widen(this.slot, (n) => new Int32Array(n));
    this.queueOf = widen(this.queueOf, (n) => new Uint8Array(n));
    this.prev = widen(this.prev, (n) => new Int32Array(n));
    this.next = widen(this.next, (n) => new Int32Array(n));
    this.capacity = capacity;
    let cells = 2;
    while (cells < capacity * 2) cells *= 2;
    this.index = new Int32Array(cells);
    this.mask = cells - 1;
    for (const queue of this.queues) for (let id = queue.head; id !== NONE; id = this.next[id]!) this.insertIndex(id);
  }
}

/** Creates the table; it arms no timers (entries age by `now`). */
export function createTtlByteTable(opts: TtlByteTableOptions): TtlByteTable {
  return new SlabTable(opts);
}
