/**
 * Per-key token buckets in bounded memory (pike-like flood control): each key may spend `burst` requests at once and
 * `ratePerSecond` sustained. Buckets live in an LRU of at most `maxKeys` entries (lru-cache), so an outsider who
 * rotates addresses costs a fixed amount of memory: a key pushed out comes back with a full bucket, which at worst
 * lets `burst` more requests through for it.
 */
import { LRUCache } from 'lru-cache';

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxKeys: number;
  /** Clock, ms (monotonic is best). */
  readonly now: () => number;
}

/** Admits or refuses one request per call, per key. */
export interface RateLimiter {
  /** True when `key` has a token left (one is spent); false when it is over its rate. */
  admit(key: string): boolean;
  /** Keys tracked now (at most maxKeys). */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Creates the limiter. */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const buckets = new LRUCache<string, Bucket>({ max: opts.maxKeys });
  const perMs = opts.ratePerSecond / 1000;
  return {
    admit(key) {
      const now = opts.now();
      const b = buckets.get(key);
      if (b === undefined) {
        buckets.set(key, { tokens: opts.burst - 1, at: now });
        return true;
      }
      b.tokens = Math.min(opts.burst, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    get size() {
      return buckets.size;
    },
  };
}
