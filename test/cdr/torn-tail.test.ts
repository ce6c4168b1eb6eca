/**
 * cutTornTail keeps whole lines only, wherever the last newline is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cutTornTail } from '../../src/cdr/torn-tail.js';

describe('cutTornTail', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'rmdgate-tail-'));
    dirs.push(d);
    return d;
  };

  it.each([
    { name: 'a torn tail', text: '{"a":1}\n{"b":2}\n{"c":', kept: '{"a":1}\n{"b":2}\n' },
    { name: 'no newline at all', text: '{"c":', kept: '' },
    { name: 'a whole last line', text: '{"a":1}\n', kept: '{"a":1}\n' },
    { name: 'a newline 100 KiB before the end', text: '{"a":1}\n' + 'x'.repeat(100 * 1024), kept: '{"a":1}\n' },
  ])('cutTornTail keeps whole lines only: $name', async ({ text, kept }) => {
    const path = join(tmp(), 'f.jsonl');
    writeFileSync(path, text);
    const fh = await open(path, 'a+');

    const size = await cutTornTail(fh);
    await fh.close();

    expect(readFileSync(path, 'utf8')).toBe(kept);
    expect(size).toBe(Buffer.byteLength(kept));
  });
});
