/**
 * The second-opinion cache with a manual clock: hit, miss, stale-while-revalidate, negative TTL, invalidation by
 * snapshot version, errors, and a deadline whose expiry leaves the request running (its answer lands later).
 */
import { describe, expect, it } from 'vitest';
import { createSecondOpinionCache } from '../../src/feeds/second-opinion-cache.js';
import type { RmdFiling } from '../../src/screening/model.js';
import { buildFiling } from '../support/builders.js';
import { silentLog as quiet } from '../support/fakes.js';

const FILING = buildFiling({ frn: '0000000007', rmdNumber: 'RMD0000007' });

function harness(answer: (frn: string) => Promise<RmdFiling | undefined>, deadlineMs = 1000) {
  const clock = { t: 1000 };
  const calls: string[] = [];
  const cache = createSecondOpinionCache({
    lookup: (frn) => {
      calls.push(frn);
      return answer(frn);
    },
    deadlineMs, ttlMs: 60_000, negativeTtlMs: 10_000, max: 10, now: () => clock.t, log: quiet,
  });
  return { cache, clock, calls };
}

describe('second-opinion cache', () => {
  it('misses, then hits within the TTL, then serves stale while revalidating', async () => {
    const h = harness(async (frn) => (frn === '0000000007' ? FILING : undefined));

    expect(await h.cache.lookup('0000000007', 's1')).toEqual({ filing: FILING, result: 'miss' });
    expect(await h.cache.lookup('0000000007', 's1')).toEqual({ filing: FILING, result: 'hit' });
    h.clock.t += 60_001;
    expect(await h.cache.lookup('0000000007', 's1')).toEqual({ filing: FILING, result: 'stale' });
    expect(h.calls).toHaveLength(2);
  });

  it('caches negative answers for the shorter negative TTL', async () => {
    const h = harness(async () => undefined);

    await h.cache.lookup('0000000001', 's1');
    h.clock.t += 9_999;
    expect(await h.cache.lookup('0000000001', 's1')).toEqual({ filing: undefined, result: 'hit' });
    h.clock.t += 2;
    expect((await h.cache.lookup('0000000001', 's1')).result).toBe('stale');
    expect(h.calls).toHaveLength(2);
  });

  it('treats an answer cached under an older snapshot as stale and refreshes it', async () => {
    const h = harness(async () => FILING);
    await h.cache.lookup('0000000007', 's1');

    const next = await h.cache.lookup('0000000007', 's2');

    expect(next).toEqual({ filing: FILING, result: 'stale' });
    expect(h.calls).toHaveLength(2);
  });

  it('reports error when the endpoint fails and nothing is cached', async () => {
    const h = harness(async () => Promise.reject(new Error('HTTP 500')));

    expect(await h.cache.lookup('0000000007', 's1')).toEqual({ filing: undefined, result: 'error' });
  });

  it('answers miss at the deadline, keeps the request running, and announces the late answer', async () => {
    let release: (f: RmdFiling) => void = () => undefined;
    const h = harness(() => new Promise((resolve) => (release = resolve)), 20);
    const late = new Promise<void>((resolve) => h.cache.onLateAnswer(resolve));

    const first = await h.cache.lookup('0000000007', 's1');
    release(FILING);
    await late;

    expect(first).toEqual({ filing: undefined, result: 'miss' });
    expect(await h.cache.lookup('0000000007', 's1')).toEqual({ filing: FILING, result: 'hit' });
    expect(h.calls).toHaveLength(1);
    expect(h.cache.size()).toBe(1);
  });
});
