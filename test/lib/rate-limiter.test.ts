import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/lib/rate-limiter.js';

function limiter(opts: { ratePerSecond?: number; burst?: number; maxKeys?: number } = {}) {
  const clock = { t: 10_000 };
  const l = createRateLimiter({ ratePerSecond: opts.ratePerSecond ?? 10, burst: opts.burst ?? 5, maxKeys: opts.maxKeys ?? 100, now: () => clock.t });
  return { l, clock };
}

const admitted = (admit: () => boolean, n: number): number => Array.from({ length: n }, admit).filter(Boolean).length;

describe('rate limiter (token buckets in an LRU)', () => {
  it('lets a burst through at once, then refuses until tokens come back at the rate', () => {
    const { l, clock } = limiter({ ratePerSecond: 10, burst: 5 });
    expect(admitted(() => l.admit('a'), 8)).toBe(5);
    clock.t += 100; // one token
    expect(admitted(() => l.admit('a'), 3)).toBe(1);
    clock.t += 1000; // ten tokens, capped at the burst
    expect(admitted(() => l.admit('a'), 20)).toBe(5);
  });

  it('holds the sustained rate over a long run', () => {
    const { l, clock } = limiter({ ratePerSecond: 20, burst: 1 });
    let ok = 0;
    for (let i = 0; i < 10_000; i++) {
      clock.t += 1; // 1,000 requests per second for 10 s
      if (l.admit('x')) ok++;
    }
    expect(ok).toBeGreaterThanOrEqual(199);
    expect(ok).toBeLessThanOrEqual(201);
  });

  it('keeps keys apart', () => {
    const { l } = limiter({ burst: 2 });
    expect(admitted(() => l.admit('a'), 5)).toBe(2);
    expect(admitted(() => l.admit('b'), 5)).toBe(2);
  });

  it('tracks at most maxKeys keys, however many sources come', () => {
    const { l } = limiter({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) l.admit(`10.0.${i >> 8}.${i & 255}`);
    expect(l.size).toBe(100);
  });

  it('a clock that steps back does not mint tokens', () => {
    const { l, clock } = limiter({ ratePerSecond: 10, burst: 2 });
    expect(admitted(() => l.admit('a'), 3)).toBe(2);
    clock.t -= 5000;
    expect(l.admit('a')).toBe(false);
  });
});
