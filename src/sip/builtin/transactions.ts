/**
 * Built-in SIP front: the INVITE server-transaction table. Holds each transaction's final response bytes so
 * retransmissions get the identical answer (RFC 3261 17.2.1), bounded by entry count and TTL.
 *
 * The table lives off the JavaScript heap. At 8,000 calls/s it holds ~40,000 answered transactions (Timer I, 5 s after
 * the ACK); kept as strings and Buffers they were three heap objects each, all promoted to the old generation and
 * dying there, which made V8 run a mark-compact every 1–3 s with main-thread pauses of 5–20 ms — the p99 of every
 * call in those seconds. Here an entry is a few typed-array cells and a slot in a byte slab:
 * - **index**: open addressing (linear probing, backward-shift deletion) over an FNV-1a hash of the key's UTF-8 bytes;
 *   a hit compares the stored key bytes, so a hash collision never returns another transaction's response;
 * - **slabs**: key + response bytes in fixed-size slots of a size class (256 B … 128 KiB), slots reused through a free
 *   list; an entry larger than the largest class is not stored (its retransmissions are screened again);
 * - **expiry**: each TTL in use (the cache TTL, Timer I after the ACK) has a doubly linked FIFO, which is expiry
 *   order; every write drops the expired heads (amortised O(1)), so the table holds one TTL of traffic, not `max`.
 * A read hands out a copy of the bytes, so a slot reused later cannot change a response still queued for sending.
 */
import { BRANCH_MAGIC_COOKIE } from './sip-parser.js';
import type { ResponseContext } from './response.js';

/** Marker for a transaction whose INVITE handler has not settled yet. */
export const PENDING: unique symbol = Symbol('pending');

/** A transaction is pending or answered with these exact bytes. */
export type TransactionState = Buffer | typeof PENDING;

/** Bounded store of INVITE server transactions. */
export interface TransactionCache {
  /** The state of a live transaction (answered: a copy of the stored bytes). */
  get(key: string): TransactionState | undefined;
  has(key: string): boolean;
  set(key: string, state: TransactionState): void;
  /**
   * The ACK of an answered transaction arrived (RFC 3261 17.2.1: Completed → Confirmed): its response is no longer
   * retransmitted, so it is kept only `ttlMs` more (Timer I: T4 = 5 s over UDP, to absorb retransmitted ACKs; 0 over
   * TCP) instead of the full `ttlMs` of the cache. Unknown or pending keys are left alone.
   */
  confirm(key: string, ttlMs: number): void;
  /** Live entries (expired ones are dropped on every write). */
  readonly size: number;
}

/** Options for {@link createTransactionCache}. */
export interface TransactionCacheOptions {
  /** How long an entry lives after it was last set, ms (Timer J-like; 64*T1 = 32 s is typical). */
  readonly ttlMs: number;
  /** Entry bound; beyond it the entry closest to expiry is dropped. */
  readonly max: number;
  /** Clock, ms. Entries age by this clock, not by timers: the table arms none. */
  readonly now: () => number;
}

/** Timer I over UDP: T4 (RFC 3261 17.2.1, Table 4). Over TCP Timer I is 0. */
export const CONFIRMED_TTL_UDP_MS = 5000;

/** Slot sizes of the slab classes (key + response bytes). */
export const SLOT_SIZES: readonly number[] = [256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 8192, 16384, 32768, 65536, 131072];
const CHUNK_BYTES = 256 * 1024;
const NONE = -1;
const PENDING_LEN = -1;

/** Slots of one size, in chunks allocated on demand; freed slots are reused first. */
class SlabClass {
  private readonly chunks: Buffer[] = [];
  private readonly free: number[] = [];
  private readonly perChunk: number;
  private slots = 0;

  constructor(readonly size: number) {
    this.perChunk = Math.max(1, Math.floor(CHUNK_BYTES / size));
  }

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.slots === this.chunks.length * this.perChunk) this.chunks.push(Buffer.allocUnsafeSlow(this.perChunk * this.size));
    return this.slots++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  chunk(slot: number): Buffer {
    return this.chunks[Math.floor(slot / this.perChunk)]!;
  }

  offset(slot: number): number {
    return (slot % this.perChunk) * this.size;
  }

  /** Bytes allocated (for tests). */
  get bytes(): number {
    return this.chunks.length * this.perChunk * this.size;
  }
}

/** One TTL's FIFO (head = oldest = first to expire). */
interface Queue {
  readonly ttlMs: number;
  head: number;
  tail: number;
}

/** FNV-1a, 32 bits, over bytes [0, len). */
function fnv1a(bytes: Buffer, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** The off-heap table behind {@link createTransactionCache}. */
class TransactionTable implements TransactionCache {
  private readonly slabs = SLOT_SIZES.map((s) => new SlabClass(s));
  private readonly queues: Queue[] = [];
  // Per entry id:
  private capacity = 0;
  private expiresAt = new Float64Array(0);
  private hash = new Uint32Array(0);
  private keyLen = new Int32Array(0);
  private stateLen = new Int32Array(0);
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

  constructor(private readonly opts: TransactionCacheOptions) {
    this.grow(Math.min(1024, Math.max(1, opts.max)));
  }

  get(key: string): TransactionState | undefined {
    const id = this.live(key, this.opts.now());
    if (id === NONE) return undefined;
    const n = this.stateLen[id]!;
    if (n === PENDING_LEN) return PENDING;
    const slab = this.slabs[this.slabOf[id]!]!;
    const s = this.slot[id]!;
    const at = slab.offset(s) + this.keyLen[id]!;
    return Buffer.from(slab.chunk(s).subarray(at, at + n));
  }

  has(key: string): boolean {
    return this.live(key, this.opts.now()) !== NONE;
  }

  set(key: string, state: TransactionState): void {
    const now = this.opts.now();
    this.sweep(now);
    this.put(key, state, now, this.opts.ttlMs);
  }

  confirm(key: string, ttlMs: number): void {
    const now = this.opts.now();
    this.sweep(now);
    const id = this.live(key, now);
    if (id === NONE || this.stateLen[id] === PENDING_LEN) return;
    if (ttlMs <= 0) {
      this.remove(id);
      return;
    }
    // Same bytes, new expiry: move the entry to the tail of the queue of its new TTL.
    this.unlink(id);
    this.expiresAt[id] = now + ttlMs;
    this.link(id, this.queueFor(ttlMs));
  }

  get size(): number {
    this.sweep(this.opts.now());
    return this.count;
  }

  /** Slab bytes allocated (tests check that they are reused). */
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

  private put(key: string, state: TransactionState, now: number, ttlMs: number): void {
    const len = this.encode(key);
    const h = fnv1a(this.scratch, len);
    const found = this.find(h, len);
    if (found >= 0) this.remove(this.index[found]! - 1);
    const n = state === PENDING ? PENDING_LEN : state.length;
    const bytes = len + Math.max(0, n);
    let cls = 0;
    while (cls < SLOT_SIZES.length && SLOT_SIZES[cls]! < bytes) cls++;
    if (cls === SLOT_SIZES.length) return; // larger than any slot: not kept
    if (this.count >= this.opts.max) this.evictOne();
    if (this.used === this.capacity && this.freeIds.length === 0) this.grow(Math.min(this.opts.max, this.capacity * 2));
    const id = this.freeIds.pop() ?? this.used++;
    const slab = this.slabs[cls]!;
    const s = slab.alloc();
    const chunk = slab.chunk(s);
    const at = slab.offset(s);
    this.scratch.copy(chunk, at, 0, len);
    if (state !== PENDING) state.copy(chunk, at + len);
    this.hash[id] = h;
    this.keyLen[id] = len;
    this.stateLen[id] = n;
    this.slabOf[id] = cls;
    this.slot[id] = s;
    this.expiresAt[id] = now + ttlMs;
    this.link(id, this.queueFor(ttlMs));
    this.insertIndex(id);
    this.count++;
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
    this.stateLen = widen(this.stateLen, (n) => new Int32Array(n));
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
export function createTransactionCache(opts: TransactionCacheOptions): TransactionCache & { readonly slabBytes: number } {
  return new TransactionTable(opts);
}

/**
 * Key of the INVITE transaction a request belongs to (an INVITE, its retransmissions, or its CANCEL): top-Via
 * branch + sent-by + Call-ID + CSeq number when the branch carries the RFC 3261 magic cookie, otherwise the
 * RFC 2543-style Call-ID + From tag + CSeq number + top Via value.
 */
export function inviteTransactionKey(ctx: ResponseContext): string {
  const via = ctx.via;
  const callId = ctx.callId ?? '';
  if (via.branch?.startsWith(BRANCH_MAGIC_COOKIE) === true) {
    return `b\0${via.branch}\0${via.host}:${via.port ?? ''}\0${callId}\0${ctx.cseqNumber}`;
  }
  return `v\0${callId}\0${ctx.fromTag}\0${ctx.cseqNumber}\0${via.values[0] ?? ''}`;
}
