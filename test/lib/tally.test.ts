import { describe, expect, it } from 'vitest';
import { createTally } from '../../src/lib/tally.js';

describe('tally', () => {
  it('counts per label-value combination and drains each count once', () => {
    const tally = createTally(['trunk', 'status']);
    tally.inc('t-1', 302);
    tally.inc('t-1', 302);
    tally.inc('t-1', 603);
    tally.inc('t-2', 302);
    const drained: [Record<string, string>, number][] = [];

    tally.drain((labels, n) => drained.push([{ ...labels }, n]));
    tally.drain((labels, n) => drained.push([{ ...labels }, n]));

    expect(drained).toEqual([
      [{ trunk: 't-1', status: '302' }, 2],
      [{ trunk: 't-1', status: '603' }, 1],
      [{ trunk: 't-2', status: '302' }, 1],
    ]);
  });

  it('keeps counting a series after it was drained', () => {
    const tally = createTally(['x']);
    tally.inc('a');
    tally.drain(() => undefined);
    tally.inc('a');
    let seen = 0;
    tally.drain((_labels, n) => (seen += n));
    expect(seen).toBe(1);
  });

  it('refuses a tally without labels', () => {
    expect(() => createTally([])).toThrow(/at least one label/);
  });
});
