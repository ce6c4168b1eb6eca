/** The drachtio front's tracked calls are bounded in bytes as well as entries: fat Call-IDs cannot grow the map. */
import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_BYTES, createDispositionRecorder } from '../../../src/sip/drachtio/dispositions.js';
import { silentLog } from '../../support/fakes.js';

describe('disposition recorder', () => {
  it('forgets the oldest calls once their Call-IDs pass MAX_TRACKED_BYTES, whatever maxTracked allows', () => {
    const rec = createDispositionRecorder({ node: 'n', write: () => undefined, now: () => 1_000, log: silentLog, maxTracked: 1_000_000, maxTrackedAgeMs: 60_000, expectRelease: true });
    const fat = 'c'.repeat(2048);
    for (let i = 0; i < 20_000; i++) rec.proxied(`${fat}${i}`, 'tag');
    // ~4.2 KB per call by the estimate: 32 MiB holds ~8,000 of the 20,000.
    expect(rec.tracked()).toBeLessThanOrEqual(Math.floor(MAX_TRACKED_BYTES / (96 + 2 * 2053)) + 1);
    expect(rec.tracked()).toBeGreaterThan(7000);
    for (let i = 0; i < 100; i++) rec.proxied(`small-${i}`, 'tag');
    expect(rec.tracked()).toBeGreaterThan(7000);
  });

  it('still keeps up to maxTracked small calls', () => {
    const rec = createDispositionRecorder({ node: 'n', write: () => undefined, now: () => 1_000, log: silentLog, maxTracked: 50_000, maxTrackedAgeMs: 60_000, expectRelease: true });
    for (let i = 0; i < 60_000; i++) rec.proxied(`call-${i}@example.net`, 'tag');
    expect(rec.tracked()).toBe(50_000);
  });
});
