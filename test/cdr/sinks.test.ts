/**
 * The fan-out of the CDR sinks: a failed JSON-lines append holds its records for retry (health fails with the backlog
 * named, then recovers once they are written back); the backlog's bound makes losses counted per record, once across
 * sinks on the main series, and logged once per interval; a record every sink lost counts once on the main series.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCdrSinks } from '../../src/cdr/sinks.js';
import { listDayFiles, openDayFileForRead } from '../../src/cdr/sqlite/day-files.js';
import { buildCdrs } from '../support/builders.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { toFloodSummaryRecord, type DispositionRecord } from '../../src/screening/index.js';
import { createSqliteCdrReader } from '../../src/cdr/sqlite/query.js';
import { cdrConfig } from './support/cdr-config.js';
import { countingMetrics, recordingLog, silentLog } from '../support/fakes.js';
import { waitUntil } from '../support/wait.js';

const AT = Date.UTC(2026, 10, 23, 12);
const DAY_FILE = 'cdr-2026-11-23.jsonl';

function sqliteCount(dir: string): number {
  let n = 0;
  for (const day of listDayFiles(dir)) {
    const db = openDayFileForRead(dir, day)!;
    n += (db.prepare('SELECT count(*) AS n FROM cdr').get() as { n: number }).n;
    db.close();
  }
  return n;
}

describe('CDR sinks: failed writes are held and written back', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'rmdgate-sinks-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('holds the records of a failed JSON-lines append, reports them in health and metrics, and writes them back when the file works again', async () => {
    const dir = tmp();
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir, { sqlite: { enabled: false }, jsonl: { enabled: true }, backlog: { retryIntervalMs: 100 } }), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    try {
      expect(sink.health()).toMatchObject({ ok: true });
      const dayFile = join(dir, DAY_FILE);
      mkdirSync(dayFile); // a directory where the day file goes: the append fails (EISDIR)
      for (const r of buildCdrs(3, { startMs: AT })) sink.write(r);
      await sink.flush();

      expect(metrics.counts).toEqual({ written: 0, lost: 0 });
      expect(metrics.held['jsonl']?.records).toBe(3);
      expect(sink.health()).toMatchObject({ ok: false });
      expect(sink.health().detail).toMatch(/^jsonl: 3 records \(\d+ bytes\) held for retry: 3 in memory/);

      rmSync(dayFile, { recursive: true });
      await waitUntil(() => metrics.counts.written === 3, 5000, 'the held records to be written back');
      expect(sink.health()).toMatchObject({ ok: true });
      expect(metrics.held['jsonl']).toEqual({ records: 0, bytes: 0 });
      expect(readFileSync(dayFile, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
    } finally {
      await sink.close();
    }
  });

  it('keeps records still held at close in the spool and writes them back first at the next start', async () => {
    const dir = tmp();
    const cfg = cdrConfig(dir, { sqlite: { enabled: false }, jsonl: { enabled: true }, backlog: { retryIntervalMs: 100 } });
    const dayFile = join(dir, DAY_FILE);
    mkdirSync(dayFile);
    const first = await createCdrSinks(cfg, { resolvePath: (p) => p, log: silentLog, metrics: countingMetrics(), monotonicMs: () => performance.now() });
    for (const r of buildCdrs(3, { startMs: AT })) first.write(r);
    await first.close();
    rmSync(dayFile, { recursive: true });

    const metrics = countingMetrics();
    const second = await createCdrSinks(cfg, { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    try {
      for (const r of buildCdrs(2, { startMs: AT, firstSeq: 4 })) second.write(r);
      await waitUntil(() => metrics.bySink.written['jsonl'] === 5, 5000, 'the held and the new records to be written');

      expect(readFileSync(dayFile, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
      expect(metrics.counts).toEqual({ written: 2, lost: 0 });
    } finally {
      await second.close();
    }
  });

  it('counts records over the backlog bound as lost once per record (not once per sink) and logs the loss once per interval', async () => {
    const dir = tmp();
    const metrics = countingMetrics();
    const logs: { level: string; msg: string | undefined; obj: object }[] = [];
    const cfg = cdrConfig(dir, { jsonl: { enabled: true }, backlog: { memoryRecords: 100, spoolRecords: 0, retryIntervalMs: 60_000 } });
    const sink = await createCdrSinks(cfg, { resolvePath: (p) => p, log: recordingLog(logs), metrics, monotonicMs: () => performance.now() });
    try {
      mkdirSync(join(dir, DAY_FILE)); // JSON lines fail, SQLite (another file) works
      for (const r of buildCdrs(250, { startMs: AT })) sink.write(r);
      await sink.flush();

      expect(sqliteCount(dir)).toBe(250);
      expect(metrics.held['jsonl']?.records).toBe(100);
      expect(metrics.lostBy).toEqual({ 'backlog-full': 150 });
      expect(metrics.counts).toEqual({ written: 0, lost: 150 });
      expect(metrics.bySink).toEqual({ written: { sqlite: 250 }, lost: { 'jsonl/backlog-full': 150 } });
      expect(logs.filter((l) => l.msg === 'cdr records lost')).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });

  it('counts a record both sinks lost once on the main series, and once per sink on the sink series', async () => {
    const dir = tmp();
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir, { maxQueue: 100, flushIntervalMs: 60_000, jsonl: { enabled: true } }), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    try {
      for (const r of buildCdrs(250, { startMs: AT })) sink.write(r);
      await sink.flush();

      expect(metrics.counts).toEqual({ written: 100, lost: 150 });
      expect(metrics.lostBy).toEqual({ 'queue-full': 150 });
      expect(metrics.bySink).toEqual({ written: { sqlite: 100, jsonl: 100 }, lost: { 'sqlite/queue-full': 150, 'jsonl/queue-full': 150 } });
    } finally {
      await sink.close();
    }
  });
});

describe('CDR sinks: one screening record per call on the main series', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('counts written records by type, so screening records equal the calls with two sinks and dispositions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmdgate-sinks-'));
    dirs.push(dir);
    const metrics = createMetrics('0.0.0', { defaultMetrics: false });
    const sink = await createCdrSinks(cdrConfig(dir, { jsonl: { enabled: true } }), { resolvePath: (p) => p, log: silentLog, metrics: metrics.cdr, monotonicMs: () => performance.now() });
    const calls = buildCdrs(40, { startMs: AT });
    try {
      for (const r of calls) {
        sink.write(r);
        const released: DispositionRecord = {
          schemaVersion: r.schemaVersion, type: 'disposition', node: r.node, callId: r.callId ?? `c-${r.seq}`, event: 'released',
          at: r.receivedAt, atMs: r.receivedAtMs, serverTime: null, sipStatus: null, cause: 'normal-release', releasedBy: 'caller', attempts: 1,
        };
        sink.write(released);
      }
      await sink.flush();
      const text = await metrics.registry.metrics();
      const sample = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

      expect(sample('rmdgate_cdr_written_total{type="screening"}')).toBe(calls.length);
      expect(sample('rmdgate_cdr_written_total{type="disposition"}')).toBe(calls.length);
      expect(sample('rmdgate_cdr_sink_written_total{sink="sqlite"}')).toBe(calls.length);
      expect(sample('rmdgate_cdr_sink_written_total{sink="jsonl"}')).toBe(2 * calls.length);
      expect(sample('rmdgate_cdr_sink_lost_total{sink="jsonl",cause="queue-full"}')).toBe(0);
    } finally {
      await sink.close();
    }
  });
});

describe('CDR sinks: flood summaries', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('go to the JSON-lines file of the interval start day and to the SQLite worker, counted once each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmdgate-sinks-flood-'));
    dirs.push(dir);
    const metrics = countingMetrics();
    const sink = await createCdrSinks(cdrConfig(dir, { sqlite: { enabled: true }, jsonl: { enabled: true } }), { resolvePath: (p) => p, log: silentLog, metrics, monotonicMs: () => performance.now() });
    const record = toFloodSummaryRecord({ sourceAddress: '198.51.100.7', sources: 1, transport: 'udp', intervalStartMs: AT, intervalEndMs: AT + 10_000, requests: 77, action: 'dropped' }, 'gate-1');
    try {
      sink.write(record);
      sink.write(buildCdrs(1, { startMs: AT })[0]!);
      await sink.flush();
    } finally {
      await sink.close();
    }
    const reader = createSqliteCdrReader(dir);
    const stored = await reader.findFloodSummaries(AT, AT, 10);
    await reader.close();

    expect(metrics.counts).toEqual({ written: 2, lost: 0 });
    expect(readFileSync(join(dir, DAY_FILE), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([record, expect.objectContaining({ type: 'screening' })]);
    expect(stored).toEqual([record]);
    expect(sqliteCount(dir)).toBe(1);
  });
});
