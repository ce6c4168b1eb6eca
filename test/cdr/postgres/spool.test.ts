import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCdrSpool } from '../../../src/cdr/postgres/spool.js';

describe('CDR spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rmdgate-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends batches to the active segment and lists it as closed only after rotation', async () => {
    const spool = await openCdrSpool(dir);

    await spool.append(['a', 'b']);
    await spool.append(['c']);
    const whileActive = await spool.closedSegments();
    const path = await spool.rotate();
    const closed = await spool.closedSegments();

    expect(whileActive).toEqual([]);
    expect(closed).toEqual([path]);
    expect(await spool.readSegment(path!)).toEqual({ lines: ['a', 'b', 'c'], torn: 0 });
    expect(spool.activeBytes()).toBe(0);
  });

  it('orders segments oldest first and drops a torn last line', async () => {
    const spool = await openCdrSpool(dir);
    await spool.append(['1']);
    const first = await spool.rotate();
    await spool.append(['2']);
    const second = await spool.rotate();
    appendFileSync(second!, '{"r":{"half');

    const closed = await spool.closedSegments();

    expect(closed.map((p) => basename(p))).toEqual([basename(first!), basename(second!)]);
    expect(await spool.readSegment(second!)).toEqual({ lines: ['2'], torn: 1 });
  });

  it('keeps leftovers of an earlier run for replay and discards a shipped active segment on close', async () => {
    const before = await openCdrSpool(dir);
    await before.append(['left over']);
    await before.close(false);

    const after = await openCdrSpool(dir);
    await after.append(['new']);
    const leftovers = await after.closedSegments();
    await after.close(true);

    expect(leftovers).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([basename(leftovers[0]!)]);
  });

  it('never appends to a leftover segment, even when a new run opens one in the same millisecond', async () => {
    for (let run = 0; run < 20; run++) {
      const spool = await openCdrSpool(dir);
      await spool.append([`run ${run}`]);
      await spool.close(false);
    }

    const reader = await openCdrSpool(dir);
    const segments = await reader.closedSegments();
    const contents = await Promise.all(segments.map((path) => reader.readSegment(path)));

    expect(contents).toEqual(Array.from({ length: 20 }, (_, i) => ({ lines: [`run ${i}`], torn: 0 })));
  });
});
