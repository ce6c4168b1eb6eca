/**
 * One-shot loading of local feed files (check, whatif, traceback): the RMD bad-row guard applies as in the live feed,
 * and a refusal is a DataFileError listing the sample (the CLI's usage-error path, never a stack trace).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/feeds/errors.js';
import { loadRmdFile } from '../../src/feeds/load.js';

const dir = mkdtempSync(join(tmpdir(), 'rmdgate-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, rows: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `number,frn,business_name\n${rows.join('\n')}\n`);
  return path;
}

const good = (n: number): string[] => Array.from({ length: n }, (_, i) => `RMD${String(i + 1).padStart(7, '0')},${i + 1},Row ${i} LLC`);

describe('loadRmdFile', () => {
  it('loads a file whose bad rows stay within the default 1 %, skipping them', async () => {
    const s = await loadRmdFile(file('ok.csv', [...good(199), 'RMD1,1,Bad LLC', 'RMD2,2,Bad LLC']), 0);
    expect(s.rows).toBe(199);
  });

  it('refuses a file with more bad rows, as a DataFileError naming the counts and each sampled row', async () => {
    const path = file('bad.csv', [...good(10), 'RMD1,1,Bad LLC']);
    const err = await loadRmdFile(path, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toMatchObject({ code: 'ERR_DATA_ROW', file: path, line: 12, column: 'number' });
    expect((err as Error).message).toBe(`${path}: 1 of 11 rows are bad (9.1%; limit 1%)\n  ${path}:12: number is not RMD followed by 7 digits`);
  });
});
