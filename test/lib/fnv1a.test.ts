import { describe, expect, it } from 'vitest';
import { fnv1aBytes, fnv1aString } from '../../src/lib/fnv1a.js';

describe('FNV-1a', () => {
  it.each([
    // Published FNV-1a 32-bit test vectors (offset basis for the empty input).
    { input: '', expected: 0x811c9dc5 },
    { input: 'a', expected: 0xe40c292c },
    { input: 'foobar', expected: 0xbf9cf968 },
  ])('hashes "$input" to the reference value', ({ input, expected }) => {
    expect(fnv1aBytes(Buffer.from(input))).toBe(expected);
    expect(fnv1aString(input)).toBe(expected);
  });

  it('hashes only the first len bytes', () => {
    expect(fnv1aBytes(Buffer.from('foobarXYZ'), 6)).toBe(fnv1aBytes(Buffer.from('foobar')));
  });
});
