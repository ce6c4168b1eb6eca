/**
 * Built-in SIP front: the INVITE server-transaction cache. Holds each transaction's final response bytes so
 * retransmissions get the identical answer (RFC 3261 17.2.1), bounded by entry count and TTL.
 */
import { LRUCache } from 'lru-cache';
import { BRANCH_MAGIC_COOKIE } from './builtin-parser.js';
import type { ResponseContext } from './builtin-response.js';

/** Marker for a transaction whose INVITE handler has not settled yet. */
export const PENDING: unique symbol = Symbol('pending');

/** A transaction is pending or answered with these exact bytes. */
export type TransactionState = Buffer | typeof PENDING;

/** Bounded store of INVITE server transactions. */
export interface TransactionCache {
  get(key: string): TransactionState | undefined;
  has(key: string): boolean;
  set(key: string, state: TransactionState): void;
  /**
   * The ACK of an answered transaction arrived (RFC 3261 17.2.1: Completed → Confirmed): its response is no longer
   * retransmitted, so it is kept only `ttlMs` more (Timer I: T4 = 5 s over UDP, to absorb retransmitted ACKs; 0 over
   * TCP) instead of the full `ttlMs` of the cache. Unknown or pending keys are left alone.
   */
  confirm(key: string, ttlMs: number): void;
  readonly size: number;
}

/** Options for {@link createTransactionCache}. */
export interface TransactionCacheOptions {
  /** How long an entry lives after it was last set, ms (Timer J-like; 64*T1 = 32 s is typical). */
  readonly ttlMs: number;
  /** Entry bound; the least recently used entry is dropped beyond it. */
  readonly max: number;
  /** Clock, ms. Entries age by this clock, not by timers: the cache arms none. */
  readonly now: () => number;
}

/** Timer I over UDP: T4 (RFC 3261 17.2.1, Table 4). Over TCP Timer I is 0. */
export const CONFIRMED_TTL_UDP_MS = 5000;

/** Creates the cache; `ttlResolution: 0` and no autopurge keep it free of timers. */
export function createTransactionCache(opts: TransactionCacheOptions): TransactionCache {
  const cache = new LRUCache<string, TransactionState>({
    max: opts.max,
    ttl: opts.ttlMs,
    ttlResolution: 0,
    perf: { now: opts.now },
  });
  return {
    get: (key) => cache.get(key),
    has: (key) => cache.has(key),
    set: (key, state) => {
      cache.set(key, state);
    },
    confirm: (key, ttlMs) => {
      const state = cache.peek(key);
      if (state === undefined || state === PENDING) return;
      if (ttlMs <= 0) cache.delete(key);
      else cache.set(key, state, { ttl: ttlMs });
    },
    get size() {
      return cache.size;
    },
  };
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
