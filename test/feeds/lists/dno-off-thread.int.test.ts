import { describe, expect, it } from 'vitest';
import { DataFileError, FeedError } from '../../../src/feeds/errors.js';
import { parseDnoOffThread } from '../../../src/feeds/lists/dno-off-thread.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import { createFeedParser } from '../../../src/feeds/parser.js';
import type { FeedData, FeedSpec } from '../../../src/feeds/ports.js';

const NOW = Date.UTC(2026, 11, 6);
const SPEC: FeedSpec = { name: 'op-dno', kind: 'dno', source: { kind: 'file', path: 'dno.csv' }, format: 'csv', maxShrinkFraction: 0.5 };
const JOB = { source: 'dno.csv', loadedAt: NOW, maxBytes: 1e9 };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const SMALL = [
  'number,prefix,source,effective,note',
  '+12025550166,,subscriber-request,2025-12-15,bank inbound line',
  '202-555-0177,,itg,,',
  ',+1303555,operator,2026-01-01,"never assigned, whole code"',
  ',4045,,,',
  '12025550199,,later,2027-01-01,not yet',
].join('\n');

/** `count` numbers 202-200-0000 upwards (two per NXX-line step), as a number-only CSV. */
function bigList(count: number): string {
  const rows = ['number'];
  for (let i = 0; i < count; i++) rows.push(`+1202${String(2_000_000 + i * 3).padStart(7, '0')}`);
  return rows.join('\n');
}

function listOf(data: FeedData) {
  if (data.kind !== 'dno') throw new Error(`expected a dno feed, got ${data.kind}`);
  return data.list;
}

const PROBES = [2025550166, 2025550177, 2025550178, 3035550100, 3035559999, 4045551234, 4055551234, 2025550199];

describe('DNO lists parsed off the SIP event loop (worker thread)', () => {
  it('answers every lookup as the list parsed in-process does', async () => {
    const inProcess = listOf(parseFeed(SPEC, bytes(SMALL), JOB));
    const offThread = listOf(await parseDnoOffThread(SPEC, bytes(SMALL), JOB, 30_000));

    expect({ name: offThread.name, numbers: offThread.numbers, prefixes: offThread.prefixes, bytes: offThread.bytes })
      .toEqual({ name: inProcess.name, numbers: inProcess.numbers, prefixes: inProcess.prefixes, bytes: inProcess.bytes });
    for (const n of PROBES) expect(offThread.lookup(n, NOW), `+1${n}`).toEqual(inProcess.lookup(n, NOW));
    expect(offThread.lookup(2025550166, NOW)?.meta).toMatchObject({ source: 'subscriber-request', note: 'bank inbound line' });
    expect(offThread.lookup(3035550100, NOW)?.entry).toBe('+1303555…');
    expect(offThread.lookup(2025550199, NOW)).toBeUndefined();
  }, 30_000);

  it('keeps the event loop turning while a 1,000,000-number list is parsed (an in-process parse holds it throughout)', async () => {
    const body = bytes(bigList(1_000_000));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const list = listOf(await createFeedParser({ maxBytes: 1e9 }).parse(SPEC, body, JOB));

      expect(list.numbers).toBe(1_000_000);
      expect(list.lookup(2022000003, NOW)?.entry).toBe('+12022000003');
      expect(list.lookup(2022000004, NOW)).toBeUndefined();
      expect(ticks).toBeGreaterThanOrEqual(2);

      const before = ticks;
      parseFeed(SPEC, body, JOB);
      expect(ticks).toBe(before);
    } finally {
      clearInterval(timer);
    }
  }, 60_000);

  it('rejects with the same DataFileError (code, file, problems) as an in-process parse, and the last good list stays the caller\'s', async () => {
    const bad = 'number\n+12025550100\nnot-a-number\n';
    let inProcess: unknown;
    try {
      parseFeed(SPEC, bytes(bad), JOB);
    } catch (err) {
      inProcess = err;
    }
    const offThread = await parseDnoOffThread(SPEC, bytes(bad), JOB, 30_000).then(() => undefined, (err: unknown) => err);

    expect(inProcess).toBeInstanceOf(DataFileError);
    expect(offThread).toBeInstanceOf(DataFileError);
    const pick = (e: unknown) => ({ code: (e as DataFileError).code, message: (e as DataFileError).message, file: (e as DataFileError).file, problems: (e as DataFileError).problems });
    expect(pick(offThread)).toEqual(pick(inProcess));
  }, 30_000);

  it('abandons a parse that outlives its deadline with ERR_FEED_TIMEOUT', async () => {
    const err = await parseDnoOffThread(SPEC, bytes(bigList(200_000)), JOB, 1).then(() => undefined, (e: unknown) => e);

    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).code).toBe('ERR_FEED_TIMEOUT');
  }, 30_000);
});
