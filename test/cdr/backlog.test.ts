/**
 * The retry backlog keeps held records in order across memory and spool, refuses what is over its bounds, and writes
 * back what an earlier run left in its spool first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBacklog, type BacklogOptions, type HeldRecord } from '../../src/cdr/backlog.js';

const held = (from: number, n: number, key = '2026-11-23'): HeldRecord[] => Array.from({ length: n }, (_, i) => ({ key, line: `{"n":${from + i}}` }));

describe('CDR retry backlog', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const options = (over: Partial<BacklogOptions> = {}): BacklogOptions => {
    const d = mkdtempSync(join(tmpdir(), 'rmdgate-backlog-'));
    dirs.push(d);
    return { memoryRecords: 10, memoryBytes: 1 << 20, spoolDir: join(d, 'spool'), spoolRecords: 100, spoolBytes: 1 << 20, segmentBytes: 64, chunkRecords: 4, ...over };
  };

  it('writes back in order, one key per write, memory spilled to the spool first', async () => {
    const b = await openBacklog(options());
    const writes: { key: string; lines: readonly string[] }[] = [];

    expect(await b.hold(held(0, 25))).toEqual({ kept: 25 });
    expect(await b.hold(held(25, 3, '2026-11-24'))).toEqual({ kept: 3 });
    expect(b.records).toBe(28);
    const r = await b.retry((key, lines) => void writes.push({ key, lines }));

    expect(r).toEqual({ written: 28, recovered: 0 });
    expect(writes.flatMap((w) => w.lines)).toEqual([...held(0, 25), ...held(25, 3)].map((h) => h.line));
    expect(writes.every((w) => w.lines.length <= 4)).toBe(true);
    expect(writes.at(-1)?.key).toBe('2026-11-24');
    expect([b.records, b.bytes]).toEqual([0, 0]);
  });

  it('keeps what a failed write-back tried, and refuses records over the bounds', async () => {
    const b = await openBacklog(options({ spoolRecords: 10 }));

    const hold = await b.hold(held(0, 30));
    let fail = true;
    const first = await b.retry(() => {
      if (fail) throw new Error('ENOSPC');
    });
    fail = false;
    const lines: string[] = [];
    const second = await b.retry((_k, l) => void lines.push(...l));

    expect(hold).toMatchObject({ kept: 20, cause: 'backlog-full' });
    expect(first).toEqual({ written: 0, recovered: 0, error: 'ENOSPC' });
    expect(second).toEqual({ written: 20, recovered: 0 });
    expect(lines).toEqual(held(0, 20).map((h) => h.line));
  });

  it('writes back first what an earlier run left in the spool (close moves memory there)', async () => {
    const o = options();
    const before = await openBacklog(o);
    await before.hold(held(0, 15));
    expect(await before.close()).toEqual({ lost: 0 });

    const after = await openBacklog(o);
    await after.hold(held(15, 2));
    const lines: string[] = [];
    const r = await after.retry((_k, l) => void lines.push(...l));

    expect(r).toEqual({ written: 17, recovered: 15 });
    expect(lines).toEqual(held(0, 17).map((h) => h.line));
  });
});
