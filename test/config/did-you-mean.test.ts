import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { editDistance, knownKeysAt, suggestKey } from '../../src/config/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    { a: 'front', b: 'front', d: 0 },
    { a: 'fornt', b: 'front', d: 2 },
    { a: 'mod', b: 'mode', d: 1 },
    { a: 'Verdictheader', b: 'verdictHeader', d: 0 },
    { a: '', b: 'abc', d: 3 },
    { a: 'kitten', b: 'sitting', d: 3 },
  ])('$a → $b is $d', ({ a, b, d }) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggestKey', () => {
  const known = ['mode', 'node', 'sip', 'data', 'feeds', 'providers', 'trunks', 'flushIntervalMs'];

  it.each([
    { unknown: 'providrs', expected: 'providers' },
    { unknown: 'trunk', expected: 'trunks' },
    { unknown: 'mod', expected: 'mode' },
    { unknown: 'sipp', expected: 'sip' },
    { unknown: 'flush', expected: 'flushIntervalMs' },
    { unknown: 'typo', expected: undefined },
    { unknown: 'xyz', expected: undefined },
    { unknown: 'feedsettings', expected: 'feeds' },
    { unknown: 'settings', expected: undefined },
  ])('suggests $expected for $unknown', ({ unknown, expected }) => {
    expect(suggestKey(unknown, known)).toBe(expected);
  });

  it('prefers the smallest distance', () => {
    expect(suggestKey('nodes', ['mode', 'node'])).toBe('node');
  });
});

describe('knownKeysAt', () => {
  const schema = z.strictObject({
    a: z.strictObject({ b: z.number(), c: z.number() }).default({ b: 1, c: 2 }),
    list: z.array(z.strictObject({ x: z.number() })),
    either: z.union([z.strictObject({ p: z.number() }), z.literal(false)]).optional(),
    byKind: z.partialRecord(z.enum(['k4', 'fdo']), z.strictObject({ on: z.boolean() })),
  });

  it.each([
    { path: [], keys: ['a', 'list', 'either', 'byKind'] },
    { path: ['a'], keys: ['b', 'c'] },
    { path: ['list', 3], keys: ['x'] },
    { path: ['either'], keys: ['p'] },
    { path: ['byKind'], keys: ['k4', 'fdo'] },
    { path: ['byKind', 'k4'], keys: ['on'] },
    { path: ['nowhere'], keys: [] },
  ])('lists the keys at $path', ({ path, keys }) => {
    expect(knownKeysAt(schema, path)).toEqual(keys);
  });
});
