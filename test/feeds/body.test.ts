/**
 * Feed body sanity: gzip by magic bytes, size bound, markup instead of data, a CSV cut short, header reading.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assertCsvComplete, assertNotMarkup, csvHeader, decodeBody, isGzip } from '../../src/feeds/body.js';
import { FeedError } from '../../src/feeds/errors.js';

function feedError(fn: () => unknown): FeedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FeedError) return err;
    throw err;
  }
  throw new Error('expected a FeedError');
}

describe('decodeBody', () => {
  it('gunzips bytes that start with the gzip magic number and passes others through', () => {
    const text = 'number,frn\nRMD0000001,0000000001\n';

    expect(isGzip(gzipSync(text))).toBe(true);
    expect(decodeBody(gzipSync(text), 'x', 1e6).toString()).toBe(text);
    expect(decodeBody(Buffer.from(text), 'x', 1e6).toString()).toBe(text);
  });

  it.each([
    { name: 'inflates beyond maxBytes', bytes: gzipSync('a'.repeat(5000)), code: 'ERR_FEED_TOO_LARGE' },
    { name: 'is larger than maxBytes', bytes: Buffer.from('a'.repeat(5000)), code: 'ERR_FEED_TOO_LARGE' },
    { name: 'is a gzip stream cut short', bytes: gzipSync('a'.repeat(5000)).subarray(0, 20), code: 'ERR_FEED_TRUNCATED' },
  ])('refuses a body that $name', ({ bytes, code }) => {
    expect(feedError(() => decodeBody(bytes, 'x', 1000)).code).toBe(code);
  });
});

describe('assertNotMarkup', () => {
  it.each([
    { name: 'an HTML page', text: '\n  <!DOCTYPE html><html>', type: undefined },
    { name: 'an XML answer behind a BOM', text: '\uFEFF<?xml version="1.0"?>', type: undefined },
    { name: 'a text/html content type', text: 'number,frn', type: 'text/html; charset=utf-8' },
  ])('refuses $name', ({ text, type }) => {
    expect(feedError(() => assertNotMarkup(text, 'x', type)).code).toBe('ERR_FEED_FORMAT');
  });

  it('accepts CSV', () => {
    expect(() => assertNotMarkup('number,frn\n', 'x', 'text/csv')).not.toThrow();
  });
});

describe('assertCsvComplete', () => {
  it.each([
    { name: 'ends with a line break', text: 'a,b,c\n1,2,3\n' },
    { name: 'has a complete last row without a line break', text: 'a,b,c\n1,2,3' },
    { name: 'ends in a complete multi-line quoted field', text: 'a,b,c\n1,2,"x\ny"' },
  ])('accepts a CSV that $name', ({ text }) => {
    expect(() => assertCsvComplete(text, 3, 'x')).not.toThrow();
  });

  it('refuses a CSV whose last row lacks fields and a line break', () => {
    expect(feedError(() => assertCsvComplete('a,b,c\n1,2,3\n4,5', 3, 'x')).code).toBe('ERR_FEED_TRUNCATED');
  });
});

describe('csvHeader', () => {
  it.each([
    { name: 'behind a BOM with CRLF line ends', text: '\uFEFFnumber,"business name",frn\r\n1,2,3\r\n' },
    { name: 'after blank lines', text: '\n\nnumber,"business name",frn\n1,2,3\n' },
  ])('reads the first non-blank record $name', ({ text }) => {
    expect(csvHeader(text)).toEqual(['number', 'business name', 'frn']);
  });
});
