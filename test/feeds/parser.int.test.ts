/**
 * The feed parser and its RMD parser process (the real child entry, run from sources through the same loader as every
 * off-thread entry): the snapshot streamed back in batches equals the inline parse, messages are pulled one at a time
 * as deltas, and errors cross the process boundary with their codes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { BODY_FD, FILINGS_PER_MESSAGE, ORDER_PER_MESSAGE, type ToParser, type ParserReply } from '../../src/feeds/rmd/parser-protocol.js';
import { parseRmdFeed } from '../../src/feeds/parse.js';
import { allocShared } from '../../src/lib/shared-body.js';
import type { FeedSpec } from '../../src/feeds/ports.js';
import { feedErrorCode } from '../../src/feeds/errors.js';
import { createFeedParser } from '../../src/feeds/parser.js';
import { entryOf, forkEntry } from '../../src/lib/off-thread.js';
import { rmdCsv, rows } from './harness.js';

const SPEC: FeedSpec = { name: 'rmd', kind: 'rmd', source: { kind: 'file', path: 'x' }, format: 'csv', maxShrinkFraction: 0.2 };
const LIST_SPEC: FeedSpec = { name: 'ops', kind: 'list', source: { kind: 'file', path: 'ops.csv' }, format: 'csv', listKind: 'operator', maxShrinkFraction: 0.2 };

describe('RMD parser process', () => {
  function workerParser(parseTimeoutMs?: number): ReturnType<typeof createFeedParser> {
    return createFeedParser({ maxBytes: 1e9, ...(parseTimeoutMs === undefined ? {} : { parseTimeoutMs }) });
  }

  it('parses blocklists on the calling thread: no parser process is started for them', async () => {
    const parser = workerParser();
    try {
      const data = await parser.parse(LIST_SPEC, Buffer.from('rmdNumber,source,effective\nRMD0990001,DA 26-1,2026-01-01\n'), { source: 'ops.csv', loadedAt: 0 });
      expect(data.kind === 'list' && data.entries.map((e) => e.rmdNumber)).toEqual(['RMD0990001']);
      expect(parser.parserPid).toBeUndefined();
    } finally {
      await parser.close();
    }
  });

  it('parses in a process whose every thread runs at nice 19, and recovers when it is killed', async () => {
    const parser = workerParser();
    try {
      expect((await parser.parse(SPEC, Buffer.from(rmdCsv(rows(50))), { source: 'x', loadedAt: 0 })).kind).toBe('rmd');
      const pid = parser.parserPid;
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      if (process.platform === 'linux') {
        const nices = readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
        expect(nices.length).toBeGreaterThan(1);
        expect(new Set(nices)).toEqual(new Set([19]));
      }
      process.kill(pid!, 'SIGKILL');
      await vi.waitFor(() => expect(() => process.kill(pid!, 0)).toThrow());
      const again = await parser.parse(SPEC, Buffer.from(rmdCsv(rows(60))), { source: 'x', loadedAt: 0 });
      expect(again.kind === 'rmd' && again.snapshot.rows).toBe(60);
      expect(parser.parserPid).not.toBe(pid);
    } finally {
      await parser.close();
    }
  });

  it('streams back the same snapshot as the inline parse', async () => {
    const parser = workerParser();
    const text = rmdCsv(rows(1234).map((r, i) => (i % 3 === 0 ? { ...r, name: `Multi\nLine ${i}, LLC` } : r)), { bom: true });
    try {
      const data = await parser.parse(SPEC, Buffer.from(text), { source: 'x', loadedAt: 5 });
      const inline = parseRmdFeed(Buffer.from(text), { source: 'x', loadedAt: 5, maxBytes: 1e9 });

      expect(parser.parserPid).toBeGreaterThan(0);
      if (data.kind !== 'rmd') throw new Error('not rmd');
      expect(data.headers).toEqual(inline.headers);
      expect({ ...data.snapshot, byRmdNumber: [...data.snapshot.byRmdNumber], byFrn: [...data.snapshot.byFrn] }).toEqual({ ...inline.snapshot, byRmdNumber: [...inline.snapshot.byRmdNumber], byFrn: [...inline.snapshot.byFrn] });
    } finally {
      await parser.close();
    }
  });

  it('parses a body in shared memory (plain and gzip) in place, with the same result as the inline parse', async () => {
    const parser = workerParser();
    const text = rmdCsv(rows(800));
    const inline = parseRmdFeed(Buffer.from(text), { source: 'x', loadedAt: 5, maxBytes: 1e9 });
    try {
      for (const raw of [Buffer.from(text), gzipSync(text)]) {
        const shared = allocShared(raw.length);
        raw.copy(shared);
        const data = await parser.parse(SPEC, shared, { source: 'x', loadedAt: 5 });
        if (data.kind !== 'rmd') throw new Error('not rmd');
        expect(data.snapshot.id).toBe(inline.snapshot.id);
        expect([...data.snapshot.byFrn]).toEqual([...inline.snapshot.byFrn]);
        expect(shared.equals(raw)).toBe(true); // the caller still has its bytes
      }
    } finally {
      await parser.close();
    }
  });

  it('sends only changed filings after the first snapshot and reuses the unchanged ones', async () => {
    const parser = workerParser();
    const before = rows(500);
    const after = [...before.filter((r) => r.number !== 'RMD0990007').map((r) => (r.number === 'RMD0990003' ? { ...r, implementation: 'No STIR/SHAKEN Implementation - Performing Robocall Mitigation' } : r)), ...rows(2, 501)];
    try {
      const first = await parser.parse(SPEC, Buffer.from(rmdCsv(before)), { source: 'x', loadedAt: 1 });
      const second = await parser.parse(SPEC, Buffer.from(rmdCsv(after)), { source: 'x', loadedAt: 2 });
      const inline = parseRmdFeed(Buffer.from(rmdCsv(after)), { source: 'x', loadedAt: 2, maxBytes: 1e9 }).snapshot;
      if (first.kind !== 'rmd' || second.kind !== 'rmd') throw new Error('not rmd');

      expect([...second.snapshot.byRmdNumber]).toEqual([...inline.byRmdNumber]);
      expect([...second.snapshot.byFrn.keys()]).toEqual([...inline.byFrn.keys()]);
      expect(second.snapshot.byRmdNumber.get('RMD0990001')).toBe(first.snapshot.byRmdNumber.get('RMD0990001'));
      expect(second.snapshot.byRmdNumber.get('RMD0990003')).not.toBe(first.snapshot.byRmdNumber.get('RMD0990003'));
      expect(second.snapshot.byRmdNumber.get('RMD0990003')?.implementation).toBe('none');
      expect(second.snapshot.byRmdNumber.has('RMD0990007')).toBe(false);
    } finally {
      await parser.close();
    }
  });

  it('sends one message per pull from the main thread, and only the changed filings of a delta', async () => {
    const child = forkEntry(entryOf('../../src/feeds/rmd/parser-child.js', import.meta.url), { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'] });
    const bodyPipe = child.stdio[BODY_FD] as Writable;
    const got: ParserReply[] = [];
    child.on('message', (m: ParserReply) => got.push(m));
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));
    const job = (id: number, text: string, baseId?: string): void => {
      const body = Buffer.from(text);
      bodyPipe.write(body); // the body may arrive before or after its job message
      child.send({ type: 'job', id, length: body.length, job: { source: 'x', loadedAt: 1, maxBytes: 1e9 }, baseId } satisfies ToParser);
    };
    const pullAll = async (id: number): Promise<ParserReply[]> => {
      const from = got.length;
      while (got.at(-1)?.type !== 'done') {
        const before = got.length;
        child.send({ type: 'more', id } satisfies ToParser);
        await vi.waitFor(() => expect(got.length).toBe(before + 1), { interval: 2 });
      }
      return got.slice(from);
    };
    try {
      const before = rows(4500);
      job(1, rmdCsv(before));
      await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 10_000 });
      await settle();
      expect(got.map((m) => m.type)).toEqual(['head']); // nothing more until pulled
      const first = [got[0]!, ...(await pullAll(1))];
      const head = first[0] as Extract<ParserReply, { type: 'head' }>;
      expect(head.base).toBeNull();
      expect(first.filter((m) => m.type === 'filings').length).toBe(Math.ceil(4500 / FILINGS_PER_MESSAGE));
      expect(first.filter((m) => m.type === 'order').length).toBe(Math.ceil(4500 / ORDER_PER_MESSAGE));
      // then the lookup tables, built by the parser (the main thread builds no Map of the snapshot)
      expect(first.map((m) => m.type).slice(-2)).toEqual(['index', 'done']);
      const index = first.at(-2) as Extract<ParserReply, { type: 'index' }>;
      expect(index.byRmdNumber.filing).toHaveLength(4500);
      expect(index.byFrn.table).toBeInstanceOf(Int32Array);

      got.length = 0;
      const after = [...before.map((r) => (r.number === 'RMD0990010' ? { ...r, name: 'Renamed LLC' } : r)), ...rows(1, 4501)];
      job(2, rmdCsv(after), head.snapshotId);
      await vi.waitFor(() => expect(got).toHaveLength(1));
      const second = [got[0]!, ...(await pullAll(2))];
      const filings = second.flatMap((m) => (m.type === 'filings' ? m.filings : []));
      const order = second.flatMap((m) => (m.type === 'order' ? [...m.order] : []));

      expect((second[0] as Extract<ParserReply, { type: 'head' }>).base).toBe(head.snapshotId);
      expect(filings.map((f) => f.rmdNumber)).toEqual(['RMD0990010', 'RMD0994501']);
      expect(order).toHaveLength(4501);
      expect(order[0]).toBe(0); // unchanged rows travel as their index in the base
      expect(order[9]).toBe(-1); // the changed row: the first sent filing
      expect(order[4500]).toBe(-2);
    } finally {
      child.kill();
    }
  });

  it('abandons a parse that overruns its deadline with ERR_FEED_TIMEOUT, and is not wedged by it', async () => {
    const parser = workerParser(1);
    try {
      const err = await parser.parse(SPEC, Buffer.from(rmdCsv(rows(20_000))), { source: 'x', loadedAt: 0 }).catch((e: unknown) => e);
      expect(feedErrorCode(err)).toBe('ERR_FEED_TIMEOUT');
      expect(String(err)).toMatch(/did not finish within 1 ms/);
      // the next parse is not queued behind the abandoned one: it gets its own (again too short) deadline on a new parser process
      const started = performance.now();
      const again = await parser.parse(SPEC, Buffer.from(rmdCsv(rows(20_000))), { source: 'x', loadedAt: 0 }).catch((e: unknown) => e);
      expect(feedErrorCode(again)).toBe('ERR_FEED_TIMEOUT');
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await parser.close();
    }
  });

  it('passes errors back with their codes and keeps working afterwards', async () => {
    const parser = workerParser();
    try {
      const cut = parser.parse(SPEC, Buffer.from(`${rmdCsv(rows(3))}RMD0990004,0099000004,"Cut`), { source: 'x', loadedAt: 0 });
      const html = parser.parse(SPEC, Buffer.from('<html></html>'), { source: 'x', loadedAt: 0 });

      expect(feedErrorCode(await cut.catch((e: unknown) => e))).toBe('ERR_FEED_TRUNCATED');
      expect(feedErrorCode(await html.catch((e: unknown) => e))).toBe('ERR_FEED_FORMAT');
      expect((await parser.parse(SPEC, Buffer.from(rmdCsv(rows(2))), { source: 'x', loadedAt: 0 })).kind).toBe('rmd');
    } finally {
      await parser.close();
    }
  });
});
