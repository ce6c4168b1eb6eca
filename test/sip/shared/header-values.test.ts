import { describe, expect, it } from 'vitest';
import { headerParam, sanitiseHeaderValue, splitHeaderValues } from '../../../src/sip/shared/header-values.js';

describe('sanitiseHeaderValue', () => {
  it.each([
    { name: 'unfolds continuation lines', input: 'a\r\n  b', expected: 'a b' },
    { name: 'removes a bare LF (header injection)', input: '<sip:a@b>\nX-Injected: 1', expected: '<sip:a@b>X-Injected: 1' },
    { name: 'removes CR, NUL and DEL', input: 'a\rb\0c\x7fd', expected: 'abcd' },
    { name: 'keeps HTAB inside', input: 'a\tb', expected: 'a\tb' },
    { name: 'trims', input: '  a  ', expected: 'a' },
  ])('$name', ({ input, expected }) => {
    expect(sanitiseHeaderValue(input)).toBe(expected);
  });

  it('caps the length', () => {
    expect(sanitiseHeaderValue('x'.repeat(5000))).toHaveLength(2048);
    expect(sanitiseHeaderValue('abcdef', 3)).toBe('abc');
  });
});

describe('header helpers', () => {
  it('splits at commas outside quotes and angle brackets', () => {
    expect(splitHeaderValues('"a, b" <sip:x,y@h>;p=1, <sip:z@h> ,')).toEqual(['"a, b" <sip:x,y@h>;p=1', '<sip:z@h>']);
  });

  it('reads name-addr header params after the URI', () => {
    expect(headerParam('"x" <sip:a@b;tag=uri>;tag=hdr', 'tag')).toBe('hdr');
    expect(headerParam('sip:a@b;tag=t1', 'tag')).toBe('t1');
    expect(headerParam('<sip:a@b;tag=uri>', 'tag')).toBeUndefined();
  });
});
