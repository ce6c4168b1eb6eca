/**
 * The DNO and allocation feeds in the running feed system: loaded at boot with the RMD, put in force in the world,
 * refreshed like the blocklists (a changed file goes into force; a bad one is refused and the last good list stays).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../src/screening/policy.js';
import { buildFacts } from '../support/builders.js';
import { configYaml, metric, rmdCsv, rows, startHarness, T0, tempDir, type Harness } from './harness.js';

let tmp: ReturnType<typeof tempDir>;
let h: Harness | undefined;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  await h?.stop();
  h = undefined;
  tmp.cleanup();
});

const call = (from: string) => buildFacts({ sourceAddress: '127.0.0.2', from: `<sip:${from}@carrier.example.com>;tag=1`, receivedAt: T0 });

async function boot(): Promise<Harness> {
  writeFileSync(join(tmp.dir, 'rmd.csv'), rmdCsv(rows(3)));
  writeFileSync(join(tmp.dir, 'dno.csv'), 'number,source\n+12025550166,subscriber-request\n');
  writeFileSync(join(tmp.dir, 'alloc.csv'), 'npa,nxx\n202,555\n');
  const lists = '[]\n  dno: [{ name: op-dno, path: dno.csv }]\n  allocation: { path: alloc.csv }';
  return startHarness(tmp.dir, configYaml({ rmd: 'rmd.csv', lists, extra: 'callingNumber: { invalid: true }' }));
}

describe('calling-number feeds in the feed system', () => {
  it('boots with the DNO list and allocation feed in force, and reports their rows', async () => {
    h = await boot();
    const world = h.system.holder.current();

    expect(decide(call('+12025550166'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-dno' });
    expect(decide(call('+12025560100'), world)).toMatchObject({ kind: 'reject', reason: 'calling-number-unallocated' });
    expect(decide(call('+12025550100'), world)).toMatchObject({ kind: 'allow', reason: undefined });
    expect(h.system.status().map((s) => [s.feed, s.rows, s.hasData])).toEqual([['rmd', 3, true], ['op-dno', 1, true], ['allocation', 1, true]]);
    expect(metric(await h.metricsText(), 'rmdgate_feed_rows', { feed: 'op-dno' })).toBe(1);
    expect(h.system.summary().callingNumber).toMatchObject({ dnoEntries: { 'op-dno': 1 }, allocationRows: 1 });
  });

  it('puts a changed DNO list in force on refresh, and keeps the last good one when the next is bad', async () => {
    h = await boot();

    writeFileSync(join(tmp.dir, 'dno.csv'), 'number\n+12025550166\n+12025550177\n');
    const [updated] = await h.system.refresh('op-dno');
    expect(updated).toMatchObject({ feed: 'op-dno', outcome: 'updated', rows: 2 });
    expect(decide(call('+12025550177'), h.system.holder.current())).toMatchObject({ kind: 'reject', reason: 'calling-number-dno' });

    writeFileSync(join(tmp.dir, 'dno.csv'), 'number\n+12025550166\nnot-a-number\n');
    const [refused] = await h.system.refresh('op-dno');
    expect(refused).toMatchObject({ feed: 'op-dno', outcome: 'refused' });
    expect(decide(call('+12025550177'), h.system.holder.current())).toMatchObject({ kind: 'reject', reason: 'calling-number-dno' });
  });
});
