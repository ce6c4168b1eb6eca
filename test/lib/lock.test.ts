import { describe, expect, it } from 'vitest';
import { createLock } from '../../src/lib/lock.js';

describe('createLock', () => {
  it('runs calls one after another in call order, a failure not stopping the next', async () => {
    const lock = createLock();
    const order: string[] = [];
    const step = (name: string, ms: number, fail = false) => lock(async () => {
      order.push(`${name}>`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`<${name}`);
      if (fail) throw new Error(name);
      return name;
    });
    const results = await Promise.allSettled([step('a', 20), step('b', 1, true), step('c', 5)]);
    expect(order).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
