/**
 * Feed bodies in shared memory: read from a file (a file that changed since its stat is read as it is now) or
 * concatenated from HTTP chunks.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatShared, isShared, readFileShared } from '../../src/lib/shared-body.js';

describe('feed bodies in shared memory', () => {
  const dirP = mkdtemp(join(tmpdir(), 'rmdgate-shared-body-'));
  afterAll(async () => rm(await dirP, { recursive: true, force: true }));

  it('reads a file into shared memory; a file that grew since the stat is read whole, one that shrank as it is', async () => {
    const path = join(await dirP, 'rmd.csv');
    const text = 'a,b\n1,2\n'.repeat(1000);
    await writeFile(path, text);
    const same = await readFileShared(path, text.length);
    expect(isShared(same)).toBe(true);
    expect(same.toString()).toBe(text);
    await appendFile(path, 'more\n');
    const grown = await readFileShared(path, text.length);
    expect(grown.toString()).toBe(`${text}more\n`);
    await writeFile(path, 'short\n');
    expect((await readFileShared(path, text.length)).toString()).toBe('short\n');
  });

  it('concatenates HTTP chunks into shared memory', () => {
    const parts = ['abc', 'de', '', 'fghij'].map((s) => Buffer.from(s));
    const out = concatShared(parts, 10);
    expect(isShared(out)).toBe(true);
    expect(out.toString()).toBe('abcdefghij');
    expect(isShared(Buffer.from('x'))).toBe(false);
  });
});
